"""Prepared entity queries: the same rows as the ORM's, for new ids, new data and every page size."""

from __future__ import annotations

from typing import Any

import pytest
from django.db.models import QuerySet

from federation.models import Actor
from tests.factories.federation import LocalActorFactory
from tests.factories.timeline import FavouriteFactory, FollowFactory, MentionFactory, PollFactory, StatusFactory
from timeline.entities import accounts, statuses
from timeline.entities.prepared import prepared_rows
from timeline.models import Bookmark, Status

pytestmark = pytest.mark.django_db


def _orm(query: QuerySet[Any, dict[str, Any]]) -> list[dict[str, Any]]:
    return sorted(query, key=lambda row: row["pk"])


def _prepared(name: str, model: type[Any], build: Any, arguments: list[int]) -> list[dict[str, Any]]:
    return sorted(prepared_rows(name, model, build, arguments), key=lambda row: row["pk"])


def test_status_interactions_match_the_orm_for_other_ids_and_after_changes(alice: Actor, bob: Actor) -> None:
    posts = [StatusFactory.create(account=bob) for _ in range(6)]
    FavouriteFactory.create(status=posts[0], account=alice)
    StatusFactory.create(account=alice, reblog_of=posts[1], text="", content="")
    StatusFactory.create(account=alice, in_reply_to=posts[2])
    MentionFactory.create(status=posts[3], account=alice)
    PollFactory.create(status=posts[4])
    Bookmark.objects.create(account=alice, status=posts[5])
    ids = [post.pk for post in posts]
    for chosen in (ids[:3], ids[3:], ids):
        for viewer in (None, alice, bob):
            orm = _orm(statuses._interactions_query(chosen, viewer.pk if viewer else None))
            build = statuses._unviewed_interactions_query if viewer is None else statuses._viewed_interactions_query
            arguments = chosen if viewer is None else [*chosen, viewer.pk]
            assert _prepared(f"test-{viewer is None}", Status, build, arguments) == orm
    # Compiled once, the query still reads today's data.
    FavouriteFactory.create(status=posts[0], account=bob)
    [row] = prepared_rows("test-False", Status, statuses._viewed_interactions_query, [posts[0].pk, bob.pk])
    assert (row["n_favourites"], bool(row["n_favourited"])) == (2, True)


def test_account_figures_match_the_orm_dates_included(alice: Actor, bob: Actor) -> None:
    carol = LocalActorFactory.create()
    FollowFactory.create(follower=alice, target=bob)
    FollowFactory.create(follower=carol, target=bob)
    StatusFactory.create(account=bob)
    for chosen in ([bob.pk], [alice.pk, carol.pk], [alice.pk, bob.pk, carol.pk]):
        rows = _prepared("test-figures", Actor, accounts._figures_query, chosen)
        assert rows == _orm(accounts._figures_query(chosen))
    assert rows[1]["n_latest"] is not None and rows[1]["n_latest"].tzinfo is not None


def test_a_query_that_leaves_an_argument_out_is_refused(alice: Actor) -> None:
    with pytest.raises(ValueError, match="every argument"):
        prepared_rows("test-unused", Actor, lambda ids: accounts._figures_query(ids[:1]), [alice.pk, alice.pk + 1])
