"""The member's own tools in the web app: bookmarks, favourites, lists, filters and mutes."""

from __future__ import annotations

import pytest
from django.test import Client

from federation.models import Actor
from tests.factories.timeline import FavouriteFactory, StatusFactory
from timeline.models import Bookmark, Filter, Follow, List, ListAccount, Mute

pytestmark = pytest.mark.django_db


def test_bookmarking_from_a_post_and_removing_it(alice_client: Client, alice: Actor, bob: Actor) -> None:
    status = StatusFactory.create(account=bob, text="keep this", content="<p>keep this</p>")
    alice_client.post(f"/statuses/{status.pk}/bookmark")
    assert Bookmark.objects.filter(account=alice, status=status).exists()
    page = alice_client.get("/bookmarks").content.decode()
    assert "keep this" in page
    assert "Bookmarked" in page
    alice_client.post(f"/statuses/{status.pk}/bookmark", {"do": "remove"})
    assert not Bookmark.objects.filter(account=alice).exists()


def test_bookmarking_an_invisible_post_is_404(alice_client: Client, bob: Actor) -> None:
    status = StatusFactory.create(account=bob, visibility="direct")
    assert alice_client.post(f"/statuses/{status.pk}/bookmark").status_code == 404
    assert not Bookmark.objects.exists()


def test_favourites_page_lists_what_i_liked(alice_client: Client, alice: Actor, bob: Actor) -> None:
    status = StatusFactory.create(account=bob, text="nice one", content="<p>nice one</p>")
    FavouriteFactory.create(account=alice, status=status)
    assert "nice one" in alice_client.get("/favourites").content.decode()


def test_lists_hold_only_followed_accounts(alice_client: Client, alice: Actor, bob: Actor) -> None:
    created = alice_client.post("/lists", {"title": "Friends"})
    the_list = List.objects.get(account=alice)
    assert created["Location"] == f"/lists/{the_list.pk}"
    alice_client.post(f"/lists/{the_list.pk}", {"do": "add", "account_id": bob.pk})
    assert not ListAccount.objects.exists()
    Follow.objects.create(follower=alice, target=bob, state=Follow.State.ACCEPTED)
    alice_client.post(f"/lists/{the_list.pk}", {"do": "add", "account_id": bob.pk})
    assert ListAccount.objects.filter(list=the_list, account=bob).exists()
    StatusFactory.create(account=bob, text="listed post", content="<p>listed post</p>")
    alice_client.post(f"/lists/{the_list.pk}", {"do": "remove", "account_id": bob.pk})
    assert not ListAccount.objects.exists()
    alice_client.post(f"/lists/{the_list.pk}", {"do": "delete"})
    assert not List.objects.exists()


def test_a_blank_list_title_is_refused(alice_client: Client, alice: Actor) -> None:
    response = alice_client.post("/lists", {"title": "  "}, follow=True)
    assert "Title can&#x27;t be blank." in response.content.decode()
    assert not List.objects.exists()


def test_another_members_list_is_404(alice_client: Client, bob: Actor) -> None:
    theirs = List.objects.create(account=bob, title="Bob's")
    assert alice_client.get(f"/lists/{theirs.pk}").status_code == 404
    assert alice_client.post(f"/lists/{theirs.pk}", {"do": "delete"}).status_code == 404
    assert List.objects.filter(pk=theirs.pk).exists()


def test_a_filter_made_on_the_page_hides_posts_in_the_api(alice_client: Client, alice: Actor) -> None:
    alice_client.post(
        "/filters",
        {
            "title": "Spoilers",
            "keywords": "finale, ending",
            "whole_word": "on",
            "context": ["home", "public"],
            "filter_action": "hide",
        },
    )
    made = Filter.objects.get(account=alice)
    assert sorted(made.keywords.values_list("keyword", flat=True)) == ["ending", "finale"]
    assert made.filter_action == "hide"
    assert "Spoilers" in alice_client.get("/filters").content.decode()
    alice_client.post("/filters", {"do": "delete", "filter_id": made.pk})
    assert not Filter.objects.exists()


def test_a_filter_without_contexts_is_refused(alice_client: Client) -> None:
    response = alice_client.post("/filters", {"title": "Nothing", "keywords": "x"}, follow=True)
    assert "Context must be" in response.content.decode()
    assert not Filter.objects.exists()


def test_another_members_filter_cannot_be_deleted(alice_client: Client, bob: Actor) -> None:
    theirs = Filter.objects.create(account=bob, title="Bob's", context=["home"])
    assert alice_client.post("/filters", {"do": "delete", "filter_id": theirs.pk}).status_code == 404
    assert Filter.objects.filter(pk=theirs.pk).exists()


def test_muting_and_unmuting_from_a_profile(alice_client: Client, alice: Actor, bob: Actor) -> None:
    alice_client.post("/mutes", {"account_id": bob.pk})
    assert Mute.objects.filter(account=alice, target=bob).exists()
    assert "@bob" in alice_client.get("/mutes").content.decode()
    alice_client.post("/mutes", {"do": "unmute", "account_id": bob.pk})
    assert not Mute.objects.exists()


def test_muting_yourself_is_refused(alice_client: Client, alice: Actor) -> None:
    response = alice_client.post("/mutes", {"account_id": alice.pk}, follow=True)
    assert "You cannot mute yourself." in response.content.decode()
    assert not Mute.objects.exists()
