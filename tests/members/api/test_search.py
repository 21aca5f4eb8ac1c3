"""The v2 search: accounts, statuses and hashtags, and resolving handles through WebFinger."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from pytest import MonkeyPatch

from federation.activitypub.context import PUBLIC
from federation.errors import RemoteActorUnavailable
from federation.models import Actor
from federation.uris import base_url
from tests.clients import bearer, bearer_for
from tests.factories.federation import RemoteActorFactory
from tests.factories.oauth import AccessTokenFactory
from tests.factories.timeline import StatusFactory
from tests.federation.network import FakeNetwork
from tests.fixtures import load_activitypub
from timeline.models import Status, Tag, Visibility

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


REMOTE = "https://mastodon.example"


def _remote_documents(network: FakeNetwork) -> dict[str, Any]:
    """Serve dana's actor at its id and at her profile page, and a public note of hers; return the note."""
    dana = load_activitypub("mastodon/actor")
    network.serve(dana)
    network.serve(dana, url=f"{REMOTE}/@dana")
    note = {
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": f"{REMOTE}/users/dana/statuses/42",
        "type": "Note",
        "url": f"{REMOTE}/@dana/42",
        "attributedTo": dana["id"],
        "content": "<p>tomatoes</p>",
        "published": "2026-11-21T10:00:00Z",
        "to": [PUBLIC],
        "cc": [dana["followers"]],
    }
    network.serve(note)
    network.serve(note, url=note["url"])
    return note


@pytest.mark.parametrize("which", ["id", "url"])
def test_resolve_fetches_and_stores_a_remote_status_by_url(alice: Actor, network: FakeNetwork, which: str) -> None:
    note = _remote_documents(network)
    body = (
        Client().get("/api/v2/search", {"q": note[which], "resolve": "true"}, headers=bearer_for(alice, "read")).json()
    )
    status = Status.objects.get(uri=note["id"])
    assert [found["id"] for found in body["statuses"]] == [str(status.pk)]
    assert body["accounts"] == [] and body["hashtags"] == []
    assert status.account.username == "dana"
    # Known now: asked again, nothing is fetched.
    fetched = len(network.fetches)
    again = Client().get("/api/v2/search", {"q": note[which], "resolve": "true"}, headers=bearer_for(alice, "read"))
    assert [found["id"] for found in again.json()["statuses"]] == [str(status.pk)]
    assert len(network.fetches) == fetched


def test_resolve_reads_a_profile_page_as_its_actor(alice: Actor, network: FakeNetwork) -> None:
    _remote_documents(network)
    query = {"q": f"{REMOTE}/@dana", "resolve": "true"}
    body = Client().get("/api/v2/search", query, headers=bearer_for(alice, "read")).json()
    assert [account["acct"] for account in body["accounts"]] == ["dana@mastodon.example"]
    assert body["statuses"] == []
    assert Actor.objects.filter(uri=f"{REMOTE}/users/dana").exists()
    only_statuses = Client().get("/api/v2/search", query | {"type": "statuses"}, headers=bearer_for(alice, "read"))
    assert only_statuses.json()["accounts"] == []


def test_without_resolve_or_an_account_nothing_is_fetched(alice: Actor, network: FakeNetwork) -> None:
    note = _remote_documents(network)
    plain = Client().get("/api/v2/search", {"q": note["id"]}, headers=bearer_for(alice, "read")).json()
    assert plain == {"accounts": [], "statuses": [], "hashtags": []}
    # As Mastodon, resolving needs a signed-in account: anonymous and app-only callers are refused.
    app_token = AccessTokenFactory.create(user=None, scope="read")
    query = {"q": note["id"], "resolve": "true"}
    assert Client().get("/api/v2/search", query).status_code == 401
    assert Client().get("/api/v2/search", query, headers=bearer(app_token.token)).status_code == 422
    assert network.fetches == []
    assert not Status.objects.filter(uri=note["id"]).exists()
    assert not Actor.objects.filter(domain="mastodon.example").exists()


def test_local_urls_resolve_without_a_fetch(alice: Actor, bob: Actor, network: FakeNetwork) -> None:
    status = StatusFactory.create(account=bob)
    for query, accounts, statuses in [
        (bob.url, ["bob"], []),
        (bob.uri, ["bob"], []),
        (status.url, [], [str(status.pk)]),
        (f"{base_url()}/@nobody", [], []),
    ]:
        body = Client().get("/api/v2/search", {"q": query, "resolve": "true"}, headers=bearer_for(alice, "read"))
        assert [account["acct"] for account in body.json()["accounts"]] == accounts, query
        assert [found["id"] for found in body.json()["statuses"]] == statuses, query
    assert network.fetches == []


@pytest.mark.parametrize(
    "change",
    [
        {"attributedTo": "https://elsewhere.example/users/mallory"},
        {"type": "Collection"},
        {"id": "https://elsewhere.example/users/dana/statuses/42"},
    ],
)
def test_a_remote_document_that_is_no_post_of_its_host_stores_nothing(
    alice: Actor, network: FakeNetwork, change: dict[str, str]
) -> None:
    note = _remote_documents(network)
    network.serve({**note, **change}, url=note["url"])
    body = Client().get("/api/v2/search", {"q": note["url"], "resolve": "true"}, headers=bearer_for(alice, "read"))
    assert body.json() == {"accounts": [], "statuses": [], "hashtags": []}
    assert Status.objects.count() == 0
    assert not Actor.objects.filter(domain="elsewhere.example").exists()
