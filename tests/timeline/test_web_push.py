"""Encrypting a push for a subscription whose keys cannot be used."""

from __future__ import annotations

import base64

import pytest

from timeline.web_push import push_request


def test_a_subscription_key_that_cannot_encrypt_is_a_value_error() -> None:
    """A public key of the wrong length fails with a ValueError naming it, which the push delivery records."""
    short_key = base64.urlsafe_b64encode(b"not a P-256 point").decode()
    auth = base64.urlsafe_b64encode(b"0123456789abcdef").decode()
    with pytest.raises(ValueError, match="Invalid p256dh key"):
        push_request("https://push.example/send/1", short_key, auth, b"{}", standard=True)
