"""The registry of ActivityStreams types and `parse()`, the one place documents become typed objects.

Each type is a frozen dataclass named exactly as the AS2 type and registered
with `@registered`; it reads its own properties in `from_json` and writes
them in `to_json`. Shapes are checked once, here at the boundary: past
`parse()` a handler reads typed fields, never a raw dict.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, ClassVar, Self, TypeVar
from urllib.parse import urlsplit

from federation.activitypub.context import PUBLIC_ALIASES

T = TypeVar("T", bound="Typed")
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


def is_public(addresses: Iterable[str]) -> bool:
    """Return whether the public collection is among the addresses."""
    return any(address in PUBLIC_ALIASES for address in addresses)


class Typed:
    """Behaviour every registered type shares: read from and written to JSON."""

    TYPE: ClassVar[str] = ""

    @classmethod
    def from_json(cls, doc: Mapping[str, Any]) -> Self:
        """Return the typed object for a JSON object whose type is this class's."""
        raise NotImplementedError

    @classmethod
    def from_embedded_json(cls, doc: Mapping[str, Any]) -> Self:
        """Return the typed object for a JSON object embedded in another; most types read it as any other."""
        return cls.from_json(doc)

    def to_json(self, *, with_context: bool = True) -> dict[str, Any]:
        """Return the JSON form this server sends."""
        raise NotImplementedError(f"{type(self).__name__} is only received, never sent.")


TYPES: dict[str, type[Typed]] = {}


def registered(cls: type[T]) -> type[T]:
    """Register a class under its name, which is its ActivityStreams type."""
    cls.TYPE = cls.__name__
    TYPES[cls.__name__] = cls
    return cls


@dataclass(frozen=True, kw_only=True)
class Object(Typed):
    """Any object with an id: the base of every activity, actor and object type."""

    id: str
    type: str


@dataclass(frozen=True, kw_only=True)
class Unknown(Object):
    """A document of a type this server does not know, kept only so it can be ignored by type."""

    @classmethod
    def from_json(cls, doc: Mapping[str, Any]) -> Self:
        """Return the id and first type of a document of an unknown type."""
        kinds = [kind for kind in as_list(doc.get("type")) if isinstance(kind, str)]
        return cls(id=id_of(doc.get("id")) or "", type=kinds[0] if kinds else "")


def type_of(doc: Mapping[str, Any]) -> str:
    """Return the registered type a document is; `type` may be a list (the first known entry wins)."""
    kinds = as_list(doc.get("type"))
    if not kinds or not all(isinstance(kind, str) for kind in kinds):
        raise MalformedDocument("type must be a string or a list of strings.")
    return next((kind for kind in kinds if kind in TYPES), "")


def parse(document: Any) -> Typed:
    """Return the typed object for a JSON document; an unknown type becomes `Unknown`.

    Raise `MalformedDocument` when the document is not an object or a
    property a known type requires is missing or of the wrong shape.
    """
    if not isinstance(document, dict):
        raise MalformedDocument("A document must be a JSON object.")
    kind = type_of(document)
    if not kind:
        return Unknown.from_json(document)
    return TYPES[kind].from_json(document)


def parse_as(cls: type[T], document: Any) -> T:
    """Return the document parsed as `cls` (or a subclass); refuse one of another type."""
    parsed = parse(document)
    if not isinstance(parsed, cls):
        raise MalformedDocument(f"{_name_of(parsed)} is not a {cls.__name__}.")
    return parsed


def _name_of(parsed: Typed) -> str:
    return repr(parsed.type) if isinstance(parsed, Object) else type(parsed).__name__


def serialise(value: Typed, *, with_context: bool = True) -> dict[str, Any]:
    """Return the JSON form of a typed object this server sends."""
    return value.to_json(with_context=with_context)


# Readers of single properties, shared by the types' `from_json`.


def required_uri(doc: Mapping[str, Any], key: str) -> str:
    """Return a property's id (a string or an embedded object's id) as an http(s) URI, else refuse."""
    return require_http_uri(id_of(doc.get(key)), key)


def optional_uri(value: Any) -> str:
    """Return the http(s) URI a property refers to, or "" when it is absent or not one."""
    uri = id_of(value)
    if uri is None:
        return ""
    try:
        return require_http_uri(uri, "URI")
    except MalformedDocument:
        return ""


def text(value: Any, limit: int = MAX_TEXT) -> str:
    """Return a string property cut to `limit`; a language map gives its first entry, anything else ""."""
    if isinstance(value, dict):
        value = next(iter(value.values()), "")
    return value[:limit] if isinstance(value, str) else ""


def optional_text(value: Any, limit: int = MAX_TEXT) -> str | None:
    """Return a string property cut to `limit`, or None when it is absent, null or empty."""
    return text(value, limit) or None


def addresses(value: Any) -> tuple[str, ...]:
    """Return the ids a `to` or `cc` names: one string, objects with ids, or a list of either.

    Addresses are not all URIs ("as:Public"), so they are kept as written.
    """
    return tuple(uri for uri in (id_of(item) for item in as_list(value)) if uri)


def integer(value: Any) -> int | None:
    """Return an integer property, or None for anything else (a boolean is not a count)."""
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def embedded_or_reference(value: Any, key: str) -> str | Object:
    """Return a property that names an object: its id when referenced, the parsed object when embedded.

    A list stands for its first entry (servers wrap a single object in one).
    """
    items = as_list(value)
    if not items:
        raise MalformedDocument(f"{key} is missing.")
    first = items[0]
    if isinstance(first, str):
        return require_http_uri(first, key)
    if not isinstance(first, dict):
        raise MalformedDocument(f"{key} must be an id or an object.")
    try:
        kind = type_of(first)
        parsed = TYPES[kind].from_embedded_json(first) if kind else Unknown.from_json(first)
    except MalformedDocument:
        # An embedded copy is only ever a hint: one that cannot be read still names its object by
        # id, which is all a handler may trust of it anyway.
        uri = id_of(first)
        if uri is None:
            raise
        return require_http_uri(uri, key)
    if not isinstance(parsed, Object):
        raise MalformedDocument(f"{key} must be an object with an id.")
    if isinstance(parsed, Unknown):
        # An unknown embedded type is still referred to by its id.
        require_http_uri(parsed.id or None, f"{key}.id")
    return parsed


def json_of(value: str | Object) -> str | dict[str, Any]:
    """Return an object property as sent: a reference as its id, an embedded object without @context."""
    return value if isinstance(value, str) else value.to_json(with_context=False)


def typed_list(value: Any, cls: type[T], limit: int) -> tuple[T, ...]:
    """Return up to `limit` entries of a list property that parse as `cls`, skipping the rest.

    Tags and attachments are decoration: one a peer writes oddly is dropped,
    not the whole document.
    """
    found: list[T] = []
    for item in as_list(value):
        if len(found) >= limit:
            break
        if not isinstance(item, dict):
            continue
        try:
            parsed = parse(item)
        except MalformedDocument:
            continue
        if isinstance(parsed, cls):
            found.append(parsed)
    return tuple(found)
