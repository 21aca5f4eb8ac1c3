"""Verifying RFC 9421 HTTP message signatures, as Mastodon 4.5 sends them."""

from __future__ import annotations

import base64
import hashlib
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from federation.keys import generate_key_pair
from federation.signatures import (
    SignatureError,
    check_content_digest,
    message_signature_base,
    parse_message_signature,
    verify_message_signature,
)
from tests.factories.keys import shared_test_key_pair
from tests.federation.signing import message_signature_headers

URL = "https://social.example/users/alice/inbox"
KEY_ID = "https://remote.example/users/bob#main-key"
BODY = b'{"type":"Create"}'


def _lower(headers: dict[str, str]) -> dict[str, str]:
    return {name.lower(): value for name, value in headers.items()}


def _signed(body: bytes | None = BODY, *, private_key_pem: str | None = None, **options: Any) -> dict[str, str]:
    method = "POST" if body is not None else "GET"
    private = private_key_pem or shared_test_key_pair().private_pem
    return message_signature_headers(method, URL, key_id=KEY_ID, private_key_pem=private, body=body, **options)


def _verify(
    headers: dict[str, str],
    body: bytes | None = BODY,
    *,
    method: str = "POST",
    url: str = URL,
    pem: str | None = None,
    now: datetime | None = None,
) -> None:
    signature = parse_message_signature(headers["Signature-Input"], headers["Signature"])
    verify_message_signature(
        signature,
        method=method,
        target_uri=url,
        headers=_lower(headers),
        body=body,
        public_key_pem=pem or shared_test_key_pair().public_pem,
        now=now,
    )


def test_signature_base_follows_rfc_9421() -> None:
    headers = {
        "Signature-Input": 'sig1=("@method" "@target-uri" "@authority" "content-digest")'
        ';created=1700000000;keyid="https://remote.example/users/bob#main-key"',
        "Signature": "sig1=:AAAA:",
    }
    signature = parse_message_signature(headers["Signature-Input"], headers["Signature"])
    base = message_signature_base(
        signature,
        method="post",
        target_uri="https://Social.example/users/alice/inbox?page=1",
        headers={"content-digest": " sha-256=:X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=: "},
    )
    assert base.decode() == (
        '"@method": POST\n'
        '"@target-uri": https://Social.example/users/alice/inbox?page=1\n'
        '"@authority": social.example\n'
        '"content-digest": sha-256=:X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=:\n'
        '"@signature-params": ("@method" "@target-uri" "@authority" "content-digest")'
        ';created=1700000000;keyid="https://remote.example/users/bob#main-key"'
    )
    assert signature.key_id == KEY_ID
    assert signature.key_owner_uri == "https://remote.example/users/bob"


def test_signed_post_verifies() -> None:
    _verify(_signed())


def test_signed_get_verifies_without_content_digest() -> None:
    _verify(_signed(None), None, method="GET")


def test_algorithm_named_as_rsa_v1_5_sha256_verifies() -> None:
    _verify(_signed(extra_params=';alg="rsa-v1_5-sha256"'))


def test_first_signature_with_a_value_is_used() -> None:
    headers = _signed()
    headers["Signature-Input"] = 'other=("@method");created=1;keyid="x", ' + headers["Signature-Input"]
    signature = parse_message_signature(headers["Signature-Input"], headers["Signature"])
    assert signature.label == "sig1"
    _verify(headers)


def test_content_digest_accepts_sha_256_among_others() -> None:
    digest = base64.b64encode(hashlib.sha256(BODY).digest()).decode()
    check_content_digest(f"sha-512=:{base64.b64encode(bytes(64)).decode()}:, sha-256=:{digest}:", BODY)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"components": ("@method", "content-digest")}, "does not cover @target-uri"),
        ({"components": ("@target-uri", "content-digest")}, "does not cover @method"),
        ({"components": ("@method", "@target-uri")}, "does not cover content-digest"),
        ({"extra_params": ';alg="rsa-pss-sha512"'}, "'rsa-pss-sha512' is not supported"),
        ({"private_key_pem": generate_key_pair().private_pem}, "does not verify"),
    ],
)
def test_weak_or_wrong_signatures_are_refused(options: dict[str, Any], message: str) -> None:
    with pytest.raises(SignatureError, match=message):
        _verify(_signed(**options))


@pytest.mark.parametrize(
    ("created", "extra", "message"),
    [
        (timedelta(hours=-13), "", "more than 12 hours old"),
        (timedelta(hours=2), "", "more than 1 hour in the future"),
        (timedelta(minutes=-10), ";expires={expires}", "expiry date has passed"),
    ],
)
def test_signatures_outside_their_time_are_refused(created: timedelta, extra: str, message: str) -> None:
    now = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)
    moment = int((now + created).timestamp())
    headers = _signed(created=moment, extra_params=extra.format(expires=moment + 60))
    with pytest.raises(SignatureError, match=message):
        _verify(headers, now=now)


def test_missing_created_is_refused() -> None:
    headers = _signed()
    headers["Signature-Input"] = headers["Signature-Input"].replace(";created=", ";nonce=")
    with pytest.raises(SignatureError, match="no created date"):
        _verify(headers)


def test_body_differing_from_content_digest_is_refused() -> None:
    with pytest.raises(SignatureError, match="Content-Digest header does not match"):
        _verify(_signed(), b'{"type":"Delete"}')


def test_other_method_or_uri_fails() -> None:
    with pytest.raises(SignatureError, match="does not verify"):
        _verify(_signed(), method="PUT")
    with pytest.raises(SignatureError, match="does not verify"):
        _verify(_signed(), url="https://social.example/inbox")


@pytest.mark.parametrize(
    ("signature_input", "signature", "message"),
    [
        (None, "sig1=:AAAA:", "not signed"),
        ('sig1=("@method");created=1;keyid="k"', "sig2=:AAAA:", "no value for any signature"),
        ('sig1=("@method");created=1', "sig1=:AAAA:", "no keyid"),
        ('sig1=("@method";sf);created=1;keyid="k"', "sig1=:AAAA:", "component form"),
        ('sig1=("@method" "@target-uri"', "sig1=:AAAA:", "not a valid structured field"),
        ('sig1=("@method");created=1;keyid="k"', "sig1=:not base64!:", "not a valid structured field"),
        ('sig1="@method";created=1;keyid="k"', "sig1=:AAAA:", "malformed"),
    ],
)
def test_malformed_headers_are_refused(signature_input: str | None, signature: str, message: str) -> None:
    with pytest.raises(SignatureError, match=message):
        parse_message_signature(signature_input, signature)


def test_unsupported_derived_component_is_refused() -> None:
    headers = _signed(components=("@method", "@target-uri", "content-digest", "@status"))
    with pytest.raises(SignatureError, match="'@status' is not supported"):
        _verify(headers)
