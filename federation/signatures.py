"""HTTP Signatures (draft-cavage-http-signatures-12), as Mastodon signs and checks them.

Free of the database: callers pass keys as PEM text and headers as mappings.
Outgoing GETs sign `(request-target) host date`; outgoing POSTs add `digest`.
Incoming requests must sign `(request-target)`, `host` and `date`, plus
`digest` when they carry a body, and the date must fall within 12 hours
back and 1 hour ahead of now.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime, parsedate_to_datetime
from urllib.parse import urlsplit

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

MAX_AGE = timedelta(hours=12)
MAX_SKEW_AHEAD = timedelta(hours=1)
ACCEPTED_ALGORITHMS = frozenset({"rsa-sha256", "hs2019"})
_PARAM = re.compile(r'(\w+)="([^"]*)"')


class SignatureError(ValueError):
    """The request's signature is missing, malformed, stale or does not verify."""


@dataclass(frozen=True)
class SignatureParams:
    """The parts of a `Signature` header."""

    key_id: str
    algorithm: str
    headers: tuple[str, ...]
    signature: bytes

    @property
    def key_owner_uri(self) -> str:
        """Return the keyId without its fragment: the actor that Mastodon-family servers name."""
        return self.key_id.split("#", 1)[0]


@functools.lru_cache(maxsize=256)
def _private_key(pem: str) -> rsa.RSAPrivateKey:
    key = serialization.load_pem_private_key(pem.encode(), password=None)
    if not isinstance(key, rsa.RSAPrivateKey):
        raise SignatureError("Only RSA keys are supported.")
    return key


@functools.lru_cache(maxsize=4096)
def _public_key(pem: str) -> rsa.RSAPublicKey:
    try:
        key = serialization.load_pem_public_key(pem.encode())
    except ValueError as exc:
        raise SignatureError("The actor's public key cannot be read.") from exc
    if not isinstance(key, rsa.RSAPublicKey):
        raise SignatureError("Only RSA keys are supported.")
    return key


def digest_header(body: bytes) -> str:
    """Return the `Digest` header value for a body."""
    return "SHA-256=" + base64.b64encode(hashlib.sha256(body).digest()).decode()


def http_date(moment: datetime) -> str:
    """Return a moment in the HTTP date format (RFC 7231)."""
    return format_datetime(moment.astimezone(UTC), usegmt=True)


def _signing_string(names: tuple[str, ...], method: str, path: str, headers: Mapping[str, str]) -> str:
    lines = []
    for name in names:
        if name == "(request-target)":
            lines.append(f"(request-target): {method.lower()} {path}")
            continue
        value = headers.get(name)
        if value is None:
            raise SignatureError(f"The signed header {name!r} is missing from the request.")
        lines.append(f"{name}: {value.strip()}")
    return "\n".join(lines)


def sign_request(
    method: str,
    url: str,
    *,
    key_id: str,
    private_key_pem: str,
    body: bytes | None = None,
    now: datetime | None = None,
) -> dict[str, str]:
    """Return the headers that sign a request: Host, Date, Digest (with a body) and Signature."""
    parts = urlsplit(url)
    path = parts.path or "/"
    if parts.query:
        path = f"{path}?{parts.query}"
    headers = {"host": parts.netloc, "date": http_date(now or datetime.now(UTC))}
    names: tuple[str, ...] = ("(request-target)", "host", "date")
    if body is not None:
        headers["digest"] = digest_header(body)
        names = (*names, "digest")
    signed = _signing_string(names, method, path, headers).encode()
    signature = _private_key(private_key_pem).sign(signed, padding.PKCS1v15(), hashes.SHA256())
    headers["signature"] = (
        f'keyId="{key_id}",algorithm="rsa-sha256",headers="{" ".join(names)}",'
        f'signature="{base64.b64encode(signature).decode()}"'
    )
    return {name.title(): value for name, value in headers.items()}


def parse_signature_header(value: str | None) -> SignatureParams:
    """Parse a `Signature` header, raising SignatureError when it is absent or malformed."""
    if not value:
        raise SignatureError("The request is not signed.")
    params = dict(_PARAM.findall(value))
    key_id = params.get("keyId", "")
    if not key_id or "signature" not in params:
        raise SignatureError("The Signature header lacks keyId or signature.")
    algorithm = params.get("algorithm", "hs2019").lower()
    if algorithm not in ACCEPTED_ALGORITHMS:
        raise SignatureError(f"Signature algorithm {algorithm!r} is not supported.")
    try:
        signature = base64.b64decode(params["signature"], validate=True)
    except ValueError as exc:
        raise SignatureError("The signature is not valid base64.") from exc
    names = tuple(params.get("headers", "date").lower().split())
    return SignatureParams(key_id=key_id, algorithm=algorithm, headers=names, signature=signature)


def check_date(value: str | None, *, now: datetime | None = None) -> None:
    """Refuse a missing Date header or one outside the accepted window."""
    if not value:
        raise SignatureError("The Date header is missing.")
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError) as exc:
        raise SignatureError("The Date header cannot be read.") from exc
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    now = now or datetime.now(UTC)
    if moment < now - MAX_AGE:
        raise SignatureError("The Date header is more than 12 hours old.")
    if moment > now + MAX_SKEW_AHEAD:
        raise SignatureError("The Date header is more than 1 hour in the future.")


def check_digest(value: str | None, body: bytes) -> None:
    """Refuse a body whose SHA-256 digest is missing or differs from the Digest header."""
    if not value:
        raise SignatureError("The Digest header is missing.")
    for part in value.split(","):
        algorithm, _, encoded = part.strip().partition("=")
        if algorithm.upper() == "SHA-256":
            if encoded != digest_header(body).removeprefix("SHA-256="):
                raise SignatureError("The Digest header does not match the body.")
            return
    raise SignatureError("The Digest header has no SHA-256 value.")


def verify_request(
    params: SignatureParams,
    *,
    method: str,
    path: str,
    headers: Mapping[str, str],
    body: bytes | None,
    public_key_pem: str,
    now: datetime | None = None,
) -> None:
    """Verify a parsed signature over the request, raising SignatureError on any failure.

    `headers` must be keyed by lower-case names; `path` includes the query string.
    """
    required = {"(request-target)", "host", "date"}
    if body is not None:
        required.add("digest")
    missing = required - set(params.headers)
    if missing:
        raise SignatureError(f"The signature does not cover {', '.join(sorted(missing))}.")
    check_date(headers.get("date"), now=now)
    if body is not None:
        check_digest(headers.get("digest"), body)
    signed = _signing_string(params.headers, method, path, headers).encode()
    try:
        _public_key(public_key_pem).verify(params.signature, signed, padding.PKCS1v15(), hashes.SHA256())
    except InvalidSignature as exc:
        raise SignatureError("The signature does not verify with the actor's key.") from exc
