"""A Create forwarded by a third server is verified against its origin's copy, which replaces the one embedded."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from federation.actions.domain_policies import do_set_domain_policy
from federation.activitypub.context import PUBLIC
from federation.models import Actor, InboxItem
from federation.uris import base_url
from tests.factories.federation import RemoteActorFactory
from tests.federation.network import FakeNetwork
from tests.federation.signing import message_signed_post, signed_post
from tests.federation.views.test_inbox import CaptureHooks
from timeline.models import Status

pytestmark = pytest.mark.django_db


@pytest.fixture
def carol(db: None) -> Actor:
    """The reply's author."""
    return RemoteActorFactory.create(username="carol", domain="mastodon.example")


@pytest.fixture
def owner(db: None) -> Actor:
    """The server of the thread's author, which forwards the reply to its followers."""
    return RemoteActorFactory.create(username="tom", domain="thread.example")


def _reply(author: Actor, thread_owner: Actor, text: str) -> dict[str, Any]:
    return {
        "id": f"{author.uri}/statuses/7",
        "type": "Note",
        "attributedTo": author.uri,
        "inReplyTo": f"{thread_owner.uri}/statuses/1",
        "content": f"<p>{text}</p>",
        "published": "2026-11-21T10:00:00Z",
        "to": [PUBLIC],
        "cc": [author.followers_uri],
    }


def _forwarded(author: Actor, thread_owner: Actor, text: str) -> dict[str, Any]:
    reply = _reply(author, thread_owner, text)
    return {
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": f"{reply['id']}/activity",
        "type": "Create",
        "actor": author.uri,
        "to": reply["to"],
        "cc": reply["cc"],
        "object": reply,
    }


def _assert_nothing_stored(response: Any, status: int, message: str) -> None:
    assert response.status_code == status, response.content
    assert message in response.json()["error"]
    assert InboxItem.objects.count() == 0
    assert Status.objects.count() == 0


def test_a_forwarded_reply_is_accepted_from_its_origin_copy(
    client: Client, carol: Actor, owner: Actor, network: FakeNetwork, django_capture_on_commit_callbacks: CaptureHooks
) -> None:
    """The embedded text is not trusted: the status holds what carol's server serves."""
    network.serve(_reply(carol, owner, "the reply as carol wrote it"))
    forwarded = _forwarded(carol, owner, "words put in carol's mouth")
    with django_capture_on_commit_callbacks(execute=True):
        response = signed_post(client, "/inbox", forwarded, actor=owner)
    assert response.status_code == 202, response.content
    assert network.fetches[0] == f"{carol.uri}/statuses/7"
    item = InboxItem.objects.get()
    assert (item.actor_uri, item.state) == (carol.uri, InboxItem.State.PROCESSED)
    status = Status.objects.get(uri=f"{carol.uri}/statuses/7")
    assert status.account == carol
    assert status.content == "<p>the reply as carol wrote it</p>"


def test_a_forwarded_reply_signed_with_rfc_9421_is_accepted(
    client: Client, carol: Actor, owner: Actor, network: FakeNetwork
) -> None:
    network.serve(_reply(carol, owner, "hello"))
    response = message_signed_post(client, "/inbox", _forwarded(carol, owner, "hello"), actor=owner)
    assert response.status_code == 202, response.content
    assert InboxItem.objects.get().actor_uri == carol.uri


def test_a_forwarded_reply_whose_origin_copy_has_another_author_is_refused(
    client: Client, carol: Actor, owner: Actor, network: FakeNetwork
) -> None:
    network.serve({**_reply(carol, owner, "hello"), "attributedTo": "https://mastodon.example/users/dave"})
    response = signed_post(client, "/inbox", _forwarded(carol, owner, "hello"), actor=owner)
    _assert_nothing_stored(response, 403, "attributed to another actor")
    assert not Actor.objects.filter(uri="https://mastodon.example/users/dave").exists()


def test_a_forwarded_reply_missing_at_its_origin_is_refused(
    client: Client, carol: Actor, owner: Actor, network: FakeNetwork
) -> None:
    response = signed_post(client, "/inbox", _forwarded(carol, owner, "hello"), actor=owner)
    _assert_nothing_stored(response, 401, "cannot be fetched from its origin")
    assert network.fetches == [f"{carol.uri}/statuses/7"]


@pytest.mark.parametrize(
    "change",
    [
        {"type": "Person"},
        {"id": "https://mastodon.example/users/carol/statuses/8"},
    ],
)
def test_a_forwarded_reply_whose_origin_serves_something_else_is_refused(
    client: Client, carol: Actor, owner: Actor, network: FakeNetwork, change: dict[str, Any]
) -> None:
    reply = _reply(carol, owner, "hello")
    network.serve({**reply, **change}, url=reply["id"])
    response = signed_post(client, "/inbox", _forwarded(carol, owner, "hello"), actor=owner)
    _assert_nothing_stored(response, 403, "does not serve the forwarded object")


def test_a_forwarded_object_on_another_host_than_its_actor_is_refused(
    client: Client, carol: Actor, owner: Actor, network: FakeNetwork
) -> None:
    forwarded = _forwarded(carol, owner, "hello")
    forwarded["object"] = {**forwarded["object"], "id": f"{owner.uri}/statuses/99"}
    network.serve(forwarded["object"])
    response = signed_post(client, "/inbox", forwarded, actor=owner)
    _assert_nothing_stored(response, 403, "must be on its actor's host")
    assert network.fetches == []


def test_a_forwarded_create_claiming_a_local_author_is_refused(
    client: Client, alice: Actor, owner: Actor, network: FakeNetwork
) -> None:
    assert alice.uri.startswith(base_url())
    response = signed_post(client, "/inbox", _forwarded(alice, owner, "hello"), actor=owner)
    _assert_nothing_stored(response, 403, "this server's own actors")
    assert network.fetches == []


def test_a_post_forwarded_from_a_suspended_domain_is_refused(
    client: Client, carol: Actor, owner: Actor, network: FakeNetwork
) -> None:
    do_set_domain_policy(owner.domain, severity="suspend", authorised_by="decision 7")
    network.serve(_reply(carol, owner, "hello"))
    response = signed_post(client, "/inbox", _forwarded(carol, owner, "hello"), actor=owner)
    _assert_nothing_stored(response, 403, "does not accept activities from your domain")
    assert network.fetches == []
