"""An account's followers and following pages: the client API's lists, paged with "Load more"."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from federation.models import Actor
from frontend.views.social import PAGE_SIZE
from tests.clients import bearer_for
from tests.factories.federation import LocalActorFactory, RemoteActorFactory
from tests.factories.timeline import FollowFactory, make_custom_emoji
from tests.frontend.views.test_social import cats, queries_to_show
from timeline.models import Block, Follow, Mute

pytestmark = pytest.mark.django_db

LISTS = ("followers", "following")


def listed_ids(html: str) -> list[int]:
    """Return the ids of the accounts a list page shows, in order."""
    listed = html.split('id="follow-list"', 1)[1].split("</ul>", 1)[0]
    return [int(found) for found in re.findall(r'class="account-row" href="/accounts/(\d+)"', listed)]


def api_ids(path: str, headers: dict[str, str] | None = None) -> list[int]:
    """Return the ids of the accounts the client API lists at `path`, every page of 80 followed."""
    ids: list[int] = []
    url: str | None = f"{path}?limit=80"
    while url is not None:
        response = Client().get(url, headers=headers or {})
        assert response.status_code == 200
        ids += [int(account["id"]) for account in response.json()]
        more = re.search(r'<http://testserver([^>]+)>; rel="next"', response.get("Link", ""))
        url = more.group(1) if more and response.json() else None
    return ids


def walk_list(client: Client, url: str) -> list[list[int]]:
    """Follow a list's "Load more" link to the end; return the accounts of each page."""
    pages: list[list[int]] = []
    next_url: str | None = url
    while next_url is not None:
        assert len(pages) < 5, "the pages never end"
        html = client.get(next_url).content.decode()
        pages.append(listed_ids(html))
        more = re.search(r'id="follow-list-more"><a class="button secondary" href="\?max_id=(\d+)"', html)
        next_url = f"{url}?max_id={more.group(1)}" if more else None
    return pages


def network_of(alice: Actor) -> tuple[list[Actor], list[Actor]]:
    """Give alice followers and followed accounts of every kind the lists tell apart; return those listed."""
    fans = [LocalActorFactory.create(), RemoteActorFactory.create(), LocalActorFactory.create()]
    for fan in fans:
        FollowFactory.create(follower=fan, target=alice)
    followed = [RemoteActorFactory.create(), LocalActorFactory.create()]
    for target in followed:
        FollowFactory.create(follower=alice, target=target)
    gone = LocalActorFactory.create(user__is_active=False)
    FollowFactory.create(follower=gone, target=alice)
    FollowFactory.create(follower=alice, target=gone)
    FollowFactory.create(follower=LocalActorFactory.create(), target=alice, state=Follow.State.PENDING)
    FollowFactory.create(follower=alice, target=RemoteActorFactory.create(), state=Follow.State.PENDING)
    return fans, followed


@pytest.mark.parametrize("listing", LISTS)
def test_the_lists_show_what_the_client_api_lists_newest_follow_first(
    client: Client, alice_client: Client, alice: Actor, bob: Actor, listing: str
) -> None:
    fans, followed = network_of(alice)
    expected = [actor.pk for actor in reversed(fans if listing == "followers" else followed)]
    path = f"/accounts/{alice.pk}/{listing}"
    assert api_ids(f"/api/v1{path}") == expected
    assert listed_ids(client.get(path).content.decode()) == expected
    page = alice_client.get(path).content.decode()
    assert listed_ids(page) == expected
    assert "Load more" not in page
    assert f'href="/accounts/{alice.pk}/{listing}" aria-current="page"' in page


@pytest.mark.parametrize("listing", LISTS)
def test_the_lists_page_by_follow_to_the_end(alice_client: Client, bob: Actor, listing: str) -> None:
    others = [LocalActorFactory.create() for _ in range(PAGE_SIZE + 5)]
    for other in others:
        if listing == "followers":
            FollowFactory.create(follower=other, target=bob)
        else:
            FollowFactory.create(follower=bob, target=other)
    newest_first = [other.pk for other in reversed(others)]
    path = f"/accounts/{bob.pk}/{listing}"
    assert walk_list(alice_client, path) == [newest_first[:PAGE_SIZE], newest_first[PAGE_SIZE:]]
    page = alice_client.get(path).content.decode()
    assert 'hx-select="#follow-list > li" hx-target="#follow-list" hx-swap="beforeend"' in page
    # Anything but a number shows the first page.
    assert listed_ids(alice_client.get(f"{path}?max_id=1e3").content.decode()) == newest_first[:PAGE_SIZE]


def test_exactly_one_page_offers_no_empty_next_page(alice_client: Client, bob: Actor) -> None:
    for _ in range(PAGE_SIZE):
        FollowFactory.create(follower=LocalActorFactory.create(), target=bob)
    assert [len(page) for page in walk_list(alice_client, f"/accounts/{bob.pk}/followers")] == [PAGE_SIZE]


@pytest.mark.parametrize("listing", LISTS)
def test_the_lists_of_an_unknown_or_inactive_account_are_not_found_as_in_the_api(
    alice_client: Client, listing: str
) -> None:
    gone = LocalActorFactory.create(user__is_active=False)
    for account_id in (987654, gone.pk):
        assert alice_client.get(f"/accounts/{account_id}/{listing}").status_code == 404
        assert Client().get(f"/api/v1/accounts/{account_id}/{listing}").status_code == 404


@pytest.mark.parametrize("listing", LISTS)
def test_an_account_that_blocks_the_viewer_lists_nobody_to_it_on_the_page_and_in_the_api(
    alice_client: Client, alice: Actor, bob: Actor, listing: str
) -> None:
    """As Mastodon's: the lists of an account that blocks the viewer are empty for that viewer only."""
    fans, followed = network_of(bob)
    Block.objects.create(account=bob, target=alice)
    path = f"/accounts/{bob.pk}/{listing}"
    assert api_ids(f"/api/v1{path}", bearer_for(alice, "read")) == []
    assert listed_ids(alice_client.get(path).content.decode()) == []
    everyone = [actor.pk for actor in reversed(fans if listing == "followers" else followed)]
    assert api_ids(f"/api/v1{path}") == everyone
    assert listed_ids(Client().get(path).content.decode()) == everyone


def test_the_lists_leave_out_whom_the_viewer_blocks_is_blocked_by_or_mutes_but_not_on_its_own(
    alice_client: Client, alice: Actor, bob: Actor
) -> None:
    fans, _followed = network_of(bob)
    blocked, blocking, muted = fans
    kept = LocalActorFactory.create()
    FollowFactory.create(follower=kept, target=bob)
    Block.objects.create(account=alice, target=blocked)
    Block.objects.create(account=blocking, target=alice)
    Mute.objects.create(account=alice, target=muted)
    path = f"/accounts/{bob.pk}/followers"
    assert api_ids(f"/api/v1{path}", bearer_for(alice, "read")) == [kept.pk]
    assert listed_ids(alice_client.get(path).content.decode()) == [kept.pk]
    # Alice's own followers are listed whole to her, whomever she blocks or mutes.
    for fan in fans:
        FollowFactory.create(follower=fan, target=alice)
    own = f"/accounts/{alice.pk}/followers"
    assert listed_ids(alice_client.get(own).content.decode()) == [fan.pk for fan in reversed(fans)]


def test_a_remote_accounts_lists_show_the_follows_known_here(client: Client, alice: Actor, bob: Actor) -> None:
    remote = RemoteActorFactory.create()
    FollowFactory.create(follower=alice, target=remote)
    FollowFactory.create(follower=remote, target=bob)
    followers = client.get(f"/accounts/{remote.pk}/followers").content.decode()
    assert listed_ids(followers) == [alice.pk]
    assert "This server knows only the follows between this account and this server\u2019s members." in followers
    assert listed_ids(client.get(f"/accounts/{remote.pk}/following").content.decode()) == [bob.pk]


def test_empty_lists_say_so(client: Client, bob: Actor) -> None:
    assert "Nobody follows @bob yet." in client.get(f"/accounts/{bob.pk}/followers").content.decode()
    assert "@bob follows nobody yet." in client.get(f"/accounts/{bob.pk}/following").content.decode()


def test_the_lists_show_names_with_their_emoji_in_a_fixed_number_of_queries(alice_client: Client, bob: Actor) -> None:
    make_custom_emoji("blobcat", domain="cats.example")
    path = f"/accounts/{bob.pk}/followers"
    (first,) = cats(1)
    FollowFactory.create(follower=first, target=bob)
    alone = queries_to_show(alice_client, path)
    for other in cats(3, start=1):
        FollowFactory.create(follower=other, target=bob)
    page = alice_client.get(path).content.decode()
    assert page.count('alt=":blobcat:"') == 4
    assert '<strong class="name">Cat 3 <img class="custom-emoji"' in page
    assert queries_to_show(alice_client, path) == alone
