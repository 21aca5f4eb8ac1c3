"""Encrypt a push message for a subscription and sign its VAPID header (RFC 8291, RFC 8292), with pywebpush.

pywebpush encrypts (`WebPusher.encode`, through http_ece) and py_vapid
signs the JWT; the request itself goes out through
`federation.transport.post` rather than pywebpush's own `requests` call,
so a push service is contacted under the same refusal of internal
addresses, timeouts and bounds as every other outside host.
"""

from __future__ import annotations

import base64
import time
from dataclasses import dataclass
from typing import Any, cast
from urllib.parse import urlsplit

from django.conf import settings
from py_vapid import Vapid01, Vapid02

from config.vapid import vapid_private_key

# How long a push service keeps a message for an offline device, and how
# urgently it wakes the device: Mastodon's values.
TTL_SECONDS = 48 * 60 * 60
URGENCY = "normal"
# A VAPID token is valid for this long (RFC 8292 allows at most a day).
TOKEN_LIFETIME_SECONDS = 12 * 60 * 60


@dataclass(frozen=True)
class PushRequest:
    """The encrypted body and headers of one push."""

    body: bytes
    headers: dict[str, str]


def _claims(endpoint: str) -> dict[str, str | int]:
    parts = urlsplit(endpoint)
    return {
        "aud": f"{parts.scheme}://{parts.netloc}",
        "exp": int(time.time()) + TOKEN_LIFETIME_SECONDS,
        "sub": f"mailto:{settings.DEFAULT_FROM_EMAIL}",
    }


def _unpadded(value: bytes | str) -> str:
    text = value.decode() if isinstance(value, bytes) else value
    return text.rstrip("=")


def push_request(endpoint: str, key_p256dh: str, key_auth: str, message: bytes, *, standard: bool) -> PushRequest:
    """Return the push of `message` to a subscription: aes128gcm when `standard`, else the aesgcm draft.

    The draft form is what Mastodon sent before 4.4 and what subscriptions
    made without `standard` still expect: the salt in `Encryption`, the
    sender's key and the VAPID key in `Crypto-Key`, and `WebPush <JWT>`.
    Raise ValueError when the subscription's keys cannot encrypt.
    """
    # Loaded on the first push only: pywebpush brings aiohttp for its own sender, unused here, 8 MiB in every
    # process that imports it, the web server's too.
    from pywebpush import WebPusher, WebPushException  # noqa: PLC0415

    try:
        return _encrypted(WebPusher, endpoint, key_p256dh, key_auth, message, standard=standard)
    except WebPushException as exc:
        raise ValueError(str(exc)) from exc


def _encrypted(
    pusher_class: type[Any], endpoint: str, key_p256dh: str, key_auth: str, message: bytes, *, standard: bool
) -> PushRequest:
    pusher = pusher_class({"endpoint": endpoint, "keys": {"p256dh": key_p256dh, "auth": key_auth}})
    headers = {"Content-Type": "application/octet-stream", "TTL": str(TTL_SECONDS), "Urgency": URGENCY}
    claims = _claims(endpoint)
    if standard:
        encoded = pusher.encode(message, "aes128gcm")
        signed = Vapid02(private_key=vapid_private_key()).sign(claims)
        headers.update({"Content-Encoding": "aes128gcm", "Authorization": str(signed["Authorization"])})
    else:
        encoded = pusher.encode(message, "aesgcm")
        crypto_key = f"dh={_unpadded(encoded['crypto_key'])}"
        signed = Vapid01(private_key=vapid_private_key()).sign(claims, crypto_key=crypto_key)
        headers.update(
            {
                "Content-Encoding": "aesgcm",
                "Encryption": f"salt={_unpadded(encoded['salt'])}",
                "Crypto-Key": str(signed["Crypto-Key"]),
                "Authorization": str(signed["Authorization"]),
            }
        )
    return PushRequest(body=cast(bytes, encoded["body"]), headers=headers)


def decode_key(text: str) -> bytes:
    """Return a client's key from base64, url-safe or not, padded or not (apps send both spellings)."""
    cleaned = text.strip().replace("+", "-").replace("/", "_").rstrip("=")
    return base64.urlsafe_b64decode(cleaned + "=" * (-len(cleaned) % 4))
