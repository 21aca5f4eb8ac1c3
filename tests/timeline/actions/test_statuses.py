"""Posting statuses through the timeline actions."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

import pytest

from federation.models import Actor, Delivery, OutboundActivity
from members.actions.bylaws import do_adopt_bylaws_version
from tests.factories.federation import LocalActorFactory, RemoteActorFactory
from tests.factories.moderation import restrict_account
from tests.factories.timeline import FollowFactory
from timeline.actions.statuses import (
    check_create_status,
    check_edit_status,
    countable_length,
    do_create_status,
    do_delete_status,
    do_edit_status,
)
from timeline.errors import StatusRefused
from timeline.models import Follow, Status, Tag, TimelineEntry, Visibility

CaptureHooks = Callable[..., AbstractContextManager[list[Callable[[], Any]]]]


@pytest.mark.django_db
def test_status_is_stored_rendered_and_addressed(alice: Actor) -> None:
    status = do_create_status(alice, check_create_status(alice, text="Hello <b>world</b>\nhttps://example.com/x"))
    status.refresh_from_db()
    assert status.uri == f"{alice.uri}/statuses/{status.id}"
    assert status.url == f"{alice.url}/{status.id}"
    assert status.content == (
        '<p>Hello &lt;b&gt;world&lt;/b&gt;<br><a href="https://example.com/x" '
        'rel="nofollow noopener noreferrer" target="_blank">https://example.com/x</a></p>'
    )
    assert status.visibility == Visibility.PUBLIC
    assert status.local


@pytest.mark.django_db
def test_content_warning_marks_the_status_sensitive(alice: Actor) -> None:
    status = do_create_status(alice, check_create_status(alice, text="spoilers", spoiler_text="film plot"))
    assert status.sensitive
    assert status.spoiler_text == "film plot"


@pytest.mark.django_db
def test_commit_queues_fan_out_to_author_and_local_followers(
    alice: Actor, bob: Actor, django_capture_on_commit_callbacks: CaptureHooks
) -> None:
    FollowFactory.create(follower=bob, target=alice)
    remote = FollowFactory.create(follower=RemoteActorFactory.create(), target=alice).follower
    pending = FollowFactory.create(target=alice, state=Follow.State.PENDING)
    with django_capture_on_commit_callbacks(execute=True) as hooks:
        status = do_create_status(alice, check_create_status(alice, text="to my followers"))
    # Hooks fan out, send the Create to the remote follower's server, and stream
    # the status to the public streams and (from fan-out) the home streams.
    assert len(hooks) == 4
    assert list(Delivery.objects.values_list("inbox", flat=True)) == [remote.shared_inbox_uri]
    owners = set(TimelineEntry.objects.filter(status=status).values_list("owner_id", flat=True))
    assert owners == {alice.pk, bob.pk}
    assert pending.follower_id not in owners
    status.refresh_from_db()
    assert status.fanned_out_at is not None


@pytest.mark.django_db
def test_no_fan_out_before_commit(alice: Actor, django_capture_on_commit_callbacks: CaptureHooks) -> None:
    with django_capture_on_commit_callbacks(execute=False) as hooks:
        status = do_create_status(alice, check_create_status(alice, text="not yet"))
    # The fan-out and the public streaming event wait for the commit; only the author's own entry is written at once.
    assert len(hooks) == 2
    assert list(TimelineEntry.objects.filter(status=status).values_list("owner_id", flat=True)) == [alice.pk]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"text": "   "}, "can't be blank"),
        ({"text": "x" * 501}, "too long"),
        ({"text": "hi", "visibility": "everyone"}, "Visibility must be"),
        ({"text": "hi", "spoiler_text": "w" * 501}, "Content warning is too long"),
        ({"text": "hi", "language": "en;drop"}, "Language must be"),
    ],
)
def test_refused_statuses_store_nothing(alice: Actor, kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(StatusRefused, match=message):
        check_create_status(alice, **kwargs)
    assert Status.objects.count() == 0


@pytest.mark.django_db
def test_remote_and_inactive_accounts_cannot_post_here(alice: Actor) -> None:
    with pytest.raises(StatusRefused, match="Only accounts on this server"):
        check_create_status(RemoteActorFactory.create(), text="hi")
    assert alice.user is not None
    alice.user.is_active = False
    alice.user.save(update_fields=["is_active"])
    with pytest.raises(StatusRefused, match="not active"):
        check_create_status(alice, text="hi")
    assert Status.objects.count() == 0


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("membership", "message"),
    [
        ("applicant", "applicants may read but not post"),
        ("suspended", "membership is suspended"),
        ("resigned", "membership has ended"),
        ("expelled", "membership has ended"),
    ],
)
def test_accounts_whose_membership_forbids_posting_are_refused(membership: str, message: str) -> None:
    author = LocalActorFactory.create(membership=membership)
    with pytest.raises(StatusRefused, match=message):
        check_create_status(author, text="hi")
    assert Status.objects.count() == 0


@pytest.mark.django_db
def test_applicants_post_when_the_bylaws_allow_it() -> None:
    do_adopt_bylaws_version({"applicants_may_post": True}, authorised_by="Decision #1")
    author = LocalActorFactory.create(membership="applicant")
    assert check_create_status(author, text="hello").text == "hello"


@pytest.mark.django_db
def test_suspended_account_cannot_post(alice: Actor) -> None:
    restrict_account(alice, "suspend")
    with pytest.raises(StatusRefused, match="suspended by the co-op's moderators"):
        check_create_status(alice, text="hi")
    assert Status.objects.count() == 0


@pytest.mark.django_db
def test_limited_account_still_posts(alice: Actor) -> None:
    restrict_account(alice, "limit")
    status = do_create_status(alice, check_create_status(alice, text="still here"))
    assert Status.objects.get() == status


@pytest.mark.django_db
def test_local_only_status_reaches_every_local_account_and_never_federates(
    alice: Actor, bob: Actor, django_capture_on_commit_callbacks: CaptureHooks
) -> None:
    FollowFactory.create(follower=RemoteActorFactory.create(), target=alice)
    RemoteActorFactory.create()
    with django_capture_on_commit_callbacks(execute=True):
        status = do_create_status(alice, check_create_status(alice, text="members only", visibility="local"))
        do_edit_status(alice, status, check_edit_status(alice, status, text="members only, edited"))
    owners = set(TimelineEntry.objects.filter(status=status).values_list("owner_id", flat=True))
    assert owners == set(Actor.objects.filter(domain="", user__isnull=False).values_list("pk", flat=True))
    assert bob.pk in owners
    do_delete_status(alice, status)
    assert not Delivery.objects.exists()
    assert not OutboundActivity.objects.exists()


@pytest.mark.parametrize(
    ("text", "spoiler", "length"),
    [
        ("see https://example.org/" + "a" * 100, "", 4 + 23),
        ("hi @dana@a-long-server.example", "", len("hi @dana")),
        ("hi @dana", "", 8),
        ("body", "warning", 11),
        ("mail me at dana@example.org", "", 27),
    ],
)
def test_length_counts_as_mastodon_does(text: str, spoiler: str, length: int) -> None:
    """A link counts as 23, a remote mention as its local part, and the warning with the text."""
    assert countable_length(text, spoiler) == length


@pytest.mark.django_db
def test_only_names_with_a_letter_or_an_inner_underscore_become_hashtags(alice: Actor) -> None:
    """As on Mastodon, "#1" is a number, not a hashtag; "#1st", "#a1" and "#1_2" are hashtags."""
    text = "proposal #1 and #2024, #_1 #1_ then #1st #a1 #1_2"
    status = do_create_status(alice, check_create_status(alice, text=text))
    assert sorted(status.tags.values_list("name", flat=True)) == ["1_2", "1st", "a1"]
    assert not Tag.objects.filter(name__in=["1", "2024", "_1", "1_"]).exists()


@pytest.mark.django_db
def test_an_edit_drops_a_number_once_taken_for_a_hashtag(alice: Actor) -> None:
    status = do_create_status(alice, check_create_status(alice, text="proposal #coop"))
    do_edit_status(alice, status, check_edit_status(alice, status, text="proposal #1"))
    assert not status.tags.exists()
