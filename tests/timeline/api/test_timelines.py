"""Home, public and hashtag timelines: who sees what, paged with Link headers."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from federation.models import Actor, DomainPolicy
from governance.actions.moderation import do_reverse_moderation_action
from tests.clients import bearer_for
from tests.factories.federation import LocalActorFactory, RemoteActorFactory
from tests.factories.governance import make_moderator
from tests.factories.moderation import restrict_account
from tests.factories.timeline import (
    FavouriteFactory,
    FollowFactory,
    MentionFactory,
    PollFactory,
    RemoteMediaFactory,
    StatusFactory,
)
from timeline.actions.fan_out import do_fan_out_status
from timeline.actions.interactions import do_reblog
from timeline.actions.statuses import check_create_status, do_create_status
from timeline.models import Block, Tag, TimelineEntry, Visibility
from timeline.selectors import home_timeline_for, statuses_for_profile

pytestmark = pytest.mark.django_db


def _ids(response: Any) -> list[str]:
    return [status["id"] for status in response.json()]


def test_home_reads_fan_out_entries_with_pagination(alice: Actor, bob: Actor) -> None:
    statuses = [StatusFactory.create(account=bob) for _ in range(3)]
    for status in statuses:
        TimelineEntry.objects.create(owner=alice, status=status)
    StatusFactory.create(account=bob)
    response = Client().get("/api/v1/timelines/home?limit=2", headers=bearer_for(alice, "read"))
    assert _ids(response) == [str(statuses[2].pk), str(statuses[1].pk)]
    link = response["Link"]
    assert link.index('rel="next"') < link.index('rel="prev"')
    next_url = link.split(";")[0].strip("<>").replace("http://testserver", "")
    assert _ids(Client().get(next_url, headers=bearer_for(alice, "read"))) == [str(statuses[0].pk)]
    assert Client().get("/api/v1/timelines/home").status_code == 401


def test_home_queries_do_not_grow_with_the_page(alice: Actor) -> None:
    def count_for(n: int) -> int:
        for _ in range(n):
            TimelineEntry.objects.create(owner=alice, status=StatusFactory.create(account=LocalActorFactory.create()))
        headers = bearer_for(alice, "read")
        with CaptureQueriesContext(connection) as queries:
            Client().get("/api/v1/timelines/home?limit=40", headers=headers)
        return len(queries)

    assert count_for(3) == count_for(10)


def test_home_queries_are_the_same_at_limit_20_and_40_on_a_varied_timeline(alice: Actor, bob: Actor) -> None:
    # Reblogs, replies, mentions, tags, polls, media and favourites each load in one query per page, not one per
    # status.
    tag = Tag.objects.create(name="bench")
    for n in range(45):
        author = LocalActorFactory.create()
        status = StatusFactory.create(account=author)
        if n % 3 == 0:
            status = StatusFactory.create(account=bob, reblog_of=status, text="", content="")
        elif n % 3 == 1:
            status = StatusFactory.create(account=author, in_reply_to=StatusFactory.create(account=bob))
            status.tags.add(tag)
            MentionFactory.create(status=status, account=bob)
            FavouriteFactory.create(status=status, account=alice)
        else:
            PollFactory.create(status=status)
            RemoteMediaFactory.create(status=status, account=author)
        TimelineEntry.objects.create(owner=alice, status=status)
    headers = bearer_for(alice, "read")
    counts = {}
    for limit in (20, 40):
        with CaptureQueriesContext(connection) as queries:
            response = Client().get(f"/api/v1/timelines/home?limit={limit}", headers=headers)
        page = response.json()
        assert len(page) == limit
        counts[limit] = len(queries)
        replies = [status for status in page if status["in_reply_to_id"]]
        assert replies and all(status["in_reply_to_account_id"] == str(bob.pk) for status in replies)
        assert all(status["mentions"][0]["id"] == str(bob.pk) and status["favourited"] for status in replies)
        assert all(status["tags"] == [{"name": "bench", "url": status["tags"][0]["url"]}] for status in replies)
        polled = [status for status in page if status["poll"]]
        assert polled and all(len(status["media_attachments"]) == 1 for status in polled)
        plain = [status for status in page if status not in replies and status not in polled]
        assert all(
            not status["mentions"] and not status["tags"] and not status["media_attachments"] for status in plain
        )
    assert counts[20] == counts[40]


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
    seen = _ids(Client().get("/api/v1/timelines/public", headers=bearer_for(alice, "read")))
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


def test_public_timelines_leave_out_limited_and_suspended_accounts(alice: Actor, bob: Actor) -> None:
    news = Tag.objects.create(name="news")
    kept = StatusFactory.create(account=alice)
    kept.tags.set([news])
    limited = LocalActorFactory.create()
    suspended = RemoteActorFactory.create()
    StatusFactory.create(account=limited).tags.set([news])
    StatusFactory.create(account=suspended, local=False)
    restrict_account(limited, "limit")
    restrict_account(suspended, "suspend")
    lifted = restrict_account(bob, "limit")
    do_reverse_moderation_action(lifted, authority="Appeal granted")
    theirs = StatusFactory.create(account=bob)
    assert _ids(Client().get("/api/v1/timelines/public")) == [str(theirs.pk), str(kept.pk)]
    assert _ids(Client().get("/api/v1/timelines/public", headers=bearer_for(alice, "read"))) == [
        str(theirs.pk),
        str(kept.pk),
    ]
    assert _ids(Client().get("/api/v1/timelines/tag/news")) == [str(kept.pk)]


def test_home_leaves_out_suspended_accounts_except_for_moderators(alice: Actor, bob: Actor) -> None:
    moderator_user = make_moderator()
    moderator = LocalActorFactory.create(user=moderator_user, username=moderator_user.username)
    theirs = StatusFactory.create(account=bob)
    mine = StatusFactory.create(account=alice)
    for owner in (alice, moderator):
        TimelineEntry.objects.create(owner=owner, status=theirs)
        TimelineEntry.objects.create(owner=owner, status=mine)
    restrict_account(bob, "suspend", moderator=moderator_user)
    assert _ids(Client().get("/api/v1/timelines/home", headers=bearer_for(alice, "read"))) == [str(mine.pk)]
    assert [status.pk for status in home_timeline_for(alice)] == [mine.pk]
    seen = _ids(Client().get("/api/v1/timelines/home", headers=bearer_for(moderator, "read")))
    assert seen == [str(mine.pk), str(theirs.pk)]
    assert statuses_for_profile(bob, alice) == []
    assert statuses_for_profile(bob, moderator) == [theirs]


def test_home_shows_a_post_once_after_a_followed_account_boosts_it(alice: Actor, bob: Actor) -> None:
    """A boost of the reader's own recent post is not added to their home."""
    FollowFactory.create(follower=alice, target=bob)
    post = do_create_status(alice, check_create_status(alice, text="proposal #1"))
    do_fan_out_status(post.id)
    do_fan_out_status(do_reblog(bob, post).id)
    body = Client().get("/api/v1/timelines/home", headers=bearer_for(alice, "read")).json()
    assert [(status["id"], status["reblog"]) for status in body] == [(str(post.pk), None)]
    assert body[0]["tags"] == []
