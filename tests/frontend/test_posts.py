"""Filters on the web's timelines, threads and notifications: `warn` folds a post behind its title, `hide` omits it."""

from __future__ import annotations

import pytest
from django.test import Client

from federation.models import Actor
from tests.factories.timeline import NotificationFactory, StatusFactory
from timeline.models import Filter, FilterKeyword, TimelineEntry

pytestmark = pytest.mark.django_db


def _filter(owner: Actor, title: str, keyword: str, action: str) -> Filter:
    the_filter = Filter.objects.create(
        account=owner,
        title=title,
        context=["home", "public", "thread", "notifications", "account"],
        filter_action=action,
    )
    FilterKeyword.objects.create(filter=the_filter, keyword=keyword)
    return the_filter


def test_a_warn_filter_folds_the_post_behind_its_title(alice_client: Client, alice: Actor, bob: Actor) -> None:
    _filter(alice, "Spoilers", "finale", "warn")
    post = StatusFactory.create(account=bob, text="the finale was wild", content="<p>the finale was wild</p>")
    TimelineEntry.objects.create(owner=alice, status=post)
    for path in ("/home", "/timelines/local", f"/statuses/{post.pk}", f"/accounts/{bob.pk}"):
        page = alice_client.get(path).content.decode()
        assert '<details class="filtered"><summary>Filtered: Spoilers' in page, path
        assert "the finale was wild" in page, path


def test_a_hide_filter_leaves_the_post_out_everywhere_but_its_own_thread(
    alice_client: Client, alice: Actor, bob: Actor
) -> None:
    _filter(alice, "Weather", "rain", "hide")
    post = StatusFactory.create(account=bob, text="rain again", content="<p>rain again</p>")
    reply = StatusFactory.create(account=bob, in_reply_to=post, text="more rain", content="<p>more rain</p>")
    TimelineEntry.objects.create(owner=alice, status=post)
    NotificationFactory.create(recipient=alice, from_account=bob, status=reply, type="mention")
    for path in ("/home", "/timelines/local", f"/accounts/{bob.pk}", "/notifications"):
        page = alice_client.get(path).content.decode()
        assert "rain again" not in page, path
        assert "more rain" not in page, path
    thread = alice_client.get(f"/statuses/{post.pk}").content.decode()
    assert "Filtered: Weather" in thread
    assert "more rain" not in thread


def test_a_warn_filter_folds_a_notifications_post(alice_client: Client, alice: Actor, bob: Actor) -> None:
    _filter(alice, "Work", "deadline", "warn")
    post = StatusFactory.create(account=alice, text="deadline soon", content="<p>deadline soon</p>")
    NotificationFactory.create(recipient=alice, from_account=bob, status=post, type="favourite")
    page = alice_client.get("/notifications").content.decode()
    # The member's own posts are never filtered, as in Mastodon.
    assert "Filtered: Work" not in page
    theirs = StatusFactory.create(account=bob, text="@alice deadline moved", content="<p>deadline moved</p>")
    NotificationFactory.create(recipient=alice, from_account=bob, status=theirs, type="mention")
    page = alice_client.get("/notifications").content.decode()
    assert '<details class="filtered"><summary>Filtered: Work</summary>' in page
