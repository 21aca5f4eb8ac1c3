"""Discovery from an unmodified Mastodon.py against one live server: hashtags, endorsements, trends, directory."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from mastodon import Mastodon
from mastodon.errors import MastodonAPIError, MastodonNotFoundError

from tests.e2e.test_client_api import signed_in_session
from tests.live import EMBEDDED_PASS_ONLY, LiveInstance, live_instance, wait_for

pytestmark = [pytest.mark.live, EMBEDDED_PASS_ONLY]

OUT_OF_BAND = "urn:ietf:wg:oauth:2.0:oob"
SCOPES = ["read", "write", "follow"]
PASSWORD = "a sturdy passphrase"
CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


@dataclass
class Server:
    """The shared live instance and a Mastodon.py client per member."""

    instance: LiveInstance
    clients: dict[str, Mastodon]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """Run one instance for the module, with members alice, bob, carol and dan and the admin mod."""
    with live_instance(tmp_path_factory.mktemp("discovery") / "instance") as instance:
        for name in ("alice", "bob", "carol", "dan"):
            instance.manage("createmember", name, "--password", PASSWORD)
        instance.manage("createmember", "mod", "--admin", "--password", PASSWORD)
        instance.start_web()
        instance.start_worker()
        client_id, client_secret = Mastodon.create_app(
            "Mutuals discovery", scopes=SCOPES, redirect_uris=OUT_OF_BAND, api_base_url=instance.base_url
        )
        clients = {}
        for name in ("alice", "bob", "carol", "dan", "mod"):
            client = Mastodon(client_id=client_id, client_secret=client_secret, api_base_url=instance.base_url)
            client.log_in(name, PASSWORD, scopes=SCOPES, allow_http=True)
            clients[name] = client
        yield Server(instance, clients)


def _id(server: Server, name: str) -> str:
    return str(server.clients[name].account_verify_credentials()["id"])


def test_a_followed_hashtag_brings_statuses_home(server: Server) -> None:
    alice, bob = server.clients["alice"], server.clients["bob"]
    tag = alice.tag_follow("Sourdough")
    assert (tag["name"], tag["following"]) == ("sourdough", True)
    assert [item["name"] for item in alice.followed_tags()] == ["sourdough"]
    post = bob.status_post("A new starter #sourdough")
    quiet = bob.status_post("Unlisted #sourdough", visibility="unlisted")
    wait_for(
        lambda: post["id"] in [status["id"] for status in alice.timeline_home()],
        timeout=60,
        message="tagged status in the follower's home",
    )
    assert quiet["id"] not in [status["id"] for status in alice.timeline_home()]
    assert alice.tag("sourdough")["history"][0]["uses"] == "2"
    assert alice.tag_unfollow("sourdough")["following"] is False
    assert list(alice.followed_tags()) == []
    with pytest.raises(MastodonNotFoundError):
        alice.tag_follow("2024")
    assert list(alice.followed_tags()) == []


def test_featured_hashtags(server: Server) -> None:
    carol = server.clients["carol"]
    carol.status_post("Bread #baking")
    assert [item["name"] for item in carol.featured_tag_suggestions()] == ["baking"]
    featured = carol.featured_tag_create("baking")
    assert featured["statuses_count"] == "1"
    with pytest.raises(MastodonAPIError, match="already featured"):
        carol.featured_tag_create("Baking")
    assert [item["name"] for item in carol.account_featured_tags(_id(server, "carol"))] == ["baking"]
    carol.featured_tag_delete(featured["id"])
    assert list(carol.featured_tags()) == []


def test_endorsements(server: Server) -> None:
    dan = server.clients["dan"]
    carol_id = _id(server, "carol")
    with pytest.raises(MastodonAPIError, match="must be already following"):
        dan.account_pin(carol_id)
    assert list(dan.endorsements()) == []
    dan.account_follow(carol_id)
    assert dan.account_pin(carol_id)["endorsed"] is True
    assert [str(account["id"]) for account in dan.endorsements()] == [carol_id]
    assert dan.account_relationships(carol_id)[0]["endorsed"] is True
    assert dan.account_unpin(carol_id)["endorsed"] is False


def test_suggestions_and_the_directory(server: Server) -> None:
    alice, bob = server.clients["alice"], server.clients["bob"]
    dan_id = _id(server, "dan")
    bob.account_follow(_id(server, "alice"))
    bob.account_follow(dan_id)
    suggested = {str(item["account"]["id"]): item for item in alice.suggestions_v2()}
    assert dan_id in suggested
    assert _id(server, "alice") not in suggested
    alice.suggestion_delete(dan_id)
    assert dan_id not in [str(account["id"]) for account in alice.suggestions()]
    with pytest.raises(MastodonNotFoundError):
        alice.suggestion_delete("999999999")
    listed = [account["acct"] for account in alice.directory(order="active", local=True)]
    assert listed[0] in {"bob", "carol"}
    assert set(listed) >= {"alice", "bob", "carol", "dan", "mod"}
    alice.account_update_credentials(discoverable=False)
    assert "alice" not in [account["acct"] for account in bob.directory(order="new")]


def test_trends_appear_only_after_a_moderator_allows_them(server: Server) -> None:
    clients = server.clients
    for name in ("alice", "bob", "carol"):
        clients[name].status_post(f"Harvest day at {name}'s #harvestfest")
    popular = clients["dan"].status_post("The first apples are in")
    for name in ("alice", "bob", "carol"):
        clients[name].status_favourite(popular["id"])
    # The harvest posts share a page: its preview card (fetched in production by the card task) is set here.
    server.instance.shell(
        "from django.utils import timezone\n"
        "from timeline.models import PreviewCard, Status\n"
        "card = PreviewCard.objects.create(url='https://news.example/harvest', title='Harvest report',"
        " fetched_at=timezone.now())\n"
        "Status.objects.filter(text__contains='#harvestfest').update(preview_card=card)\n"
        "from timeline.actions.trends import do_refresh_trends; do_refresh_trends()"
    )
    assert list(clients["alice"].trending_tags()) == []
    assert list(clients["alice"].trending_statuses()) == []
    assert list(clients["alice"].trending_links()) == []

    moderator = signed_in_session(server.instance, "mod")
    review_url = server.instance.url("/governance/moderation/trends")
    page = moderator.get(review_url, timeout=10).text
    assert "#harvestfest" in page
    for kind in ("tag", "status", "link"):
        trend = re.search(rf'name="kind" value="{kind}"><input type="hidden" name="trend" value="(\d+)"', page)
        token = CSRF_FIELD.search(page)
        assert trend is not None
        assert token is not None
        answer = moderator.post(
            review_url,
            data={"csrfmiddlewaretoken": token.group(1), "kind": kind, "trend": trend.group(1), "do": "allow"},
            headers={"Referer": review_url},
            allow_redirects=False,
            timeout=10,
        )
        assert answer.status_code == 302
        page = moderator.get(review_url, timeout=10).text
    assert [tag["name"] for tag in clients["bob"].trending_tags()] == ["harvestfest"]
    assert [status["id"] for status in clients["bob"].trending_statuses()] == [popular["id"]]
    (link,) = clients["bob"].trending_links()
    assert (link["url"], link["title"], link["history"][0]["accounts"]) == (
        "https://news.example/harvest",
        "Harvest report",
        3,  # Mastodon.py reads the history's figures as numbers
    )
