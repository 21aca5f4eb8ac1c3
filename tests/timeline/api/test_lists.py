"""Lists through the client API: CRUD, accounts (followed only), the lists of an account, the list timeline."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from federation.models import Actor
from tests.clients import bearer_for
from tests.factories.federation import LocalActorFactory
from tests.factories.timeline import FollowFactory, StatusFactory
from timeline.models import List, ListAccount, TimelineEntry

pytestmark = pytest.mark.django_db


def _json(response: Any) -> Any:
    return response.json()


def test_list_crud(alice: Actor) -> None:
    headers = bearer_for(alice)
    created = Client().post("/api/v1/lists", {"title": "Co-op", "replies_policy": "followed"}, headers=headers).json()
    assert created == {"id": created["id"], "title": "Co-op", "replies_policy": "followed", "exclusive": False}
    assert Client().get("/api/v1/lists", headers=headers).json() == [created]
    updated = Client().put(
        f"/api/v1/lists/{created['id']}", {"title": "Board", "exclusive": True},
        content_type="application/json", headers=headers,
    ).json()  # fmt: skip
    assert updated["title"] == "Board"
    assert updated["exclusive"] is True
    assert updated["replies_policy"] == "followed"
    assert Client().get(f"/api/v1/lists/{created['id']}", headers=headers).json() == updated
    assert Client().delete(f"/api/v1/lists/{created['id']}", headers=headers).json() == {}
    assert not List.objects.exists()


def test_list_validation_stores_nothing(alice: Actor) -> None:
    blank = Client().post("/api/v1/lists", {"title": " "}, headers=bearer_for(alice))
    assert blank.status_code == 422
    policy = Client().post("/api/v1/lists", {"title": "x", "replies_policy": "all"}, headers=bearer_for(alice))
    assert policy.status_code == 422
    assert not List.objects.exists()


def test_other_peoples_lists_are_not_found_and_unchanged(alice: Actor, bob: Actor) -> None:
    theirs = List.objects.create(account=bob, title="Bob's")
    FollowFactory.create(follower=alice, target=bob)
    headers = bearer_for(alice)
    assert Client().get(f"/api/v1/lists/{theirs.pk}", headers=headers).status_code == 404
    put = Client().put(
        f"/api/v1/lists/{theirs.pk}", {"title": "Mine"}, content_type="application/json", headers=headers
    )
    assert put.status_code == 404
    assert Client().delete(f"/api/v1/lists/{theirs.pk}", headers=headers).status_code == 404
    added = Client().post(f"/api/v1/lists/{theirs.pk}/accounts", {"account_ids[]": [bob.pk]}, headers=headers)
    assert added.status_code == 404
    assert Client().get(f"/api/v1/timelines/list/{theirs.pk}", headers=headers).status_code == 404
    assert Client().get("/api/v1/lists", headers=headers).json() == []
    theirs.refresh_from_db()
    assert theirs.title == "Bob's"
    assert not ListAccount.objects.exists()


def test_list_accounts_only_followed(alice: Actor, bob: Actor) -> None:
    carol = LocalActorFactory.create()
    FollowFactory.create(follower=alice, target=bob)
    the_list = List.objects.create(account=alice, title="Friends")
    headers = bearer_for(alice)
    refused = Client().post(f"/api/v1/lists/{the_list.pk}/accounts", {"account_ids[]": [carol.pk]}, headers=headers)
    assert refused.status_code == 404
    assert not ListAccount.objects.exists()
    added = Client().post(f"/api/v1/lists/{the_list.pk}/accounts", {"account_ids[]": [bob.pk]}, headers=headers)
    assert added.json() == {}
    members = Client().get(f"/api/v1/lists/{the_list.pk}/accounts", headers=headers).json()
    assert [item["id"] for item in members] == [str(bob.pk)]
    holding = Client().get(f"/api/v1/accounts/{bob.pk}/lists", headers=headers).json()
    assert [item["id"] for item in holding] == [str(the_list.pk)]
    Client().delete(
        f"/api/v1/lists/{the_list.pk}/accounts", {"account_ids": [bob.pk]},
        content_type="application/json", headers=headers,
    )  # fmt: skip
    assert not ListAccount.objects.exists()


def test_list_timeline_with_replies_policy(alice: Actor, bob: Actor) -> None:
    carol = LocalActorFactory.create()
    FollowFactory.create(follower=alice, target=bob)
    FollowFactory.create(follower=alice, target=carol)
    the_list = List.objects.create(account=alice, title="Bob", replies_policy=List.RepliesPolicy.LIST)
    ListAccount.objects.create(list=the_list, account=bob)
    own = StatusFactory.create(account=bob)
    to_carol = StatusFactory.create(account=bob, in_reply_to=StatusFactory.create(account=carol))
    by_carol = StatusFactory.create(account=carol)
    for status in (own, to_carol, by_carol):
        TimelineEntry.objects.create(owner=alice, status=status)
    url = f"/api/v1/timelines/list/{the_list.pk}"
    assert [item["id"] for item in Client().get(url, headers=bearer_for(alice)).json()] == [str(own.pk)]
    the_list.replies_policy = List.RepliesPolicy.FOLLOWED
    the_list.save()
    ids = [item["id"] for item in Client().get(url, headers=bearer_for(alice)).json()]
    assert ids == [str(to_carol.pk), str(own.pk)]
    assert Client().get(url, headers=bearer_for(alice, "write")).status_code == 403


def test_exclusive_lists_leave_the_home_timeline(alice: Actor, bob: Actor) -> None:
    FollowFactory.create(follower=alice, target=bob)
    status = StatusFactory.create(account=bob)
    TimelineEntry.objects.create(owner=alice, status=status)
    the_list = List.objects.create(account=alice, title="Bob", exclusive=True)
    ListAccount.objects.create(list=the_list, account=bob)
    assert Client().get("/api/v1/timelines/home", headers=bearer_for(alice)).json() == []
    listed = Client().get(f"/api/v1/timelines/list/{the_list.pk}", headers=bearer_for(alice)).json()
    assert [item["id"] for item in listed] == [str(status.pk)]


def test_list_scopes(alice: Actor) -> None:
    assert Client().post("/api/v1/lists", {"title": "x"}, headers=bearer_for(alice, "read")).status_code == 403
    assert not List.objects.exists()
    assert Client().get("/api/v1/lists", headers=bearer_for(alice, "read:lists")).status_code == 200


def test_unfollowing_takes_the_account_off_lists(alice: Actor, bob: Actor) -> None:
    FollowFactory.create(follower=alice, target=bob)
    the_list = List.objects.create(account=alice, title="Bob")
    ListAccount.objects.create(list=the_list, account=bob)
    Client().post(f"/api/v1/accounts/{bob.pk}/unfollow", headers=bearer_for(alice, "read write follow"))
    assert not ListAccount.objects.exists()
