"""Prepared entity queries: the same rows as the ORM's, for new ids, new data and every page size."""

from __future__ import annotations

from typing import Any

import pytest
from django.db.models import QuerySet
from django.test import Client
from django.utils import timezone

from federation.models import Actor
from tests.clients import bearer_for
from tests.factories.federation import LocalActorFactory
from tests.factories.timeline import (
    FavouriteFactory,
    FollowFactory,
    MentionFactory,
    PollFactory,
    RemoteMediaFactory,
    StatusFactory,
    make_custom_emoji,
)
from timeline.entities import accounts, statuses
from timeline.entities.prepared import prepared_rows
from timeline.models import Bookmark, Filter, PollVote, PreviewCard, Status, Tag, TimelineEntry

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


def test_statuses_with_authors_are_the_orms_instances_key_fields_left_out(alice: Actor, bob: Actor) -> None:
    posts = [StatusFactory.create(account=author, spoiler_text="cw") for author in (alice, bob, alice)]
    loaded = sorted(statuses.statuses_with_authors([posts[2].pk, posts[0].pk, posts[2].pk]), key=lambda s: s.pk)
    expected = sorted(statuses._with_authors_query([posts[0].pk, posts[2].pk]), key=lambda s: s.pk)
    assert [(s.pk, s.spoiler_text, s.account.username) for s in loaded] == [
        (s.pk, s.spoiler_text, s.account.username) for s in expected
    ]
    assert "private_key_pem" in loaded[0].account.get_deferred_fields()
    assert statuses.statuses_with_authors([]) == []


def _seed_varied(alice: Actor, bob: Actor) -> None:
    """Write statuses of every kind an entity shows into alice's and bob's home timelines."""
    carol = LocalActorFactory.create(display_name="Carol :blob:")
    make_custom_emoji("blob")
    card = PreviewCard.objects.create(url="https://news.example/a", title="A page", fetched_at=timezone.now())
    FollowFactory.create(follower=alice, target=carol)
    for n in range(12):
        author = (carol, bob, alice)[n % 3]
        status = StatusFactory.create(account=author, spoiler_text="cw :blob:" if n % 4 == 0 else "")
        if n % 5 == 0:
            status = StatusFactory.create(account=carol, reblog_of=status, text="", content="")
        elif n % 5 == 1:
            status = StatusFactory.create(account=author, in_reply_to=StatusFactory.create(account=alice))
            status.tags.add(Tag.objects.get_or_create(name="coop")[0])
            MentionFactory.create(status=status, account=bob)
            FavouriteFactory.create(status=status, account=alice)
        elif n % 5 == 2:
            poll = PollFactory.create(status=status)
            PollVote.objects.create(poll=poll, account=bob, choice=1)
            RemoteMediaFactory.create(status=status, account=author)
        elif n % 5 == 3:
            status.preview_card = card
            status.edited_at = timezone.now()
            status.pinned_at = timezone.now()
            status.save(update_fields=["preview_card", "edited_at", "pinned_at"])
        else:
            Bookmark.objects.create(account=bob, status=status)
        for owner in (alice, bob):
            TimelineEntry.objects.get_or_create(owner=owner, status=status)
    Filter.objects.create(account=bob, title="no cows", context=["home", "public"]).keywords.create(keyword="number")


def test_pages_are_byte_for_byte_those_of_the_orms_queries(
    alice: Actor, bob: Actor, monkeypatch: pytest.MonkeyPatch
) -> None:
    _seed_varied(alice, bob)
    paths = [
        "/api/v1/timelines/home?limit=40",
        "/api/v1/timelines/public?limit=40",
        f"/api/v1/accounts/{alice.pk}/statuses",
        f"/api/v1/statuses/{Status.objects.filter(poll__isnull=False).values_list('pk', flat=True)[0]}",
    ]
    viewers = {"alice": bearer_for(alice, "read"), "bob": bearer_for(bob, "read"), "nobody": {}}

    def pages() -> dict[tuple[str, str], bytes]:
        found = {}
        for name, headers in viewers.items():
            for path in paths:
                if name == "nobody" and "home" in path:
                    continue
                response = Client().get(path, headers=headers)
                assert response.status_code == 200, (name, path)
                found[(name, path)] = response.content
        return found

    prepared = pages()
    again = pages()
    for module in (statuses, accounts):
        monkeypatch.setattr(module, "prepared_rows", lambda name, model, build, arguments: list(build(list(arguments))))
    monkeypatch.setattr(statuses, "prepared_models", lambda name, model, build, arguments: list(build(list(arguments))))
    assert pages() == prepared == again
    assert b'"favourited": true' in prepared[("alice", paths[0])]
    assert b'"voted": true' in prepared[("bob", paths[0])]
