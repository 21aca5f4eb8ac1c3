"""Pins mirrored from remote accounts' featured collections."""

from __future__ import annotations

import pytest

from federation.models import Actor
from tests.factories.federation import RemoteActorFactory
from tests.factories.timeline import StatusFactory
from timeline.actions.pins import do_mirror_remote_pin
from timeline.errors import InteractionRefused


@pytest.mark.django_db
def test_a_remote_accounts_pins_are_mirrored_beyond_the_local_limit() -> None:
    dana = RemoteActorFactory.create(username="dana")
    statuses = [StatusFactory.create(account=dana, local=False) for _ in range(6)]
    for status in statuses:
        do_mirror_remote_pin(dana, status, pinned=True)
    assert all(status.pinned_at is not None for status in statuses)
    do_mirror_remote_pin(dana, statuses[0], pinned=False)
    statuses[0].refresh_from_db()
    assert statuses[0].pinned_at is None


@pytest.mark.django_db
def test_a_local_members_pins_and_another_accounts_status_are_refused(alice: Actor) -> None:
    dana = RemoteActorFactory.create(username="dana")
    with pytest.raises(InteractionRefused):
        do_mirror_remote_pin(alice, StatusFactory.create(account=alice), pinned=True)
    with pytest.raises(InteractionRefused):
        do_mirror_remote_pin(dana, StatusFactory.create(account=alice), pinned=True)
