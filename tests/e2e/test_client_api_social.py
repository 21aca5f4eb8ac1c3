"""Bookmarks, lists, filters v2 and markers from an unmodified Mastodon.py against a live server."""

from __future__ import annotations

import pytest
from mastodon import Mastodon
from mastodon.errors import MastodonNotFoundError

from tests.live import EMBEDDED_PASS_ONLY, LiveInstance, wait_for

pytestmark = [pytest.mark.live, EMBEDDED_PASS_ONLY]

OUT_OF_BAND = "urn:ietf:wg:oauth:2.0:oob"
SCOPES = ["read", "write", "follow"]
PASSWORD = "a sturdy passphrase"


def test_bookmarks_lists_filters_and_markers_through_mastodon_py(instance: LiveInstance) -> None:
    instance.manage("createmember", "alice", "--password", PASSWORD)
    instance.manage("createmember", "bob", "--password", PASSWORD)
    instance.start_web()
    instance.start_worker()
    client_id, client_secret = Mastodon.create_app(
        "Mutuals social", scopes=SCOPES, redirect_uris=OUT_OF_BAND, api_base_url=instance.base_url
    )
    alice = Mastodon(client_id=client_id, client_secret=client_secret, api_base_url=instance.base_url)
    alice.log_in("alice", PASSWORD, scopes=SCOPES, allow_http=True)
    bob = Mastodon(client_id=client_id, client_secret=client_secret, api_base_url=instance.base_url)
    bob.log_in("bob", PASSWORD, scopes=SCOPES, allow_http=True)
    bob_account = bob.account_verify_credentials()
    alice.account_follow(bob_account["id"])

    posts = [bob.status_post(f"Post {number} about the harvest") for number in range(3)]
    spider = bob.status_post("A spider in the shed")

    # Bookmarks, paged with fetch_next.
    for post in posts:
        assert alice.status_bookmark(post["id"])["bookmarked"] is True
    first = alice.bookmarks(limit=2)
    assert [status["id"] for status in first] == [posts[2]["id"], posts[1]["id"]]
    rest = alice.fetch_next(first)
    assert rest is not None
    assert [status["id"] for status in rest] == [posts[0]["id"]]
    assert alice.status_unbookmark(posts[0]["id"])["bookmarked"] is False

    # Lists with accounts and their timeline.
    the_list = alice.list_create("Neighbours")
    alice.list_accounts_add(the_list["id"], [bob_account["id"]])
    assert [account["id"] for account in alice.list_accounts(the_list["id"])] == [bob_account["id"]]
    assert alice.list(the_list["id"])["title"] == "Neighbours"
    assert alice.list_update(the_list["id"], "Farm")["title"] == "Farm"
    wait_for(
        lambda: len(alice.timeline_list(the_list["id"])) >= 4, timeout=60, message="list timeline filled by fan-out"
    )
    assert [found["id"] for found in alice.account_lists(bob_account["id"])] == [the_list["id"]]
    assert [found["id"] for found in bob.lists()] == []
    with pytest.raises(MastodonNotFoundError):
        bob.list(the_list["id"])

    # Filters v2: a hide filter on "spider" keeps it out of the home timeline; warn shows `filtered`.
    hide = alice.create_filter_v2(
        "Creepy", context=["home"], filter_action="hide", keywords_attributes=[{"keyword": "spider"}]
    )
    warn = alice.create_filter_v2("Harvest", context=["home"], filter_action="warn")
    alice.add_filter_keyword_v2(warn["id"], "harvest", whole_word=True)
    home = alice.timeline_home(limit=40)
    assert spider["id"] not in [status["id"] for status in home]
    warned = [status for status in home if status["id"] == posts[1]["id"]]
    assert warned[0]["filtered"][0]["filter"]["title"] == "Harvest"
    assert [item["title"] for item in alice.filters_v2()] == ["Creepy", "Harvest"]
    assert [item["keyword"] for item in alice.filter_keywords_v2(hide["id"])] == ["spider"]
    alice.delete_filter_v2(hide["id"])
    assert spider["id"] in [status["id"] for status in alice.timeline_home(limit=40)]

    # Markers.
    alice.markers_set(["home"], [posts[2]["id"]])
    marker = alice.markers_get(["home", "notifications"])
    assert marker["home"]["last_read_id"] == str(posts[2]["id"])
    alice.markers_set(["home"], [spider["id"]])
    assert alice.markers_get(["home"])["home"]["version"] == 1
