"""RFC 9421-signed POSTs reach the deployed ASGI inbox fast path: accepted, or refused leaving no trace."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

import pytest
import requests

from federation.keys import KeyPair, generate_key_pair
from tests.e2e.database import query_one
from tests.e2e.peers import DocumentPeer
from tests.federation.signing import message_signature_headers
from tests.live import EMBEDDED_PASS_ONLY, LiveInstance, live_instance, wait_for

pytestmark = [pytest.mark.live, EMBEDDED_PASS_ONLY]

PUBLIC = "https://www.w3.org/ns/activitystreams#Public"


class SigningPeer:
    """A remote server publishing one actor, whose key signs requests to a live instance."""

    def __init__(self, documents: DocumentPeer, keys: KeyPair) -> None:
        self.keys = keys
        self.actor = f"{documents.base_url}/users/ines"
        self.key_id = f"{self.actor}#main-key"
        documents.serve(
            "/users/ines",
            {
                "@context": ["https://www.w3.org/ns/activitystreams", "https://w3id.org/security/v1"],
                "id": self.actor,
                "type": "Person",
                "preferredUsername": "ines",
                "inbox": f"{self.actor}/inbox",
                "followers": f"{self.actor}/followers",
                "publicKey": {"id": self.key_id, "owner": self.actor, "publicKeyPem": keys.public_pem},
            },
        )

    def create(self, tag: str) -> dict[str, Any]:
        """Return a public Create of a new note."""
        note = f"{self.actor}/statuses/{tag}"
        audience = {"to": [PUBLIC], "cc": [f"{self.actor}/followers"]}
        return {
            "@context": "https://www.w3.org/ns/activitystreams",
            "id": f"{note}/activity",
            "type": "Create",
            "actor": self.actor,
            **audience,
            "object": {
                "id": note,
                "type": "Note",
                "attributedTo": self.actor,
                "content": f"<p>{tag}</p>",
                "published": "2026-11-21T10:00:00Z",
                **audience,
            },
        }


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveInstance]:
    """Yield one running instance (web and worker) with a member, shared by the module's tests."""
    with live_instance(tmp_path_factory.mktemp("rfc9421"), name="rfc9421") as instance:
        instance.manage("createmember", "alice", "--password", "a sturdy passphrase")
        instance.start_web()
        instance.start_worker()
        yield instance


@pytest.fixture(scope="module")
def peer() -> Iterator[SigningPeer]:
    documents = DocumentPeer()
    try:
        yield SigningPeer(documents, generate_key_pair())
    finally:
        documents.close()


def post(
    server: LiveInstance,
    path: str,
    activity: dict[str, Any],
    *,
    key_id: str,
    private_key_pem: str,
    body: bytes | None = None,
    **options: Any,
) -> requests.Response:
    """POST an activity signed with RFC 9421 over a real connection; `body` sends other bytes than those signed."""
    signed = json.dumps(activity).encode()
    headers = message_signature_headers(
        "POST", server.url(path), key_id=key_id, private_key_pem=private_key_pem, body=signed, **options
    )
    headers["Content-Type"] = "application/activity+json"
    return requests.post(server.url(path), data=body if body is not None else signed, headers=headers, timeout=30)


def stored(server: LiveInstance, activity: dict[str, Any]) -> int:
    return int(query_one(server, "SELECT COUNT(*) FROM federation_inboxitem WHERE activity_id = %s", (activity["id"],)))


def answered_by_fast_path(response: requests.Response) -> bool:
    """Tell the fast path's answer from Django's: it skips the middleware, which adds X-Frame-Options to each."""
    return "X-Frame-Options" not in response.headers


@pytest.mark.parametrize("path", ["/inbox", "/users/alice/inbox"])
def test_a_message_signed_create_is_accepted_and_processed(server: LiveInstance, peer: SigningPeer, path: str) -> None:
    activity = peer.create(f"accepted-{path.count('/')}")
    response = post(server, path, activity, key_id=peer.key_id, private_key_pem=peer.keys.private_pem)
    assert response.status_code == 202, response.text
    assert answered_by_fast_path(response)
    assert stored(server, activity) == 1
    note = activity["object"]["id"]
    wait_for(
        lambda: query_one(server, "SELECT COUNT(*) FROM timeline_status WHERE uri = %s", (note,)) == 1,
        timeout=30,
        message="the worker to store the note",
    )


def _refused(server: LiveInstance, response: requests.Response, activity: dict[str, Any], message: str) -> None:
    assert response.status_code == 401, response.text
    assert message in response.json()["error"]
    assert answered_by_fast_path(response)
    assert stored(server, activity) == 0
    note = activity["object"]["id"]
    assert query_one(server, "SELECT COUNT(*) FROM timeline_status WHERE uri = %s", (note,)) == 0


def test_a_signature_by_another_key_is_refused(server: LiveInstance, peer: SigningPeer) -> None:
    activity = peer.create("forged")
    forged = generate_key_pair().private_pem
    response = post(server, "/inbox", activity, key_id=peer.key_id, private_key_pem=forged)
    _refused(server, response, activity, "does not verify")


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"created": int(time.time()) - 13 * 3600}, "more than 12 hours old"),
        ({"created": int(time.time()) + 2 * 3600}, "in the future"),
        ({"extra_params": f";expires={int(time.time()) - 60}"}, "expiry date has passed"),
    ],
)
def test_an_expired_signature_is_refused(
    server: LiveInstance, peer: SigningPeer, options: dict[str, Any], message: str
) -> None:
    activity = peer.create(f"expired-{message.rsplit(maxsplit=1)[-1]}")
    response = post(server, "/inbox", activity, key_id=peer.key_id, private_key_pem=peer.keys.private_pem, **options)
    _refused(server, response, activity, message)


def test_a_body_differing_from_its_content_digest_is_refused(server: LiveInstance, peer: SigningPeer) -> None:
    activity = peer.create("tampered")
    tampered = json.dumps({**activity, "object": {**activity["object"], "content": "<p>other words</p>"}}).encode()
    response = post(
        server, "/inbox", activity, key_id=peer.key_id, private_key_pem=peer.keys.private_pem, body=tampered
    )
    _refused(server, response, activity, "Content-Digest header does not match")


def test_a_signature_not_covering_the_content_digest_is_refused(server: LiveInstance, peer: SigningPeer) -> None:
    activity = peer.create("uncovered")
    response = post(
        server,
        "/inbox",
        activity,
        key_id=peer.key_id,
        private_key_pem=peer.keys.private_pem,
        components=("@method", "@target-uri"),
    )
    _refused(server, response, activity, "does not cover content-digest")


def test_an_unknown_accounts_inbox_is_left_to_django(server: LiveInstance, peer: SigningPeer) -> None:
    """The fast path hands on what it does not serve, so its answers are told apart by their headers."""
    activity = peer.create("nobody")
    response = post(server, "/users/nobody/inbox", activity, key_id=peer.key_id, private_key_pem=peer.keys.private_pem)
    assert response.status_code == 404
    assert not answered_by_fast_path(response)
    assert stored(server, activity) == 0
