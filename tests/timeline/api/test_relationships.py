"""Follow, unfollow, block and follow-request endpoints: each calls its action and answers the relationship."""

from __future__ import annotations

import pytest
from django.test import Client

from federation.models import Actor
from tests.clients import bearer_for
from tests.factories.federation import LocalActorFactory
from tests.factories.timeline import FollowFactory
from timeline.models import Block, Follow

pytestmark = pytest.mark.django_db


def test_follow_and_unfollow(alice: Actor, bob: Actor) -> None:
    headers = bearer_for(alice, "read write follow")
    body = Client().post(f"/api/v1/accounts/{bob.pk}/follow", headers=headers).json()
    assert body["id"] == str(bob.pk)
    assert body["following"] is True
    assert Follow.objects.filter(follower=alice, target=bob, state=Follow.State.ACCEPTED).exists()
    body = Client().post(f"/api/v1/accounts/{bob.pk}/unfollow", headers=headers).json()
    assert body["following"] is False
    assert not Follow.objects.exists()


def test_following_a_locked_account_is_a_request(alice: Actor, bob: Actor) -> None:
    bob.locked = True
    bob.save(update_fields=["locked"])
    body = Client().post(f"/api/v1/accounts/{bob.pk}/follow", headers=bearer_for(alice, "read write follow")).json()
    assert body["requested"] is True
    assert body["following"] is False
    requests = Client().get("/api/v1/follow_requests", headers=bearer_for(bob, "read write follow")).json()
    assert [account["id"] for account in requests] == [str(alice.pk)]
    answer = (
        Client()
        .post(f"/api/v1/follow_requests/{alice.pk}/authorize", headers=bearer_for(bob, "read write follow"))
        .json()
    )
    assert answer["followed_by"] is True
    assert Follow.objects.get().state == Follow.State.ACCEPTED


def test_rejecting_a_request_removes_it(alice: Actor, bob: Actor) -> None:
    FollowFactory.create(follower=alice, target=bob, state=Follow.State.PENDING)
    body = (
        Client().post(f"/api/v1/follow_requests/{alice.pk}/reject", headers=bearer_for(bob, "read write follow")).json()
    )
    assert body["requested_by"] is False
    assert not Follow.objects.exists()


def test_answering_a_missing_request_is_refused(alice: Actor, bob: Actor) -> None:
    FollowFactory.create(follower=alice, target=bob)
    response = Client().post(
        f"/api/v1/follow_requests/{alice.pk}/authorize", headers=bearer_for(bob, "read write follow")
    )
    assert response.status_code == 404
    assert "no pending follow request" in response.json()["error"]
    response = Client().post(f"/api/v1/follow_requests/{alice.pk}/reject", headers=bearer_for(bob, "read write follow"))
    assert response.status_code == 404
    assert Follow.objects.get().state == Follow.State.ACCEPTED


def test_refused_follows_change_nothing(alice: Actor, bob: Actor) -> None:
    own = Client().post(f"/api/v1/accounts/{alice.pk}/follow", headers=bearer_for(alice, "read write follow"))
    assert own.status_code == 403
    assert own.json() == {"error": "You can't follow yourself."}
    Block.objects.create(account=bob, target=alice)
    blocked = Client().post(f"/api/v1/accounts/{bob.pk}/follow", headers=bearer_for(alice, "read write follow"))
    assert blocked.status_code == 403
    assert not Follow.objects.exists()
    missing = Client().post("/api/v1/accounts/999999/follow", headers=bearer_for(alice, "read write follow"))
    assert missing.status_code == 404


def test_a_read_token_cannot_follow(alice: Actor, bob: Actor) -> None:
    response = Client().post(f"/api/v1/accounts/{bob.pk}/follow", headers=bearer_for(alice, "read"))
    assert response.status_code == 403
    assert not Follow.objects.exists()
    assert Client().post(f"/api/v1/accounts/{bob.pk}/follow").status_code == 401


def test_block_ends_follows_and_is_listed(alice: Actor, bob: Actor) -> None:
    FollowFactory.create(follower=bob, target=alice)
    body = Client().post(f"/api/v1/accounts/{bob.pk}/block", headers=bearer_for(alice, "read write follow")).json()
    assert body["blocking"] is True
    assert body["followed_by"] is False
    listed = Client().get("/api/v1/blocks", headers=bearer_for(alice, "read write follow")).json()
    assert [account["id"] for account in listed] == [str(bob.pk)]
    body = Client().post(f"/api/v1/accounts/{bob.pk}/unblock", headers=bearer_for(alice, "read write follow")).json()
    assert body["blocking"] is False
    assert not Block.objects.exists()


def test_blocking_oneself_is_refused(alice: Actor) -> None:
    response = Client().post(f"/api/v1/accounts/{alice.pk}/block", headers=bearer_for(alice, "read write follow"))
    assert response.status_code == 403
    assert not Block.objects.exists()


def test_remove_from_followers(alice: Actor, bob: Actor) -> None:
    FollowFactory.create(follower=bob, target=alice)
    body = (
        Client()
        .post(f"/api/v1/accounts/{bob.pk}/remove_from_followers", headers=bearer_for(alice, "read write follow"))
        .json()
    )
    assert body["followed_by"] is False
    assert not Follow.objects.exists()


def test_follow_requests_page_with_links(alice: Actor) -> None:
    askers = [LocalActorFactory.create() for _ in range(3)]
    for asker in askers:
        FollowFactory.create(follower=asker, target=alice, state=Follow.State.PENDING)
    response = Client().get("/api/v1/follow_requests?limit=2", headers=bearer_for(alice, "read write follow"))
    assert [account["id"] for account in response.json()] == [str(askers[2].pk), str(askers[1].pk)]
    assert 'rel="next"' in response["Link"]


@pytest.mark.parametrize(
    ("path", "scope"),
    [
        ("/api/v1/mutes", "read:mutes"),
        ("/api/v1/domain_blocks", "read:blocks"),
    ],
)
def test_empty_lists_of_states_are_scoped(alice: Actor, path: str, scope: str) -> None:
    assert Client().get(path, headers=bearer_for(alice, scope)).json() == []
    assert Client().get(path, headers=bearer_for(alice, "write")).status_code == 403
    assert Client().get(path).status_code == 401
