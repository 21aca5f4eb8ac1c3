"""Suspending a remote account severs its follows both ways and stops deliveries to it; lifting asks again."""

from __future__ import annotations

import pytest

from federation.models import Actor, Delivery
from governance.actions.moderation import (
    check_reverse_moderation_action,
    check_take_moderation_action,
    do_lapse_emergency_actions,
    do_reverse_moderation_action,
    do_take_moderation_action,
)
from governance.models import LogEntry, ModerationAction, RuleVersion
from members.models import User
from tests.factories.federation import RemoteActorFactory
from tests.factories.governance import adopt_rules, make_moderator
from timeline.actions.blocks import do_block
from timeline.actions.statuses import check_create_status, do_create_status
from timeline.models import Follow

pytestmark = pytest.mark.django_db


@pytest.fixture
def carol(db: None) -> Actor:
    return RemoteActorFactory.create(username="carol", domain="mastodon.example")


def suspend(target: Actor, *, emergency: bool = False) -> tuple[User, ModerationAction]:
    rule = RuleVersion.objects.first() or adopt_rules("No spam.")[0]
    moderator = User.objects.filter(username="moderator").first() or make_moderator(username="moderator")
    draft = check_take_moderation_action(
        moderator, kind="suspend", rule_version_ids=[rule.pk], target_account_id=target.pk, emergency=emergency
    )
    return moderator, do_take_moderation_action(moderator, draft)


def deliveries_to(actor: Actor, activity_type: str) -> int:
    return Delivery.objects.filter(
        inbox__in=[actor.inbox_uri, actor.shared_inbox_uri], activity__activity_type=activity_type
    ).count()


def mutual_follows(local: Actor, remote: Actor) -> None:
    Follow.objects.create(follower=local, target=remote, state=Follow.State.ACCEPTED, uri=f"{local.uri}#follows/1")
    Follow.objects.create(follower=remote, target=local, state=Follow.State.ACCEPTED, uri=f"{remote.uri}#follows/1")


def test_suspension_severs_follows_both_ways_and_tells_its_server(alice: Actor, carol: Actor) -> None:
    mutual_follows(alice, carol)
    _, action = suspend(carol)
    assert not Follow.objects.filter(follower=carol).exists()
    assert not Follow.objects.filter(target=carol).exists()
    # As Mastodon does: its follows of members are rejected; members' follows of it are undone.
    assert deliveries_to(carol, "Reject") == 1
    assert deliveries_to(carol, "Undo") == 1
    action.refresh_from_db()
    assert action.details["severed_local_followers"] == [alice.pk]
    entry = LogEntry.objects.get(kind=LogEntry.Kind.MODERATION_ACTION)
    assert "severed_local_followers" not in entry.data["details"]


def test_nothing_new_is_delivered_to_a_suspended_account(alice: Actor, carol: Actor) -> None:
    """Neither a post to followers nor a mention reaches it; its neighbours on the shared inbox still are."""
    mutual_follows(alice, carol)
    suspend(carol)
    do_create_status(alice, check_create_status(alice, text="after the suspension"))
    mention = do_create_status(alice, check_create_status(alice, text="hello @carol@mastodon.example"))
    assert mention.mentions.filter(account=carol).exists()
    assert deliveries_to(carol, "Create") == 0
    dave = RemoteActorFactory.create(username="dave", domain="mastodon.example")
    do_create_status(alice, check_create_status(alice, text="hello @dave@mastodon.example"))
    assert deliveries_to(dave, "Create") == 1


def test_suspending_a_local_account_leaves_its_follows(alice: Actor, carol: Actor) -> None:
    mutual_follows(alice, carol)
    suspend(alice)
    assert Follow.objects.count() == 2
    assert not Delivery.objects.exists()


def test_reversal_asks_again_to_follow_and_stops_refusing(alice: Actor, bob: Actor, carol: Actor) -> None:
    """Members' follows are requested anew (pending until its server accepts); its own follows stay gone."""
    mutual_follows(alice, carol)
    mutual_follows(bob, carol)
    moderator, action = suspend(carol)
    do_block(bob, carol)
    check_reverse_moderation_action(moderator, action)
    do_reverse_moderation_action(action, authority="Appeal granted")
    assert list(Follow.objects.filter(target=carol).values_list("follower_id", "state")) == [
        (alice.pk, Follow.State.PENDING)
    ]
    assert deliveries_to(carol, "Follow") == 1
    assert not Follow.objects.filter(follower=carol).exists()


def test_lapsed_emergency_suspension_asks_again_unless_another_is_in_force(alice: Actor, carol: Actor) -> None:
    mutual_follows(alice, carol)
    _, emergency = suspend(carol, emergency=True)
    suspend(carol)
    assert emergency.expires_at is not None
    assert do_lapse_emergency_actions(now=emergency.expires_at) == [emergency.pk]
    assert not Follow.objects.filter(target=carol).exists()
    assert deliveries_to(carol, "Follow") == 0
