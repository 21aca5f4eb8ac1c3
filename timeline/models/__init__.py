"""Timeline's models, one module per subject."""

from timeline.models.conversation import Conversation
from timeline.models.discovery import (
    Endorsement,
    FeaturedTag,
    LinkTrend,
    Review,
    StatusTrend,
    SuggestionDismissal,
    TagFollow,
    TagTrend,
)
from timeline.models.emoji import CustomEmoji
from timeline.models.filter import Filter, FilterKeyword, FilterStatus
from timeline.models.follow import Follow
from timeline.models.idempotency import IdempotencyKey
from timeline.models.interaction import (
    AccountDomainBlock,
    Block,
    Bookmark,
    ConversationMute,
    Favourite,
    Mute,
)
from timeline.models.lists import List, ListAccount
from timeline.models.marker import Marker
from timeline.models.media import MediaAttachment
from timeline.models.note import AccountNote
from timeline.models.notification import Notification
from timeline.models.poll import Poll, PollVote
from timeline.models.preview_card import PreviewCard
from timeline.models.push import PushDelivery, PushSubscription
from timeline.models.status import POSTING_VISIBILITIES, Mention, Status, Tag, Visibility
from timeline.models.status_edit import ScheduledStatus, StatusEdit
from timeline.models.stream_event import StreamEvent
from timeline.models.timeline_entry import TimelineEntry

__all__ = [
    "POSTING_VISIBILITIES",
    "AccountDomainBlock",
    "AccountNote",
    "Block",
    "Bookmark",
    "Conversation",
    "ConversationMute",
    "CustomEmoji",
    "Endorsement",
    "Favourite",
    "FeaturedTag",
    "Filter",
    "FilterKeyword",
    "FilterStatus",
    "Follow",
    "IdempotencyKey",
    "LinkTrend",
    "List",
    "ListAccount",
    "Marker",
    "MediaAttachment",
    "Mention",
    "Mute",
    "Notification",
    "Poll",
    "PollVote",
    "PreviewCard",
    "PushDelivery",
    "PushSubscription",
    "Review",
    "ScheduledStatus",
    "Status",
    "StatusEdit",
    "StatusTrend",
    "StreamEvent",
    "SuggestionDismissal",
    "Tag",
    "TagFollow",
    "TagTrend",
    "TimelineEntry",
    "Visibility",
]
