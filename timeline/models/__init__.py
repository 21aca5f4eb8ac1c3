"""Timeline's models, one module per subject."""

from timeline.models.follow import Follow
from timeline.models.status import Mention, Status, Visibility
from timeline.models.timeline_entry import TimelineEntry

__all__ = ["Follow", "Mention", "Status", "TimelineEntry", "Visibility"]
