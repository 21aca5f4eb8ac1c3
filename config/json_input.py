"""Parse JSON that arrives from outside (peers, clients, uploaded archives) within size and depth bounds.

Every edge that reads a JSON document it did not write parses it here: the
inboxes, documents fetched from other servers, client-API bodies, the OAuth
token endpoint, the streaming socket and imported archives. Python's `json`
recurses once per nesting level, so a body of a few hundred kilobytes of
`[` raises RecursionError (a 500, or a crashed worker) rather than a
refusal; and a document nested a few hundred levels deep parses, but then
overflows the stack of whatever walks it next (sanitising, flattening API
parameters, `json.dumps` into a JSONField).

orjson parses without recursing on the C stack and refuses nesting beyond
1024 levels itself, so it is used rather than a hand-written scanner. On
what peers and clients send it reads like `json`, with these differences,
all deliberate:

- NaN, Infinity and numbers that overflow a double are refused (they are
  not JSON, RFC 8259 section 6; Mastodon's Ruby parser refuses them too);
- a lone UTF-16 surrogate (`"\\ud800"`) is refused: `json` accepts it, and
  the string then cannot be encoded to UTF-8 when it is stored;
- integers beyond 64 bits come back as floats, losing digits (`json` keeps
  them exact); no property this server reads is such a number;
- duplicate keys keep the last value, as `json` does;
- a leading UTF-8 byte order mark is skipped here, as `json` skips it.

1024 levels is still deep enough to exhaust Python's recursion limit
downstream, so documents are also held to MAX_JSON_DEPTH levels, far more
than any activity, API body or archive has (the deepest real ones are
around ten).
"""

from __future__ import annotations

from typing import Any

import orjson

# Nesting allowed in any document read from outside: arrays and objects inside one another.
MAX_JSON_DEPTH = 64
_BOM = b"\xef\xbb\xbf"


class JsonInputError(ValueError):
    """A JSON document from outside is too large, too deeply nested or not JSON at all."""


def _depth_exceeds(document: Any, limit: int) -> bool:
    """Return whether arrays and objects nest more than `limit` levels deep.

    Walks one level at a time rather than recursing, for the reason this
    module exists; a level's containers are gathered by comprehension, which
    walks a megabyte of activities about three times faster than a stack.
    orjson gives exactly `dict` and `list`, so the type tests are exact.
    """
    level: list[Any] = [document]
    depth = 1
    while level:
        if depth > limit:
            return True
        below: list[Any] = []
        for container in level:
            items = container.values() if type(container) is dict else container
            below.extend([item for item in items if type(item) is dict or type(item) is list])
        level = below
        depth += 1
    return False


def parse_json(data: bytes | str, *, max_bytes: int, max_depth: int = MAX_JSON_DEPTH) -> Any:
    """Return the document parsed from `data`, or raise JsonInputError saying why it is refused."""
    raw = data.encode("utf-8", "surrogatepass") if isinstance(data, str) else data
    if len(raw) > max_bytes:
        raise JsonInputError(f"The document is larger than {max_bytes} bytes.")
    raw = raw.removeprefix(_BOM)
    try:
        document = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        if str(exc).startswith("depth limit exceeded"):
            raise JsonInputError(f"The document is nested deeper than {max_depth} levels.") from None
        raise JsonInputError(f"The document is not valid JSON: {exc}.") from None
    # A document cannot nest deeper than it has opening brackets (those inside strings only
    # add to the count), so most documents are never walked.
    if (
        isinstance(document, dict | list)
        and raw.count(b"[") + raw.count(b"{") > max_depth
        and _depth_exceeds(document, max_depth)
    ):
        raise JsonInputError(f"The document is nested deeper than {max_depth} levels.")
    return document
