"""Floods of signed inbox POSTs from a simulated remote actor, for fault and memory tests."""

from __future__ import annotations

import http.client
import json
import threading
from collections.abc import Callable

from federation.keys import generate_key_pair
from federation.signatures import sign_request
from tests.live import LiveInstance

REMOTE = "https://remote.flood"
SEED = """
from django.contrib.auth import get_user_model
from federation.actions.actors import do_create_local_actor
from federation.models import Actor
from timeline.models import Follow
remote = Actor.objects.create(
    username="sim", domain="remote.flood", uri="{remote}/users/sim", inbox_uri="{remote}/users/sim/inbox",
    shared_inbox_uri="{remote}/inbox", followers_uri="{remote}/users/sim/followers",
    public_key_pem={pem!r}, public_key_uri="{remote}/users/sim#main-key",
)
for n in range({followers}):
    user = get_user_model().objects.create(username=f"member{{n}}")
    Follow.objects.create(follower=do_create_local_actor(user), target=remote, state="accepted")
print("seeded")
"""

Signed = list[tuple[str, bytes, dict[str, str]]]


def seed_remote_actor(instance: LiveInstance, *, followers: int = 2) -> str:
    """Store the simulated remote actor (with local followers) on the instance; return its private key."""
    keys = generate_key_pair()
    instance.shell(SEED.format(remote=REMOTE, pem=keys.public_pem, followers=followers))
    return keys.private_pem


def signed_creates(
    instance: LiveInstance,
    private_pem: str,
    count: int,
    *,
    tag: str = "flood",
    actor: str = f"{REMOTE}/users/sim",
    inbox_url: str | None = None,
) -> Signed:
    """Return (activity id, body, headers) of `count` signed public Create(Note) activities for /inbox.

    `actor` signs and sends them; `inbox_url` is the URL signed (the instance's /inbox unless given).
    """
    signed = []
    for n in range(count):
        note = f"{actor}/statuses/{tag}-{n}"
        audience = {"to": ["https://www.w3.org/ns/activitystreams#Public"], "cc": [f"{actor}/followers"]}
        activity = {
            "@context": "https://www.w3.org/ns/activitystreams",
            "id": f"{note}/activity",
            "type": "Create",
            "actor": actor,
            **audience,
            "object": {
                "id": note,
                "type": "Note",
                "attributedTo": actor,
                "content": f"<p>{tag} note {n}</p>",
                "published": "2026-11-21T10:00:00Z",
                **audience,
            },
        }
        body = json.dumps(activity).encode()
        headers = sign_request(
            "POST",
            inbox_url or instance.url("/inbox"),
            key_id=f"{actor}#main-key",
            private_key_pem=private_pem,
            body=body,
        )
        headers["Content-Type"] = "application/activity+json"
        signed.append((str(activity["id"]), body, headers))
    return signed


def post_all(
    instance: LiveInstance, signed: Signed, *, connections: int = 4, after_each: Callable[[], None] | None = None
) -> dict[str, int]:
    """POST every activity over kept-alive connections from several threads; return each id's answer status."""
    answers: dict[str, int] = {}
    lock = threading.Lock()

    def send(share: Signed) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", instance.port, timeout=60)
        try:
            for activity_id, body, headers in share:
                conn.request("POST", "/inbox", body=body, headers=headers)
                response = conn.getresponse()
                response.read()
                with lock:
                    answers[activity_id] = response.status
                if after_each is not None:
                    after_each()
        finally:
            conn.close()

    threads = [threading.Thread(target=send, args=(signed[n::connections],)) for n in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    return answers
