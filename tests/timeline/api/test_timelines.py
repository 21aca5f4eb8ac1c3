"""Home, public and hashtag timelines: who sees what, paged with Link headers."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from federation.models import Actor, DomainPolicy
from tests.factories.federation import LocalActorFactory, RemoteActorFactory
from tests.factories.oauth import AccessTokenFactory
from tests.factories.timeline import StatusFactory
from timeline.models import Block, Tag, TimelineEntry, Visibility

pytestmark = pytest.mark.django_db


def bearer_for(actor: Actor, scope: str = "read") -> dict[str, str]:
    """Return the header presenting a fresh token of the actor's user."""
    return {"Authorization": f"Bearer {AccessTokenFactory.create(user=actor.user, scope=scope).token}"}


def _ids(response: Any) -> list[str]:
    return [status["id"] for status in response.json()]


def test_home_reads_fan_out_entries_with_pagination(alice: Actor, bob: Actor) -> None:
    statuses = [StatusFactory.create(account=bob) for _ in range(3)]
    for status in statuses:
        TimelineEntry.objects.create(owner=alice, status=status)
    StatusFactory.create(account=bob)
    response = Client().get("/api/v1/timelines/home?limit=2", headers=bearer_for(alice))
    assert _ids(response) == [str(statuses[2].pk), str(statuses[1].pk)]
    link = response["Link"]
    assert link.index('rel="next"') < link.index('rel="prev"')
    next_url = link.split(";")[0].strip("<>").replace("http://testserver", "")
    assert _ids(Client().get(next_url, headers=bearer_for(alice))) == [str(statuses[0].pk)]
    assert Client().get("/api/v1/timelines/home").status_code == 401


def test_home_queries_do_not_grow_with_the_page(alice: Actor) -> None:
    def count_for(n: int) -> int:
        for _ in range(n):
            TimelineEntry.objects.create(owner=alice, status=StatusFactory.create(account=LocalActorFactory.create()))
        headers = bearer_for(alice)
        with CaptureQueriesContext(connection) as queries:
            Client().get("/api/v1/timelines/home?limit=40", headers=headers)
        return len(queries)

    assert count_for(3) == count_for(10)


def test_public_timeline_shows_public_posts_only(alice: Actor, bob: Actor) -> None:
    public = StatusFactory.create(account=alice)
    StatusFactory.create(account=alice, visibility=Visibility.UNLISTED)
    StatusFactory.create(account=alice, visibility=Visibility.PRIVATE)
    StatusFactory.create(account=bob, reblog_of=public, text="", content="")
    StatusFactory.create(account=bob, in_reply_to=public)
    thread = StatusFactory.create(account=alice, in_reply_to=public)
    remote = StatusFactory.create(account=RemoteActorFactory.create(), local=False)
    assert _ids(Client().get("/api/v1/timelines/public")) == [str(remote.pk), str(thread.pk), str(public.pk)]
    assert _ids(Client().get("/api/v1/timelines/public?local=true")) == [str(thread.pk), str(public.pk)]
    assert _ids(Client().get("/api/v1/timelines/public?remote=true")) == [str(remote.pk)]


def test_public_timeline_hides_blocks_and_suspended_servers(alice: Actor, bob: Actor) -> None:
    StatusFactory.create(account=alice)
    theirs = StatusFactory.create(account=bob)
    StatusFactory.create(account=RemoteActorFactory.create(domain="sub.bad.example"), local=False)
    DomainPolicy.objects.create(domain="bad.example", severity="suspend", authorised_by="Decision 1")
    Block.objects.create(account=alice, target=bob)
    assert str(theirs.pk) in _ids(Client().get("/api/v1/timelines/public"))
    seen = _ids(Client().get("/api/v1/timelines/public", headers=bearer_for(alice)))
    assert len(seen) == 1
    assert str(theirs.pk) not in seen


def test_hashtag_timeline(alice: Actor) -> None:
    coop, tea = Tag.objects.create(name="coop"), Tag.objects.create(name="tea")
    both = StatusFactory.create(account=alice)
    both.tags.set([coop, tea])
    only_coop = StatusFactory.create(account=alice)
    only_coop.tags.set([coop])
    hidden = StatusFactory.create(account=alice, visibility=Visibility.PRIVATE)
    hidden.tags.set([coop])
    assert _ids(Client().get("/api/v1/timelines/tag/Coop")) == [str(only_coop.pk), str(both.pk)]
    assert _ids(Client().get("/api/v1/timelines/tag/coop?all[]=tea")) == [str(both.pk)]
    assert _ids(Client().get("/api/v1/timelines/tag/coop?none[]=tea")) == [str(only_coop.pk)]
    assert _ids(Client().get("/api/v1/timelines/tag/tea?any[]=coop")) == [str(only_coop.pk), str(both.pk)]
