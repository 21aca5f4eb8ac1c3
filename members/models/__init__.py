"""Members' models, one module per subject."""

from members.models.share_class import ShareClass
from members.models.user import User

__all__ = ["ShareClass", "User"]
