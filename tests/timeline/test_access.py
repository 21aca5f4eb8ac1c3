"""Who may see a status, for every visibility and every kind of viewer."""

from __future__ import annotations

import pytest

from federation.models import Actor
from governance.actions.moderation import do_reverse_moderation_action
from tests.factories.federation import LocalActorFactory, RemoteActorFactory
from tests.factories.governance import make_moderator
from tests.factories.moderation import restrict_account
from tests.factories.timeline import FollowFactory, MentionFactory, StatusFactory
from timeline.access import (
    StatusNotFound,
    access_local_status_by_author,
    access_status_by_id,
    can_view_status,
    normalised_tag_name,
)
from timeline.models import Follow, Visibility
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
