"""Seal each proposal's tracker key under a secret the database does not hold.

A tracker is an HMAC of the voter's id under a random per-proposal key. The
database stores that key only sealed (AES-GCM) under a wrapping key derived
with HKDF from Django's `SECRET_KEY`, which lives in the environment
(production) or in the data folder's `secret_key` file (embedded mode),
never in the database. A dump or backup of the database alone therefore
cannot recompute any tracker, while the running server can, so members still
find their receipts. Recounts need no key at all: they read the published
trackers and choices.

Each sealed key carries the id of the secret that sealed it. After a change
of `SECRET_KEY`, the old secret stays readable through Django's
`SECRET_KEY_FALLBACKS` until `manage.py rotate_ballot_key` has sealed every
proposal's key again under the new one. Trackers never change on rotation.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
import secrets
from functools import lru_cache

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

WRAPPING_INFO = b"mutuals ballot tracker key wrapping v1"
KEY_ID_INFO = b"mutuals ballot tracker key id v1"
NONCE_BYTES = 12


class BallotKeyUnavailable(Exception):
    """A proposal's tracker key was sealed under a secret this server no longer holds."""


def _derive(secret: str, info: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=info).derive(secret.encode())


@lru_cache(maxsize=8)
def _keyring(secrets_in_order: tuple[str, ...]) -> tuple[tuple[str, bytes], ...]:
    # The id is derived apart from the wrapping key, so publishing or storing
    # it says nothing about the key itself.
    return tuple(
        (_derive(secret, KEY_ID_INFO)[:6].hex(), _derive(secret, WRAPPING_INFO)) for secret in secrets_in_order
    )


def ballot_keyring() -> tuple[tuple[str, bytes], ...]:
    """Return (key id, wrapping key) pairs: the current secret's first, then each fallback's."""
    return _keyring((settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])))


def current_key_id() -> str:
    """Return the id of the wrapping key that seals new tracker keys."""
    return ballot_keyring()[0][0]


def seal_tracker_key(tracker_key: str) -> tuple[str, str]:
    """Return (key id, sealed key): the tracker key encrypted under the current wrapping key."""
    key_id, wrapping_key = ballot_keyring()[0]
    nonce = os.urandom(NONCE_BYTES)
    sealed = AESGCM(wrapping_key).encrypt(nonce, tracker_key.encode(), key_id.encode())
    return key_id, base64.urlsafe_b64encode(nonce + sealed).decode()


def new_sealed_tracker_key() -> tuple[str, str]:
    """Return (key id, sealed key) for a fresh random tracker key."""
    return seal_tracker_key(secrets.token_hex(32))


def open_tracker_key(key_id: str, sealed: str) -> str:
    """Return the tracker key sealed under `key_id`; raise BallotKeyUnavailable if that secret is gone."""
    wrapping_key = dict(ballot_keyring()).get(key_id)
    if wrapping_key is None:
        raise BallotKeyUnavailable(
            f"The ballot key {key_id!r} is not held: add its SECRET_KEY to SECRET_KEY_FALLBACKS and run "
            "manage.py rotate_ballot_key."
        )
    try:
        raw = base64.urlsafe_b64decode(sealed.encode())
        return AESGCM(wrapping_key).decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], key_id.encode()).decode()
    except (InvalidTag, ValueError, binascii.Error) as exc:
        raise BallotKeyUnavailable(f"The sealed tracker key does not open under key {key_id!r}.") from exc


def reseal_tracker_key(key_id: str, sealed: str) -> tuple[str, str]:
    """Return the same tracker key sealed under the current wrapping key."""
    return seal_tracker_key(open_tracker_key(key_id, sealed))


def tracker_from_key(tracker_key: str, user_id: int) -> str:
    """Return the tracker of a voter under an opened tracker key."""
    return hmac.new(tracker_key.encode(), str(user_id).encode(), hashlib.sha256).hexdigest()[:32]


def unheld_key_ids(key_ids: set[str]) -> set[str]:
    """Return those of the given wrapping-key ids whose secret this server does not hold."""
    return key_ids - {key_id for key_id, _ in ballot_keyring()}
