"""Mutuals federates with bovine-herd, a signature-strict ActivityPub server, over loopback.

Mutuals runs as a live instance driven through its Mastodon client API;
bovine-herd runs from its own virtualenv, driven through its client-to-server
API as its actors' clients would (tests/peers/bovine_peer.py). Each test uses
its own actors, so the tests share one pair of servers and stay independent.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import requests

from tests.live import EMBEDDED_PASS_ONLY, LiveInstance, live_instance, wait_for
from tests.peers.bovine_peer import CONTEXT_FAILURE, PUBLIC, BovineActor, BovinePeer, bovine_peer

# The first run also builds the peer's virtualenv (a minute or more), inside the fixture's setup.
pytestmark = [pytest.mark.live, pytest.mark.timeout(900), EMBEDDED_PASS_ONLY]

TIMEOUT = 60
PASSWORD = "a sturdy passphrase"


@dataclass
class Member:
    """A Mutuals member and a bearer token for the client API."""

    instance: LiveInstance
    username: str
    token: str

    def call(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        """Call the client API as the member."""
        headers = {"Authorization": f"Bearer {self.token}"}
        return requests.request(method, self.instance.url(path), headers=headers, timeout=10, **kwargs)

    def json(self, method: str, path: str, **kwargs: Any) -> Any:
        """Call the client API as the member, expecting 200, and return the body."""
        response = self.call(method, path, **kwargs)
        assert response.status_code == 200, f"{method} {path}: {response.status_code} {response.text[:500]}"
        return response.json()

    @property
    def uri(self) -> str:
        """Return the member's actor id."""
        return self.instance.url(f"/users/{self.username}")

    def resolve(self, handle: str) -> dict[str, Any]:
        """Look an account up by address through search, as a client does before following."""
        found = self.json("GET", "/api/v2/search", params={"q": handle, "resolve": "true", "type": "accounts"})
        assert len(found["accounts"]) == 1, found
        account: dict[str, Any] = found["accounts"][0]
        return account

    def relationship(self, account_id: str) -> dict[str, Any]:
        """Return the member's relationship with an account."""
        relationships = self.json("GET", "/api/v1/accounts/relationships", params={"id[]": account_id})
        relationship: dict[str, Any] = relationships[0]
        return relationship

    def home_uris(self) -> set[str]:
        """Return the ids of the statuses in the member's home timeline."""
        return {status["uri"] for status in self.json("GET", "/api/v1/timelines/home", params={"limit": 40})}


@dataclass
class Servers:
    """The two servers under test and their accounts."""

    mutuals: LiveInstance
    peer: BovinePeer
    alice: Member
    bob: Member
    carol: Member


@pytest.fixture(scope="module")
def servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Servers]:
    """Yield a running Mutuals instance (alice, bob) and a bovine-herd peer (moo, cow)."""
    base = tmp_path_factory.mktemp("bovine")
    with bovine_peer(base / "bovine", "moo", "cow") as peer, live_instance(base / "mutuals", name="m") as mutuals:
        for name in ("alice", "bob", "carol"):
            mutuals.manage("createmember", name, "--password", PASSWORD)
        tokens = {name: mutuals.manage("mint_token", name).stdout.strip() for name in ("alice", "bob", "carol")}
        mutuals.start_web()
        mutuals.start_worker(beat=True)
        yield Servers(
            mutuals,
            peer,
            Member(mutuals, "alice", tokens["alice"]),
            Member(mutuals, "bob", tokens["bob"]),
            Member(mutuals, "carol", tokens["carol"]),
        )
        # Every context the peer needed came from the seeded cache: it never tried to load one.
        assert CONTEXT_FAILURE not in peer.log()


def inbox_activities(peer: BovinePeer, actor: BovineActor) -> list[dict[str, Any]]:
    """Return the activities in a peer actor's inbox, as the peer stored them."""
    found = []
    for item in peer.collection(actor, "inbox"):
        document = peer.lookup(actor, item if isinstance(item, str) else item["id"])
        if document is not None:
            found.append(document)
    return found


def find_activity(peer: BovinePeer, actor: BovineActor, kind: str, by: str) -> dict[str, Any] | None:
    """Return the first activity of a type from an actor in a peer actor's inbox."""
    for activity in inbox_activities(peer, actor):
        sender = activity.get("actor")
        if activity.get("type") == kind and (sender == by or (isinstance(sender, dict) and sender.get("id") == by)):
            return activity
    return None


def test_member_follows_bovine_actor_and_sees_its_post_until_deleted(servers: Servers) -> None:
    peer, alice = servers.peer, servers.alice
    moo = peer.actors["moo"]

    # alice follows moo; bovine holds follows until the actor's client answers.
    account = alice.resolve(peer.handle_of(moo))
    assert account["uri"] == moo.id
    relationship = alice.json("POST", f"/api/v1/accounts/{account['id']}/follow")
    assert relationship["requested"] is True
    assert relationship["following"] is False

    follow: dict[str, Any] = {}

    def follow_arrived() -> bool:
        follow.update(find_activity(peer, moo, "Follow", alice.uri) or {})
        return bool(follow)

    wait_for(follow_arrived, timeout=TIMEOUT, interval=0.5, message="alice's Follow in moo's inbox")
    peer.send(moo, {"type": "Accept", "object": follow["id"], "to": [alice.uri]})
    wait_for(
        lambda: alice.relationship(account["id"])["following"],
        timeout=TIMEOUT,
        interval=0.5,
        message="moo's Accept on Mutuals",
    )
    assert alice.uri in peer.collection(moo, "followers")

    # moo posts to the public and its followers; the post reaches alice's home timeline.
    note = {"type": "Note", "attributedTo": moo.id, "content": "<p>moo from bovine</p>", "to": [PUBLIC]}
    note["cc"] = [moo.endpoint("followers")]
    create_id = peer.send(moo, {"type": "Create", "to": note["to"], "cc": note["cc"], "object": note})
    create = peer.get(moo, create_id).json()
    note_id = create["object"] if isinstance(create["object"], str) else create["object"]["id"]
    wait_for(lambda: note_id in alice.home_uris(), timeout=TIMEOUT, interval=0.5, message="moo's post in alice's home")
    statuses = alice.json("GET", f"/api/v1/accounts/{account['id']}/statuses")
    assert [(s["uri"], s["content"], s["visibility"]) for s in statuses] == [
        (note_id, "<p>moo from bovine</p>", "public")
    ]

    # moo deletes the post; it leaves Mutuals.
    peer.send(moo, {"type": "Delete", "object": note_id, "to": note["to"], "cc": note["cc"]})
    wait_for(
        lambda: note_id not in alice.home_uris(),
        timeout=TIMEOUT,
        interval=0.5,
        message="moo's Delete on Mutuals",
    )
    assert alice.json("GET", f"/api/v1/accounts/{account['id']}/statuses") == []


def test_bovine_actor_follows_member_and_gets_her_post_until_deleted(servers: Servers) -> None:
    peer, bob = servers.peer, servers.bob
    cow = peer.actors["cow"]

    # cow follows bob; bob's account is unlocked, so Mutuals accepts at once and bovine records it.
    peer.send(cow, {"type": "Follow", "object": bob.uri, "to": [bob.uri]})
    wait_for(
        lambda: bob.uri in peer.collection(cow, "following"),
        timeout=TIMEOUT,
        interval=0.5,
        message="bob's Accept on bovine",
    )
    me = bob.json("GET", "/api/v1/accounts/verify_credentials")
    followers = bob.json("GET", f"/api/v1/accounts/{me['id']}/followers")
    assert [f["acct"] for f in followers] == [peer.handle_of(cow)]

    # bob posts; the Create reaches cow's inbox and bovine stores the note.
    status = bob.json("POST", "/api/v1/statuses", data={"status": "hello from Mutuals", "visibility": "public"})
    wait_for(
        lambda: find_activity(peer, cow, "Create", bob.uri) is not None,
        timeout=TIMEOUT,
        interval=0.5,
        message="bob's Create in cow's inbox",
    )
    stored = peer.lookup(cow, status["uri"])
    assert stored is not None
    assert stored["type"] == "Note"
    assert "hello from Mutuals" in stored["content"]

    # bob deletes it; bovine replaces its copy with a tombstone.
    assert bob.call("DELETE", f"/api/v1/statuses/{status['id']}").status_code == 200
    wait_for(
        lambda: (peer.lookup(cow, status["uri"]) or {}).get("type") == "Tombstone",
        timeout=TIMEOUT,
        interval=0.5,
        message="bob's Delete on bovine",
    )


def test_peer_refuses_what_is_not_signed(servers: Servers) -> None:
    """The peer is strict, so the deliveries and fetches it accepted above were checked."""
    peer, cow = servers.peer, servers.peer.actors["cow"]
    like = {"@context": "https://www.w3.org/ns/activitystreams", "type": "Like", "id": servers.bob.uri + "#like"}
    like |= {"actor": servers.bob.uri, "object": cow.id}
    headers = {"content-type": "application/activity+json"}
    unsigned = requests.post(cow.endpoint("inbox"), json=like, headers=headers, timeout=10)
    assert unsigned.status_code == 401
    assert requests.get(cow.id, headers={"accept": "application/activity+json"}, timeout=10).status_code == 401
    assert like["id"] not in peer.collection(cow, "inbox")


def test_deleting_a_member_reaches_bovine_and_the_receipt_says_it_acknowledged(servers: Servers) -> None:
    peer, carol, mutuals = servers.peer, servers.carol, servers.mutuals
    cow = peer.actors["cow"]
    peer.send(cow, {"type": "Follow", "object": carol.uri, "to": [carol.uri]})
    wait_for(
        lambda: carol.uri in peer.collection(cow, "following"),
        timeout=TIMEOUT,
        interval=0.5,
        message="carol's Accept on bovine",
    )
    status = carol.json("POST", "/api/v1/statuses", data={"status": "soon gone", "visibility": "public"})
    wait_for(
        lambda: (peer.lookup(cow, status["uri"]) or {}).get("type") == "Note",
        timeout=TIMEOUT,
        interval=0.5,
        message="carol's post stored on bovine",
    )

    token = mutuals.shell(
        "from members.models import User; "
        "from members.actions.deletion import check_request_account_deletion, do_request_account_deletion; "
        f"plan = check_request_account_deletion(User.objects.get(username='carol'), password={PASSWORD!r}, "
        "immediate=True); "
        "print(do_request_account_deletion(plan)[1])"
    ).splitlines()[-1]

    wait_for(
        lambda: (peer.lookup(cow, status["uri"]) or {}).get("type") == "Tombstone",
        timeout=TIMEOUT * 2,
        interval=1.0,
        message="carol's post deleted on bovine",
    )

    def bovine_state() -> str:
        response = requests.get(mutuals.url(f"/coop/deletion/receipt/{token}.json"), timeout=10)
        assert response.status_code == 200
        states = {str(server["host"]): str(server["state"]) for server in response.json()["servers"]}
        return states.get(peer.domain, "")

    wait_for(
        lambda: bovine_state() == "acknowledged",
        timeout=TIMEOUT * 2,
        interval=1.0,
        message="bovine acknowledged on carol's receipt",
    )
    assert requests.get(carol.uri, headers={"Accept": "application/activity+json"}, timeout=10).status_code == 410
