"""The instance's VAPID key pair (RFC 8292), which identifies this server to push services.

The private half is a P-256 scalar, kept as 32 bytes in unpadded base64url,
the form Mastodon's VAPID_PRIVATE_KEY takes and py_vapid reads. Production
reads it from MUTUALS_VAPID_PRIVATE_KEY; the embedded default generates one
and keeps it beside its database, as it keeps its secret key. The public
half is derived from it, never configured apart, so the two cannot
disagree. A new key pair invalidates every push subscription: clients
subscribed against the old public key.
"""

from __future__ import annotations

import base64
import binascii
import functools

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from django.conf import settings

from config.env import ConfigError

PRIVATE_KEY_BYTES = 32


def _b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def generate_vapid_private_key() -> str:
    """Return a new P-256 private key as unpadded base64url of its 32-byte scalar."""
    key = ec.generate_private_key(ec.SECP256R1())
    scalar = key.private_numbers().private_value.to_bytes(PRIVATE_KEY_BYTES, "big")
    return base64.urlsafe_b64encode(scalar).rstrip(b"=").decode()


def check_vapid_private_key(raw: str, name: str) -> str:
    """Return the key if it is a valid P-256 private scalar in base64url; else stop naming the variable."""
    try:
        scalar = _b64url_decode(raw.strip())
        if len(scalar) != PRIVATE_KEY_BYTES:
            raise ValueError(f"{len(scalar)} bytes, not {PRIVATE_KEY_BYTES}")
        ec.derive_private_key(int.from_bytes(scalar, "big"), ec.SECP256R1())
    except (ValueError, binascii.Error) as exc:
        raise ConfigError(
            f"{name} is not a P-256 private key in base64url ({exc}); see deploy/mutuals.env.example to make one"
        ) from None
    return raw.strip()


@functools.cache
def _private_key(raw: str) -> ec.EllipticCurvePrivateKey:
    return ec.derive_private_key(int.from_bytes(_b64url_decode(raw), "big"), ec.SECP256R1())


def vapid_private_key() -> ec.EllipticCurvePrivateKey:
    """Return the instance's VAPID private key."""
    return _private_key(str(settings.MUTUALS_VAPID_PRIVATE_KEY))


def vapid_public_key() -> str:
    """Return the public key as clients read it: the uncompressed point in padded base64url, as Mastodon gives it."""
    point = (
        vapid_private_key()
        .public_key()
        .public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    )
    return base64.urlsafe_b64encode(point).decode()
