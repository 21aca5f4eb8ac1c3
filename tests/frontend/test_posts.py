"""The web's posts: filters fold (`warn`) or omit (`hide`) them, and their links are Django's URL map's."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from federation.models import Actor
from frontend.posts import post_views
from tests.factories.federation import LocalActorFactory
from tests.factories.timeline import FavouriteFactory, NotificationFactory, StatusFactory
from timeline.actions.interactions import do_reblog
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


def test_post_links_match_reverse_for_a_plain_post_and_a_boost() -> None:
    viewer = LocalActorFactory.create()
    original = StatusFactory.create()
    FavouriteFactory.create(account=viewer, status=original)
    boost = do_reblog(viewer, original)
    plain, boosted = post_views([original, boost], viewer)
    for view in (plain, boosted):
        links = view.links
        status_id, account_id = original.pk, original.account_id
        assert links.account == reverse("frontend:account", kwargs={"account_id": account_id})
        assert links.thread == reverse("frontend:thread", kwargs={"status_id": status_id})
        assert links.history == reverse("frontend:history", kwargs={"status_id": status_id})
        assert links.reply == f"{reverse('frontend:home')}?in_reply_to={status_id}#compose-title"
        assert links.bookmark == reverse("frontend:bookmark", kwargs={"status_id": status_id})
        assert links.edit == reverse("frontend:edit_status", kwargs={"status_id": status_id})
        assert links.delete == reverse("frontend:delete_status", kwargs={"status_id": status_id})
        assert links.report == (
            reverse("governance:report_account", kwargs={"account_id": account_id}) + f"?status={status_id}"
        )
        # The viewer favourited and boosted the post: both buttons undo.
        assert links.favourite == reverse("frontend:interact", kwargs={"status_id": status_id, "verb": "unfavourite"})
        assert links.boost == reverse("frontend:interact", kwargs={"status_id": status_id, "verb": "unboost"})


def test_post_links_offer_to_favourite_and_boost_what_the_viewer_has_not() -> None:
    status = StatusFactory.create()
    (view,) = post_views([status], LocalActorFactory.create())
    assert view.links.favourite == reverse("frontend:interact", kwargs={"status_id": status.pk, "verb": "favourite"})
    assert view.links.boost == reverse("frontend:interact", kwargs={"status_id": status.pk, "verb": "boost"})
