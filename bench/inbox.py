"""Measure the shared inbox: signed Create(Note) activities accepted and processed per second.

Starts an instance (Daphne and one Celery worker, as `deploy/run` does) with
a remote actor already known and followed by some local members, then plays
the remote server: POSTs signed Create(Note) activities to /inbox from
several connections. Prints

- accepted per second: 202 answers, each after signature verification,
  origin checks and the durable insert of the inbox row;
- processed per second: from the first POST until every status is in its
  followers' home timelines.

    .venv/bin/python bench/inbox.py [--count 2000] [--followers 10] [--connections 8]

Runs on the suite's backend: MUTUALS_TEST_BACKEND=services for PostgreSQL
and Redis (the figures docs/PERFORMANCE.md reports), embedded otherwise.
"""

from __future__ import annotations

import argparse
import http.client
import json
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import psycopg

from tests.e2e.database import query_one
from tests.live import LiveInstance

REMOTE = "https://remote.bench"
SEED = """
from django.contrib.auth import get_user_model
from federation.actions.actors import do_create_local_actor
from federation.models import Actor
from timeline.models import Follow
remote = Actor.objects.create(
    username="sim", domain="remote.bench", uri="{remote}/users/sim", inbox_uri="{remote}/users/sim/inbox",
    shared_inbox_uri="{remote}/inbox", followers_uri="{remote}/users/sim/followers",
    public_key_pem={pem!r}, public_key_uri="{remote}/users/sim#main-key",
)
for n in range({followers}):
    user = get_user_model().objects.create(username=f"member{{n}}")
    Follow.objects.create(follower=do_create_local_actor(user), target=remote, state="accepted")
print("seeded")
"""


def build_requests(instance: LiveInstance, count: int, private_pem: str) -> list[tuple[bytes, dict[str, str]]]:
    """Return signed (body, headers) pairs, made before the clock starts."""
    from federation.signatures import sign_request

    actor = f"{REMOTE}/users/sim"
    prepared = []
    for n in range(count):
        note = f"{actor}/statuses/{n}"
        body = json.dumps(
            {
                "@context": "https://www.w3.org/ns/activitystreams",
                "id": f"{note}/activity",
                "type": "Create",
                "actor": actor,
                "to": ["https://www.w3.org/ns/activitystreams#Public"],
                "cc": [f"{actor}/followers"],
                "object": {
                    "id": note,
                    "type": "Note",
                    "attributedTo": actor,
                    "content": f"<p>benchmark note {n}</p>",
                    "published": "2026-11-21T10:00:00Z",
                    "to": ["https://www.w3.org/ns/activitystreams#Public"],
                    "cc": [f"{actor}/followers"],
                },
            }
        ).encode()
        headers = sign_request(
            "POST", instance.url("/inbox"), key_id=f"{actor}#main-key", private_key_pem=private_pem, body=body
        )
        headers["Content-Type"] = "application/activity+json"
        prepared.append((body, headers))
    return prepared


def send_all(instance: LiveInstance, prepared: list[tuple[bytes, dict[str, str]]], connections: int) -> list[int]:
    """POST every request over kept-alive connections from several threads; return the statuses."""
    statuses: list[int] = []
    lock = threading.Lock()
    slices = [prepared[n::connections] for n in range(connections)]

    def worker(batch: list[tuple[bytes, dict[str, str]]]) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", instance.port, timeout=60)
        answers = []
        for body, headers in batch:
            conn.request("POST", "/inbox", body=body, headers=headers)
            response = conn.getresponse()
            response.read()
            answers.append(response.status)
        conn.close()
        with lock:
            statuses.extend(answers)

    threads = [threading.Thread(target=worker, args=(batch,)) for batch in slices]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return statuses


def main() -> None:
    """Run the measurement and print it."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=2000, help="activities to send (at most 20,000)")
    parser.add_argument("--followers", type=int, default=10, help="local followers of the remote actor")
    parser.add_argument("--connections", type=int, default=8)
    args = parser.parse_args()
    count = min(args.count, 20_000)

    import os

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    import django

    django.setup()
    from federation.keys import generate_key_pair

    keys = generate_key_pair()
    instance = LiveInstance(Path(tempfile.mkdtemp(prefix="mutuals-bench-inbox-")), name="benchinbox")
    try:
        # On a busy shared machine migrating takes longer than the helper's default wait.
        instance.manage("migrate", "--noinput", "-v0", timeout=900)
        instance.manage("collectstatic", "--noinput", "-v0", timeout=900)
        instance.shell(SEED.format(remote=REMOTE, pem=keys.public_pem, followers=args.followers))
        instance.start_web()
        instance.start_worker()
        prepared = build_requests(instance, count, keys.private_pem)

        start = time.perf_counter()
        answers = send_all(instance, prepared, args.connections)
        accepted_seconds = time.perf_counter() - start
        accepted = answers.count(202)
        deadline = time.monotonic() + 600
        done = 0
        while time.monotonic() < deadline:
            try:
                done = int(
                    query_one(instance, "SELECT COUNT(*) FROM timeline_status WHERE fanned_out_at IS NOT NULL", ()) or 0
                )
            except psycopg.OperationalError:
                # A shared PostgreSQL may be out of connections for a moment; ask again.
                done = 0
            if done >= accepted:
                break
            time.sleep(0.5)
        processed_seconds = time.perf_counter() - start
    finally:
        instance.close()

    print(f"backend: {instance.backend}; {count} activities, {args.followers} local followers")
    print(
        f"accepted:  {accepted}/{count} answered 202 in {accepted_seconds:.1f}s = {accepted / accepted_seconds:.0f}/s"
    )
    print(
        f"processed: {done} in home timelines after {processed_seconds:.1f}s = {done / processed_seconds:.0f}/s"
        f" ({done * args.followers} timeline entries)"
    )


if __name__ == "__main__":
    main()
