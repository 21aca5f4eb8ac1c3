"""Fixtures shared by the whole suite."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.test import Client
from pytest_django.fixtures import Settings as SettingsWrapper

from federation.models import Actor
from tests.factories.federation import LocalActorFactory


@pytest.fixture(autouse=True)
def _media_in_tmp(settings: SettingsWrapper, tmp_path: Path) -> None:
    """Keep uploaded files of each test in its own folder."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def alice(db: None) -> Actor:
    """Return a local member's actor."""
    return LocalActorFactory.create(user__username="alice", username="alice")


@pytest.fixture
def bob(db: None) -> Actor:
    """Return a second local member's actor."""
    return LocalActorFactory.create(user__username="bob", username="bob")


@pytest.fixture
def alice_client(alice: Actor) -> Client:
    """Return a web client signed in as alice."""
    client = Client()
    assert alice.user is not None
    client.force_login(alice.user)
    return client
