"""The instance's VAPID key: generated, checked, and its public half derived as clients read it."""

from __future__ import annotations

import base64

import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from pytest_django.fixtures import Settings as SettingsWrapper

from config.env import ConfigError
from config.vapid import check_vapid_private_key, generate_vapid_private_key, vapid_private_key, vapid_public_key


def test_a_generated_key_is_checked_and_gives_its_public_point(settings: SettingsWrapper) -> None:
    key = generate_vapid_private_key()
    assert len(key) == 43 and "=" not in key
    assert check_vapid_private_key(f" {key}\n", "MUTUALS_VAPID_PRIVATE_KEY") == key
    settings.MUTUALS_VAPID_PRIVATE_KEY = key
    public = base64.urlsafe_b64decode(vapid_public_key())
    assert len(public) == 65 and public[0] == 4
    loaded = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), public)
    assert loaded.public_numbers() == vapid_private_key().public_key().public_numbers()


@pytest.mark.parametrize("raw", ["", "c2hvcnQ", "!!!!", base64.urlsafe_b64encode(b"\0" * 32).decode()])
def test_a_malformed_key_stops_start_up_naming_the_variable(raw: str) -> None:
    with pytest.raises(ConfigError, match="MUTUALS_VAPID_PRIVATE_KEY is not a P-256 private key"):
        check_vapid_private_key(raw, "MUTUALS_VAPID_PRIVATE_KEY")


def test_the_embedded_default_keeps_its_generated_key(settings: SettingsWrapper) -> None:
    kept = (settings.MUTUALS_DATA_DIR / "vapid_private_key").read_text().strip()
    assert kept == settings.MUTUALS_VAPID_PRIVATE_KEY
