"""The inbox: verified activities are stored once and answered 202; every rejection is a 4xx with no trace."""

from __future__ import annotations

import json
from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.test import Client

from config.json_input import MAX_JSON_DEPTH
from federation.actions.domain_policies import do_set_domain_policy
from federation.actions.inbox import MAX_BODY_BYTES
from federation.actions.instance_actor import instance_actor
from federation.activitypub.context import PUBLIC
from federation.keys import generate_key_pair
from federation.models import Actor, InboxItem, OutboundActivity, RemoteHost
from tests.factories.federation import RemoteActorFactory
from tests.federation.network import FakeNetwork
from tests.federation.signing import signed_post
from tests.fixtures import load_activitypub
from timeline.models import Follow, Status

CaptureHooks = Callable[..., AbstractContextManager[list[Callable[[], Any]]]]


def note_create(actor: Actor, *, note_id: str | None = None, text: str = "hello") -> dict[str, Any]:
    note_id = note_id or f"{actor.uri}/statuses/1"
    return {
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": f"{note_id}/activity",
        "type": "Create",
        "actor": actor.uri,
        "to": [PUBLIC],
        "cc": [actor.followers_uri],
        "object": {
            "id": note_id,
            "type": "Note",
            "attributedTo": actor.uri,
            "content": f"<p>{text}</p>",
            "published": "2026-11-21T10:00:00Z",
            "to": [PUBLIC],
            "cc": [actor.followers_uri],
        },
    }


@pytest.fixture
def remote(db: None) -> Actor:
    return RemoteActorFactory.create(username="carol", domain="mastodon.example")


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/inbox", "/users/alice/inbox", "/actor/inbox"])
def test_signed_create_is_accepted_stored_and_processed(
    client: Client, alice: Actor, remote: Actor, path: str, django_capture_on_commit_callbacks: CaptureHooks
) -> None:
    Follow.objects.create(follower=alice, target=remote, state=Follow.State.ACCEPTED)
    with django_capture_on_commit_callbacks(execute=True):
        response = signed_post(client, path, note_create(remote), actor=remote)
    assert response.status_code == 202
    item = InboxItem.objects.get()
    assert item.state == InboxItem.State.PROCESSED
    status = Status.objects.get(uri=f"{remote.uri}/statuses/1")
    assert status.content == "<p>hello</p>"
    assert alice.home_entries.filter(status=status).exists()


@pytest.mark.django_db
def test_redelivered_activity_is_stored_once(client: Client, remote: Actor) -> None:
    activity = note_create(remote)
    assert signed_post(client, "/inbox", activity, actor=remote).status_code == 202
    assert signed_post(client, "/inbox", activity, actor=remote).status_code == 202
    assert InboxItem.objects.count() == 1


def _assert_refused(response: Any, status: int, message: str) -> None:
    assert response.status_code == status, response.content
    assert message in response.json()["error"]
    assert InboxItem.objects.count() == 0
    assert Status.objects.count() == 0


@pytest.mark.django_db
def test_unsigned_post_is_refused(client: Client, remote: Actor) -> None:
    response = client.post("/inbox", data=json.dumps(note_create(remote)), content_type="application/activity+json")
    _assert_refused(response, 401, "not signed")


@pytest.mark.django_db
def test_bad_signature_is_refused(client: Client, remote: Actor, network: FakeNetwork) -> None:
    response = signed_post(
        client, "/inbox", note_create(remote), actor=remote, private_key_pem=generate_key_pair().private_pem
    )
    _assert_refused(response, 401, "does not verify")
    # The key was fetched again once, in case it had rotated.
    assert network.fetches == [remote.uri]


@pytest.mark.django_db
def test_rotated_key_is_refetched_once_and_accepted(client: Client, remote: Actor, network: FakeNetwork) -> None:
    new_keys = generate_key_pair()
    network.serve(
        {
            "id": remote.uri,
            "type": "Person",
            "preferredUsername": remote.username,
            "inbox": remote.inbox_uri,
            "publicKey": {"id": remote.key_id, "owner": remote.uri, "publicKeyPem": new_keys.public_pem},
        }
    )
    response = signed_post(client, "/inbox", note_create(remote), actor=remote, private_key_pem=new_keys.private_pem)
    assert response.status_code == 202
    remote.refresh_from_db()
    assert remote.public_key_pem == new_keys.public_pem


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("offset", "message"),
    [(timedelta(hours=-13), "12 hours old"), (timedelta(hours=2), "future")],
)
def test_stale_or_future_date_is_refused(client: Client, remote: Actor, offset: timedelta, message: str) -> None:
    now = datetime.now(UTC) + offset
    _assert_refused(signed_post(client, "/inbox", note_create(remote), actor=remote, now=now), 401, message)


@pytest.mark.django_db
def test_digest_mismatch_is_refused(client: Client, remote: Actor) -> None:
    signed = note_create(remote)
    tampered = json.dumps(note_create(remote, text="tampered")).encode()
    response = signed_post(client, "/inbox", signed, actor=remote, body_override=tampered)
    _assert_refused(response, 401, "Digest header does not match")


@pytest.mark.django_db
def test_key_of_another_actor_is_refused(client: Client, remote: Actor) -> None:
    """Only a Create may be forwarded (tests/federation/views/test_inbox_forwarding.py); an Update may not."""
    impostor = RemoteActorFactory.create(domain="other.example")
    response = signed_post(client, "/inbox", {**note_create(remote), "type": "Update"}, actor=impostor)
    _assert_refused(response, 401, "does not belong to the activity's actor")


@pytest.mark.django_db
def test_key_of_another_actor_on_the_same_host_is_refused(client: Client, remote: Actor) -> None:
    neighbour = RemoteActorFactory.create(domain=remote.domain)
    response = signed_post(client, "/inbox", {**note_create(remote), "type": "Update"}, actor=neighbour)
    _assert_refused(response, 401, "does not belong to the activity's actor")


@pytest.mark.django_db
def test_object_on_another_host_is_refused(client: Client, remote: Actor) -> None:
    activity = note_create(remote, note_id="https://victim.example/users/x/statuses/1")
    activity["id"] = f"{remote.uri}/statuses/9/activity"
    _assert_refused(signed_post(client, "/inbox", activity, actor=remote), 403, "not on the actor's host")


@pytest.mark.django_db
def test_activity_id_on_another_host_is_refused(client: Client, remote: Actor) -> None:
    activity = note_create(remote)
    activity["id"] = "https://victim.example/activities/1"
    _assert_refused(signed_post(client, "/inbox", activity, actor=remote), 403, "not on the actor's host")


@pytest.mark.django_db
def test_note_attributed_to_someone_else_is_refused(client: Client, remote: Actor) -> None:
    activity = note_create(remote)
    activity["object"]["attributedTo"] = f"https://{remote.domain}/users/someone-else"
    _assert_refused(signed_post(client, "/inbox", activity, actor=remote), 403, "attributed to another actor")


@pytest.mark.django_db
def test_oversize_body_is_refused(client: Client, remote: Actor) -> None:
    activity = note_create(remote, text="x" * (MAX_BODY_BYTES + 1))
    _assert_refused(signed_post(client, "/inbox", activity, actor=remote), 413, "larger than")


@pytest.mark.django_db
def test_malformed_json_is_refused(client: Client, remote: Actor) -> None:
    _assert_refused(signed_post(client, "/inbox", b"{not json", actor=remote), 400, "not valid JSON")


@pytest.mark.django_db
def test_body_nested_100000_levels_deep_is_refused(client: Client, remote: Actor) -> None:
    body = b"[" * 100_000 + b"]" * 100_000
    _assert_refused(signed_post(client, "/inbox", body, actor=remote), 400, "nested deeper than")


@pytest.mark.django_db
def test_activity_nested_deeper_than_the_limit_is_refused(client: Client, alice: Actor, remote: Actor) -> None:
    activity = note_create(remote)
    nested: list[Any] = []
    activity["object"]["tag"] = nested
    for _ in range(MAX_JSON_DEPTH):
        nested.append([])
        nested = nested[0]
    _assert_refused(signed_post(client, "/users/alice/inbox", activity, actor=remote), 400, "nested deeper than")


@pytest.mark.django_db
def test_unknown_type_is_refused(client: Client, remote: Actor) -> None:
    activity = note_create(remote)
    activity["type"] = "Dance"
    _assert_refused(signed_post(client, "/inbox", activity, actor=remote), 422, "not supported")


@pytest.mark.django_db
def test_suspended_domain_is_refused(client: Client, remote: Actor) -> None:
    do_set_domain_policy("mastodon.example", severity="suspend", authorised_by="decision 7")
    _assert_refused(signed_post(client, "/inbox", note_create(remote), actor=remote), 403, "does not accept")


@pytest.mark.django_db
def test_activity_claiming_a_local_actor_is_refused(client: Client, alice: Actor) -> None:
    activity = note_create(alice)
    _assert_refused(signed_post(client, "/inbox", activity, actor=alice), 403, "own actors")


@pytest.mark.django_db
def test_unknown_actor_is_fetched_and_unfetchable_one_refused(client: Client, network: FakeNetwork) -> None:
    stranger = RemoteActorFactory.build(domain="new.example")
    _assert_refused(signed_post(client, "/inbox", note_create(stranger), actor=stranger), 401, "cannot be fetched")
    assert network.fetches == [stranger.uri]


@pytest.mark.django_db
def test_delete_from_unknown_actor_is_accepted_without_fetching(client: Client, network: FakeNetwork) -> None:
    stranger = RemoteActorFactory.build(domain="big.example")
    activity = {"id": f"{stranger.uri}#delete", "type": "Delete", "actor": stranger.uri, "object": stranger.uri}
    response = signed_post(client, "/inbox", activity, actor=stranger)
    assert response.status_code == 202
    assert network.fetches == []
    assert InboxItem.objects.count() == 0


@pytest.mark.django_db
def test_personal_inbox_of_unknown_member_is_404(client: Client, remote: Actor) -> None:
    assert signed_post(client, "/users/nobody/inbox", note_create(remote), actor=remote).status_code == 404
    assert InboxItem.objects.count() == 0


@pytest.mark.django_db
def test_activity_from_an_unavailable_host_revives_it(client: Client, remote: Actor) -> None:
    RemoteHost.objects.create(host=remote.domain, unavailable=True, failure_days=["2026-11-01"] * 7)
    assert signed_post(client, "/inbox", note_create(remote), actor=remote).status_code == 202
    host = RemoteHost.objects.get(host=remote.domain)
    assert not host.unavailable and host.failure_days == []


@pytest.mark.django_db
def test_gotosocial_style_key_document_leads_to_its_owner(client: Client, network: FakeNetwork) -> None:
    from tests.fixtures import load_activitypub

    erin = load_activitypub("gotosocial/actor")
    key_id = erin["publicKey"]["id"]
    network.serve({"id": erin["id"], "type": "Person", "publicKey": erin["publicKey"]}, url=key_id)
    network.serve(erin)
    stranger = RemoteActorFactory.build(uri=erin["id"], domain="gts.example", followers_uri=erin["followers"])
    response = signed_post(client, "/inbox", note_create(stranger), actor=stranger, key_id=key_id)
    assert response.status_code == 202
    assert network.fetches == [key_id, erin["id"]]
    assert Actor.objects.get(uri=erin["id"]).public_key_uri == key_id
    # Known now: the next activity needs no fetch.
    signed_post(
        client, "/inbox", note_create(stranger, note_id=f"{erin['id']}/statuses/2"), actor=stranger, key_id=key_id
    )
    assert len(network.fetches) == 2
    assert InboxItem.objects.count() == 2


@pytest.fixture
def dana(db: None) -> Actor:
    return RemoteActorFactory.create(username="dana", domain="mastodon.example")


@pytest.mark.django_db
def test_mastodon_follow_of_the_instance_actor_is_accepted_and_undo_removes_it(
    client: Client, dana: Actor, network: FakeNetwork, django_capture_on_commit_callbacks: CaptureHooks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = signed_post(client, "/actor/inbox", load_activitypub("mastodon/follow"), actor=dana)
    assert response.status_code == 202
    follow = Follow.objects.get(follower=dana, target=instance_actor())
    assert follow.state == Follow.State.ACCEPTED
    [accept] = network.posted("Accept")
    assert accept["actor"] == instance_actor().uri
    assert accept["object"]["id"] == "https://mastodon.example/5d7c1f0e-8a3b-4c52-9e61-0f2a4b6c8d10"
    followers = client.get("/actor/followers?page=1", headers={"Accept": "application/activity+json"}).json()
    assert followers["orderedItems"] == [dana.uri]

    with django_capture_on_commit_callbacks(execute=True):
        response = signed_post(client, "/actor/inbox", load_activitypub("mastodon/undo_follow"), actor=dana)
    assert response.status_code == 202
    assert not Follow.objects.filter(follower=dana).exists()
    followers = client.get("/actor/followers?page=1", headers={"Accept": "application/activity+json"}).json()
    assert followers["orderedItems"] == []


@pytest.mark.django_db
def test_follow_of_the_instance_actor_from_a_suspended_domain_is_refused(
    client: Client, dana: Actor, network: FakeNetwork
) -> None:
    do_set_domain_policy("mastodon.example", severity="suspend", authorised_by="decision 7")
    response = signed_post(client, "/actor/inbox", load_activitypub("mastodon/follow"), actor=dana)
    _assert_refused(response, 403, "does not accept")
    assert not Follow.objects.exists()
    assert not OutboundActivity.objects.exists()
    assert network.posts == []


@pytest.mark.django_db
def test_a_signed_post_from_an_actor_without_preferred_username_is_accepted(
    client: Client, network: FakeNetwork, django_capture_on_commit_callbacks: CaptureHooks
) -> None:
    """A bridged account publishing no username is stored under one derived from its id, and its post kept."""
    kai = load_activitypub("bridge/actor")
    network.serve(kai)
    stranger = RemoteActorFactory.build(uri=kai["id"], domain="bridge.example", followers_uri=kai["followers"])
    with django_capture_on_commit_callbacks(execute=True):
        response = signed_post(client, "/inbox", note_create(stranger), actor=stranger, key_id=kai["publicKey"]["id"])
    assert response.status_code == 202
    actor = Actor.objects.get(uri=kai["id"])
    assert (actor.username, actor.domain, actor.display_name) == ("did_plc_5hx2kq7tw3", "bridge.example", kai["name"])
    assert Status.objects.get(uri=f"{kai['id']}/statuses/1").account == actor
