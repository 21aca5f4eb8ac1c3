"""The v2 search: accounts, statuses and hashtags, and resolving handles through WebFinger."""

from __future__ import annotations

import pytest
from django.test import Client
from pytest import MonkeyPatch

from federation.errors import RemoteActorUnavailable
from federation.models import Actor
from tests.clients import bearer_for
from tests.factories.federation import RemoteActorFactory
from tests.factories.timeline import StatusFactory
from timeline.models import Tag, Visibility

pytestmark = pytest.mark.django_db


def test_search_finds_accounts_statuses_and_hashtags(alice: Actor, bob: Actor) -> None:
    mine = StatusFactory.create(account=alice, text="cooperative breakfast", visibility=Visibility.PRIVATE)
    public = StatusFactory.create(account=bob, text="A cooperative morning")
    StatusFactory.create(account=bob, text="cooperative secret", visibility=Visibility.PRIVATE)
    Tag.objects.create(name="cooperatives")
    body = Client().get("/api/v2/search?q=cooperative", headers=bearer_for(alice, "read")).json()
    assert [status["id"] for status in body["statuses"]] == [str(public.pk), str(mine.pk)]
    assert [tag["name"] for tag in body["hashtags"]] == ["cooperatives"]
    accounts = Client().get("/api/v2/search?q=bo&type=accounts", headers=bearer_for(alice, "read")).json()
    assert [account["acct"] for account in accounts["accounts"]] == ["bob"]
    assert accounts["statuses"] == []


def test_status_urls_resolve_to_visible_statuses_only(alice: Actor, bob: Actor) -> None:
    public = StatusFactory.create(account=bob)
    hidden = StatusFactory.create(account=bob, visibility=Visibility.DIRECT)
    found = Client().get(f"/api/v2/search?q={public.url}&resolve=true", headers=bearer_for(alice, "read")).json()
    assert [status["id"] for status in found["statuses"]] == [str(public.pk)]
    assert found["accounts"] == []
    none = Client().get(f"/api/v2/search?q={hidden.uri}", headers=bearer_for(alice, "read")).json()
    assert none["statuses"] == []


def test_resolve_asks_webfinger_for_unknown_handles(alice: Actor, monkeypatch: MonkeyPatch) -> None:
    asked: list[str] = []

    def resolve(handle: str) -> Actor:
        asked.append(handle)
        return RemoteActorFactory.create(username="dana", domain="remote.example")

    monkeypatch.setattr("members.api.accounts.resolve_account", resolve)
    body = Client().get("/api/v2/search?q=@dana@remote.example&resolve=true", headers=bearer_for(alice, "read")).json()
    assert asked == ["dana@remote.example"]
    assert [account["acct"] for account in body["accounts"]] == ["dana@remote.example"]
    Client().get("/api/v2/search?q=@dana@remote.example", headers=bearer_for(alice, "read"))
    assert asked == ["dana@remote.example"]


def test_unreachable_servers_leave_an_empty_result(alice: Actor, monkeypatch: MonkeyPatch) -> None:
    def unreachable(handle: str) -> Actor:
        raise RemoteActorUnavailable("down")

    monkeypatch.setattr("members.api.accounts.resolve_account", unreachable)
    body = Client().get("/api/v2/search?q=eve@gone.example&resolve=true", headers=bearer_for(alice, "read")).json()
    assert body["accounts"] == []
    assert not Actor.objects.filter(domain="gone.example").exists()


def test_search_refusals(alice: Actor) -> None:
    assert Client().get("/api/v2/search?q=").status_code == 401
    missing = Client().get("/api/v2/search?q=", headers=bearer_for(alice, "read"))
    assert missing.status_code == 400
    wrong = Client().get("/api/v2/search?q=a&type=places", headers=bearer_for(alice, "read"))
    assert wrong.status_code == 422
    assert Client().get("/api/v2/search?q=a", headers=bearer_for(alice, "write")).status_code == 403
