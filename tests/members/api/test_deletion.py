"""The co-op API for deletion and moves: password confirmation, cancel, and nobody acting for another."""

from __future__ import annotations

import pytest
from django.test import Client

from federation.actions.remote_actors import do_store_actor_document
from federation.models import Actor
from members.models import AccountDeletion, User
from tests.clients import minted_bearer_for
from tests.federation.network import FakeNetwork
from tests.fixtures import load_activitypub

PASSWORD = "correct horse battery staple"


@pytest.mark.django_db
def test_deletion_needs_a_fresh_password(client: Client, alice: Actor) -> None:
    headers = minted_bearer_for(alice.user)
    for body in ({}, {"password": "wrong"}):
        response = client.post("/api/v1/coop/deletion", body, content_type="application/json", headers=headers)
        assert response.status_code == 422
        assert response.json()["error"] == "The password is wrong."
    assert not AccountDeletion.objects.exists()
    assert client.get("/api/v1/accounts/verify_credentials", headers=headers).status_code == 200


@pytest.mark.django_db
def test_deletion_is_scheduled_then_cancelled(client: Client, alice: Actor) -> None:
    headers = minted_bearer_for(alice.user)
    response = client.post(
        "/api/v1/coop/deletion", {"password": PASSWORD}, content_type="application/json", headers=headers
    )
    assert response.status_code == 202
    body = response.json()
    assert body["state"] == "scheduled"
    assert "/coop/deletion/receipt/" in body["receipt_url"]
    # The login is deactivated: its tokens stop working until the deletion is cancelled.
    assert client.get("/api/v1/accounts/verify_credentials", headers=headers).status_code == 403
    path = body["receipt_json_url"].split("localhost:8000", 1)[1]
    assert client.get(path).json()["state"] == "scheduled"

    refused = client.post(
        "/api/v1/coop/deletion/cancel", {"username": "alice", "password": "wrong"}, content_type="application/json"
    )
    assert refused.status_code == 422
    assert AccountDeletion.objects.get().state == AccountDeletion.State.SCHEDULED
    cancelled = client.post(
        "/api/v1/coop/deletion/cancel", {"username": "alice", "password": PASSWORD}, content_type="application/json"
    )
    assert cancelled.status_code == 200 and cancelled.json()["state"] == "cancelled"
    assert client.get("/api/v1/accounts/verify_credentials", headers=headers).status_code == 200


@pytest.mark.django_db
def test_a_member_cannot_delete_or_cancel_another(client: Client, alice: Actor, bob: Actor) -> None:
    # Bob's token with alice's password (the same in tests) still only ever names bob.
    alice_headers = minted_bearer_for(alice.user)
    client.post("/api/v1/coop/deletion", {"password": PASSWORD}, content_type="application/json", headers=alice_headers)
    response = client.post(
        "/api/v1/coop/deletion/cancel", {"username": "bob", "password": PASSWORD}, content_type="application/json"
    )
    assert response.status_code == 422
    assert AccountDeletion.objects.get().user == User.objects.get(username="alice")
    assert AccountDeletion.objects.get().state == AccountDeletion.State.SCHEDULED
    read_only = client.post(
        "/api/v1/coop/deletion",
        {"password": PASSWORD},
        content_type="application/json",
        headers=minted_bearer_for(bob.user, "read"),
    )
    assert read_only.status_code == 403
    assert AccountDeletion.objects.count() == 1


@pytest.mark.django_db
def test_aliases_and_move_through_the_api(client: Client, alice: Actor, network: FakeNetwork) -> None:
    document = load_activitypub("mastodon/actor")
    document["alsoKnownAs"] = []
    network.serve(document)
    do_store_actor_document(document)
    headers = minted_bearer_for(alice.user)
    added = client.post("/api/v1/coop/aliases/add", {"acct": "dana@mastodon.example"}, headers=headers)
    assert added.status_code == 200
    assert added.json() == [{"uri": document["id"], "acct": "dana@mastodon.example"}]
    assert client.get("/api/v1/coop/aliases", headers=headers).json() == added.json()
    removed = client.post("/api/v1/coop/aliases/remove", {"uri": document["id"]}, headers=headers)
    assert removed.json() == []

    refused = client.post(
        "/api/v1/coop/move", {"target": "dana@mastodon.example", "password": PASSWORD}, headers=headers
    )
    assert refused.status_code == 422 and "alias" in refused.json()["error"]
    document["alsoKnownAs"] = [alice.uri]
    network.serve(document)
    moved = client.post("/api/v1/coop/move", {"target": "dana@mastodon.example", "password": PASSWORD}, headers=headers)
    assert moved.status_code == 200
    assert moved.json()["account"]["moved"]["acct"] == "dana@mastodon.example"
    actor = client.get("/users/alice", headers={"Accept": "application/activity+json"}).json()
    assert actor["movedTo"] == document["id"]
