"""The social pages: timelines, threads, notifications, search, follows, favourites, boosts, replies and polls."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from pytest_django import DjangoAssertNumQueries

from federation.models import Actor, Delivery
from frontend.views.social import PAGE_SIZE
from members.models import MembershipStatus
from tests.factories.federation import LocalActorFactory, RemoteActorFactory
from tests.factories.timeline import MentionFactory, NotificationFactory, StatusFactory, make_custom_emoji
from tests.frontend.views.test_tools import page_status_ids, walk_pages
from tests.timeline.api.test_notifications import notifications_about_posts
from timeline.models import (
    Block,
    Favourite,
    Follow,
    List,
    ListAccount,
    Marker,
    Mute,
    Notification,
    Poll,
    Status,
    Tag,
    TimelineEntry,
    Visibility,
)

pytestmark = pytest.mark.django_db


def test_local_timeline_shows_members_public_posts_only(client: Client, alice: Actor) -> None:
    StatusFactory.create(account=alice, text="hello co-op", content="<p>hello co-op</p>")
    StatusFactory.create(account=alice, text="just followers", content="<p>just followers</p>", visibility="private")
    remote = RemoteActorFactory.create()
    StatusFactory.create(account=remote, local=False, text="from afar", content="<p>from afar</p>")
    local = client.get("/timelines/local").content.decode()
    assert "hello co-op" in local
    assert "just followers" not in local
    assert "from afar" not in local
    assert "from afar" in client.get("/timelines/federated").content.decode()


def test_hashtag_page_lists_tagged_public_posts(client: Client, alice: Actor) -> None:
    tagged = StatusFactory.create(account=alice, text="#coops rock", content="<p>#coops rock</p>")
    tagged.tags.add(Tag.objects.create(name="coops"))
    StatusFactory.create(account=alice, text="untagged", content="<p>untagged</p>")
    page = client.get("/tags/coops").content.decode()
    assert '<a href="/tags/coops" class="hashtag" rel="tag">#coops</a> rock' in page
    assert "untagged" not in page


def test_thread_shows_parent_and_replies_but_hides_what_the_viewer_may_not_see(
    client: Client, alice: Actor, bob: Actor
) -> None:
    parent = StatusFactory.create(account=alice, text="the question", content="<p>the question</p>")
    reply = StatusFactory.create(account=bob, in_reply_to=parent, text="an answer", content="<p>an answer</p>")
    StatusFactory.create(
        account=bob, in_reply_to=parent, text="a secret", content="<p>a secret</p>", visibility=Visibility.DIRECT
    )
    page = client.get(f"/statuses/{reply.pk}").content.decode()
    assert "the question" in page
    assert "an answer" in page
    assert "a secret" not in client.get(f"/statuses/{parent.pk}").content.decode()
    private = StatusFactory.create(account=alice, visibility=Visibility.PRIVATE)
    assert client.get(f"/statuses/{private.pk}").status_code == 404


def test_follow_and_unfollow_from_a_profile(alice_client: Client, alice: Actor, bob: Actor) -> None:
    response = alice_client.post(f"/accounts/{bob.pk}/follow")
    assert response.status_code == 302
    assert Follow.objects.filter(follower=alice, target=bob).exists()
    assert "Unfollow" in alice_client.get(f"/accounts/{bob.pk}").content.decode()
    alice_client.post(f"/accounts/{bob.pk}/unfollow")
    assert not Follow.objects.filter(follower=alice, target=bob).exists()


def test_following_yourself_is_refused_and_changes_nothing(alice_client: Client, alice: Actor) -> None:
    response = alice_client.post(f"/accounts/{alice.pk}/follow", follow=True)
    assert "You can&#x27;t follow yourself." in response.content.decode()
    assert not Follow.objects.filter(follower=alice).exists()


def test_following_a_remote_account_sends_a_follow(alice_client: Client, alice: Actor) -> None:
    remote = RemoteActorFactory.create()
    page = alice_client.get(f"/accounts/{remote.pk}").content.decode()
    assert "See the original profile" in page
    alice_client.post(f"/accounts/{remote.pk}/follow")
    follow = Follow.objects.get(follower=alice, target=remote)
    assert follow.state == Follow.State.PENDING
    assert Delivery.objects.filter(inbox=remote.shared_inbox_uri).exists()


def test_anonymous_visitors_cannot_follow(client: Client, bob: Actor) -> None:
    response = client.post(f"/accounts/{bob.pk}/follow")
    assert response.status_code == 302
    assert response["Location"].startswith("/login")
    assert not Follow.objects.exists()


def test_favourite_and_boost_buttons_go_through_the_actions(alice_client: Client, alice: Actor, bob: Actor) -> None:
    status = StatusFactory.create(account=bob, text="boost me", content="<p>boost me</p>")
    alice_client.post(f"/statuses/{status.pk}/favourite", {"next": "/timelines/local"})
    assert Favourite.objects.filter(account=alice, status=status).exists()
    assert Notification.objects.filter(recipient=bob, type="favourite").exists()
    alice_client.post(f"/statuses/{status.pk}/boost")
    assert Status.objects.filter(account=alice, reblog_of=status).exists()
    page = alice_client.get("/timelines/local").content.decode()
    assert "Favourited" in page
    alice_client.post(f"/statuses/{status.pk}/unfavourite")
    alice_client.post(f"/statuses/{status.pk}/unboost")
    assert not Favourite.objects.filter(account=alice).exists()
    assert not Status.objects.filter(account=alice, reblog_of=status).exists()


def test_boosting_a_followers_only_post_is_refused(alice_client: Client, alice: Actor, bob: Actor) -> None:
    Follow.objects.create(follower=alice, target=bob, state=Follow.State.ACCEPTED)
    status = StatusFactory.create(account=bob, visibility=Visibility.PRIVATE)
    alice_client.post(f"/statuses/{status.pk}/boost")
    assert not Status.objects.filter(account=alice, reblog_of=status).exists()


def test_interacting_with_an_invisible_status_is_404(alice_client: Client, bob: Actor) -> None:
    status = StatusFactory.create(account=bob, visibility=Visibility.DIRECT)
    assert alice_client.post(f"/statuses/{status.pk}/favourite").status_code == 404
    assert not Favourite.objects.exists()


def test_replying_and_posting_a_poll_from_home(alice_client: Client, alice: Actor, bob: Actor) -> None:
    parent = StatusFactory.create(account=bob, text="lunch?", content="<p>lunch?</p>")
    form = alice_client.get(f"/home?in_reply_to={parent.pk}").content.decode()
    assert "Reply to @bob" in form
    alice_client.post(
        "/home",
        {
            "in_reply_to": parent.pk,
            "text": "@bob which?",
            "visibility": "public",
            "poll_option_1": "soup",
            "poll_option_2": "salad",
            "poll_expires_in": 3600,
        },
    )
    reply = Status.objects.get(account=alice)
    assert reply.in_reply_to_id == parent.pk
    poll = Poll.objects.get(status=reply)
    assert poll.options == ["soup", "salad"]


def test_a_reply_to_a_limited_status_starts_followers_only_and_limited_is_never_offered(
    alice_client: Client, alice: Actor
) -> None:
    parent = StatusFactory.create(account=RemoteActorFactory.create(), local=False, visibility=Visibility.LIMITED)
    MentionFactory.create(status=parent, account=alice, silent=True)
    response = alice_client.get(f"/home?in_reply_to={parent.pk}")
    form = response.context["form"]
    assert form.initial["visibility"] == Visibility.PRIVATE
    assert Visibility.LIMITED not in [value for value, _ in form.fields["visibility"].choices]
    refused = alice_client.post("/home", {"text": "sneaky", "visibility": "limited"})
    assert refused.status_code == 400
    assert not Status.objects.filter(account=alice).exists()


def test_a_poll_with_one_choice_is_refused_and_nothing_is_posted(alice_client: Client, alice: Actor) -> None:
    response = alice_client.post("/home", {"text": "vote!", "visibility": "public", "poll_option_1": "only"})
    assert response.status_code == 400
    assert "at least two choices" in response.content.decode()
    assert not Status.objects.filter(account=alice).exists()


def test_notifications_page_lists_and_marks_read(alice_client: Client, alice: Actor, bob: Actor) -> None:
    NotificationFactory.create(recipient=alice, from_account=bob, type="follow")
    shown = NotificationFactory.create(recipient=alice, type="follow")
    page = alice_client.get("/notifications").content.decode()
    assert "followed you" in page
    assert not Notification.objects.filter(recipient=alice, read=False).exists()
    marker = Marker.objects.get(account=alice, timeline=Marker.Timeline.NOTIFICATIONS)
    assert marker.last_read_id == str(shown.pk)


def test_notifications_page_never_moves_the_marker_back(alice_client: Client, alice: Actor, bob: Actor) -> None:
    NotificationFactory.create(recipient=alice, from_account=bob, type="follow")
    Marker.objects.create(account=alice, timeline=Marker.Timeline.NOTIFICATIONS, last_read_id="99999999999999999")
    alice_client.get("/notifications")
    assert Marker.objects.get(account=alice).last_read_id == "99999999999999999"
    assert not Notification.objects.filter(recipient=alice, read=False).exists()


def test_empty_notifications_page_writes_nothing(alice_client: Client, alice: Actor) -> None:
    assert alice_client.get("/notifications").status_code == 200
    assert not Marker.objects.exists()


def test_older_notifications_load_page_by_page_and_only_the_newest_page_reads_them(
    alice_client: Client, alice: Actor
) -> None:
    # Each from its own account: a follow is notified once per follower.
    made = [NotificationFactory.create(recipient=alice, type="follow") for _ in range(PAGE_SIZE + 3)]
    older = made[:3]
    first = alice_client.get("/notifications").content.decode()
    assert first.count('class="notification ') == PAGE_SIZE
    assert f'href="?max_id={made[3].pk}"' in first
    marker = Marker.objects.get(account=alice, timeline=Marker.Timeline.NOTIFICATIONS)
    Notification.objects.filter(pk__in=[item.pk for item in older]).update(read=False)
    second = alice_client.get("/notifications", {"max_id": str(made[3].pk)}).content.decode()
    assert [f'id="notification-{item.pk}"' in second for item in older] == [True, True, True]
    assert second.count('class="notification ') == 3
    assert 'href="?max_id=' not in second
    # An older page moves no marker and reads nothing: the newest page is what the member has seen.
    assert Marker.objects.get(account=alice, timeline=Marker.Timeline.NOTIFICATIONS).last_read_id == marker.last_read_id
    assert Notification.objects.filter(recipient=alice, read=False).count() == 3
    # Anything but a number shows the newest page, as on the timelines.
    assert (
        alice_client.get("/notifications", {"max_id": "x"}).content.decode().count('class="notification ') == PAGE_SIZE
    )


def queries_to_show(client: Client, path: str, params: dict[str, str] | None = None) -> int:
    """Return how many queries showing the page takes."""
    with CaptureQueriesContext(connection) as queries:
        assert client.get(path, params or {}).status_code == 200
    return len(queries)


def cats(count: int, start: int = 0) -> list[Actor]:
    """Return remote accounts whose names carry their server's :blobcat: emoji."""
    return [
        RemoteActorFactory.create(username=f"cat{index}", domain="cats.example", display_name=f"Cat {index} :blobcat:")
        for index in range(start, start + count)
    ]


def test_notifications_show_names_and_posts_with_their_emoji_and_how_long_ago(
    alice_client: Client, alice: Actor
) -> None:
    make_custom_emoji("blobcat", domain="cats.example")
    make_custom_emoji("teapot")
    first, *others = cats(4)
    post = StatusFactory.create(account=alice, text="Tea time :teapot:")
    NotificationFactory.create(recipient=alice, from_account=first, type="favourite", status=post)
    # A remote post has no source text: its excerpt comes from its HTML.
    mention = StatusFactory.create(account=first, text="", content="<p>Hello :blobcat:</p><p>again &amp; again</p>")
    NotificationFactory.create(recipient=alice, from_account=first, type="mention", status=mention)
    alone = queries_to_show(alice_client, "/notifications")
    page = alice_client.get("/notifications").content.decode()
    assert 'Cat 0 <img class="custom-emoji"' in page
    assert 'alt=":blobcat:"' in page
    assert f'href="/statuses/{post.pk}">Tea time <img class="custom-emoji"' in page
    assert 'alt=":teapot:"' in page
    assert "Hello <img" in page
    assert "again &amp; again" in page
    assert re.search(r'<time datetime="[^"]+" title="[^"]+">just now</time>', page)
    assert "favourited your post" in page
    for other in others:
        NotificationFactory.create(recipient=alice, from_account=other, type="reblog", status=post)
        NotificationFactory.create(recipient=alice, from_account=other, type="follow")
    # The first showing creates the marker; later ones move it.
    assert queries_to_show(alice_client, "/notifications") <= alone
    assert alice_client.get("/notifications").content.decode().count('alt=":blobcat:"') == 3 + 2 * len(others)


def test_a_page_of_notifications_costs_no_more_queries_for_more_posts(
    alice_client: Client, alice: Actor, django_assert_max_num_queries: DjangoAssertNumQueries
) -> None:
    made = notifications_about_posts(alice, range(1))
    # The first showing creates the marker; both showings measured move it.
    alice_client.get("/notifications")
    made |= notifications_about_posts(alice, range(1, 2))
    two = queries_to_show(alice_client, "/notifications")
    made |= notifications_about_posts(alice, range(2, 10))
    with django_assert_max_num_queries(two):
        page = alice_client.get("/notifications").content.decode()
    # A post the member may not see is neither quoted nor linked, as before.
    assert {item.pk: f'href="/statuses/{item.status_id}"' in page for item in made} == {
        item.pk: visible for item, visible in made.items()
    }


def test_notifications_from_an_account_muted_with_them_are_not_shown(
    alice_client: Client, alice: Actor, bob: Actor
) -> None:
    carol = RemoteActorFactory.create(username="carol")
    NotificationFactory.create(recipient=alice, from_account=bob, type="follow")
    NotificationFactory.create(recipient=alice, from_account=carol, type="follow")
    Mute.objects.create(account=alice, target=bob, hide_notifications=True)
    Mute.objects.create(account=alice, target=carol, hide_notifications=False)
    page = alice_client.get("/notifications").content.decode()
    assert "@bob" not in page
    assert f"@{carol.acct}" in page


def test_search_and_follow_requests_show_names_with_their_emoji_in_one_query(
    alice_client: Client, alice: Actor
) -> None:
    make_custom_emoji("blobcat", domain="cats.example")
    (first,) = cats(1)
    Follow.objects.create(follower=first, target=alice, state=Follow.State.PENDING)
    alone = {path: queries_to_show(alice_client, path, {"q": "cat"}) for path in ("/search", "/follow_requests")}
    for other in cats(3, start=1):
        Follow.objects.create(follower=other, target=alice, state=Follow.State.PENDING)
    for path in ("/search", "/follow_requests"):
        page = alice_client.get(path, {"q": "cat"}).content.decode()
        assert page.count('alt=":blobcat:"') == 4
        assert '<strong class="name">Cat 3 <img class="custom-emoji"' in page
        assert queries_to_show(alice_client, path, {"q": "cat"}) == alone[path]


def test_search_finds_people_and_hashtags(alice_client: Client, alice: Actor, bob: Actor) -> None:
    Tag.objects.create(name="bobcats")
    page = alice_client.get("/search", {"q": "bob"}).content.decode()
    assert "@bob" in page
    assert "#bobcats" in page


def test_search_resolves_a_remote_handle_for_members_only(
    alice_client: Client, client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked: list[str] = []

    def resolve(handle: str) -> Actor:
        asked.append(handle)
        return RemoteActorFactory.create(username="carol", domain="social.example")

    monkeypatch.setattr("members.api.accounts.resolve_account", resolve)
    assert "Nobody found." in client.get("/search", {"q": "carol@social.example"}).content.decode()
    assert asked == []
    page = alice_client.get("/search", {"q": "carol@social.example"}).content.decode()
    assert asked == ["carol@social.example"]
    assert "@carol@social.example" in page


def test_a_member_blocks_and_unblocks_an_account_from_its_page(alice_client: Client, alice: Actor, bob: Actor) -> None:
    Follow.objects.create(follower=alice, target=bob, state=Follow.State.ACCEPTED)
    page = alice_client.get(f"/accounts/{bob.pk}").content.decode()
    assert "Block @bob" in page
    response = alice_client.post(f"/accounts/{bob.pk}/block", {"next": f"/accounts/{bob.pk}"})
    assert response["Location"] == f"/accounts/{bob.pk}"
    assert Block.objects.filter(account=alice, target=bob).exists()
    assert not Follow.objects.filter(follower=alice, target=bob).exists()
    assert "Unblock @bob" in alice_client.get(f"/accounts/{bob.pk}").content.decode()
    alice_client.post(f"/accounts/{bob.pk}/block", {"do": "unblock"})
    assert not Block.objects.exists()


def test_blocking_oneself_is_refused_and_stores_nothing(alice_client: Client, alice: Actor) -> None:
    response = alice_client.post(f"/accounts/{alice.pk}/block", follow=True)
    assert "You can&#x27;t block yourself." in response.content.decode()
    assert not Block.objects.exists()


def test_blocking_an_unknown_account_is_not_found(alice_client: Client) -> None:
    assert alice_client.post("/accounts/987654/block").status_code == 404
    assert not Block.objects.exists()


def test_a_member_mutes_from_a_profile_and_returns_to_it(alice_client: Client, alice: Actor, bob: Actor) -> None:
    response = alice_client.post("/mutes", {"account_id": bob.pk, "next": "/@bob"})
    assert response["Location"] == "/@bob"
    assert Mute.objects.filter(account=alice, target=bob).exists()
    assert "Unmute @bob" in alice_client.get("/@bob").content.decode()


def test_a_locked_member_approves_and_rejects_follow_requests(alice_client: Client, alice: Actor, bob: Actor) -> None:
    carol = RemoteActorFactory.create()
    Follow.objects.create(follower=bob, target=alice, state=Follow.State.PENDING)
    Follow.objects.create(follower=carol, target=alice, state=Follow.State.PENDING)
    assert "2 people ask to follow you" in alice_client.get("/notifications").content.decode()
    page = alice_client.get("/follow_requests").content.decode()
    assert "Approve @bob" in page
    assert f"Reject @{carol.acct}" in page
    assert alice_client.post(f"/follow_requests/{bob.pk}/authorize")["Location"] == "/follow_requests"
    assert Follow.objects.get(follower=bob, target=alice).state == Follow.State.ACCEPTED
    alice_client.post(f"/follow_requests/{carol.pk}/reject")
    assert not Follow.objects.filter(follower=carol).exists()
    assert "No one is waiting for an answer." in alice_client.get("/follow_requests").content.decode()


def test_answering_a_request_nobody_made_is_refused_and_changes_nothing(
    alice_client: Client, alice: Actor, bob: Actor
) -> None:
    Follow.objects.create(follower=bob, target=alice, state=Follow.State.PENDING)
    carol = RemoteActorFactory.create()
    response = alice_client.post(f"/follow_requests/{carol.pk}/authorize", follow=True)
    assert "There is no pending follow request from this account." in response.content.decode()
    response = alice_client.post(f"/follow_requests/{bob.pk}/shrug", follow=True)
    assert "Unknown action." in response.content.decode()
    assert not Follow.objects.filter(follower=carol).exists()
    assert Follow.objects.get(follower=bob, target=alice).state == Follow.State.PENDING


def test_an_applicant_sees_why_they_cannot_post_instead_of_a_form(client: Client) -> None:
    applicant = LocalActorFactory.create(user__username="olga", username="olga", membership=MembershipStatus.APPLICANT)
    assert applicant.user is not None
    client.force_login(applicant.user)
    page = client.get("/home").content.decode()
    assert "applicants may read but not post" in page
    assert 'href="/coop/membership"' in page
    assert "What&#x27;s on your mind?" not in page


def test_load_more_pages_through_older_posts(client: Client, alice: Actor) -> None:
    oldest = StatusFactory.create(account=alice, text="the oldest", content="<p>the oldest</p>")
    for _ in range(40):
        StatusFactory.create(account=alice)
    page = client.get("/timelines/local").content.decode()
    assert "the oldest" not in page
    match = re.search(r'href="\?max_id=(\d+)"', page)
    assert match is not None
    older = client.get(f"/timelines/local?max_id={match.group(1)}").content.decode()
    assert "the oldest" in older
    assert "Load more" not in older
    assert oldest.pk < int(match.group(1))


def test_a_profile_pages_to_its_oldest_post(alice_client: Client, bob: Actor) -> None:
    statuses = StatusFactory.create_batch(PAGE_SIZE + 5, account=bob)
    pages = walk_pages(alice_client, f"/accounts/{bob.pk}")
    newest_first = [status.pk for status in reversed(statuses)]
    assert pages == [newest_first[:PAGE_SIZE], newest_first[PAGE_SIZE:]]
    assert (
        page_status_ids(alice_client.get(f"/accounts/{bob.pk}?max_id=1e3").content.decode()) == newest_first[:PAGE_SIZE]
    )


def test_a_profile_follows_in_place_and_without_javascript(alice_client: Client, alice: Actor, bob: Actor) -> None:
    page = alice_client.get(f"/accounts/{bob.pk}").content.decode()
    assert 'hx-target="#account-actions" hx-select="#account-actions"' in page
    assert f'href="/accounts/{bob.pk}/block?next=/accounts/{bob.pk}"' in page
    assert f'href="/accounts/{bob.pk}/mute?next=/accounts/{bob.pk}"' in page
    response = alice_client.post(f"/accounts/{bob.pk}/follow", {"next": f"/accounts/{bob.pk}"}, follow=True)
    assert 'id="account-actions"' in response.content.decode()
    assert "You follow bob." in response.content.decode()


def test_blocking_asks_first_and_changes_nothing_until_confirmed(
    alice_client: Client, alice: Actor, bob: Actor
) -> None:
    Follow.objects.create(follower=alice, target=bob, state=Follow.State.ACCEPTED)
    page = alice_client.get(f"/accounts/{bob.pk}/block?next=https://elsewhere.example/").content.decode()
    assert "<h1>Block @bob?</h1>" in page
    assert "They will not be able to follow you or see your posts" in page
    assert 'id="account-actions"' in page
    # A `next` on another site falls back to the profile.
    assert f'name="next" value="/accounts/{bob.pk}"' in page
    # Asked in place on the profile, the question sits under the profile's own heading.
    in_place = alice_client.get(f"/accounts/{bob.pk}/block", headers={"HX-Request": "true"}).content.decode()
    assert "<h2>Block @bob?</h2>" in in_place
    assert "<h1>Block @bob?</h1>" not in in_place
    assert not Block.objects.exists()
    assert Follow.objects.filter(follower=alice, target=bob).exists()


def test_asking_to_block_oneself_is_refused(alice_client: Client, alice: Actor) -> None:
    response = alice_client.get(f"/accounts/{alice.pk}/block", follow=True)
    assert response.redirect_chain[-1][0] == f"/accounts/{alice.pk}"
    assert "You can&#x27;t block yourself." in response.content.decode()
    assert not Block.objects.exists()


def test_a_hashtag_page_tells_of_new_posts(client: Client) -> None:
    page = client.get("/tags/coops").content.decode()
    assert 'data-stream="/api/v1/streaming/hashtag?tag=coops"' in page


def test_a_notification_about_a_post_the_member_may_not_see_quotes_nothing_of_it(
    alice_client: Client, alice: Actor, bob: Actor
) -> None:
    """As the client API gives such a notification no status, the page shows who and what, not the post."""
    hidden = StatusFactory.create(account=bob, text="Only for my followers", visibility=Visibility.PRIVATE)
    NotificationFactory.create(recipient=alice, from_account=bob, type="favourite", status=hidden)
    page = alice_client.get("/notifications").content.decode()
    assert "favourited your post" in page
    assert "Only for my followers" not in page
    assert f"/statuses/{hidden.pk}" not in page


def _hide_fillers(client: Client) -> None:
    """Make, through the filters page, a filter hiding posts that say "Filler" everywhere."""
    contexts = ["home", "notifications", "public", "thread", "account"]
    client.post("/filters", {"title": "Fillers", "keywords": "Filler", "context": contexts, "filter_action": "hide"})


def _posts_with_fillers(author: Actor, pattern: str) -> list[Status]:
    """Post, oldest first, a filler for each `h` and a kept post for each `k` of `pattern`; return them newest first."""
    made = [
        StatusFactory.create(account=author, text="Filler" if mark == "h" else f"kept {n}")
        for n, mark in enumerate(pattern)
    ]
    return list(reversed(made))


def _timeline_urls(alice: Actor, bob: Actor, statuses: list[Status]) -> list[str]:
    """Return every web timeline the statuses appear on for alice, which follows bob and lists him."""
    Follow.objects.create(follower=alice, target=bob, state=Follow.State.ACCEPTED)
    TimelineEntry.objects.bulk_create(TimelineEntry(owner=alice, status=status) for status in statuses)
    the_list = List.objects.create(account=alice, title="Bob")
    ListAccount.objects.create(list=the_list, account=bob)
    Tag.objects.create(name="daily").statuses.add(*statuses)
    return [
        "/home",
        "/timelines/local",
        "/timelines/federated",
        "/tags/daily",
        f"/accounts/{bob.pk}",
        "/@bob",
        f"/lists/{the_list.pk}",
    ]


def test_a_hide_filter_leaves_a_page_of_the_posts_it_does_not_hide(
    alice_client: Client, alice: Actor, bob: Actor
) -> None:
    """40 fillers on top of 5 kept posts: the page reads past them and shows the 5, with nothing more to load."""
    newest_first = _posts_with_fillers(bob, "k" * 5 + "h" * 40)
    _hide_fillers(alice_client)
    kept = [status.pk for status in newest_first if status.text != "Filler"]
    for url in _timeline_urls(alice, bob, newest_first):
        assert walk_pages(alice_client, url) == [kept], url


def test_load_more_after_hidden_posts_goes_on_from_the_last_post_read(
    alice_client: Client, alice: Actor, bob: Actor
) -> None:
    """45 kept posts among 40 fillers: a full page of 40, then the last 5, none repeated or skipped."""
    newest_first = _posts_with_fillers(bob, "kh" * 40 + "k" * 5)
    _hide_fillers(alice_client)
    kept = [status.pk for status in newest_first if status.text != "Filler"]
    for url in _timeline_urls(alice, bob, newest_first):
        assert walk_pages(alice_client, url) == [kept[:PAGE_SIZE], kept[PAGE_SIZE:]], url
        assert "Your filters hid" not in alice_client.get(url).content.decode()


def test_a_page_stops_reading_hidden_posts_at_its_bound_and_offers_the_rest(
    alice_client: Client, bob: Actor, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("frontend.views.social.PAGE_SIZE", 4)
    monkeypatch.setattr("frontend.views.social.MAX_ROWS_READ", 8)
    newest_first = _posts_with_fillers(bob, "kk" + "h" * 10 + "k")
    _hide_fillers(alice_client)
    first, second, third = (status.pk for status in newest_first if status.text != "Filler")
    assert walk_pages(alice_client, "/timelines/local") == [[first], [second, third]]
    assert "Your filters hid the other posts read so far." in alice_client.get("/timelines/local").content.decode()


def test_without_hide_filters_a_timeline_reads_one_page(alice_client: Client, bob: Actor) -> None:
    """A warning filter hides nothing, so it costs no further reads: the page is the newest 40 posts, filler or not."""
    newest_first = _posts_with_fillers(bob, "k" * 5 + "h" * 40)
    alice_client.post("/filters", {"title": "Fillers", "keywords": "Filler", "context": ["public"]})
    pages = walk_pages(alice_client, "/timelines/local")
    assert pages == [[s.pk for s in newest_first[:PAGE_SIZE]], [s.pk for s in newest_first[PAGE_SIZE:]]]


def test_a_profile_counts_posts_and_follows_as_the_client_api_does(alice_client: Client, alice: Actor) -> None:
    carol = LocalActorFactory.create()
    StatusFactory.create_batch(2, account=carol)
    StatusFactory.create(account=carol, visibility=Visibility.PRIVATE)
    for _ in range(3):
        Follow.objects.create(follower=LocalActorFactory.create(), target=carol, state=Follow.State.ACCEPTED)
    Follow.objects.create(follower=alice, target=carol, state=Follow.State.PENDING)
    Follow.objects.create(follower=carol, target=RemoteActorFactory.create(), state=Follow.State.ACCEPTED)
    entity = Client().get(f"/api/v1/accounts/{carol.pk}").json()
    assert (entity["statuses_count"], entity["following_count"], entity["followers_count"]) == (3, 1, 3)
    page = alice_client.get(f"/accounts/{carol.pk}").content.decode()
    assert f'href="/@{carol.username}" aria-current="page"><strong>3</strong> posts</a>' in page
    assert f'href="/accounts/{carol.pk}/following"><strong>1</strong> following</a>' in page
    assert f'href="/accounts/{carol.pk}/followers"><strong>3</strong> followers</a>' in page


def test_follows_you_shows_only_when_the_account_follows_the_viewer(
    alice_client: Client, alice: Actor, bob: Actor
) -> None:
    Follow.objects.create(follower=bob, target=alice, state=Follow.State.PENDING)
    assert "Follows you" not in alice_client.get(f"/accounts/{bob.pk}").content.decode()
    Follow.objects.filter(follower=bob).update(state=Follow.State.ACCEPTED)
    assert '<span class="badge">Follows you</span>' in alice_client.get(f"/accounts/{bob.pk}").content.decode()
    # Nobody else sees it: not a visitor, nor the follower on the page of the account it follows.
    assert "Follows you" not in Client().get(f"/accounts/{bob.pk}").content.decode()
    bob_client = Client()
    assert bob.user is not None
    bob_client.force_login(bob.user)
    assert "Follows you" not in bob_client.get(f"/accounts/{alice.pk}").content.decode()


def test_a_locked_account_says_it_approves_followers_by_hand(alice_client: Client, bob: Actor) -> None:
    assert "Approves followers by hand" not in alice_client.get(f"/accounts/{bob.pk}").content.decode()
    Actor.objects.filter(pk=bob.pk).update(locked=True)
    page = alice_client.get(f"/accounts/{bob.pk}").content.decode()
    locked = r'<span class="locked"><svg [^>]*aria-hidden="true"[^>]*>.*</svg> Approves followers by hand</span>'
    assert re.search(locked, page)
    # The request a locked account waits to answer is still the one to withdraw.
    alice_client.post(f"/accounts/{bob.pk}/follow")
    assert "Withdraw follow request" in alice_client.get(f"/accounts/{bob.pk}").content.decode()
