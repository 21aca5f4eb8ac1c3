"""Federation's models, one module per subject."""

from federation.models.actor import Actor

__all__ = ["Actor"]
