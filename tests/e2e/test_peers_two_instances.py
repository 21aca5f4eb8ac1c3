"""Two live instances find each other's posts by URL (from Mastodon.py) and check forwarded posts at their origin."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import requests
from mastodon import Mastodon
from mastodon.errors import MastodonAPIError

from federation.keys import KeyPair, generate_key_pair
from federation.signatures import sign_request
from tests.e2e.database import query_one
from tests.e2e.peers import DocumentPeer
from tests.live import EMBEDDED_PASS_ONLY, LiveInstance, live_instance, wait_for

pytestmark = [pytest.mark.live, EMBEDDED_PASS_ONLY]

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


@dataclass(frozen=True)
class Forwarder:
    """A third server's actor, which passes other servers' posts on to this one's inbox."""

    actor: str
    keys: KeyPair

    def post(self, instance: LiveInstance, activity: dict[str, Any]) -> requests.Response:
        """POST an activity to the instance's shared inbox, signed with this actor's key (draft-cavage)."""
        body = json.dumps(activity).encode()
        headers = sign_request(
            "POST",
            instance.url("/inbox"),
            key_id=f"{self.actor}#main-key",
            private_key_pem=self.keys.private_pem,
            body=body,
        )
        headers["Content-Type"] = "application/activity+json"
        return requests.post(instance.url("/inbox"), data=body, headers=headers, timeout=30)


@pytest.fixture(scope="module")
def forwarder() -> Iterator[Forwarder]:
    documents = DocumentPeer()
    keys = generate_key_pair()
    actor = f"{documents.base_url}/users/tom"
    documents.serve(
        "/users/tom",
        {
            "id": actor,
            "type": "Person",
            "preferredUsername": "tom",
            "inbox": f"{actor}/inbox",
            "publicKey": {"id": f"{actor}#main-key", "owner": actor, "publicKeyPem": keys.public_pem},
        },
    )
    try:
        yield Forwarder(actor, keys)
    finally:
        documents.close()


def _create(actor: str, note_id: str, text: str) -> dict[str, Any]:
    public = "https://www.w3.org/ns/activitystreams#Public"
    return {
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": f"{note_id}/forwarded-create",
        "type": "Create",
        "actor": actor,
        "to": [public],
        "object": {
            "id": note_id,
            "type": "Note",
            "attributedTo": actor,
            "content": f"<p>{text}</p>",
            "published": "2026-11-21T10:00:00Z",
            "to": [public],
        },
    }


def _status_content(instance: LiveInstance, uri: str) -> Any:
    return query_one(instance, "SELECT content FROM timeline_status WHERE uri = %s", (uri,))


def test_a_forwarded_post_is_taken_from_its_origin(pair: Pair, forwarder: Forwarder) -> None:
    """Bob's post reaches alice's server through a third server; the text stored is the one bob's server serves."""
    posted = pair.bob.status_post("Harvest rota is up")
    bob = f"{pair.b.base_url}/users/bob"
    response = forwarder.post(pair.a, _create(bob, posted["uri"], "words bob never wrote"))
    assert response.status_code == 202, response.text
    wait_for(lambda: _status_content(pair.a, posted["uri"]), timeout=30, message="the forwarded post to be stored")
    assert "Harvest rota is up" in _status_content(pair.a, posted["uri"])
    assert "never wrote" not in _status_content(pair.a, posted["uri"])


def test_a_forwarded_post_whose_origin_names_another_author_is_refused(pair: Pair, forwarder: Forwarder) -> None:
    posted = pair.bob.status_post("Only bob wrote this")
    impostor = f"{pair.b.base_url}/users/mallory"
    activity = _create(impostor, posted["uri"], "mallory's words")
    response = forwarder.post(pair.a, activity)
    assert response.status_code == 403, response.text
    assert "attributed to another actor" in response.json()["error"]
    assert query_one(pair.a, "SELECT COUNT(*) FROM federation_inboxitem WHERE activity_id = %s", (activity["id"],)) == 0
    assert _status_content(pair.a, posted["uri"]) is None
    assert query_one(pair.a, "SELECT COUNT(*) FROM federation_actor WHERE uri = %s", (impostor,)) == 0


def test_a_person_signs_up_from_mastodon_py_and_waits_for_admission(pair: Pair) -> None:
    client_id, client_secret = Mastodon.create_app("Sign-up e2e", api_base_url=pair.a.base_url)
    app = Mastodon(client_id=client_id, client_secret=client_secret, api_base_url=pair.a.base_url)
    instance = app.instance_v2()
    assert (instance["registrations"]["enabled"], instance["registrations"]["approval_required"]) == (True, True)

    _, refused = app.create_account(
        "alice", PASSWORD, "someone@example.test", agreement=True, return_detailed_error=True
    )
    assert refused is not None and refused["details"]["username"][0]["error"] == "ERR_TAKEN"

    token = app.create_account(
        "nadia", PASSWORD, "nadia@example.test", agreement=True, reason="I keep bees", locale="en"
    )
    assert token
    me = app.account_verify_credentials()
    assert me["username"] == "nadia"
    with pytest.raises(MastodonAPIError):
        app.status_post("Hello before admission")
    assert query_one(pair.a, "SELECT COUNT(*) FROM timeline_status WHERE text = %s", ("Hello before admission",)) == 0
    status = query_one(
        pair.a,
        "SELECT m.status FROM members_membership m JOIN members_user u ON u.id = m.user_id WHERE u.username = %s",
        ("nadia",),
    )
    assert status == "applicant"
