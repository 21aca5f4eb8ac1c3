"""ActivityStreams activity types, one dataclass per type, named as the type.

An activity's `object` is either a reference (the id, a string) or the
embedded object, parsed: the Note of a Create, the Follow of an Undo or an
Accept. Which one a handler may trust is its own rule (an embedded object
from another host is only ever a hint); parsing only reads the shape.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Self

from federation.activitypub.base import (
    MalformedDocument,
    Object,
    Typed,
    addresses,
    as_list,
    embedded_or_reference,
    id_of,
    json_of,
    optional_uri,
    registered,
    require_http_uri,
    required_uri,
    text,
)
from federation.activitypub.context import CONTEXT

MAX_FLAG_OBJECTS = 100


@dataclass(frozen=True, kw_only=True)
class Activity(Object):
    """An activity: who (`actor`) did what (`type`) to which object, addressed to whom."""

    actor: str
    object: str | Object
    to: Sequence[str] = field(default_factory=tuple)
    cc: Sequence[str] = field(default_factory=tuple)
    published: str = ""

    @property
    def object_id(self) -> str:
        """Return the id of the activity's object, whether referenced or embedded."""
        return self.object if isinstance(self.object, str) else self.object.id

    @classmethod
    def from_json(cls, doc: Mapping[str, Any]) -> Self:
        """Read an activity; refuse one without id, actor or object. `published` may be absent."""
        return cls.read(doc, id=required_uri(doc, "id"), actor=required_uri(doc, "actor"))

    @classmethod
    def from_embedded_json(cls, doc: Mapping[str, Any]) -> Self:
        """Read an activity embedded in another (the Follow of an Accept or Undo): its id and actor may be "".

        Misskey used to embed the Follow it accepts without its id, and
        Friendica writes a database number there; the Follow is then found
        by its two actors, and an Undo by what it undoes. Only the object
        is required.
        """
        return cls.read(doc, id=optional_uri(doc.get("id")), actor=optional_uri(doc.get("actor")))

    @classmethod
    def read(cls, doc: Mapping[str, Any], *, id: str, actor: str) -> Self:
        """Read the rest of an activity whose id and actor are read already."""
        return cls(
            id=id,
            actor=actor,
            object=embedded_or_reference(doc.get("object"), "object"),
            to=addresses(doc.get("to")),
            cc=addresses(doc.get("cc")),
            published=text(doc.get("published"), 64),
            **cls.read_extra(doc),
        )

    @classmethod
    def read_extra(cls, doc: Mapping[str, Any]) -> dict[str, Any]:
        """Return the properties this type has beyond every activity's."""
        return {}

    def extra_json(self) -> dict[str, Any]:
        """Return the properties this type sends beyond every activity's, in the order sent."""
        return {}

    def object_json(self) -> Any:
        """Return the `object` property as sent."""
        return json_of(self.object)

    def to_json(self, *, with_context: bool = True) -> dict[str, Any]:
        """Return the activity as Mastodon writes it: the object last, `cc` only when not empty."""
        data: dict[str, Any] = {"@context": CONTEXT} if with_context else {}
        data.update({"id": self.id, "type": self.type, "actor": self.actor})
        if self.published:
            data["published"] = self.published
        data.update(self.extra_json())
        data["to"] = list(self.to)
        if self.cc:
            data["cc"] = list(self.cc)
        data["object"] = self.object_json()
        return data


@registered
@dataclass(frozen=True, kw_only=True)
class Create(Activity):
    """Publish an object (a post, or a poll vote)."""

    type: str = "Create"


@registered
@dataclass(frozen=True, kw_only=True)
class Update(Activity):
    """Replace an object or actor with the embedded new version; `published` is usually absent."""

    type: str = "Update"


@registered
@dataclass(frozen=True, kw_only=True)
class Delete(Activity):
    """Delete an object (a Tombstone or its id) or, when the object is the actor, the actor."""

    type: str = "Delete"


@registered
@dataclass(frozen=True, kw_only=True)
class Follow(Activity):
    """Ask to follow the object actor."""

    type: str = "Follow"


@registered
@dataclass(frozen=True, kw_only=True)
class Accept(Activity):
    """Accept a Follow, embedded or referred to by id."""

    type: str = "Accept"


@registered
@dataclass(frozen=True, kw_only=True)
class Reject(Activity):
    """Reject a Follow, or end one already accepted."""

    type: str = "Reject"


@registered
@dataclass(frozen=True, kw_only=True)
class Undo(Activity):
    """Undo an earlier Follow, Like, Announce or Block, embedded or referred to by id."""

    type: str = "Undo"


@registered
@dataclass(frozen=True, kw_only=True)
class Like(Activity):
    """Favourite a post; Misskey and Pleroma put an emoji reaction in `content`."""

    type: str = "Like"
    content: str = ""

    @classmethod
    def read_extra(cls, doc: Mapping[str, Any]) -> dict[str, Any]:
        """Return the reaction, if any."""
        return {"content": text(doc.get("content"), 100)}

    def extra_json(self) -> dict[str, Any]:
        """Return the reaction when there is one."""
        return {"content": self.content} if self.content else {}


@registered
@dataclass(frozen=True, kw_only=True)
class Announce(Activity):
    """Boost a post, usually referred to by id."""

    type: str = "Announce"


@registered
@dataclass(frozen=True, kw_only=True)
class Block(Activity):
    """Block the object actor."""

    type: str = "Block"


@registered
@dataclass(frozen=True, kw_only=True)
class Flag(Activity):
    """Report accounts and posts to their server; `object` is the first of `object_ids`.

    Mastodon sends the reported account and statuses as one list of ids,
    from its instance actor, with the reporter's comment in `content`.
    """

    type: str = "Flag"
    object_ids: Sequence[str] = field(default_factory=tuple)
    content: str = ""

    @classmethod
    def read_extra(cls, doc: Mapping[str, Any]) -> dict[str, Any]:
        """Return every reported id and the comment."""
        ids = [id_of(item) for item in as_list(doc.get("object"))[:MAX_FLAG_OBJECTS]]
        return {
            "object_ids": tuple(require_http_uri(uri, "object") for uri in ids),
            "content": text(doc.get("content"), 10_000),
        }

    def extra_json(self) -> dict[str, Any]:
        """Return the comment, sent even when empty."""
        return {"content": self.content}

    def object_json(self) -> Any:
        """Return every reported id."""
        return list(self.object_ids) or [self.object_id]


@dataclass(frozen=True, kw_only=True)
class TargetedActivity(Activity):
    """An activity that moves or puts its objects (`object_ids`, `object` the first) somewhere: `target`."""

    target: str = ""
    object_ids: Sequence[str] = field(default_factory=tuple)
    # An object sent embedded that is no Object with an id: Mastodon adds and removes a featured
    # hashtag as a Hashtag. `object` then names it by its href.
    embedded: Typed | None = None

    @classmethod
    def read_extra(cls, doc: Mapping[str, Any]) -> dict[str, Any]:
        """Return the target's id ("" when absent) and every object's id."""
        target = id_of(doc.get("target"))
        return {
            "target": require_http_uri(target, "target") if target is not None else "",
            "object_ids": tuple(uri for uri in (id_of(item) for item in as_list(doc.get("object"))) if uri),
        }

    def extra_json(self) -> dict[str, Any]:
        """Return the target."""
        return {"target": self.target}

    def object_json(self) -> Any:
        """Return the embedded object if there is one, else the object as any activity sends it."""
        if self.embedded is not None:
            return self.embedded.to_json(with_context=False)
        return super().object_json()


@registered
@dataclass(frozen=True, kw_only=True)
class Move(TargetedActivity):
    """Move an account (the object, which is the actor) to a new one (the target)."""

    type: str = "Move"

    @classmethod
    def read_extra(cls, doc: Mapping[str, Any]) -> dict[str, Any]:
        """Return the new account; a Move without one is malformed."""
        extra = super().read_extra(doc)
        if not extra["target"]:
            raise MalformedDocument("target is missing.")
        return extra


@registered
@dataclass(frozen=True, kw_only=True)
class Add(TargetedActivity):
    """Add objects to a collection (Mastodon: pin a post to the featured collection)."""

    type: str = "Add"


@registered
@dataclass(frozen=True, kw_only=True)
class Remove(TargetedActivity):
    """Remove objects from a collection (Mastodon: unpin a post)."""

    type: str = "Remove"
