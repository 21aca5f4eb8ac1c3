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


# RFC 9421 HTTP Message Signatures, which Mastodon 4.5 accepts beside draft-cavage.
# A request carries `Signature-Input` (which components are covered, and the
# signature's parameters) and `Signature` (the bytes), both structured-field
# dictionaries keyed by a label. Only RSA PKCS#1 v1.5 with SHA-256 is accepted,
# as for draft-cavage: the actors' published keys are RSA keys.

MESSAGE_SIGNATURE_ALGORITHM = "rsa-v1_5-sha256"
_SF_KEY = re.compile(r"[a-z*][a-z0-9_\-.*]*")
_SF_TOKEN = re.compile(r"[A-Za-z*][A-Za-z0-9!#$%&'*+\-.^_`|~:/]*")
_SF_INTEGER = re.compile(r"-?[0-9]{1,15}")
_DERIVED_COMPONENTS = frozenset(
    {"@method", "@target-uri", "@authority", "@scheme", "@request-target", "@path", "@query"}
)

SfValue = str | int | bool | bytes | tuple[str, ...]


@dataclass(frozen=True)
class MessageSignature:
    """One signature of an RFC 9421 signed request, as named by its label."""

    label: str
    components: tuple[str, ...]
    params: dict[str, str | int | bool]
    signature_params: str
    signature: bytes

    @property
    def key_id(self) -> str:
        """Return the signature's `keyid` parameter."""
        return str(self.params.get("keyid", ""))

    @property
    def key_owner_uri(self) -> str:
        """Return the keyId without its fragment, as for draft-cavage signatures."""
        return self.key_id.split("#", 1)[0]


class _FieldParser:
    """Parse the subset of RFC 8941 structured-field dictionaries that message signatures use."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0

    def _fail(self, what: str) -> SignatureError:
        return SignatureError(f"The {what} header is not a valid structured field.")

    def _skip(self, chars: str = " \t") -> None:
        while self.pos < len(self.text) and self.text[self.pos] in chars:
            self.pos += 1

    def _match(self, pattern: re.Pattern[str], what: str) -> str:
        found = pattern.match(self.text, self.pos)
        if found is None:
            raise self._fail(what)
        self.pos = found.end()
        return found.group(0)

    def _string(self, what: str) -> str:
        self.pos += 1
        chars = []
        while self.pos < len(self.text):
            char = self.text[self.pos]
            self.pos += 1
            if char == "\\":
                if self.pos >= len(self.text) or self.text[self.pos] not in '"\\':
                    raise self._fail(what)
                chars.append(self.text[self.pos])
                self.pos += 1
            elif char == '"':
                return "".join(chars)
            elif not " " <= char <= "~":
                raise self._fail(what)
            else:
                chars.append(char)
        raise self._fail(what)

    def _bare_item(self, what: str) -> str | int | bool | bytes:
        char = self.text[self.pos : self.pos + 1]
        if char == '"':
            return self._string(what)
        if char == ":":
            end = self.text.find(":", self.pos + 1)
            if end < 0:
                raise self._fail(what)
            encoded, self.pos = self.text[self.pos + 1 : end], end + 1
            try:
                return base64.b64decode(encoded, validate=True)
            except ValueError as exc:
                raise self._fail(what) from exc
        if char == "?":
            value = self.text[self.pos + 1 : self.pos + 2]
            if value not in ("0", "1"):
                raise self._fail(what)
            self.pos += 2
            return value == "1"
        if char == "-" or char.isdigit():
            return int(self._match(_SF_INTEGER, what))
        return self._match(_SF_TOKEN, what)

    def _params(self, what: str) -> dict[str, str | int | bool]:
        params: dict[str, str | int | bool] = {}
        while self.text[self.pos : self.pos + 1] == ";":
            self.pos += 1
            self._skip(" ")
            key = self._match(_SF_KEY, what)
            value: str | int | bool | bytes = True
            if self.text[self.pos : self.pos + 1] == "=":
                self.pos += 1
                value = self._bare_item(what)
            if isinstance(value, bytes):
                raise self._fail(what)
            params[key] = value
        return params

    def _inner_list(self, what: str) -> tuple[str, ...]:
        self.pos += 1
        items: list[str] = []
        while True:
            self._skip(" ")
            if self.text[self.pos : self.pos + 1] == ")":
                self.pos += 1
                return tuple(items)
            item = self._bare_item(what)
            if not isinstance(item, str) or self.text[self.pos : self.pos + 1] == ";":
                # Component parameters (;sf, ;key, ;req, ;bs) are not supported.
                raise SignatureError("The signature covers a component form this server does not support.")
            items.append(item)
            if self.text[self.pos : self.pos + 1] not in (" ", ")"):
                raise self._fail(what)

    def dictionary(self, what: str) -> dict[str, tuple[SfValue, dict[str, str | int | bool], str]]:
        """Return each member as (value, parameters, the member's text after `key=`)."""
        members: dict[str, tuple[SfValue, dict[str, str | int | bool], str]] = {}
        self._skip()
        while self.pos < len(self.text):
            key = self._match(_SF_KEY, what)
            if self.text[self.pos : self.pos + 1] != "=":
                raise self._fail(what)
            self.pos += 1
            start = self.pos
            is_list = self.text[self.pos : self.pos + 1] == "("
            value: SfValue = self._inner_list(what) if is_list else self._bare_item(what)
            params = self._params(what)
            members[key] = (value, params, self.text[start : self.pos])
            self._skip()
            if self.pos >= len(self.text):
                break
            if self.text[self.pos] != ",":
                raise self._fail(what)
            self.pos += 1
            self._skip()
            if self.pos >= len(self.text):
                raise self._fail(what)
        return members


def parse_message_signature(signature_input: str | None, signature: str | None) -> MessageSignature:
    """Parse RFC 9421 `Signature-Input` and `Signature` headers and return the first signature they share."""
    if not signature_input or not signature:
        raise SignatureError("The request is not signed.")
    inputs = _FieldParser(signature_input).dictionary("Signature-Input")
    values = _FieldParser(signature).dictionary("Signature")
    for label, (components, params, text) in inputs.items():
        if label not in values:
            continue
        signed = values[label][0]
        if not isinstance(components, tuple) or not isinstance(signed, bytes):
            raise SignatureError("The Signature-Input or Signature header is malformed.")
        if not isinstance(params.get("keyid"), str) or not params["keyid"]:
            raise SignatureError("The signature has no keyid parameter.")
        algorithm = params.get("alg", MESSAGE_SIGNATURE_ALGORITHM)
        if algorithm != MESSAGE_SIGNATURE_ALGORITHM:
            raise SignatureError(f"Signature algorithm {algorithm!r} is not supported.")
        return MessageSignature(
            label=label, components=components, params=params, signature_params=text.strip(), signature=signed
        )
    raise SignatureError("The Signature header has no value for any signature in Signature-Input.")


def check_content_digest(value: str | None, body: bytes) -> None:
    """Refuse a body whose SHA-256 digest is missing from, or differs from, the Content-Digest header (RFC 9530)."""
    if not value:
        raise SignatureError("The Content-Digest header is missing.")
    digests = _FieldParser(value).dictionary("Content-Digest")
    if "sha-256" not in digests:
        raise SignatureError("The Content-Digest header has no sha-256 value.")
    if digests["sha-256"][0] != hashlib.sha256(body).digest():
        raise SignatureError("The Content-Digest header does not match the body.")


def _component_value(name: str, method: str, target_uri: str, headers: Mapping[str, str]) -> str:
    parts = urlsplit(target_uri)
    derived = {
        "@method": method.upper(),
        "@target-uri": target_uri,
        "@authority": parts.netloc.lower(),
        "@scheme": parts.scheme.lower(),
        "@path": parts.path or "/",
        "@query": f"?{parts.query}",
        "@request-target": (parts.path or "/") + (f"?{parts.query}" if parts.query else ""),
    }
    if name.startswith("@"):
        if name not in _DERIVED_COMPONENTS:
            raise SignatureError(f"The signed component {name!r} is not supported.")
        return derived[name]
    value = headers.get(name)
    if value is None:
        raise SignatureError(f"The signed header {name!r} is missing from the request.")
    return value.strip()


def message_signature_base(
    signature: MessageSignature, *, method: str, target_uri: str, headers: Mapping[str, str]
) -> bytes:
    """Return the signature base (RFC 9421 section 2.5) that the signature must cover."""
    lines = [f'"{name}": {_component_value(name, method, target_uri, headers)}' for name in signature.components]
    lines.append(f'"@signature-params": {signature.signature_params}')
    return "\n".join(lines).encode()


def verify_message_signature(
    signature: MessageSignature,
    *,
    method: str,
    target_uri: str,
    headers: Mapping[str, str],
    body: bytes | None,
    public_key_pem: str,
    now: datetime | None = None,
) -> None:
    """Verify an RFC 9421 signature over the request, raising SignatureError on any failure.

    As Mastodon requires: `created` is signed, `@method` and `@target-uri`
    are covered, and a request with a body covers `content-digest`, which
    must match the body. `created` must fall in the same window as the Date
    header of a draft-cavage signature, and `expires`, if given, be ahead.
    `headers` must be keyed by lower-case names.
    """
    required = {"@method", "@target-uri"}
    if body is not None:
        required.add("content-digest")
    missing = required - set(signature.components)
    if missing:
        raise SignatureError(f"The signature does not cover {', '.join(sorted(missing))}.")
    created = signature.params.get("created")
    if not isinstance(created, int) or isinstance(created, bool):
        raise SignatureError("The signature has no created date.")
    now = now or datetime.now(UTC)
    moment = datetime.fromtimestamp(created, UTC)
    if moment < now - MAX_AGE:
        raise SignatureError("The signature's created date is more than 12 hours old.")
    if moment > now + MAX_SKEW_AHEAD:
        raise SignatureError("The signature's created date is more than 1 hour in the future.")
    expires = signature.params.get("expires")
    if isinstance(expires, int) and not isinstance(expires, bool) and datetime.fromtimestamp(expires, UTC) < now:
        raise SignatureError("The signature's expiry date has passed.")
    if body is not None:
        check_content_digest(headers.get("content-digest"), body)
    base = message_signature_base(signature, method=method, target_uri=target_uri, headers=headers)
    try:
        _public_key(public_key_pem).verify(signature.signature, base, padding.PKCS1v15(), hashes.SHA256())
    except InvalidSignature as exc:
        raise SignatureError("The signature does not verify with the actor's key.") from exc
