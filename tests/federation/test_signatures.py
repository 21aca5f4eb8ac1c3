"""Signing and verifying draft-cavage HTTP signatures."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from federation.keys import generate_key_pair
from federation.signatures import (
    SignatureError,
    check_date,
    check_digest,
    digest_header,
    parse_signature_header,
    sign_request,
    verify_request,
)
from tests.factories.keys import shared_test_key_pair

URL = "https://social.example/users/alice/inbox"
KEY_ID = "https://remote.example/users/bob#main-key"


def _lower(headers: dict[str, str]) -> dict[str, str]:
    return {name.lower(): value for name, value in headers.items()}


def _verify(headers: dict[str, str], body: bytes | None, *, pem: str | None = None, method: str = "POST") -> None:
    params = parse_signature_header(headers["Signature"])
    verify_request(
        params,
        method=method,
        path="/users/alice/inbox",
        headers=_lower(headers),
        body=body,
        public_key_pem=pem or shared_test_key_pair().public_pem,
    )


def test_signed_post_verifies_and_covers_digest() -> None:
    body = b'{"type":"Create"}'
    headers = sign_request("POST", URL, key_id=KEY_ID, private_key_pem=shared_test_key_pair().private_pem, body=body)
    assert headers["Host"] == "social.example"
    assert headers["Digest"] == digest_header(body)
    params = parse_signature_header(headers["Signature"])
    assert params.headers == ("(request-target)", "host", "date", "digest")
    assert params.key_id == KEY_ID
    assert params.key_owner_uri == "https://remote.example/users/bob"
    _verify(headers, body)


def test_signed_get_verifies_without_digest() -> None:
    headers = sign_request("GET", URL, key_id=KEY_ID, private_key_pem=shared_test_key_pair().private_pem)
    assert "Digest" not in headers
    _verify(headers, None, method="GET")


def test_signature_by_another_key_fails() -> None:
    body = b"{}"
    headers = sign_request("POST", URL, key_id=KEY_ID, private_key_pem=shared_test_key_pair().private_pem, body=body)
    with pytest.raises(SignatureError, match="does not verify"):
        _verify(headers, body, pem=generate_key_pair().public_pem)


def test_changed_method_or_path_fails() -> None:
    body = b"{}"
    headers = sign_request("POST", URL, key_id=KEY_ID, private_key_pem=shared_test_key_pair().private_pem, body=body)
    with pytest.raises(SignatureError, match="does not verify"):
        _verify(headers, body, method="PUT")


def test_body_differing_from_digest_fails() -> None:
    headers = sign_request("POST", URL, key_id=KEY_ID, private_key_pem=shared_test_key_pair().private_pem, body=b"{}")
    with pytest.raises(SignatureError, match="Digest header does not match"):
        _verify(headers, b'{"changed":1}')


def test_post_signature_must_cover_digest() -> None:
    headers = sign_request("GET", URL, key_id=KEY_ID, private_key_pem=shared_test_key_pair().private_pem)
    with pytest.raises(SignatureError, match="does not cover digest"):
        _verify(headers, b"{}")


@pytest.mark.parametrize(
    ("offset", "message"),
    [(timedelta(hours=-12, minutes=-1), "more than 12 hours old"), (timedelta(hours=1, minutes=1), "future")],
)
def test_dates_outside_the_window_fail(offset: timedelta, message: str) -> None:
    moment = datetime.now(UTC) + offset
    headers = sign_request(
        "POST", URL, key_id=KEY_ID, private_key_pem=shared_test_key_pair().private_pem, body=b"{}", now=moment
    )
    with pytest.raises(SignatureError, match=message):
        _verify(headers, b"{}")


def test_dates_inside_the_window_pass() -> None:
    now = datetime.now(UTC)
    check_date("Sat, 21 Nov 2026 10:00:00 GMT", now=datetime(2026, 11, 21, 21, 59, tzinfo=UTC))
    check_date("Sat, 21 Nov 2026 10:00:00 GMT", now=datetime(2026, 11, 21, 9, 1, tzinfo=UTC))
    with pytest.raises(SignatureError, match="missing"):
        check_date(None, now=now)
    with pytest.raises(SignatureError, match="cannot be read"):
        check_date("yesterday", now=now)


def test_digest_needs_sha256() -> None:
    check_digest("SHA-512=abc, " + digest_header(b"x"), b"x")
    with pytest.raises(SignatureError, match="no SHA-256"):
        check_digest("SHA-512=abc", b"x")
    with pytest.raises(SignatureError, match="missing"):
        check_digest("", b"x")


@pytest.mark.parametrize(
    ("header", "message"),
    [
        (None, "not signed"),
        ('keyId="x"', "lacks keyId or signature"),
        ('keyId="x",algorithm="rsa-sha512",signature="YQ=="', "not supported"),
        ('keyId="x",signature="not base64!"', "not valid base64"),
    ],
)
def test_malformed_signature_headers_fail(header: str | None, message: str) -> None:
    with pytest.raises(SignatureError, match=message):
        parse_signature_header(header)


def test_hs2019_is_accepted_as_rsa() -> None:
    params = parse_signature_header(
        'keyId="k",algorithm="hs2019",headers="(request-target) host date",signature="YQ=="'
    )
    assert params.algorithm == "hs2019"
