"""The viewer's interaction flags: one selector for the client API's entities and the web app's buttons."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from federation.models import Actor
from tests.factories.timeline import StatusFactory
from timeline.actions.bookmarks import do_bookmark
from timeline.actions.interactions import do_favourite, do_reblog
from timeline.actions.mutes import do_mute_conversation
from timeline.entities.statuses import status_entities
from timeline.selectors import InteractionFlags, interaction_flags_for, muted_thread_status_ids

pytestmark = pytest.mark.django_db


def test_flags_name_what_the_viewer_did_in_one_query(alice: Actor, bob: Actor) -> None:
    liked, boosted, saved, untouched = (StatusFactory.create(account=bob) for _ in range(4))
    do_favourite(alice, liked)
    do_reblog(alice, boosted)
    do_bookmark(alice, saved)
    with CaptureQueriesContext(connection) as queries:
        flags = interaction_flags_for(alice, [liked.pk, boosted.pk, saved.pk, untouched.pk])
    assert len(queries) == 1
    assert flags == InteractionFlags(
        favourited=frozenset({liked.pk}), reblogged=frozenset({boosted.pk}), bookmarked=frozenset({saved.pk})
    )
    assert interaction_flags_for(bob, [liked.pk, boosted.pk, saved.pk]) == InteractionFlags()


def test_no_viewer_or_no_statuses_asks_nothing(alice: Actor) -> None:
    with CaptureQueriesContext(connection) as queries:
        assert interaction_flags_for(None, [1, 2]) == InteractionFlags()
        assert interaction_flags_for(alice, []) == InteractionFlags()
    assert len(queries) == 0


def test_entities_and_flags_agree(alice: Actor, bob: Actor) -> None:
    statuses = [StatusFactory.create(account=bob) for _ in range(3)]
    do_favourite(alice, statuses[0])
    do_reblog(alice, statuses[1])
    do_bookmark(alice, statuses[2])
    flags = interaction_flags_for(alice, [status.pk for status in statuses])
    for entity in status_entities(statuses, alice):
        status_id = int(entity["id"])
        assert entity["favourited"] is (status_id in flags.favourited)
        assert entity["reblogged"] is (status_id in flags.reblogged)
        assert entity["bookmarked"] is (status_id in flags.bookmarked)


def test_a_muted_thread_mutes_its_replies(alice: Actor, bob: Actor) -> None:
    root = StatusFactory.create(account=bob)
    reply = StatusFactory.create(account=bob, in_reply_to=root)
    elsewhere = StatusFactory.create(account=bob)
    assert muted_thread_status_ids([root, reply, elsewhere], alice) == set()
    do_mute_conversation(alice, reply)
    assert muted_thread_status_ids([root, reply, elsewhere], alice) == {root.pk, reply.pk}
