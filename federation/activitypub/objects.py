"""ActivityStreams object, actor and tag types, one dataclass per type, named as the type.

Each reads the shapes peers send (`from_json`) and writes the shape this
server sends (`to_json`). Lists are tuples when parsed; a renderer may pass
lists, and may still pass a tag, attachment or profile field as a prepared
JSON object, which is sent as it is.
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
    id_of,
    integer,
    optional_text,
    optional_uri,
    registered,
    require_http_uri,
    required_uri,
    text,
    typed_list,
)
from federation.activitypub.context import CONTEXT

MAX_TAGS = 50
MAX_ATTACHMENTS = 8
MAX_FIELDS = 16
MAX_POLL_OPTIONS = 20


def _drop_empty(data: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in data.items() if value not in (None, "", [], {})}


def _json_entry(value: Typed | Mapping[str, Any]) -> dict[str, Any]:
    return value.to_json(with_context=False) if isinstance(value, Typed) else dict(value)


def _image_url(value: Any) -> str:
    # An icon is a URL, an Image with a url, or a list of either (the first usable one wins).
    for item in as_list(value):
        if isinstance(item, str):
            return optional_uri(item)
        if isinstance(item, dict):
            return optional_uri(item.get("url"))
    return ""


# Tags and attachments: parts of an object, without ids of their own.


@registered
@dataclass(frozen=True, kw_only=True)
class Mention(Typed):
    """A mention of an actor in a post."""

    href: str
    name: str = ""
    type: str = "Mention"

    @classmethod
    def from_json(cls, doc: Mapping[str, Any]) -> Self:
        """Read a Mention; its href must be the actor's URI."""
        return cls(href=required_uri(doc, "href"), name=text(doc.get("name"), 500))

    def to_json(self, *, with_context: bool = False) -> dict[str, Any]:
        """Return the Mention as Mastodon writes it."""
        return {"type": self.type, "href": self.href, "name": self.name}


@registered
@dataclass(frozen=True, kw_only=True)
class Hashtag(Typed):
    """A hashtag in a post; `name` keeps its leading '#'."""

    name: str
    href: str = ""
    type: str = "Hashtag"

    @classmethod
    def from_json(cls, doc: Mapping[str, Any]) -> Self:
        """Read a Hashtag; it must have a name."""
        name = text(doc.get("name"), 101)
        if not name.lstrip("#"):
            raise MalformedDocument("A Hashtag must have a name.")
        return cls(name=name, href=optional_uri(doc.get("href")))

    @property
    def tag(self) -> str:
        """Return the tag as stored here: lower-case, without '#'."""
        return self.name.lstrip("#").lower()[:100]

    def to_json(self, *, with_context: bool = False) -> dict[str, Any]:
        """Return the Hashtag, its href only when it has one."""
        data: dict[str, Any] = {"type": self.type}
        if self.href:
            data["href"] = self.href
        data["name"] = self.name
        return data


@registered
@dataclass(frozen=True, kw_only=True)
class Emoji(Typed):
    """A custom emoji named in a post or profile (Mastodon's toot:Emoji)."""

    name: str
    icon_url: str
    id: str = ""
    updated: str = ""
    type: str = "Emoji"

    @classmethod
    def from_json(cls, doc: Mapping[str, Any]) -> Self:
        """Read an Emoji; it must have a :shortcode: name and an image."""
        name = text(doc.get("name"), 100)
        icon_url = _image_url(doc.get("icon"))
        if not name or not icon_url:
            raise MalformedDocument("An Emoji must have a name and an icon.")
        return cls(name=name, icon_url=icon_url, id=optional_uri(doc.get("id")), updated=text(doc.get("updated"), 64))

    def to_json(self, *, with_context: bool = False) -> dict[str, Any]:
        """Return the Emoji with its icon as an Image."""
        return _drop_empty(
            {
                "id": self.id,
                "type": self.type,
                "name": self.name,
                "updated": self.updated,
                "icon": {"type": "Image", "url": self.icon_url},
            }
        )


Tag = Mention | Hashtag | Emoji


def _tags(value: Any) -> tuple[Tag, ...]:
    # Up to MAX_TAGS of each kind: a post with many custom emojis keeps its mentions and hashtags.
    tags: list[Tag] = []
    counts: dict[type[Tag], int] = {}
    for item in as_list(value):
        if not isinstance(item, dict):
            continue
        try:
            parsed = _parse_tag(item)
        except MalformedDocument:
            continue
        if parsed is not None and counts.get(type(parsed), 0) < MAX_TAGS:
            counts[type(parsed)] = counts.get(type(parsed), 0) + 1
            tags.append(parsed)
    return tuple(tags)


def _parse_tag(item: Mapping[str, Any]) -> Tag | None:
    """Return a tag as its type (Mention, Hashtag or Emoji), None for a tag of another type."""
    kind = item.get("type")
    if kind == "Mention":
        return Mention.from_json(item)
    if kind == "Hashtag":
        return Hashtag.from_json(item)
    if kind == "Emoji":
        return Emoji.from_json(item)
    return None


@registered
@dataclass(frozen=True, kw_only=True)
class Document(Typed):
    """A media file attached to a post, referred to by URL."""

    url: str
    media_type: str = ""
    name: str | None = None
    blurhash: str = ""
    width: int | None = None
    height: int | None = None
    focal_point: tuple[float, float] | None = None
    type: str = "Document"

    @classmethod
    def from_json(cls, doc: Mapping[str, Any]) -> Self:
        """Read an attachment; it must have an http(s) URL (a Link object's href counts)."""
        url_value = doc.get("url")
        if isinstance(url_value, list | dict) and id_of(url_value) is None:
            # Peertube and Pleroma write url as a Link (or a list of them) with an href.
            url_value = next((item.get("href") for item in as_list(url_value) if isinstance(item, dict)), None)
        url = require_http_uri(url_value, "url")
        focal = doc.get("focalPoint")
        focal_point = None
        if isinstance(focal, list) and len(focal) == 2 and all(isinstance(v, int | float) for v in focal):
            focal_point = (float(focal[0]), float(focal[1]))
        media_type = doc.get("mediaType")
        return cls(
            url=url,
            media_type=media_type[:100] if isinstance(media_type, str) else "",
            name=optional_text(doc.get("name"), 1500),
            blurhash=text(doc.get("blurhash"), 100),
            width=integer(doc.get("width")),
            height=integer(doc.get("height")),
            focal_point=focal_point,
        )

    def to_json(self, *, with_context: bool = False) -> dict[str, Any]:
        """Return the attachment as Mastodon writes it: name always present, null when empty."""
        data: dict[str, Any] = {"type": self.type, "mediaType": self.media_type, "url": self.url, "name": self.name}
        if self.blurhash:
            data["blurhash"] = self.blurhash
        if self.focal_point is not None:
            data["focalPoint"] = list(self.focal_point)
        if self.width is not None:
            data["width"] = self.width
            data["height"] = self.height
        return data


@registered
@dataclass(frozen=True, kw_only=True)
class Image(Document):
    """An image attachment (some servers type their attachments Image, not Document)."""

    type: str = "Image"


@registered
@dataclass(frozen=True, kw_only=True)
class PropertyValue(Typed):
    """A profile field (schema.org PropertyValue)."""

    name: str
    value: str
    type: str = "PropertyValue"

    @classmethod
    def from_json(cls, doc: Mapping[str, Any]) -> Self:
        """Read a profile field; name and value are cut to what a profile shows."""
        return cls(name=text(doc.get("name"), 255), value=text(doc.get("value"), 2048))

    def to_json(self, *, with_context: bool = False) -> dict[str, Any]:
        """Return the profile field."""
        return {"type": self.type, "name": self.name, "value": self.value}


def _property_value(item: PropertyValue | Mapping[str, str]) -> PropertyValue:
    return item if isinstance(item, PropertyValue) else PropertyValue(name=item["name"], value=item["value"])


def _attachments(value: Any) -> tuple[Document, ...]:
    # Any of the first entries with a URL is a file, whatever its type: Pixelfed types its
    # attachments Image or Video, and what the file is comes from its mediaType anyway.
    found: list[Document] = []
    for item in as_list(value)[:MAX_ATTACHMENTS]:
        if not isinstance(item, dict):
            continue
        try:
            found.append(Image.from_json(item) if item.get("type") == "Image" else Document.from_json(item))
        except MalformedDocument:
            continue
    return tuple(found)


# Actors.


@dataclass(frozen=True, kw_only=True)
class PublicKey:
    """An actor's RSA public key (security vocabulary)."""

    id: str
    owner: str
    public_key_pem: str

    def to_json(self) -> dict[str, Any]:
        """Return the key's JSON form."""
        return {"id": self.id, "owner": self.owner, "publicKeyPem": self.public_key_pem}


def _public_key(doc: Mapping[str, Any], actor_id: str) -> PublicKey:
    key = doc.get("publicKey")
    if isinstance(key, list):
        # Some servers list several keys; the first RSA key object is the one to verify with.
        key = next((k for k in key if isinstance(k, dict)), None)
    if not isinstance(key, dict) or not isinstance(key.get("publicKeyPem"), str):
        raise MalformedDocument("publicKey is missing.")
    key_id = require_http_uri(key.get("id"), "publicKey.id")
    owner = id_of(key.get("owner")) or actor_id
    if owner != actor_id:
        raise MalformedDocument("publicKey.owner is not the actor.")
    return PublicKey(id=key_id, owner=owner, public_key_pem=key["publicKeyPem"])


@registered
@dataclass(frozen=True, kw_only=True)
class Person(Object):
    """An actor document; Service, Application, Group and Organization are Persons with another type.

    `shared_inbox` comes from `endpoints`, which GoToSocial omits.
    `preferred_username` is empty when the document has none (relays,
    bridges and some servers publish such actors); whoever stores the actor
    derives a name from its id.
    """

    type: str = "Person"
    inbox: str
    public_key: PublicKey
    preferred_username: str = ""
    outbox: str = ""
    followers: str = ""
    following: str = ""
    featured: str = ""
    featured_tags: str = ""
    shared_inbox: str = ""
    url: str = ""
    name: str = ""
    summary: str = ""
    published: str = ""
    manually_approves_followers: bool = False
    discoverable: bool = True
    indexable: bool = True
    also_known_as: Sequence[str] = field(default_factory=tuple)
    moved_to: str | None = None
    fields: Sequence[PropertyValue | Mapping[str, str]] = field(default_factory=tuple)
    icon_url: str = ""
    image_url: str = ""
    tag: Sequence[Tag] = field(default_factory=tuple)
    # Further collections the actor publishes (ActivityStreams `streams`): the transparency log.
    streams: Sequence[str] = field(default_factory=tuple)

    @property
    def bot(self) -> bool:
        """Return whether the actor is automated (Mastodon's bot flag is the actor type)."""
        return self.type in ("Service", "Application")

    @classmethod
    def from_json(cls, doc: Mapping[str, Any]) -> Self:
        """Read an actor; refuse one without id, inbox or public key, or with a username that is not a name."""
        actor_id = required_uri(doc, "id")
        username = doc.get("preferredUsername")
        if username is None:
            username = ""
        if not isinstance(username, str) or len(username) > 100:
            raise MalformedDocument("preferredUsername is not a name.")
        endpoints = doc.get("endpoints")
        shared_inbox = optional_uri(endpoints.get("sharedInbox")) if isinstance(endpoints, dict) else ""
        fields = tuple(
            PropertyValue.from_json(item)
            for item in as_list(doc.get("attachment"))
            if isinstance(item, dict) and item.get("type") == "PropertyValue"
        )[:MAX_FIELDS]
        also_known_as = tuple(uri for uri in (optional_uri(v) for v in as_list(doc.get("alsoKnownAs"))) if uri)
        return cls(
            id=actor_id,
            preferred_username=username,
            inbox=required_uri(doc, "inbox"),
            public_key=_public_key(doc, actor_id),
            outbox=optional_uri(doc.get("outbox")),
            followers=optional_uri(doc.get("followers")),
            following=optional_uri(doc.get("following")),
            featured=optional_uri(doc.get("featured")),
            featured_tags=optional_uri(doc.get("featuredTags")),
            shared_inbox=shared_inbox,
            url=optional_uri(doc.get("url")),
            name=text(doc.get("name"), 100),
            summary=text(doc.get("summary"), 10_000),
            published=text(doc.get("published"), 64),
            manually_approves_followers=doc.get("manuallyApprovesFollowers") is True,
            # Absent means not opted in: only an explicit true lets an account be suggested or indexed.
            discoverable=doc.get("discoverable") is True,
            indexable=doc.get("indexable") is True,
            also_known_as=also_known_as[:20],
            moved_to=optional_uri(doc.get("movedTo")) or None,
            fields=fields,
            icon_url=_image_url(doc.get("icon")),
            image_url=_image_url(doc.get("image")),
            tag=typed_list(doc.get("tag"), Emoji, MAX_TAGS),
            streams=tuple(uri for uri in (optional_uri(v) for v in as_list(doc.get("streams"))) if uri),
        )

    def to_json(self, *, with_context: bool = True) -> dict[str, Any]:
        """Return the actor document, with its @context unless embedded."""
        data = _drop_empty(
            {
                "@context": CONTEXT if with_context else None,
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
                "featuredTags": self.featured_tags,
                "streams": list(self.streams),
                "endpoints": {"sharedInbox": self.shared_inbox},
                "publicKey": self.public_key.to_json(),
                "published": self.published,
                "alsoKnownAs": list(self.also_known_as),
                "movedTo": self.moved_to,
                "attachment": [_property_value(item).to_json() for item in self.fields],
                "tag": [tag.to_json() for tag in self.tag],
                "icon": {"type": "Image", "url": self.icon_url} if self.icon_url else None,
                "image": {"type": "Image", "url": self.image_url} if self.image_url else None,
            }
        )
        # Booleans are always sent: false is meaningful.
        data["manuallyApprovesFollowers"] = self.manually_approves_followers
        data["discoverable"] = self.discoverable
        data["indexable"] = self.indexable
        return data


@registered
@dataclass(frozen=True, kw_only=True)
class Service(Person):
    """An automated actor (a bot)."""

    type: str = "Service"


@registered
@dataclass(frozen=True, kw_only=True)
class Application(Person):
    """A software actor, such as an instance actor."""

    type: str = "Application"


@registered
@dataclass(frozen=True, kw_only=True)
class Group(Person):
    """A group actor (Lemmy communities, Friendica forums)."""

    type: str = "Group"


@registered
@dataclass(frozen=True, kw_only=True)
class Organization(Person):
    """An organisation's actor."""

    type: str = "Organization"


# Posts.


def _poll(doc: Mapping[str, Any]) -> tuple[tuple[tuple[str, int], ...], bool]:
    multiple = "anyOf" in doc
    options = []
    for choice in as_list(doc.get("anyOf") if multiple else doc.get("oneOf"))[:MAX_POLL_OPTIONS]:
        if not isinstance(choice, dict) or not isinstance(choice.get("name"), str):
            continue
        replies = choice.get("replies")
        count = integer(replies.get("totalItems")) if isinstance(replies, dict) else None
        options.append((choice["name"][:200], count if count is not None and count >= 0 else 0))
    return tuple(options), multiple


@registered
@dataclass(frozen=True, kw_only=True)
class Note(Object):
    """A post; Article, Page and Question are Notes with another type.

    Mastodon's poll is a Question: a Note with `oneOf` or `anyOf` choices,
    so the poll's fields live here and one serialiser writes both.
    `language` is the key of `contentMap`; `content` falls back to its text
    when a peer sends only the map.
    """

    type: str = "Note"
    attributed_to: str
    content: str = ""
    published: str = ""
    # Lists, not tuples: renderers address the wrapping activity with them as they are.
    to: list[str] = field(default_factory=list)
    cc: list[str] = field(default_factory=list)
    url: str = ""
    name: str = ""
    summary: str | None = None
    sensitive: bool = False
    in_reply_to: str | None = None
    updated: str | None = None
    language: str | None = None
    tag: Sequence[Tag | Mapping[str, Any]] = field(default_factory=tuple)
    attachment: Sequence[Document | Mapping[str, Any]] = field(default_factory=tuple)
    poll_options: Sequence[tuple[str, int]] = field(default_factory=tuple)
    poll_multiple: bool = False
    end_time: str | None = None
    voters_count: int | None = None

    @property
    def audience(self) -> tuple[str, ...]:
        """Return every addressed id, to and cc."""
        return (*self.to, *self.cc)

    @property
    def mentions(self) -> tuple[Mention, ...]:
        """Return the mentions among the tags."""
        return tuple(tag for tag in self.tag if isinstance(tag, Mention))

    @property
    def hashtags(self) -> tuple[Hashtag, ...]:
        """Return the hashtags among the tags."""
        return tuple(tag for tag in self.tag if isinstance(tag, Hashtag))

    @property
    def emojis(self) -> tuple[Emoji, ...]:
        """Return the custom emojis among the tags."""
        return tuple(tag for tag in self.tag if isinstance(tag, Emoji))

    @classmethod
    def from_json(cls, doc: Mapping[str, Any]) -> Self:
        """Read a post; refuse one without id or author. `sensitive` and `published` may be absent."""
        content = text(doc.get("content"))
        content_map = doc.get("contentMap")
        language = None
        if isinstance(content_map, dict) and content_map:
            language = str(next(iter(content_map)))[:16]
            content = content or text(content_map)
        options, multiple = _poll(doc)
        end_time = doc.get("endTime") or doc.get("closed")
        return cls(
            id=required_uri(doc, "id"),
            attributed_to=required_uri(doc, "attributedTo"),
            content=content,
            published=text(doc.get("published"), 64),
            to=list(addresses(doc.get("to"))),
            cc=list(addresses(doc.get("cc"))),
            url=optional_uri(doc.get("url")),
            name=text(doc.get("name"), 500),
            summary=optional_text(doc.get("summary"), 500),
            sensitive=doc.get("sensitive") is True,
            in_reply_to=optional_uri(doc.get("inReplyTo")) or None,
            updated=optional_text(doc.get("updated"), 64),
            language=language,
            tag=_tags(doc.get("tag")),
            attachment=_attachments(doc.get("attachment")),
            poll_options=options,
            poll_multiple=multiple,
            end_time=end_time if isinstance(end_time, str) else None,
            voters_count=integer(doc.get("votersCount")),
        )

    def to_json(self, *, with_context: bool = True) -> dict[str, Any]:
        """Return the post as Mastodon writes it; embedded in an activity it carries no @context."""
        data: dict[str, Any] = {
            "id": self.id,
            "type": self.type,
            "summary": self.summary,
            "inReplyTo": self.in_reply_to,
            "published": self.published,
            "url": self.url,
            "attributedTo": self.attributed_to,
            "to": list(self.to),
            "cc": list(self.cc),
            "sensitive": self.sensitive,
            "content": self.content,
            "tag": [_json_entry(tag) for tag in self.tag],
        }
        if self.name:
            data["name"] = self.name
        if self.attachment:
            data["attachment"] = [_json_entry(item) for item in self.attachment]
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


@dataclass(frozen=True, kw_only=True)
class VoteNote(Note):
    """A vote in a poll as sent: a Note naming the chosen option, replying to the poll, to its author only.

    Not registered: a vote received is read as a Note like any other (a
    name, no content, a reply). This class writes the bare shape Mastodon
    sends for a vote, without a post's content, addressing flags and tags.
    """

    def to_json(self, *, with_context: bool = True) -> dict[str, Any]:
        """Return the vote; embedded in its Create it carries no @context."""
        data: dict[str, Any] = {
            "id": self.id,
            "type": self.type,
            "name": self.name,
            "attributedTo": self.attributed_to,
            "to": list(self.to),
            "inReplyTo": self.in_reply_to,
        }
        if with_context:
            data = {"@context": CONTEXT, **data}
        return data


@registered
@dataclass(frozen=True, kw_only=True)
class Question(Note):
    """A poll: a post with choices and counts."""

    type: str = "Question"


@registered
@dataclass(frozen=True, kw_only=True)
class Article(Note):
    """A long post with a title (`name`), as blogs and WriteFreely send."""

    type: str = "Article"


@registered
@dataclass(frozen=True, kw_only=True)
class Page(Note):
    """A page with a title (`name`), as Lemmy sends its posts."""

    type: str = "Page"


@registered
@dataclass(frozen=True, kw_only=True)
class Tombstone(Object):
    """What is left where an object or actor was deleted."""

    type: str = "Tombstone"
    former_type: str = ""
    deleted: str = ""
    atom_uri: str = ""

    @classmethod
    def from_json(cls, doc: Mapping[str, Any]) -> Self:
        """Read a Tombstone; it must have an id."""
        return cls(
            id=required_uri(doc, "id"),
            former_type=text(doc.get("formerType"), 64),
            deleted=text(doc.get("deleted"), 64),
            atom_uri=optional_uri(doc.get("atomUri")),
        )

    def to_json(self, *, with_context: bool = True) -> dict[str, Any]:
        """Return the Tombstone; embedded in a Delete it carries no @context."""
        data: dict[str, Any] = {"@context": CONTEXT} if with_context else {}
        data.update(
            _drop_empty(
                {
                    "id": self.id,
                    "type": self.type,
                    "formerType": self.former_type,
                    "deleted": self.deleted,
                    "atomUri": self.atom_uri,
                }
            )
        )
        return data
