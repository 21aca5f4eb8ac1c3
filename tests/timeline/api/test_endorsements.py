"""Endorsements through the client API: only followed accounts, shown in the relationship and on the profile."""

from __future__ import annotations

import pytest
from django.test import Client

from federation.models import Actor
from tests.clients import bearer_for
from tests.factories.timeline import FollowFactory
from timeline.models import Endorsement, Follow

pytestmark = pytest.mark.django_db


def test_endorse_list_and_unendorse_a_followed_account(alice: Actor, bob: Actor) -> None:
    FollowFactory.create(follower=alice, target=bob)
    headers = bearer_for(alice, "read write")
    assert Client().post(f"/api/v1/accounts/{bob.pk}/pin", headers=headers).json()["endorsed"] is True
    mine = Client().get("/api/v1/endorsements", headers=headers).json()
    assert [account["id"] for account in mine] == [str(bob.pk)]
    theirs = Client().get(f"/api/v1/accounts/{alice.pk}/endorsements").json()
    assert [account["id"] for account in theirs] == [str(bob.pk)]
    relationship = Client().get(f"/api/v1/accounts/relationships?id[]={bob.pk}", headers=headers).json()
    assert relationship[0]["endorsed"] is True
    assert Client().post(f"/api/v1/accounts/{bob.pk}/unpin", headers=headers).json()["endorsed"] is False
    assert not Endorsement.objects.exists()


def test_endorsing_an_account_not_followed_is_refused_and_changes_nothing(alice: Actor, bob: Actor) -> None:
    FollowFactory.create(follower=alice, target=bob, state=Follow.State.PENDING)
    response = Client().post(f"/api/v1/accounts/{bob.pk}/pin", headers=bearer_for(alice, "read write"))
    assert response.status_code == 422
    assert response.json() == {
        "error": "Validation failed: You must be already following the person you want to endorse."
    }
    assert not Endorsement.objects.exists()


def test_endorsing_oneself_is_refused(alice: Actor) -> None:
    response = Client().post(f"/api/v1/accounts/{alice.pk}/pin", headers=bearer_for(alice, "read write"))
    assert response.status_code == 422
    assert not Endorsement.objects.exists()


def test_unfollowing_ends_the_endorsement(alice: Actor, bob: Actor) -> None:
    FollowFactory.create(follower=alice, target=bob)
    headers = bearer_for(alice, "read write follow")
    Client().post(f"/api/v1/accounts/{bob.pk}/pin", headers=headers)
    Client().post(f"/api/v1/accounts/{bob.pk}/unfollow", headers=headers)
    assert not Endorsement.objects.exists()
