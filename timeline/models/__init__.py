"""Timeline's models, one module per subject."""

from timeline.models.follow import Follow
from timeline.models.interaction import Block, Favourite
from timeline.models.notification import Notification
from timeline.models.poll import Poll, PollVote
from timeline.models.status import Mention, Status, Tag, Visibility
from timeline.models.timeline_entry import TimelineEntry

__all__ = [
    "Block",
    "Favourite",
    "Follow",
    "Mention",
    "Notification",
    "Poll",
    "PollVote",
    "Status",
    "Tag",
    "TimelineEntry",
    "Visibility",
]
