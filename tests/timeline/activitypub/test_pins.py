"""Add and Remove on a remote account's featured collection mirror its pins."""

from __future__ import annotations

from typing import Any

import pytest

from federation.inbox import IgnoredActivity, dispatch
from federation.inbox.registry import read_activity
from federation.models import Actor
from tests.factories.federation import RemoteActorFactory
from tests.factories.timeline import StatusFactory
from timeline.models import Status


def featured(kind: str, actor: Actor, status: Status, *, target: str | None = None) -> dict[str, Any]:
    return {
        "id": f"{actor.uri}#{kind.lower()}s/1",
        "type": kind,
        "actor": actor.uri,
        "object": status.uri,
        "target": target or actor.featured_uri,
    }


@pytest.fixture
def dana(db: None) -> Actor:
    return RemoteActorFactory.create(username="dana", featured_uri="https://mastodon.example/users/dana/featured")


@pytest.mark.django_db
def test_add_pins_and_remove_unpins_the_status(dana: Actor) -> None:
    status = StatusFactory.create(account=dana, local=False, uri=f"{dana.uri}/statuses/1")
    dispatch(dana, read_activity(featured("Add", dana, status)))
    status.refresh_from_db()
    assert status.pinned_at is not None
    dispatch(dana, read_activity(featured("Remove", dana, status)))
    status.refresh_from_db()
    assert status.pinned_at is None


@pytest.mark.django_db
def test_only_the_actors_own_featured_collection_and_statuses_are_mirrored(dana: Actor) -> None:
    status = StatusFactory.create(account=dana, local=False, uri=f"{dana.uri}/statuses/1")
    with pytest.raises(IgnoredActivity, match="featured collection"):
        dispatch(dana, read_activity(featured("Add", dana, status, target=f"{dana.uri}/elsewhere")))
    other = StatusFactory.create(account=RemoteActorFactory.create(username="erin"), local=False)
    with pytest.raises(IgnoredActivity, match="not here"):
        dispatch(dana, read_activity(featured("Add", dana, other)))
    assert not Status.objects.filter(pinned_at__isnull=False).exists()
