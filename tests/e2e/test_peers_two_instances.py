"""Two live instances find each other's posts and profiles by URL, from an unmodified Mastodon client library."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from mastodon import Mastodon

from tests.live import LiveInstance, live_instance

pytestmark = pytest.mark.live

PASSWORD = "a sturdy passphrase"


@dataclass(frozen=True)
class Pair:
    """Alice's instance and bob's, each member with a client."""

    a: LiveInstance
    b: LiveInstance
    alice: Mastodon
    bob: Mastodon


@pytest.fixture(scope="module")
def pair(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Pair]:
    """Yield two running instances, shared by the module's tests."""
    base = tmp_path_factory.mktemp("peers")
    with live_instance(base / "a", name="a") as a, live_instance(base / "b", name="b") as b:
        clients = []
        for instance, member in ((a, "alice"), (b, "bob")):
            instance.manage("createmember", member, "--password", PASSWORD)
            token = instance.manage("mint_token", member, "--scopes", "read write follow").stdout.strip()
            instance.start_web()
            instance.start_worker(beat=True)
            clients.append(Mastodon(access_token=token, api_base_url=instance.base_url))
        yield Pair(a, b, clients[0], clients[1])


def test_search_resolves_a_remote_status_and_profile_by_url(pair: Pair) -> None:
    posted = pair.bob.status_post("Seed swap on Saturday")
    assert posted["url"].startswith(pair.b.base_url)

    # Without resolve, an unknown URL finds nothing: nothing is fetched.
    assert pair.alice.search_v2(posted["url"], resolve=False)["statuses"] == []

    found = pair.alice.search_v2(posted["url"], resolve=True)
    [status] = found["statuses"]
    assert status["uri"] == posted["uri"]
    assert "Seed swap on Saturday" in status["content"]
    assert status["account"]["acct"] == f"bob@{pair.b.domain}"
    # Stored now: the plain search finds it, by its page or its id, and it can be read by its local id.
    assert [s["id"] for s in pair.alice.search_v2(posted["uri"], resolve=False)["statuses"]] == [status["id"]]
    assert pair.alice.status(status["id"])["uri"] == posted["uri"]

    # A profile page negotiates to the actor document.
    profile = pair.alice.search_v2(f"{pair.b.base_url}/@bob", resolve=True)
    assert [account["acct"] for account in profile["accounts"]] == [f"bob@{pair.b.domain}"]
    assert profile["statuses"] == []


def test_search_finds_local_urls_without_asking_anyone(pair: Pair) -> None:
    posted = pair.bob.status_post("Compost notes")
    for resolve in (False, True):
        found = pair.bob.search_v2(posted["url"], resolve=resolve)
        assert [status["id"] for status in found["statuses"]] == [posted["id"]]
        me = pair.bob.search_v2(f"{pair.b.base_url}/@bob", resolve=resolve)
        assert [account["acct"] for account in me["accounts"]] == ["bob"]
    # A local URL naming nothing is not fetched from this server either: it is simply not found.
    assert pair.bob.search_v2(f"{pair.b.base_url}/@nobody", resolve=True)["accounts"] == []
