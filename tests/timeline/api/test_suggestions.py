"""Follow suggestions through the client API: their sources, what is never suggested, and dismissal."""

from __future__ import annotations

import pytest
from django.test import Client

from federation.models import Actor
from tests.clients import bearer_for
from tests.factories.federation import LocalActorFactory
from tests.factories.governance import make_moderator
from tests.factories.moderation import restrict_account
from tests.factories.timeline import BlockFactory, FollowFactory
from timeline.models import Endorsement, Mute, SuggestionDismissal

pytestmark = pytest.mark.django_db


def _suggested(viewer: Actor) -> dict[str, list[str]]:
    body = Client().get("/api/v2/suggestions", headers=bearer_for(viewer, "read")).json()
    return {item["account"]["id"]: item["sources"] for item in body}


def test_friends_of_friends_popular_members_and_staff_picks_are_suggested(alice: Actor, bob: Actor) -> None:
    friend_of_bob = LocalActorFactory.create()
    picked = LocalActorFactory.create()
    moderator = LocalActorFactory.create(user=make_moderator())
    FollowFactory.create(follower=alice, target=bob)
    FollowFactory.create(follower=bob, target=friend_of_bob)
    FollowFactory.create(follower=moderator, target=picked)
    Endorsement.objects.create(account=moderator, target=picked)
    suggested = _suggested(alice)
    assert suggested[str(picked.pk)][0] == "featured"
    assert "friends_of_friends" in suggested[str(friend_of_bob.pk)]
    assert "most_followed" in suggested[str(friend_of_bob.pk)]
    assert str(bob.pk) not in suggested
    assert str(alice.pk) not in suggested
    v1 = Client().get("/api/v1/suggestions", headers=bearer_for(alice, "read")).json()
    assert {account["id"] for account in v1} == set(suggested)


def test_blocked_muted_locked_suspended_hidden_and_unapproved_accounts_are_never_suggested(
    alice: Actor, bob: Actor
) -> None:
    popular = [LocalActorFactory.create() for _ in range(6)]
    applicant = LocalActorFactory.create(membership="applicant")
    for account in [*popular, applicant]:
        FollowFactory.create(follower=bob, target=account)
    blocked, blocker, muted, locked, suspended, hidden = popular
    BlockFactory.create(account=alice, target=blocked)
    BlockFactory.create(account=blocker, target=alice)
    Mute.objects.create(account=alice, target=muted)
    locked.locked = True
    locked.save(update_fields=["locked"])
    hidden.discoverable = False
    hidden.save(update_fields=["discoverable"])
    restrict_account(suspended)
    assert _suggested(alice) == {}


def test_a_dismissed_suggestion_stays_dismissed(alice: Actor, bob: Actor) -> None:
    FollowFactory.create(follower=bob, target=LocalActorFactory.create())
    (suggested_id,) = _suggested(alice)
    response = Client().delete(f"/api/v1/suggestions/{suggested_id}", headers=bearer_for(alice, "read"))
    assert response.json() == {}
    assert _suggested(alice) == {}


def test_dismissing_an_unknown_account_is_not_found_and_changes_nothing(alice: Actor) -> None:
    response = Client().delete("/api/v1/suggestions/999999", headers=bearer_for(alice, "read"))
    assert response.status_code == 404
    assert response.json() == {"error": "Record not found"}
    assert not SuggestionDismissal.objects.exists()
