"""ActivityStreams object types, one dataclass per type, named as the type."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from federation.activitypub.context import CONTEXT


def _drop_empty(data: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in data.items() if value not in (None, "", [], {})}


@dataclass(frozen=True)
class PublicKey:
    """An actor's RSA public key (security vocabulary)."""

    id: str
    owner: str
    public_key_pem: str

    def to_json(self) -> dict[str, Any]:
        """Return the key's JSON form."""
        return {"id": self.id, "owner": self.owner, "publicKeyPem": self.public_key_pem}


@dataclass(frozen=True)
class Person:
    """An actor document (also used for Application and Service actors via `type`)."""

    id: str
    preferred_username: str
    inbox: str
    outbox: str
    followers: str
    following: str
    featured: str
    shared_inbox: str
    public_key: PublicKey
    url: str
    name: str = ""
    summary: str = ""
    published: str = ""
    type: str = "Person"
    manually_approves_followers: bool = False
    discoverable: bool = True
    indexable: bool = True
    also_known_as: list[str] = field(default_factory=list)
    moved_to: str | None = None
    fields: list[dict[str, str]] = field(default_factory=list)
    icon_url: str = ""
    image_url: str = ""
    # Further collections the actor publishes (ActivityStreams `streams`): the transparency log.
    streams: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        """Return the actor document with its @context."""
        data = _drop_empty(
            {
                "@context": CONTEXT,
                "id": self.id,
                "type": self.type,
                "preferredUsername": self.preferred_username,
                "name": self.name,
                "summary": self.summary,
                "url": self.url,
                "inbox": self.inbox,
                "outbox": self.outbox,
                "followers": self.followers,
                "following": self.following,
                "featured": self.featured,
                "streams": self.streams,
                "endpoints": {"sharedInbox": self.shared_inbox},
                "publicKey": self.public_key.to_json(),
                "published": self.published,
                "alsoKnownAs": self.also_known_as,
                "movedTo": self.moved_to,
                "attachment": [
                    {"type": "PropertyValue", "name": item["name"], "value": item["value"]} for item in self.fields
                ],
                "icon": {"type": "Image", "url": self.icon_url} if self.icon_url else None,
                "image": {"type": "Image", "url": self.image_url} if self.image_url else None,
            }
        )
        # Booleans are always sent: false is meaningful.
        data["manuallyApprovesFollowers"] = self.manually_approves_followers
        data["discoverable"] = self.discoverable
        data["indexable"] = self.indexable
        return data


@dataclass(frozen=True)
class Note:
    """A short post."""

    id: str
    attributed_to: str
    content: str
    published: str
    to: list[str]
    cc: list[str]
    url: str = ""
    summary: str | None = None
    sensitive: bool = False
    in_reply_to: str | None = None
    updated: str | None = None
    language: str | None = None
    tag: list[dict[str, Any]] = field(default_factory=list)
    attachment: list[dict[str, Any]] = field(default_factory=list)
    poll_options: list[tuple[str, int]] = field(default_factory=list)
    poll_multiple: bool = False
    end_time: str | None = None
    voters_count: int | None = None
    type: str = "Note"

    def to_json(self, *, with_context: bool = True) -> dict[str, Any]:
        """Return the Note's JSON form; embedded in an activity it carries no @context."""
        data: dict[str, Any] = {
            "id": self.id,
            "type": self.type,
            "summary": self.summary,
            "inReplyTo": self.in_reply_to,
            "published": self.published,
            "url": self.url,
            "attributedTo": self.attributed_to,
            "to": self.to,
            "cc": self.cc,
            "sensitive": self.sensitive,
            "content": self.content,
            "tag": self.tag,
        }
        if self.attachment:
            data["attachment"] = self.attachment
        if self.poll_options:
            choices = [
                {"type": "Note", "name": name, "replies": {"type": "Collection", "totalItems": count}}
                for name, count in self.poll_options
            ]
            data["anyOf" if self.poll_multiple else "oneOf"] = choices
            data["endTime"] = self.end_time
            data["votersCount"] = self.voters_count or 0
        if self.updated:
            data["updated"] = self.updated
        if self.language:
            data["contentMap"] = {self.language: self.content}
        if with_context:
            data = {"@context": CONTEXT, **data}
        return data
