"""Favourites, boosts and poll votes through the client API."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from federation.models import Actor
from tests.clients import bearer_for
from tests.factories.timeline import StatusFactory
from timeline.models import Block, Favourite, Poll, PollVote, Status, Visibility

pytestmark = pytest.mark.django_db


def test_favourite_and_unfavourite(alice: Actor, bob: Actor) -> None:
    status = StatusFactory.create(account=alice)
    body = Client().post(f"/api/v1/statuses/{status.pk}/favourite", headers=bearer_for(bob, "read write follow")).json()
    assert body["favourited"] is True
    assert body["favourites_count"] == 1
    who = Client().get(f"/api/v1/statuses/{status.pk}/favourited_by").json()
    assert [account["id"] for account in who] == [str(bob.pk)]
    body = (
        Client().post(f"/api/v1/statuses/{status.pk}/unfavourite", headers=bearer_for(bob, "read write follow")).json()
    )
    assert body["favourited"] is False
    assert not Favourite.objects.exists()


def test_favouriting_refusals_change_nothing(alice: Actor, bob: Actor) -> None:
    hidden = StatusFactory.create(account=alice, visibility=Visibility.PRIVATE)
    assert (
        Client()
        .post(f"/api/v1/statuses/{hidden.pk}/favourite", headers=bearer_for(bob, "read write follow"))
        .status_code
        == 404
    )
    public = StatusFactory.create(account=alice)
    Block.objects.create(account=alice, target=bob)
    blocked = Client().post(f"/api/v1/statuses/{public.pk}/favourite", headers=bearer_for(bob, "read write follow"))
    assert blocked.status_code == 403
    assert "blocked you" in blocked.json()["error"]
    read_only = Client().post(f"/api/v1/statuses/{public.pk}/favourite", headers=bearer_for(bob, "read"))
    assert read_only.status_code == 403
    assert not Favourite.objects.exists()


def test_reblog_and_unreblog(alice: Actor, bob: Actor) -> None:
    status = StatusFactory.create(account=alice)
    body = Client().post(f"/api/v1/statuses/{status.pk}/reblog", headers=bearer_for(bob, "read write follow")).json()
    assert body["reblog"]["id"] == str(status.pk)
    assert body["reblog"]["reblogged"] is True
    who = Client().get(f"/api/v1/statuses/{status.pk}/reblogged_by").json()
    assert [account["id"] for account in who] == [str(bob.pk)]
    body = Client().post(f"/api/v1/statuses/{status.pk}/unreblog", headers=bearer_for(bob, "read write follow")).json()
    assert body["id"] == str(status.pk)
    assert body["reblogged"] is False
    assert not Status.objects.filter(reblog_of=status).exists()


def test_private_statuses_cannot_be_boosted(alice: Actor, bob: Actor) -> None:
    status = StatusFactory.create(account=alice, visibility=Visibility.PRIVATE)
    response = Client().post(f"/api/v1/statuses/{status.pk}/reblog", headers=bearer_for(alice, "read write follow"))
    assert response.status_code == 403
    assert not Status.objects.filter(reblog_of=status).exists()


def test_vote_in_a_poll(alice: Actor, bob: Actor) -> None:
    status = StatusFactory.create(account=alice)
    poll = Poll.objects.create(
        status=status, options=["a", "b"], votes=[0, 0], expires_at=timezone.now() + timedelta(hours=1)
    )
    body = (
        Client()
        .post(f"/api/v1/polls/{poll.pk}/votes", {"choices[]": ["1"]}, headers=bearer_for(bob, "read write follow"))
        .json()
    )
    assert body["voted"] is True
    assert body["own_votes"] == [1]
    assert body["options"][1]["votes_count"] == 1
    assert Client().get(f"/api/v1/polls/{poll.pk}").json()["votes_count"] == 1


def test_refused_votes_change_nothing(alice: Actor, bob: Actor) -> None:
    status = StatusFactory.create(account=alice)
    poll = Poll.objects.create(
        status=status, options=["a", "b"], votes=[0, 0], expires_at=timezone.now() + timedelta(hours=1)
    )
    own = Client().post(
        f"/api/v1/polls/{poll.pk}/votes", {"choices[]": ["0"]}, headers=bearer_for(alice, "read write follow")
    )
    assert own.status_code == 422
    both = Client().post(
        f"/api/v1/polls/{poll.pk}/votes", {"choices[]": ["0", "1"]}, headers=bearer_for(bob, "read write follow")
    )
    assert both.status_code == 422
    junk = Client().post(
        f"/api/v1/polls/{poll.pk}/votes", {"choices[]": ["x"]}, headers=bearer_for(bob, "read write follow")
    )
    assert junk.status_code == 422
    assert (
        Client()
        .post("/api/v1/polls/999/votes", {"choices[]": ["0"]}, headers=bearer_for(bob, "read write follow"))
        .status_code
        == 404
    )
    assert not PollVote.objects.exists()
    poll.refresh_from_db()
    assert poll.votes == [0, 0]
