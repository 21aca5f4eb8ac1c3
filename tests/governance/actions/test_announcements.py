"""Announcements: officers publish them, passed proposals announce themselves, members read and react."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

import pytest
from django.utils import timezone

from federation.models import Actor
from governance.actions.announcements import (
    AnnouncementNotFound,
    AnnouncementRefused,
    access_announcement_by_id,
    check_add_reaction,
    check_publish_announcement,
    check_withdraw_announcement,
    do_add_reaction,
    do_dismiss_announcement,
    do_publish_announcement,
    do_remove_reaction,
    do_withdraw_announcement,
)
from governance.models import Announcement, AnnouncementDismissal, AnnouncementReaction
from members.models import User
from tests.factories.governance import close, make_moderator, open_proposal, vote
from tests.factories.members import make_member
from tests.factories.timeline import make_custom_emoji
from timeline.streaming import relay
from timeline.streaming.streams import user_group

pytestmark = pytest.mark.django_db


def _publish(
    officer: User | None = None, text: str = "The server moves on Sunday.", ends_at: datetime | None = None
) -> Announcement:
    return do_publish_announcement(check_publish_announcement(officer or make_moderator(), text=text, ends_at=ends_at))


def test_an_officer_publishes_an_announcement_rendered_as_html() -> None:
    announcement = _publish(text="Maintenance at https://status.example\n\nThanks!")
    assert announcement.content.startswith('<p>Maintenance at <a href="https://status.example"')
    assert access_announcement_by_id(announcement.pk) == announcement


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"text": "   "}, "needs a text"),
        ({"text": "x" * 5001}, "at most 5000"),
        (
            {"text": "Party", "starts_at": timezone.now(), "ends_at": timezone.now() - timedelta(days=1)},
            "end before it starts",
        ),
        ({"text": "Party", "all_day": True}, "first and last day"),
    ],
)
def test_bad_announcements_are_refused_and_nothing_is_published(fields: dict[str, object], message: str) -> None:
    with pytest.raises(AnnouncementRefused, match=message):
        check_publish_announcement(make_moderator(), **fields)  # type: ignore[arg-type]
    assert not Announcement.objects.exists()


def test_members_who_are_not_officers_cannot_publish_or_withdraw() -> None:
    member = make_member()
    with pytest.raises(AnnouncementRefused, match="moderators and administrators"):
        check_publish_announcement(member, text="Hello")
    announcement = _publish()
    with pytest.raises(AnnouncementRefused, match="moderators and administrators"):
        check_withdraw_announcement(member, announcement.pk)
    assert list(Announcement.objects.all()) == [announcement]


def test_ended_and_withdrawn_announcements_are_not_found() -> None:
    moderator = make_moderator()
    ended = _publish(moderator, ends_at=timezone.now() - timedelta(minutes=1))
    with pytest.raises(AnnouncementNotFound):
        access_announcement_by_id(ended.pk)
    shown = _publish(moderator)
    do_withdraw_announcement(check_withdraw_announcement(moderator, shown.pk))
    with pytest.raises(AnnouncementNotFound):
        access_announcement_by_id(shown.pk)
    with pytest.raises(AnnouncementNotFound):
        access_announcement_by_id("not-a-number")


def test_dismissing_twice_is_one_dismissal(alice: Actor) -> None:
    announcement = _publish()
    do_dismiss_announcement(alice, announcement)
    do_dismiss_announcement(alice, announcement)
    assert AnnouncementDismissal.objects.filter(account=alice).count() == 1


def test_reactions_take_unicode_emoji_and_local_custom_emoji(alice: Actor) -> None:
    announcement = _publish()
    make_custom_emoji("blobcat")
    do_add_reaction(alice, announcement, check_add_reaction(alice, announcement, "👍🏽"))
    do_add_reaction(alice, announcement, check_add_reaction(alice, announcement, "blobcat"))
    do_add_reaction(alice, announcement, check_add_reaction(alice, announcement, "blobcat"))
    reactions = list(AnnouncementReaction.objects.order_by("name").values_list("name", "custom_emoji__shortcode"))
    assert reactions == [("blobcat", "blobcat"), ("👍🏽", None)]


@pytest.mark.parametrize("name", ["unknown_shortcode", "ab", "👍👍", "remote_only", "disabled_one"])
def test_a_reaction_that_is_no_known_emoji_is_refused(alice: Actor, name: str) -> None:
    announcement = _publish()
    make_custom_emoji("remote_only", domain="social.example")
    make_custom_emoji("disabled_one", disabled=True)
    with pytest.raises(AnnouncementRefused, match="not a recognized emoji"):
        check_add_reaction(alice, announcement, name)
    assert not AnnouncementReaction.objects.exists()


def test_a_ninth_kind_of_reaction_is_refused(alice: Actor, bob: Actor) -> None:
    announcement = _publish()
    for name in ["😀", "😁", "😂", "🤣", "😃", "😄", "😅", "😆"]:
        do_add_reaction(alice, announcement, check_add_reaction(alice, announcement, name))
    with pytest.raises(AnnouncementRefused, match="Maximum number of reactions"):
        check_add_reaction(bob, announcement, "😉")
    # One already given is still welcome.
    do_add_reaction(bob, announcement, check_add_reaction(bob, announcement, "😀"))
    assert AnnouncementReaction.objects.count() == 9


def test_removing_a_reaction_never_touches_another_member_s(alice: Actor, bob: Actor) -> None:
    announcement = _publish()
    do_add_reaction(alice, announcement, check_add_reaction(alice, announcement, "🎉"))
    with pytest.raises(AnnouncementNotFound):
        do_remove_reaction(bob, announcement, "🎉")
    assert list(AnnouncementReaction.objects.values_list("account_id", flat=True)) == [alice.pk]
    do_remove_reaction(alice, announcement, "🎉")
    assert not AnnouncementReaction.objects.exists()


def test_a_passed_proposal_is_announced_for_a_week() -> None:
    author = make_member()
    proposal = open_proposal(author, title="Plant a hedge")
    vote(author, proposal, 0)
    closed = close(proposal)
    announcement = Announcement.objects.get(proposal=closed)
    assert "The assembly decided: Plant a hedge" in announcement.content
    assert announcement.ends_at is not None
    assert timedelta(days=6) < announcement.ends_at - timezone.now() <= timedelta(days=7)


def test_a_failed_proposal_is_not_announced() -> None:
    author = make_member()
    proposal = open_proposal(author, title="Paint it pink")
    vote(author, proposal, 2)
    assert close(proposal).outcome != "passed"
    assert not Announcement.objects.exists()


def test_announcements_and_their_reactions_are_streamed_to_every_local_user(
    alice: Actor, bob: Actor, monkeypatch: pytest.MonkeyPatch, django_capture_on_commit_callbacks: Any
) -> None:
    sent: list[tuple[list[str], dict[str, Any]]] = []
    monkeypatch.setattr(relay, "relay_through_database", lambda: False)
    monkeypatch.setattr(relay, "groups_with_listeners", lambda groups: groups)
    monkeypatch.setattr(relay, "publish", lambda groups, message: sent.append((groups, message)))
    moderator = make_moderator()
    with django_capture_on_commit_callbacks(execute=True):
        announcement = _publish(moderator)
    with django_capture_on_commit_callbacks(execute=True):
        do_add_reaction(alice, announcement, check_add_reaction(alice, announcement, "🎉"))
    announcement_id = str(announcement.pk)
    with django_capture_on_commit_callbacks(execute=True):
        do_withdraw_announcement(announcement)
    assert [message["event"] for _, message in sent] == ["announcement", "announcement.reaction", "announcement.delete"]
    assert {user_group(alice.pk), user_group(bob.pk)} <= set(sent[0][0])
    assert json.loads(sent[0][1]["payload"])["id"] == announcement_id
    assert json.loads(sent[1][1]["payload"]) == {"name": "🎉", "count": 1, "announcement_id": announcement_id}
    assert sent[2][1]["payload"] == announcement_id
