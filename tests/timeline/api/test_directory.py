"""The profile directory: discoverable members and remote accounts, never suspended ones, by activity or age."""

from __future__ import annotations

import pytest
from django.test import Client

from federation.models import Actor
from tests.factories.federation import LocalActorFactory, RemoteActorFactory
from tests.factories.moderation import restrict_account
from tests.factories.timeline import StatusFactory

pytestmark = pytest.mark.django_db


def _ids(query: str) -> list[str]:
    return [account["id"] for account in Client().get(f"/api/v1/directory{query}").json()]


def test_the_directory_lists_discoverable_accounts_by_activity_and_age(alice: Actor, bob: Actor) -> None:
    hidden = LocalActorFactory.create(discoverable=False)
    applicant = LocalActorFactory.create(membership="applicant")
    suspended = LocalActorFactory.create()
    restrict_account(suspended)
    remote = RemoteActorFactory.create()
    StatusFactory.create(account=alice)
    StatusFactory.create(account=bob)
    active = _ids("?order=active")
    assert active[:2] == [str(bob.pk), str(alice.pk)]
    assert str(hidden.pk) not in active
    assert str(suspended.pk) not in active
    assert str(applicant.pk) not in active
    assert str(remote.pk) in active
    assert str(remote.pk) not in _ids("?local=true")
    assert _ids("?order=new&limit=1") == [str(remote.pk)]
    assert _ids("?order=new&limit=1&offset=1") == _ids("?order=new")[1:2]


def test_an_unknown_order_is_refused() -> None:
    response = Client().get("/api/v1/directory?order=loud")
    assert response.status_code == 422
