"""The inbox accepts RFC 9421 message signatures as it accepts draft-cavage ones, and refuses bad ones alike."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from federation.keys import generate_key_pair
from federation.models import Actor, InboxItem
from tests.factories.federation import RemoteActorFactory
from tests.federation.network import FakeNetwork
from tests.federation.signing import message_signed_post
from tests.federation.views.test_inbox import CaptureHooks, note_create
from timeline.models import Follow, Status


@pytest.fixture
def remote(db: None) -> Actor:
    return RemoteActorFactory.create(username="carol", domain="mastodon.example")


def _assert_refused(response: Any, message: str) -> None:
    assert response.status_code == 401, response.content
    assert message in response.json()["error"]
    assert InboxItem.objects.count() == 0
    assert Status.objects.count() == 0


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/inbox", "/users/alice/inbox"])
def test_message_signed_create_is_accepted_stored_and_processed(
    client: Client, alice: Actor, remote: Actor, path: str, django_capture_on_commit_callbacks: CaptureHooks
) -> None:
    Follow.objects.create(follower=alice, target=remote, state=Follow.State.ACCEPTED)
    with django_capture_on_commit_callbacks(execute=True):
        response = message_signed_post(client, path, note_create(remote), actor=remote)
    assert response.status_code == 202, response.content
    assert InboxItem.objects.get().state == InboxItem.State.PROCESSED
    status = Status.objects.get(uri=f"{remote.uri}/statuses/1")
    assert alice.home_entries.filter(status=status).exists()


@pytest.mark.django_db
def test_message_signature_by_another_key_is_refused_after_one_refetch(
    client: Client, remote: Actor, network: FakeNetwork
) -> None:
    response = message_signed_post(
        client, "/inbox", note_create(remote), actor=remote, private_key_pem=generate_key_pair().private_pem
    )
    _assert_refused(response, "does not verify")
    assert network.fetches == [remote.uri]


@pytest.mark.django_db
def test_body_differing_from_content_digest_is_refused(client: Client, remote: Actor) -> None:
    tampered = json.dumps(note_create(remote, text="tampered")).encode()
    response = message_signed_post(client, "/inbox", note_create(remote), actor=remote, body_override=tampered)
    _assert_refused(response, "Content-Digest header does not match")


@pytest.mark.django_db
def test_message_signature_not_covering_content_digest_is_refused(client: Client, remote: Actor) -> None:
    response = message_signed_post(
        client, "/inbox", note_create(remote), actor=remote, components=("@method", "@target-uri")
    )
    _assert_refused(response, "does not cover content-digest")


@pytest.mark.django_db
def test_message_signature_for_another_path_is_refused(client: Client, remote: Actor, network: FakeNetwork) -> None:
    """A signature made for one inbox does not verify when replayed to another."""
    replayed = message_signed_post(client, "/inbox", note_create(remote), actor=remote, sign_path="/users/alice/inbox")
    _assert_refused(replayed, "does not verify")


@pytest.mark.django_db
def test_message_signature_with_the_key_of_another_actor_is_refused(client: Client, remote: Actor) -> None:
    impostor = RemoteActorFactory.create(domain="other.example")
    response = message_signed_post(
        client, "/inbox", {**note_create(remote), "type": "Update"}, actor=remote, key_id=impostor.key_id
    )
    _assert_refused(response, "does not belong to the activity's actor")
