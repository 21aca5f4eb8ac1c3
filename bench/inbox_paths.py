"""Compare the inbox's two paths in one process: Django's view with its middleware, and the ASGI path.

Both verify the signature, check the origin, insert the row and queue its
processing; neither goes through an HTTP server, so the difference is the
request handling around the same work. Runs each path over the same number
of freshly signed Create(Note) activities, one after another, and prints
accepted per second for each.

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/<db> REDIS_URL=redis://127.0.0.1:6379/0 \\
        .venv/bin/python bench/inbox_paths.py [--count 300]

The database must be migrated and is written to (a remote actor and its
inbox rows); use one of its own, e.g. `createdb -T mutuals_bench_delivery`.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from collections.abc import MutableMapping
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

REMOTE = "https://remote.bench"


def signed(run: str, count: int, private_pem: str) -> list[tuple[bytes, dict[str, str]]]:
    """Return `count` signed (body, headers) pairs for /inbox on localhost."""
    from federation.signatures import sign_request

    actor = f"{REMOTE}/users/sim"
    prepared = []
    for n in range(count):
        note = f"{actor}/statuses/{run}-{n}"
        body = json.dumps(
            {
                "id": f"{note}/activity",
                "type": "Create",
                "actor": actor,
                "to": ["https://www.w3.org/ns/activitystreams#Public"],
                "object": {"id": note, "type": "Note", "attributedTo": actor, "content": f"<p>{n}</p>"},
            }
        ).encode()
        headers = sign_request(
            "POST", "http://localhost/inbox", key_id=f"{actor}#main-key", private_key_pem=private_pem, body=body
        )
        prepared.append((body, {**headers, "Content-Type": "application/activity+json"}))
    return prepared


def main() -> None:
    """Run both paths and print them."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=300, help="activities per path (at most 5,000)")
    count = min(parser.parse_args().count, 5000)
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings.base",
            "MUTUALS_DATA_DIR": tempfile.mkdtemp(prefix="mutuals-bench-inbox-paths-"),
            "MUTUALS_DOMAIN": "localhost",
            "MUTUALS_LOG_LEVEL": "WARNING",
            "MUTUALS_REDIS_PREFIX": "benchinboxpaths",
        }
    )
    import django

    django.setup()
    from asgiref.sync import async_to_sync
    from django.test import Client

    from federation.keys import generate_key_pair
    from federation.models import Actor, InboxItem
    from federation.views.inbox_asgi import inbox_fast_path

    keys = generate_key_pair()
    Actor.objects.filter(uri=f"{REMOTE}/users/sim").delete()
    Actor.objects.create(
        username="sim",
        domain="remote.bench",
        uri=f"{REMOTE}/users/sim",
        inbox_uri=f"{REMOTE}/users/sim/inbox",
        shared_inbox_uri=f"{REMOTE}/inbox",
        public_key_pem=keys.public_pem,
        public_key_uri=f"{REMOTE}/users/sim#main-key",
    )
    run = str(int(time.time()))
    client = Client()
    view_requests = signed(f"{run}v", count, keys.private_pem)
    started = time.perf_counter()
    for body, headers in view_requests:
        response = client.post("/inbox", data=body, content_type="application/activity+json", headers=headers)
        assert response.status_code == 202, response.content
    view_rate = count / (time.perf_counter() - started)

    async def nothing(scope: Any, receive: Any, send: Any) -> None:
        raise AssertionError("the ASGI path handed an inbox POST to Django")

    app = async_to_sync(inbox_fast_path(nothing))
    asgi_requests = signed(f"{run}a", count, keys.private_pem)
    statuses: list[int] = []

    async def send(message: MutableMapping[str, Any]) -> None:
        if message["type"] == "http.response.start":
            statuses.append(message["status"])

    started = time.perf_counter()
    for body, headers in asgi_requests:
        messages = [{"type": "http.request", "body": body, "more_body": False}]

        async def receive(messages: list[dict[str, Any]] = messages) -> dict[str, Any]:
            return messages.pop(0) if messages else {"type": "http.disconnect"}

        scope = {
            "type": "http",
            "method": "POST",
            "path": "/inbox",
            "query_string": b"",
            "headers": [(name.lower().encode(), value.encode()) for name, value in headers.items()],
        }
        app(scope, receive, send)
    asgi_rate = count / (time.perf_counter() - started)
    assert statuses == [202] * count, set(statuses)
    stored = InboxItem.objects.filter(activity_id__contains=f"/statuses/{run}").count()
    print(f"{count} activities per path, {stored} rows stored")
    print(f"Django view with middleware: {view_rate:6.0f}/s")
    print(f"ASGI inbox path:             {asgi_rate:6.0f}/s")


if __name__ == "__main__":
    main()
