"""The accounts resource: the Account entity, lookups, search, follows, relationships and statuses."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from federation.models import Actor, DomainPolicy
from tests.clients import bearer_for
from tests.factories.federation import LocalActorFactory, RemoteActorFactory
from tests.factories.timeline import FollowFactory, MentionFactory, RemoteMediaFactory, StatusFactory
from timeline.models import Block, Follow, Visibility

pytestmark = pytest.mark.django_db


def test_verify_credentials_returns_the_account_with_its_source(alice: Actor, bob: Actor) -> None:
    FollowFactory.create(follower=bob, target=alice, state=Follow.State.PENDING)
    body = Client().get("/api/v1/accounts/verify_credentials", headers=bearer_for(alice, "read write follow")).json()
    assert body["id"] == str(alice.pk)
    assert body["acct"] == "alice"
    assert body["source"]["follow_requests_count"] == 1
    assert body["source"]["privacy"] == "public"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT00:00:00\.000Z", body["created_at"])
    assert body["avatar"].endswith("/static/api/missing.png")


def test_account_entity_counts_and_fields(alice: Actor, bob: Actor) -> None:
    FollowFactory.create(follower=bob, target=alice)
    StatusFactory.create(account=alice)
    alice.fields = [{"name": "Pronouns", "value": "she/her"}]
    alice.save(update_fields=["fields"])
    body = Client().get(f"/api/v1/accounts/{alice.pk}").json()
    assert body["followers_count"] == 1
    assert body["following_count"] == 0
    assert body["statuses_count"] == 1
    assert body["last_status_at"] == timezone.now().date().isoformat()
    assert body["fields"] == [{"name": "Pronouns", "value": "she/her", "verified_at": None}]
    assert body["url"] == alice.url


def test_unknown_inactive_and_suspended_accounts_are_not_found(alice: Actor) -> None:
    assert Client().get("/api/v1/accounts/999999").json() == {"error": "Record not found"}
    assert Client().get("/api/v1/accounts/abc").status_code == 404
    remote = RemoteActorFactory.create(domain="bad.example")
    DomainPolicy.objects.create(domain="bad.example", severity="suspend", authorised_by="Decision 1")
    assert Client().get(f"/api/v1/accounts/{remote.pk}").status_code == 404
    assert alice.user is not None
    alice.user.is_active = False
    alice.user.save(update_fields=["is_active"])
    assert Client().get(f"/api/v1/accounts/{alice.pk}").status_code == 404


def test_lookup_finds_local_and_remote_handles(alice: Actor, settings: Any) -> None:
    remote = RemoteActorFactory.create(username="carol", domain="mastodon.example")
    assert Client().get("/api/v1/accounts/lookup?acct=alice").json()["id"] == str(alice.pk)
    assert Client().get("/api/v1/accounts/lookup?acct=@ALICE").json()["id"] == str(alice.pk)
    own = f"alice@{settings.MUTUALS_DOMAIN}"
    assert Client().get(f"/api/v1/accounts/lookup?acct={own}").json()["id"] == str(alice.pk)
    body = Client().get("/api/v1/accounts/lookup?acct=carol@mastodon.example").json()
    assert body["id"] == str(remote.pk)
    assert body["acct"] == "carol@mastodon.example"
    assert Client().get("/api/v1/accounts/lookup?acct=nobody").status_code == 404
    missing = Client().get("/api/v1/accounts/lookup")
    assert missing.status_code == 400
    assert missing.json() == {"error": "acct is missing"}


def test_search_matches_handles_and_names(alice: Actor, bob: Actor) -> None:
    RemoteActorFactory.create(username="alicia", domain="mastodon.example")
    LocalActorFactory.create(user__username="zed", username="zed", display_name="Alice's friend")
    headers = bearer_for(bob, "read")
    found = Client().get("/api/v1/accounts/search?q=ali", headers=headers).json()
    assert [account["acct"] for account in found] == ["alice", "zed", "alicia@mastodon.example"]
    exact = Client().get("/api/v1/accounts/search?q=alicia@mastodon.example", headers=headers).json()
    assert [account["acct"] for account in exact] == ["alicia@mastodon.example"]
    limited = Client().get("/api/v1/accounts/search?q=ali&limit=1&offset=1", headers=headers).json()
    assert [account["acct"] for account in limited] == ["zed"]


def test_search_following_only_and_refusals(alice: Actor, bob: Actor) -> None:
    FollowFactory.create(follower=bob, target=alice)
    LocalActorFactory.create(user__username="alina", username="alina")
    headers = bearer_for(bob, "read")
    found = Client().get("/api/v1/accounts/search?q=al&following=true", headers=headers).json()
    assert [account["acct"] for account in found] == ["alice"]
    assert Client().get("/api/v1/accounts/search?q=al").status_code == 401
    assert Client().get("/api/v1/accounts/search?q=", headers=headers).status_code == 400


def test_relationships_report_each_state(alice: Actor, bob: Actor) -> None:
    carol = LocalActorFactory.create(user__username="carol", username="carol")
    dave = LocalActorFactory.create(user__username="dave", username="dave")
    FollowFactory.create(follower=alice, target=bob, notify=True)
    FollowFactory.create(follower=bob, target=alice)
    FollowFactory.create(follower=alice, target=carol, state=Follow.State.PENDING)
    Block.objects.create(account=dave, target=alice)
    url = f"/api/v1/accounts/relationships?id[]={bob.pk}&id[]={carol.pk}&id[]={dave.pk}&id[]=999999"
    body = Client().get(url, headers=bearer_for(alice, "read:follows")).json()
    assert [entry["id"] for entry in body] == [str(bob.pk), str(carol.pk), str(dave.pk)]
    bob_entry, carol_entry, dave_entry = body
    assert bob_entry["following"] and bob_entry["followed_by"] and bob_entry["notifying"]
    assert not bob_entry["requested"]
    assert carol_entry["requested"] and not carol_entry["following"]
    assert dave_entry["blocked_by"] and not dave_entry["blocking"]


def test_followers_and_following_page_by_follow_with_links(alice: Actor) -> None:
    fans = [LocalActorFactory.create() for _ in range(3)]
    for fan in fans:
        FollowFactory.create(follower=fan, target=alice)
    FollowFactory.create(follower=LocalActorFactory.create(), target=alice, state=Follow.State.PENDING)
    response = Client().get(f"/api/v1/accounts/{alice.pk}/followers?limit=2")
    assert [account["id"] for account in response.json()] == [str(fans[2].pk), str(fans[1].pk)]
    next_url = response["Link"].split(";")[0].strip("<>")
    assert 'rel="next"' in response["Link"].split(",")[0]
    rest = Client().get(next_url.replace("http://testserver", ""))
    assert [account["id"] for account in rest.json()] == [str(fans[0].pk)]
    following = Client().get(f"/api/v1/accounts/{fans[0].pk}/following").json()
    assert [account["id"] for account in following] == [str(alice.pk)]


def test_account_lists_use_a_fixed_number_of_queries(alice: Actor) -> None:
    def count_for(followers: int) -> int:
        for _ in range(followers):
            FollowFactory.create(follower=LocalActorFactory.create(), target=alice)
        with CaptureQueriesContext(connection) as queries:
            Client().get(f"/api/v1/accounts/{alice.pk}/followers?limit=40")
        return len(queries)

    assert count_for(2) == count_for(8)


def _ids(response: Any) -> list[str]:
    return [status["id"] for status in response.json()]


def test_account_statuses_follow_visibility(alice: Actor, bob: Actor) -> None:
    public = StatusFactory.create(account=alice, visibility=Visibility.PUBLIC)
    private = StatusFactory.create(account=alice, visibility=Visibility.PRIVATE)
    direct = StatusFactory.create(account=alice, visibility=Visibility.DIRECT)
    url = f"/api/v1/accounts/{alice.pk}/statuses"
    assert _ids(Client().get(url)) == [str(public.pk)]
    assert _ids(Client().get(url, headers=bearer_for(bob, "read write follow"))) == [str(public.pk)]
    FollowFactory.create(follower=bob, target=alice)
    assert _ids(Client().get(url, headers=bearer_for(bob, "read write follow"))) == [str(private.pk), str(public.pk)]
    MentionFactory.create(status=direct, account=bob)
    assert _ids(Client().get(url, headers=bearer_for(bob, "read write follow"))) == [
        str(direct.pk),
        str(private.pk),
        str(public.pk),
    ]
    assert len(_ids(Client().get(url, headers=bearer_for(alice, "read write follow")))) == 3


def test_account_statuses_show_a_limited_status_to_the_accounts_it_was_given_to(alice: Actor, bob: Actor) -> None:
    author = RemoteActorFactory.create()
    FollowFactory.create(follower=bob, target=author)
    limited = StatusFactory.create(account=author, local=False, visibility=Visibility.LIMITED)
    url = f"/api/v1/accounts/{author.pk}/statuses"
    assert _ids(Client().get(url, headers=bearer_for(bob, "read write follow"))) == []
    MentionFactory.create(status=limited, account=alice, silent=True)
    assert _ids(Client().get(url, headers=bearer_for(alice, "read write follow"))) == [str(limited.pk)]
    assert Client().get(url, headers=bearer_for(alice, "read write follow")).json()[0]["visibility"] == "private"
    assert _ids(Client().get(url)) == []


def test_account_statuses_filters(alice: Actor, bob: Actor) -> None:
    other = StatusFactory.create(account=bob)
    plain = StatusFactory.create(account=alice)
    reply_to_other = StatusFactory.create(account=alice, in_reply_to=other)
    thread = StatusFactory.create(account=alice, in_reply_to=plain)
    media = StatusFactory.create(account=alice)
    RemoteMediaFactory.create(account=alice, status=media)
    pinned = StatusFactory.create(account=alice, pinned_at=timezone.now())
    url = f"/api/v1/accounts/{alice.pk}/statuses"
    assert str(reply_to_other.pk) not in _ids(Client().get(url + "?exclude_replies=true"))
    assert str(thread.pk) in _ids(Client().get(url + "?exclude_replies=true"))
    assert _ids(Client().get(url + "?only_media=true")) == [str(media.pk)]
    assert _ids(Client().get(url + "?pinned=true")) == [str(pinned.pk)]
    page = Client().get(url + "?limit=2")
    assert _ids(page) == [str(pinned.pk), str(media.pk)]
    assert f"max_id={media.pk}" in page["Link"]


def test_account_statuses_use_a_fixed_number_of_queries(alice: Actor, bob: Actor) -> None:
    def count_for(posts: int) -> int:
        for _ in range(posts):
            StatusFactory.create(account=alice, in_reply_to=StatusFactory.create(account=bob))
        with CaptureQueriesContext(connection) as queries:
            Client().get(f"/api/v1/accounts/{alice.pk}/statuses?limit=40")
        return len(queries)

    assert count_for(2) == count_for(8)
