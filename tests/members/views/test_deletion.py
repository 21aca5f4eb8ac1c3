"""The deletion pages: request with the password, cancel by signing in again, the receipt, 410 Gone after."""

from __future__ import annotations

import re
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

import pytest
from django.test import Client

from federation.models import Actor
from members.models import AccountDeletion, User
from tests.factories.federation import RemoteActorFactory
from tests.federation.network import FakeNetwork
from timeline.actions.statuses import check_create_status, do_create_status
from timeline.models import Follow

CaptureHooks = Callable[..., AbstractContextManager[list[Callable[[], Any]]]]
PASSWORD = "correct horse battery staple"
AP = {"Accept": "application/activity+json"}


def receipt_path(html: str) -> str:
    match = re.search(r"(/coop/deletion/receipt/[A-Za-z0-9_-]+)", html)
    assert match is not None
    return match.group(1)


@pytest.mark.django_db
def test_the_request_page_needs_a_signed_in_member(client: Client) -> None:
    response = client.get("/coop/deletion")
    assert response.status_code == 302 and "login" in response["Location"]


@pytest.mark.django_db
def test_a_wrong_password_changes_nothing(alice: Actor, alice_client: Client) -> None:
    page = alice_client.get("/coop/deletion")
    assert page.status_code == 200
    assert b'<label for="id_password">' in page.content and b"<main" in page.content
    response = alice_client.post("/coop/deletion", {"password": "wrong", "confirm": "on"})
    assert response.status_code == 200
    assert b"The password is wrong." in response.content
    assert not AccountDeletion.objects.exists()
    assert User.objects.get(username="alice").is_active


@pytest.mark.django_db
def test_request_then_cancel_through_the_pages(alice: Actor, alice_client: Client, network: FakeNetwork) -> None:
    follower = RemoteActorFactory.create(domain="mastodon.example")
    Follow.objects.create(follower=follower, target=alice, state=Follow.State.ACCEPTED)
    response = alice_client.post("/coop/deletion", {"password": PASSWORD, "confirm": "on"})
    assert response.status_code == 200
    path = receipt_path(response.content.decode())
    assert not User.objects.get(username="alice").is_active
    # Signed out: the login is deactivated during the grace period.
    assert alice_client.get("/coop/membership").status_code == 302

    receipt = Client().get(path)
    assert receipt.status_code == 200
    assert receipt["Cache-Control"] == "no-store"
    assert b"mastodon.example" in receipt.content and b"to be told" in receipt.content
    document = Client().get(f"{path}.json").json()
    assert document["state"] == "scheduled"
    assert document["servers"][0]["host"] == "mastodon.example"
    assert b"mastodon.example" in Client().get(f"{path}.txt").content
    assert Client().get("/coop/deletion/receipt/not-the-token").status_code == 404

    cancel = Client()
    refused = cancel.post("/coop/deletion/cancel", {"username": "alice", "password": "wrong"})
    assert refused.status_code == 200 and b"wrong" in refused.content
    assert AccountDeletion.objects.get().state == AccountDeletion.State.SCHEDULED
    done = cancel.post("/coop/deletion/cancel", {"username": "alice", "password": PASSWORD})
    assert done.status_code == 302
    assert AccountDeletion.objects.get().state == AccountDeletion.State.CANCELLED
    assert User.objects.get(username="alice").is_active
    assert cancel.get("/coop/membership").status_code == 200


@pytest.mark.django_db
def test_another_member_cannot_cancel_or_trigger_a_deletion(alice: Actor, bob: Actor, alice_client: Client) -> None:
    alice_client.post("/coop/deletion", {"password": PASSWORD, "confirm": "on"})
    bob_client = Client()
    assert bob.user is not None
    bob_client.force_login(bob.user)
    # Bob's own credentials do not reach alice's deletion.
    response = bob_client.post("/coop/deletion/cancel", {"username": "bob", "password": PASSWORD})
    assert b"No deletion" in response.content
    assert AccountDeletion.objects.get().state == AccountDeletion.State.SCHEDULED
    # Bob's session can only ever ask for his own deletion, and only with his own password.
    bob_client.post("/coop/deletion", {"password": "alice's password", "confirm": "on"})
    assert AccountDeletion.objects.count() == 1
    assert User.objects.get(username="bob").is_active


@pytest.mark.django_db
def test_erased_accounts_answer_410_gone(
    alice: Actor, alice_client: Client, django_capture_on_commit_callbacks: CaptureHooks
) -> None:
    status = do_create_status(alice, check_create_status(alice, text="soon gone"))
    with django_capture_on_commit_callbacks(execute=True):
        response = alice_client.post("/coop/deletion", {"password": PASSWORD, "confirm": "on", "immediate": "on"})
    assert response.status_code == 200
    assert AccountDeletion.objects.get().state == AccountDeletion.State.ERASED
    client = Client()
    actor = client.get("/users/alice", headers=AP)
    assert actor.status_code == 410
    assert actor.json()["type"] == "Tombstone" and actor.json()["id"] == alice.uri
    note = client.get(f"/users/alice/statuses/{status.id}", headers=AP)
    assert note.status_code == 410 and note.json()["id"] == status.uri
    assert client.get("/@alice").status_code == 410
    assert client.get(f"/@alice/{status.id}").status_code == 410
    assert client.get("/@alice", headers=AP).status_code == 410
    assert client.get("/.well-known/webfinger?resource=acct:alice@localhost:8000").status_code == 404
