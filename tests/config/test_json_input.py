"""JSON from outside: read like `json` where peers need it, refused with a clear error when hostile."""

from __future__ import annotations

import json
import math

import pytest

from config.json_input import MAX_JSON_DEPTH, JsonInputError, parse_json

LIMIT = 1_000_000


def nested(depth: int) -> bytes:
    """Return an object holding lists `depth` levels deep in all."""
    return b'{"a":' + b"[" * (depth - 1) + b"]" * (depth - 1) + b"}"


def test_peer_documents_read_as_json_reads_them() -> None:
    document = (
        b'{"id": "https://a.example/1", "n": 18446744073709551615, "x": 1.5, "ok": true, '
        b'"none": null, "text": "caf\\u00e9 \xf0\x9f\x8c\xbb", "dup": 1, "dup": 2, "list": [1, {"b": []}]}'
    )
    assert parse_json(document, max_bytes=LIMIT) == json.loads(document)
    assert parse_json(document.decode(), max_bytes=LIMIT) == json.loads(document)


def test_a_byte_order_mark_is_skipped_as_json_skips_it() -> None:
    assert parse_json(b'\xef\xbb\xbf{"a": 1}', max_bytes=LIMIT) == {"a": 1}


def test_integers_beyond_64_bits_become_floats() -> None:
    """The one lossy difference from `json`, documented in the module."""
    value = parse_json(b"[123456789012345678901234567890]", max_bytes=LIMIT)[0]
    assert isinstance(value, float)
    assert math.isclose(value, 123456789012345678901234567890)


def test_nesting_up_to_the_limit_is_read() -> None:
    document = parse_json(nested(MAX_JSON_DEPTH), max_bytes=LIMIT)
    depth, value = 1, document["a"]
    while value:
        depth, value = depth + 1, value[0]
    assert depth + 1 == MAX_JSON_DEPTH


@pytest.mark.parametrize("depth", [MAX_JSON_DEPTH + 1, 500, 1025, 100_000])
def test_deeper_nesting_is_refused_without_recursion_errors(depth: int) -> None:
    with pytest.raises(JsonInputError, match=f"nested deeper than {MAX_JSON_DEPTH} levels"):
        parse_json(nested(depth), max_bytes=LIMIT)


def test_deep_nesting_is_found_behind_shallow_siblings() -> None:
    document = b'{"a": [1, 2, {"b": "[[[[{{{{"}], "c": ' + b"[" * MAX_JSON_DEPTH + b"]" * MAX_JSON_DEPTH + b"}"
    with pytest.raises(JsonInputError, match="nested deeper"):
        parse_json(document, max_bytes=LIMIT)


def test_brackets_inside_strings_do_not_count_as_nesting() -> None:
    text = "[{" * 1000
    assert parse_json(json.dumps({"a": text}).encode(), max_bytes=LIMIT) == {"a": text}


def test_a_lower_depth_limit_can_be_asked_for() -> None:
    with pytest.raises(JsonInputError, match="deeper than 3 levels"):
        parse_json(b"[[[[]]]]", max_bytes=LIMIT, max_depth=3)
    assert parse_json(b"[[[]]]", max_bytes=LIMIT, max_depth=3) == [[[]]]


def test_an_oversize_document_is_refused_before_parsing() -> None:
    with pytest.raises(JsonInputError, match="larger than 10 bytes"):
        parse_json(b'{"a": "0123456789"}', max_bytes=10)
    with pytest.raises(JsonInputError, match="larger than 10 bytes"):
        parse_json('{"a": "é" }', max_bytes=10)


@pytest.mark.parametrize(
    "document",
    [
        b"{not json",
        b"",
        b'{"a": NaN}',
        b'{"a": Infinity}',
        b'{"a": 1e400}',
        b'"\\ud800"',
        b'{"\xe9": 1}',
        b'{"a": 1} trailing',
    ],
)
def test_what_is_not_json_is_refused(document: bytes) -> None:
    with pytest.raises(JsonInputError, match="not valid JSON"):
        parse_json(document, max_bytes=LIMIT)


def test_text_with_a_lone_surrogate_is_refused() -> None:
    with pytest.raises(JsonInputError, match="not valid JSON"):
        parse_json('{"a": "\ud800"}', max_bytes=LIMIT)
