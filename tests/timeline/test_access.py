"""Who may see a status, for every visibility and every kind of viewer."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from federation.models import Actor
from governance.actions.moderation import do_reverse_moderation_action
from tests.factories.federation import LocalActorFactory, RemoteActorFactory
from tests.factories.governance import make_moderator
from tests.factories.moderation import restrict_account
from tests.factories.timeline import BlockFactory, FollowFactory, MentionFactory, StatusFactory
from timeline.access import (
    StatusNotFound,
    access_local_status_by_author,
    access_status_by_id,
    can_view_status,
    normalised_tag_name,
    visible_statuses,
)
from timeline.models import Follow, Mute, Status, Visibility
from timeline.restrictions import sees_restricted_accounts
from timeline.selectors import statuses_for_profile

VIEWERS = [
    "anonymous",
    "author",
    "follower",
    "pending_follower",
    "mentioned",
    "silently_mentioned",
    "stranger",
    "remote_follower",
]
EXPECTED = {
    Visibility.PUBLIC: set(VIEWERS),
    Visibility.UNLISTED: set(VIEWERS),
    Visibility.PRIVATE: {"author", "follower", "mentioned", "silently_mentioned", "remote_follower"},
    Visibility.DIRECT: {"author", "mentioned", "silently_mentioned"},
    Visibility.LOCAL: set(VIEWERS) - {"anonymous", "remote_follower"},
    # Limited statuses come from other servers only; here they are read as direct messages are.
    Visibility.LIMITED: {"author", "mentioned", "silently_mentioned"},
}


@pytest.mark.django_db
@pytest.mark.parametrize("visibility", list(Visibility))
def test_visibility_matrix(alice: Actor, visibility: Visibility) -> None:
    status = StatusFactory.create(account=alice, visibility=visibility)
    viewers: dict[str, Actor | None] = {
        "anonymous": None,
        "author": alice,
        "follower": FollowFactory.create(target=alice).follower,
        "pending_follower": FollowFactory.create(target=alice, state=Follow.State.PENDING).follower,
        "mentioned": MentionFactory.create(status=status).account,
        "silently_mentioned": MentionFactory.create(status=status, silent=True).account,
        "stranger": LocalActorFactory.create(),
        "remote_follower": FollowFactory.create(target=alice, follower=RemoteActorFactory.create()).follower,
    }
    allowed = {name for name, viewer in viewers.items() if can_view_status(viewer, status)}
    assert allowed == EXPECTED[visibility]
    for name, viewer in viewers.items():
        if name in EXPECTED[visibility]:
            assert access_status_by_id(viewer, status.id) == status
        else:
            with pytest.raises(StatusNotFound):
                access_status_by_id(viewer, status.id)


@pytest.mark.django_db
def test_status_must_be_addressed_by_its_own_author(alice: Actor, bob: Actor) -> None:
    status = StatusFactory.create(account=alice)
    assert access_local_status_by_author(None, "ALICE", status.id) == status
    with pytest.raises(StatusNotFound):
        access_local_status_by_author(None, "bob", status.id)
    with pytest.raises(StatusNotFound):
        access_status_by_id(None, status.id + 1)


@pytest.mark.django_db
def test_suspended_account_statuses_are_hidden_from_all_but_moderators(alice: Actor) -> None:
    public = StatusFactory.create(account=alice)
    direct = StatusFactory.create(account=alice, visibility=Visibility.DIRECT)
    moderator_user = make_moderator()
    moderator = LocalActorFactory.create(user=moderator_user, username=moderator_user.username)
    follower = FollowFactory.create(target=alice).follower
    restrict_account(alice, "suspend", moderator=moderator_user)
    for viewer in (None, alice, follower, LocalActorFactory.create()):
        assert not can_view_status(viewer, public)
        with pytest.raises(StatusNotFound):
            access_status_by_id(viewer, public.id)
    assert access_status_by_id(moderator, public.id) == public
    with pytest.raises(StatusNotFound):
        access_status_by_id(moderator, direct.id)


@pytest.mark.django_db
def test_limited_or_reversed_suspension_leaves_statuses_visible(alice: Actor, bob: Actor) -> None:
    status = StatusFactory.create(account=alice)
    restrict_account(alice, "limit")
    suspension = restrict_account(bob, "suspend")
    do_reverse_moderation_action(suspension, authority="Appeal granted")
    theirs = StatusFactory.create(account=bob)
    assert access_status_by_id(None, status.id) == status
    assert access_status_by_id(None, theirs.id) == theirs


@pytest.mark.django_db
def test_local_members_see_local_only_posts_on_profiles(alice: Actor, bob: Actor) -> None:
    local_only = StatusFactory.create(account=alice, visibility=Visibility.LOCAL)
    public = StatusFactory.create(account=alice)
    assert statuses_for_profile(alice, bob) == [public, local_only]
    assert statuses_for_profile(alice, None) == [public]
    assert statuses_for_profile(alice, RemoteActorFactory.create()) == [public]


@pytest.mark.django_db
def test_the_batch_check_agrees_with_the_single_check_for_every_status_and_viewer(alice: Actor) -> None:
    moderator_user = make_moderator()
    moderator = LocalActorFactory.create(user=moderator_user, username=moderator_user.username)
    suspended, limited, remote = LocalActorFactory.create(), LocalActorFactory.create(), RemoteActorFactory.create()
    authors = [alice, suspended, limited, remote]
    mentioned, silently_mentioned = LocalActorFactory.create(), LocalActorFactory.create()
    blocked, muting = LocalActorFactory.create(), LocalActorFactory.create()
    viewers: dict[str, Actor | None] = {
        "anonymous": None,
        "author": alice,
        "suspended_author": suspended,
        "mentioned": mentioned,
        "silently_mentioned": silently_mentioned,
        "stranger": LocalActorFactory.create(),
        "local_account_without_login": LocalActorFactory.create(user=None, username="nologin"),
        "remote_stranger": RemoteActorFactory.create(),
        "moderator": moderator,
        "blocked_by_the_authors": blocked,
        "muting_the_authors": muting,
        "follower": LocalActorFactory.create(),
        "pending_follower": LocalActorFactory.create(),
        "remote_follower": RemoteActorFactory.create(),
    }
    for author in authors:
        for name in ("follower", "remote_follower", "moderator"):
            FollowFactory.create(target=author, follower=viewers[name])
        FollowFactory.create(target=author, follower=viewers["pending_follower"], state=Follow.State.PENDING)
        BlockFactory.create(account=author, target=blocked)
        Mute.objects.create(account=muting, target=author)
    statuses: list[Status] = []
    for author in authors:
        for visibility in Visibility:
            status = StatusFactory.create(account=author, visibility=visibility, local=author.is_local)
            MentionFactory.create(status=status, account=mentioned)
            MentionFactory.create(status=status, account=silently_mentioned, silent=True)
            statuses.append(status)
    # A status deleted after it was read: its mentions went with it.
    deleted = [StatusFactory.create(account=alice, visibility=visibility) for visibility in Visibility]
    for status in deleted:
        MentionFactory.create(status=status, account=mentioned)
        Status.objects.filter(pk=status.pk).delete()
    restrict_account(suspended, "suspend", moderator=moderator_user)
    restrict_account(limited, "limit", moderator=moderator_user)
    # Twice over, and in no particular order: the answer keeps the order and the repeats it was given.
    given = [*statuses, *deleted, *reversed(statuses)]
    seen: dict[str, set[int]] = {}
    for name, viewer in viewers.items():
        expected = [status for status in given if can_view_status(viewer, status)]
        assert visible_statuses(viewer, given) == expected, name
        seen[name] = {status.pk for status in expected}
    # The fixtures reach every branch: what the one sees, another does not.
    # A moderator (following every author) sees a suspended account's posts as their visibility shows them.
    moderated = {
        status.visibility for status in statuses if status.account_id == suspended.pk and status.pk in seen["moderator"]
    }
    assert moderated == {
        Visibility.PUBLIC,
        Visibility.UNLISTED,
        Visibility.PRIVATE,
        Visibility.LOCAL,
    }
    assert not any(status.account_id == suspended.pk for status in statuses if status.pk in seen["suspended_author"])
    assert {status.pk for status in deleted} & seen["mentioned"] == {deleted[0].pk, deleted[1].pk, deleted[4].pk}
    assert len(seen["follower"]) > len(seen["pending_follower"]) > len(seen["anonymous"])
    assert visible_statuses(None, []) == []


@pytest.mark.django_db
def test_the_batch_check_reads_a_fixed_number_of_queries_however_many_statuses(alice: Actor, bob: Actor) -> None:
    follower = FollowFactory.create(target=alice).follower
    restrict_account(bob, "suspend")
    with CaptureQueriesContext(connection) as moderation:
        sees_restricted_accounts(follower)

    def queries_for(count: int) -> int:
        # Each kind of status that needs a query: a suspended author's, a followers-only one, a direct one.
        made = []
        for _ in range(count):
            made.append(StatusFactory.create(account=bob))
            made.append(StatusFactory.create(account=alice, visibility=Visibility.PRIVATE))
            made.append(MentionFactory.create(account=follower, status__visibility=Visibility.DIRECT).status)
        with CaptureQueriesContext(connection) as queries:
            shown = visible_statuses(follower, made)
        assert len(shown) == 2 * count
        return len(queries)

    # The suspensions, the mentions and the follows, plus what the moderator check reads.
    assert queries_for(1) == queries_for(10) == 3 + len(moderation)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Coop", "coop"),
        ("1st", "1st"),
        ("a1", "a1"),
        ("1_2", "1_2"),
        ("Café", "café"),
        ("1", None),
        ("2024", None),
        ("_1", None),
        ("1_", None),
        ("no-dashes", None),
    ],
)
def test_a_hashtag_name_needs_a_letter_or_an_underscore_inside(raw: str, expected: str | None) -> None:
    """As on Mastodon, digits alone (or with a leading or trailing underscore) make no hashtag name."""
    assert normalised_tag_name(raw) == expected
