"""Parse documents other servers send into typed objects, refusing what cannot be read.

Peers differ in small ways: a property may be a string, an object with an id
or a list of either; Misskey and Pleroma add their own terms; GoToSocial
omits `endpoints`. Parsing tolerates those shapes and nothing else.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from federation.activitypub.context import PUBLIC_ALIASES

ACTOR_TYPES = frozenset({"Person", "Service", "Application", "Group", "Organization"})
STATUS_TYPES = frozenset({"Note", "Article", "Page", "Question"})
MAX_TEXT = 100_000


class MalformedDocument(ValueError):
    """A document lacks a required property or has one of the wrong shape."""


def as_list(value: Any) -> list[Any]:
    """Return a property as a list: absent is empty, a single value is a list of one."""
    if value is None:
        return []
    if isinstance(value, list):
        return value
    return [value]


def id_of(value: Any) -> str | None:
    """Return the id a property refers to: a string, or an embedded object's id."""
    if isinstance(value, str):
        return value
    if isinstance(value, dict) and isinstance(value.get("id"), str):
        return str(value["id"])
    if isinstance(value, list) and value:
        return id_of(value[0])
    return None


def host_of(uri: str) -> str:
    """Return the host (with a port if any) of a URI, lower-cased."""
    return urlsplit(uri).netloc.lower()


def require_http_uri(value: Any, name: str) -> str:
    """Return the value if it is an http(s) URI without credentials, else refuse the document.

    A URI with credentials (`https://user:pass@host/`) is never kept: it
    would later be fetched, linked or compared as if it named `host`.
    """
    if not isinstance(value, str) or urlsplit(value).scheme not in ("http", "https") or not host_of(value):
        raise MalformedDocument(f"{name} must be an http(s) URI.")
    if "@" in urlsplit(value).netloc:
        raise MalformedDocument(f"{name} must not carry credentials.")
    if len(value) > 500:
        raise MalformedDocument(f"{name} is too long.")
    return value


def _text(value: Any, limit: int = MAX_TEXT) -> str:
    if isinstance(value, dict):
        # A language map ({"en": "..."}); take its first entry.
        value = next(iter(value.values()), "")
    return value[:limit] if isinstance(value, str) else ""


def _optional_uri(value: Any) -> str:
    uri = id_of(value)
    if uri is None:
        return ""
    try:
        return require_http_uri(uri, "URI")
    except MalformedDocument:
        return ""


def _image_url(value: Any) -> str:
    for item in as_list(value):
        if isinstance(item, str):
            return _optional_uri(item)
        if isinstance(item, dict):
            return _optional_uri(item.get("url"))
    return ""


@dataclass(frozen=True)
class ActorDocument:
    """A remote actor's document, reduced to what this server keeps."""

    id: str
    type: str
    preferred_username: str
    inbox: str
    public_key_id: str
    public_key_pem: str
    name: str = ""
    summary: str = ""
    url: str = ""
    outbox: str = ""
    shared_inbox: str = ""
    followers: str = ""
    following: str = ""
    featured: str = ""
    manually_approves_followers: bool = False
    discoverable: bool = False
    bot: bool = False
    also_known_as: list[str] = field(default_factory=list)
    moved_to: str = ""
    fields: list[dict[str, str]] = field(default_factory=list)
    icon_url: str = ""
    image_url: str = ""


def parse_actor(doc: Any) -> ActorDocument:
    """Parse an actor document; refuse one without id, inbox, username or public key."""
    if not isinstance(doc, dict):
        raise MalformedDocument("An actor must be a JSON object.")
    kind = doc.get("type")
    if kind not in ACTOR_TYPES:
        raise MalformedDocument(f"{kind!r} is not an actor type.")
    actor_id = require_http_uri(doc.get("id"), "id")
    username = doc.get("preferredUsername")
    if not isinstance(username, str) or not username or len(username) > 100:
        raise MalformedDocument("preferredUsername is missing.")
    key = doc.get("publicKey")
    if isinstance(key, list):
        key = next((k for k in key if isinstance(k, dict)), None)
    if not isinstance(key, dict) or not isinstance(key.get("publicKeyPem"), str):
        raise MalformedDocument("publicKey is missing.")
    key_id = require_http_uri(key.get("id"), "publicKey.id")
    if key.get("owner", actor_id) != actor_id:
        raise MalformedDocument("publicKey.owner is not the actor.")
    endpoints_value = doc.get("endpoints")
    endpoints: dict[str, Any] = endpoints_value if isinstance(endpoints_value, dict) else {}
    fields = [
        {"name": _text(item.get("name"), 255), "value": _text(item.get("value"), 2048)}
        for item in as_list(doc.get("attachment"))
        if isinstance(item, dict) and item.get("type") == "PropertyValue"
    ][:16]
    return ActorDocument(
        id=actor_id,
        type=str(kind),
        preferred_username=username,
        inbox=require_http_uri(id_of(doc.get("inbox")), "inbox"),
        public_key_id=key_id,
        public_key_pem=key["publicKeyPem"],
        name=_text(doc.get("name"), 100),
        summary=_text(doc.get("summary"), 10_000),
        url=_optional_uri(doc.get("url")),
        outbox=_optional_uri(doc.get("outbox")),
        shared_inbox=_optional_uri(endpoints.get("sharedInbox")),
        followers=_optional_uri(doc.get("followers")),
        following=_optional_uri(doc.get("following")),
        featured=_optional_uri(doc.get("featured")),
        manually_approves_followers=doc.get("manuallyApprovesFollowers") is True,
        discoverable=doc.get("discoverable") is True,
        bot=kind in ("Service", "Application"),
        also_known_as=[uri for uri in (_optional_uri(v) for v in as_list(doc.get("alsoKnownAs"))) if uri][:20],
        moved_to=_optional_uri(doc.get("movedTo")),
        fields=fields,
        icon_url=_image_url(doc.get("icon")),
        image_url=_image_url(doc.get("image")),
    )


@dataclass(frozen=True)
class AttachmentDocument:
    """A remote media file, referenced by URL and never stored under its remote name."""

    url: str
    media_type: str
    description: str
    blurhash: str = ""
    width: int | None = None
    height: int | None = None


@dataclass(frozen=True)
class NoteDocument:
    """A Note, Article, Page or Question: what becomes a status."""

    id: str
    type: str
    attributed_to: str
    content: str
    published: str
    to: list[str]
    cc: list[str]
    url: str = ""
    name: str = ""
    summary: str = ""
    sensitive: bool = False
    in_reply_to: str = ""
    updated: str = ""
    language: str = ""
    mentions: list[str] = field(default_factory=list)
    hashtags: list[str] = field(default_factory=list)
    attachments: list[AttachmentDocument] = field(default_factory=list)
    poll_options: list[tuple[str, int]] = field(default_factory=list)
    poll_multiple: bool = False
    poll_end_time: str = ""
    voters_count: int | None = None

    @property
    def audience(self) -> list[str]:
        """Return every addressed URI, to and cc."""
        return [*self.to, *self.cc]


def _attachment(item: Any) -> AttachmentDocument | None:
    if not isinstance(item, dict):
        return None
    url = _optional_uri(item.get("url"))
    if not url:
        return None
    media_type = item.get("mediaType") if isinstance(item.get("mediaType"), str) else ""
    width = item.get("width") if isinstance(item.get("width"), int) else None
    height = item.get("height") if isinstance(item.get("height"), int) else None
    return AttachmentDocument(
        url=url,
        media_type=str(media_type)[:100],
        description=_text(item.get("name"), 1500),
        blurhash=_text(item.get("blurhash"), 100),
        width=width,
        height=height,
    )


def _addresses(value: Any) -> list[str]:
    addresses = []
    for item in as_list(value):
        uri = id_of(item)
        if uri:
            addresses.append(uri)
    return addresses


def _poll(doc: dict[str, Any]) -> tuple[list[tuple[str, int]], bool]:
    multiple = "anyOf" in doc
    options = []
    for choice in as_list(doc.get("anyOf") if multiple else doc.get("oneOf"))[:20]:
        if not isinstance(choice, dict) or not isinstance(choice.get("name"), str):
            continue
        replies = choice.get("replies")
        count = replies.get("totalItems", 0) if isinstance(replies, dict) else 0
        options.append((choice["name"][:200], count if isinstance(count, int) and count >= 0 else 0))
    return options, multiple


def parse_note(doc: Any) -> NoteDocument:
    """Parse a Note-like object; refuse one without id or author."""
    if not isinstance(doc, dict):
        raise MalformedDocument("An object must be a JSON object.")
    kind = doc.get("type")
    if kind not in STATUS_TYPES:
        raise MalformedDocument(f"{kind!r} is not a status type.")
    note_id = require_http_uri(doc.get("id"), "id")
    author = require_http_uri(id_of(doc.get("attributedTo")), "attributedTo")
    mentions, hashtags = [], []
    for tag in as_list(doc.get("tag")):
        if not isinstance(tag, dict):
            continue
        if tag.get("type") == "Mention" and isinstance(tag.get("href"), str):
            mentions.append(tag["href"])
        elif tag.get("type") == "Hashtag" and isinstance(tag.get("name"), str):
            hashtags.append(tag["name"].lstrip("#").lower()[:100])
    content = _text(doc.get("content"))
    content_map = doc.get("contentMap")
    language = ""
    if isinstance(content_map, dict) and content_map:
        language = str(next(iter(content_map)))[:16]
        content = content or _text(content_map)
    if kind in ("Article", "Page") and isinstance(doc.get("name"), str) and doc["name"]:
        # Mastodon shows an article's title above its text.
        content = f"<p><strong>{doc['name'][:500]}</strong></p>{content}"
    options, multiple = _poll(doc) if kind == "Question" else ([], False)
    voters = doc.get("votersCount")
    end_time = doc.get("endTime") or doc.get("closed")
    return NoteDocument(
        id=note_id,
        type=str(kind),
        attributed_to=author,
        content=content,
        published=_text(doc.get("published"), 64),
        to=_addresses(doc.get("to")),
        cc=_addresses(doc.get("cc")),
        url=_optional_uri(doc.get("url")),
        name=_text(doc.get("name"), 500),
        summary=_text(doc.get("summary"), 500),
        sensitive=doc.get("sensitive") is True,
        in_reply_to=_optional_uri(doc.get("inReplyTo")),
        updated=_text(doc.get("updated"), 64),
        language=language,
        mentions=mentions[:50],
        hashtags=list(dict.fromkeys(hashtags))[:30],
        attachments=[a for a in (_attachment(item) for item in as_list(doc.get("attachment"))[:8]) if a],
        poll_options=options,
        poll_multiple=multiple,
        poll_end_time=end_time if isinstance(end_time, str) else "",
        voters_count=voters if isinstance(voters, int) else None,
    )


def is_public(addresses: list[str]) -> bool:
    """Return whether the public collection is among the addresses."""
    return any(address in PUBLIC_ALIASES for address in addresses)
