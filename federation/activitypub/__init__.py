"""Typed ActivityStreams objects and their JSON form, free of the database.

Importing the package registers every type, so `parse()` knows them all.
A handler parses once and dispatches on the class::

    match parse(document):
        case Create(object=Note() as note):
            ...  # store the post
        case Undo(object=Follow() as follow):
            ...  # end the follow of follow.object_id
        case Unknown(type=kind):
            ...  # ignore it

`MalformedDocument` (a `ValueError`) names the property that could not be
read. Sending goes the other way: build the dataclass, call `serialise()`.
"""

from federation.activitypub.activities import (
    Accept,
    Activity,
    Add,
    Announce,
    Block,
    Create,
    Delete,
    Flag,
    Follow,
    Like,
    Move,
    Reject,
    Remove,
    TargetedActivity,
    Undo,
    Update,
)
from federation.activitypub.base import (
    TYPES,
    MalformedDocument,
    Object,
    Typed,
    Unknown,
    as_list,
    host_of,
    id_of,
    is_public,
    parse,
    parse_as,
    require_http_uri,
    serialise,
)
from federation.activitypub.objects import (
    Application,
    Article,
    Document,
    Emoji,
    Group,
    Hashtag,
    Image,
    Mention,
    Note,
    Organization,
    Page,
    Person,
    PropertyValue,
    PublicKey,
    Question,
    Service,
    Tag,
    Tombstone,
    VoteNote,
)

__all__ = [
    "TYPES",
    "Accept",
    "Activity",
    "Add",
    "Announce",
    "Application",
    "Article",
    "Block",
    "Create",
    "Delete",
    "Document",
    "Emoji",
    "Flag",
    "Follow",
    "Group",
    "Hashtag",
    "Image",
    "Like",
    "MalformedDocument",
    "Mention",
    "Move",
    "Note",
    "Object",
    "Organization",
    "Page",
    "Person",
    "PropertyValue",
    "PublicKey",
    "Question",
    "Reject",
    "Remove",
    "Service",
    "Tag",
    "TargetedActivity",
    "Tombstone",
    "Typed",
    "Undo",
    "Unknown",
    "Update",
    "VoteNote",
    "as_list",
    "host_of",
    "id_of",
    "is_public",
    "parse",
    "parse_as",
    "require_http_uri",
    "serialise",
]
