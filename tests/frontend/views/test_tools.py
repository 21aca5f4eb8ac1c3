"""The member's own tools in the web app: bookmarks, favourites, lists, filters and mutes."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.utils.translation import trans_real

from federation.models import Actor
from frontend.views.social import PAGE_SIZE
from members.models import User
from tests.factories.federation import LocalActorFactory
from tests.factories.timeline import FavouriteFactory, StatusFactory, make_custom_emoji
from timeline.models import Bookmark, Favourite, Filter, Follow, List, ListAccount, Mute, TimelineEntry

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


def test_a_lists_accounts_show_their_avatar_and_name_with_its_emoji(alice_client: Client, alice: Actor) -> None:
    carol = LocalActorFactory.create(display_name="Carol :teapot:")
    make_custom_emoji("teapot")
    Follow.objects.create(follower=alice, target=carol, state=Follow.State.ACCEPTED)
    the_list = List.objects.create(account=alice, title="Tea")
    ListAccount.objects.create(list=the_list, account=carol)
    page = alice_client.get(f"/lists/{the_list.pk}").content.decode()
    row = page[page.index('id="members-title"') :]
    row = row[: row.index("</li>")]
    assert f'<a class="account-row" href="/accounts/{carol.pk}">' in row
    assert 'class="avatar"' in row
    assert "Carol" in row and 'alt=":teapot:"' in row
    assert f"@{carol.acct}" in row


def test_creating_a_list_says_so(alice_client: Client, alice: Actor) -> None:
    response = alice_client.post("/lists", {"title": "Friends"}, follow=True)
    assert response.redirect_chain == [(f"/lists/{List.objects.get(account=alice).pk}", 302)]
    assert "List created." in response.content.decode()


def test_a_list_is_renamed_and_its_settings_changed_from_its_page(alice_client: Client, alice: Actor) -> None:
    the_list = List.objects.create(account=alice, title="Friends")
    page = alice_client.get(f"/lists/{the_list.pk}").content.decode()
    assert 'name="title" value="Friends"' in page
    assert '<option value="list" selected>Members of the list</option>' in page
    response = alice_client.post(
        f"/lists/{the_list.pk}",
        {"do": "update", "title": "  Close friends ", "replies_policy": "followed", "exclusive": "on"},
        follow=True,
    )
    assert response.redirect_chain == [(f"/lists/{the_list.pk}", 302)]
    assert "List saved." in response.content.decode()
    the_list.refresh_from_db()
    assert (the_list.title, the_list.replies_policy, the_list.exclusive) == ("Close friends", "followed", True)
    page = alice_client.get(f"/lists/{the_list.pk}").content.decode()
    assert '<option value="followed" selected>Any followed user</option>' in page
    assert 'id="list-exclusive" name="exclusive" checked' in page


@pytest.mark.parametrize(
    ("change", "error"),
    [
        ({"title": "   "}, "Title can&#x27;t be blank."),
        ({"title": "x" * 201}, "Title is too long (the limit is 200 characters)."),
        ({"title": "Renamed", "replies_policy": "everyone"}, "Replies policy must be one of followed, list, none."),
    ],
)
def test_a_bad_list_change_is_refused_and_changes_nothing(
    alice_client: Client, alice: Actor, change: dict[str, str], error: str
) -> None:
    the_list = List.objects.create(account=alice, title="Friends", replies_policy="none")
    response = alice_client.post(f"/lists/{the_list.pk}", {"do": "update", "exclusive": "on", **change}, follow=True)
    assert error in response.content.decode()
    assert "List saved." not in response.content.decode()
    the_list.refresh_from_db()
    assert (the_list.title, the_list.replies_policy, the_list.exclusive) == ("Friends", "none", False)


def test_another_members_list_cannot_be_renamed(alice_client: Client, bob: Actor) -> None:
    theirs = List.objects.create(account=bob, title="Bob's")
    assert alice_client.post(f"/lists/{theirs.pk}", {"do": "update", "title": "Mine"}).status_code == 404
    theirs.refresh_from_db()
    assert theirs.title == "Bob's"


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


@pytest.fixture
def marked_french(monkeypatch: pytest.MonkeyPatch) -> None:
    """Give the filter labels a French catalogue entry of their own, as a translator will: "fr:" and the English."""
    french = trans_real.translation("fr")
    catalogue = french.gettext
    labels = {
        "Home and lists",
        "Notifications",
        "Public timelines",
        "Conversations",
        "Profiles",
        "Hide with a warning",
        "Hide completely",
    }
    monkeypatch.setattr(french, "gettext", lambda message: f"fr:{message}" if message in labels else catalogue(message))


@pytest.mark.usefixtures("marked_french")
def test_the_filters_page_names_where_and_what_in_the_readers_language(alice_client: Client, alice: Actor) -> None:
    """A French reader gets each context and action by its translated label; the values sent stay Mastodon's."""
    User.objects.filter(actor=alice).update(interface_language="fr")
    Filter.objects.create(account=alice, title="Fillers", context=["home", "thread"], filter_action="hide")
    Filter.objects.create(account=alice, title="Spoilers", context=["public"], filter_action="warn")
    page = alice_client.get("/filters").content.decode()
    assert "fr:Hide completely · fr:Home and lists, fr:Conversations" in page
    assert "fr:Hide with a warning · fr:Public timelines" in page
    for value, label in [
        ("home", "Home and lists"),
        ("notifications", "Notifications"),
        ("public", "Public timelines"),
        ("thread", "Conversations"),
        ("account", "Profiles"),
    ]:
        assert f'value="{value}" checked><label for="ctx-{value}">fr:{label}</label>' in page
    assert '<option value="warn">fr:Hide with a warning</option>' in page
    assert '<option value="hide">fr:Hide completely</option>' in page
    assert not re.search(r">\s*(home|notifications|public|thread|account)\s*<", page)
    assert "Hide ·" not in page
    assert "Warn ·" not in page


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


def page_status_ids(html: str) -> list[int]:
    """Return the ids of the posts a page shows, in order."""
    return [int(found) for found in re.findall(r'<article[^>]* id="status-(\d+)"', html)]


def walk_pages(client: Client, url: str) -> list[list[int]]:
    """Follow a page's "Load more" link to the end; return the posts of each page, checking each link."""
    pages: list[list[int]] = []
    next_url: str | None = url
    while next_url is not None:
        assert len(pages) < 5, "the pages never end"
        html = client.get(next_url).content.decode()
        pages.append(page_status_ids(html))
        more = re.search(r'class="load-more"><a class="button secondary" href="\?max_id=(\d+)"', html)
        next_url = f"{url}?max_id={more.group(1)}" if more else None
    return pages


@pytest.mark.parametrize(("page", "model"), [("/bookmarks", Bookmark), ("/favourites", Favourite)])
def test_bookmarks_and_favourites_page_in_the_order_saved(
    alice_client: Client, alice: Actor, bob: Actor, page: str, model: type[Bookmark | Favourite]
) -> None:
    statuses = StatusFactory.create_batch(PAGE_SIZE + 5, account=bob)
    # Saved oldest post last: the pages follow when each was saved, not when it was posted.
    for status in reversed(statuses):
        model.objects.create(account=alice, status=status)
    pages = walk_pages(alice_client, page)
    saved_newest_first = [status.pk for status in statuses]
    assert pages == [saved_newest_first[:PAGE_SIZE], saved_newest_first[PAGE_SIZE:]]


def test_a_list_pages_to_its_oldest_post_with_a_live_notice(alice_client: Client, alice: Actor, bob: Actor) -> None:
    the_list = List.objects.create(account=alice, title="Friends")
    ListAccount.objects.create(list=the_list, account=bob)
    statuses = StatusFactory.create_batch(PAGE_SIZE + 5, account=bob)
    TimelineEntry.objects.bulk_create(TimelineEntry(owner=alice, status=status) for status in statuses)
    pages = walk_pages(alice_client, f"/lists/{the_list.pk}")
    newest_first = [status.pk for status in reversed(statuses)]
    assert pages == [newest_first[:PAGE_SIZE], newest_first[PAGE_SIZE:]]
    page = alice_client.get(f"/lists/{the_list.pk}").content.decode()
    assert f'data-stream="/api/v1/streaming/list?list={the_list.pk}"' in page


def test_a_list_ignores_a_max_id_that_is_not_a_number(alice_client: Client, alice: Actor, bob: Actor) -> None:
    """As the other timelines do, a bad `max_id` shows the first page."""
    the_list = List.objects.create(account=alice, title="Friends")
    ListAccount.objects.create(list=the_list, account=bob)
    status = StatusFactory.create(account=bob)
    TimelineEntry.objects.create(owner=alice, status=status)
    response = alice_client.get(f"/lists/{the_list.pk}?max_id=abc")
    assert response.status_code == 200
    assert page_status_ids(response.content.decode()) == [status.pk]


def test_muting_asks_first_for_how_long(alice_client: Client, alice: Actor, bob: Actor) -> None:
    page = alice_client.get(f"/accounts/{bob.pk}/mute?next=/timelines/local").content.decode()
    assert "Mute @bob?" in page
    assert 'id="account-actions"' in page
    assert 'name="next" value="/timelines/local"' in page
    assert not Mute.objects.exists()
    response = alice_client.post(
        "/mutes", {"account_id": bob.pk, "duration": "3600", "notifications": "off", "next": "/timelines/local"}
    )
    assert response["Location"] == "/timelines/local"
    mute = Mute.objects.get(account=alice, target=bob)
    assert mute.expires_at is not None
    assert not mute.hide_notifications


def test_asking_to_mute_yourself_is_refused(alice_client: Client, alice: Actor) -> None:
    response = alice_client.get(f"/accounts/{alice.pk}/mute", follow=True)
    assert response.redirect_chain[-1][0] == f"/accounts/{alice.pk}"
    assert "You cannot mute yourself." in response.content.decode()
    assert not Mute.objects.exists()
