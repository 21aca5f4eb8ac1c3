"""Notifications and favourites lists through the client API."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from pytest_django import DjangoAssertNumQueries

from federation.models import Actor
from tests.clients import bearer_for
from tests.factories.federation import LocalActorFactory
from tests.factories.moderation import restrict_account
from tests.factories.timeline import FollowFactory, MentionFactory, NotificationFactory, StatusFactory
from timeline.models import Favourite, Follow, Notification, Visibility

pytestmark = pytest.mark.django_db


def test_notifications_list_filters_and_counts(alice: Actor, bob: Actor) -> None:
    status = StatusFactory.create(account=alice)
    follow = Notification.objects.create(recipient=alice, from_account=bob, type=Notification.Type.FOLLOW)
    like = Notification.objects.create(
        recipient=alice, from_account=bob, type=Notification.Type.FAVOURITE, status=status, read=True
    )
    Notification.objects.create(recipient=bob, from_account=alice, type=Notification.Type.FOLLOW)
    headers = bearer_for(alice, "read")
    body = Client().get("/api/v1/notifications", headers=headers).json()
    assert [n["id"] for n in body] == [str(like.pk), str(follow.pk)]
    assert body[0]["type"] == "favourite"
    assert body[0]["status"]["id"] == str(status.pk)
    assert body[0]["account"]["id"] == str(bob.pk)
    assert body[1]["status"] is None
    only = Client().get("/api/v1/notifications?types[]=follow", headers=headers).json()
    assert [n["id"] for n in only] == [str(follow.pk)]
    without = Client().get("/api/v1/notifications?exclude_types[]=follow", headers=headers).json()
    assert [n["id"] for n in without] == [str(like.pk)]
    assert Client().get("/api/v1/notifications/unread_count", headers=headers).json() == {"count": 1}
    one = Client().get(f"/api/v1/notifications/{follow.pk}", headers=headers).json()
    assert one["type"] == "follow"


def test_others_notifications_are_not_found(alice: Actor, bob: Actor) -> None:
    theirs = Notification.objects.create(recipient=bob, from_account=alice, type=Notification.Type.FOLLOW)
    response = Client().get(f"/api/v1/notifications/{theirs.pk}", headers=bearer_for(alice, "read"))
    assert response.status_code == 404
    assert Client().get("/api/v1/notifications", headers=bearer_for(alice, "read:statuses")).status_code == 403


def test_favourites_lists_what_the_owner_liked(alice: Actor, bob: Actor) -> None:
    first = StatusFactory.create(account=bob)
    second = StatusFactory.create(account=bob, visibility=Visibility.UNLISTED)
    Favourite.objects.create(account=alice, status=first)
    Favourite.objects.create(account=alice, status=second)
    Favourite.objects.create(account=bob, status=first)
    response = Client().get("/api/v1/favourites?limit=1", headers=bearer_for(alice, "read"))
    assert [status["id"] for status in response.json()] == [str(second.pk)]
    assert response.json()[0]["favourited"] is True
    next_url = response["Link"].split(";")[0].strip("<>").replace("http://testserver", "")
    rest = Client().get(next_url, headers=bearer_for(alice, "read")).json()
    assert [status["id"] for status in rest] == [str(first.pk)]


def notifications_about_posts(recipient: Actor, indices: range) -> dict[Notification, bool]:
    """Notify the recipient once per index, each about its own post (or none), and say which posts they may see.

    Every kind of check is met: a post by an account suspended since, a
    followers-only post of an account followed and one asked to follow, a
    direct message to the recipient, the recipient's own direct post, a follow.
    """
    made: dict[Notification, bool] = {}
    for index in indices:
        other = LocalActorFactory.create(username=f"notifier{index}")
        kind = index % 6
        if kind == 0:
            post = StatusFactory.create(account=other)
            restrict_account(other)
        elif kind in (1, 2):
            state = Follow.State.ACCEPTED if kind == 1 else Follow.State.PENDING
            FollowFactory.create(follower=recipient, target=other, state=state)
            post = StatusFactory.create(account=other, visibility=Visibility.PRIVATE)
            # Mentioning someone else, so that the posts' mentions are loaded however few rows there are.
            MentionFactory.create(status=post)
        elif kind == 3:
            post = StatusFactory.create(account=other, visibility=Visibility.DIRECT)
            MentionFactory.create(status=post, account=recipient)
        elif kind == 4:
            post = StatusFactory.create(account=recipient, visibility=Visibility.DIRECT)
        else:
            made[NotificationFactory.create(recipient=recipient, from_account=other, type="follow")] = False
            continue
        types = {0: "mention", 1: "status", 2: "status", 3: "mention", 4: "favourite"}
        made[NotificationFactory.create(recipient=recipient, from_account=other, type=types[kind], status=post)] = (
            kind in (1, 3, 4)
        )
    return made


def test_a_page_of_notifications_costs_no_more_queries_for_more_posts(
    alice: Actor, django_assert_max_num_queries: DjangoAssertNumQueries
) -> None:
    headers = bearer_for(alice, "read")
    made = notifications_about_posts(alice, range(2))
    with CaptureQueriesContext(connection) as two:
        assert len(Client().get("/api/v1/notifications", headers=headers).json()) == 2
    made |= notifications_about_posts(alice, range(2, 10))
    with django_assert_max_num_queries(len(two)):
        listed = Client().get("/api/v1/notifications", headers=headers).json()
    # A post the recipient may not see is left out of its notification, as before.
    shown = {item["id"]: item["status"] is not None for item in listed}
    assert shown == {str(notification.pk): visible for notification, visible in made.items()}
