"""Who may see a status, for every visibility and every kind of viewer."""

from __future__ import annotations

import pytest

from federation.models import Actor
from tests.factories.federation import LocalActorFactory, RemoteActorFactory
from tests.factories.timeline import FollowFactory, MentionFactory, StatusFactory
from timeline.access import StatusNotFound, access_local_status_by_author, access_status_by_id, can_view_status
from timeline.models import Follow, Visibility

VIEWERS = ["anonymous", "author", "follower", "pending_follower", "mentioned", "stranger", "remote_follower"]
EXPECTED = {
    Visibility.PUBLIC: set(VIEWERS),
    Visibility.UNLISTED: set(VIEWERS),
    Visibility.PRIVATE: {"author", "follower", "mentioned", "remote_follower"},
    Visibility.DIRECT: {"author", "mentioned"},
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
