"""Measure signed deliveries per second in one worker process, to a sink on loopback.

Starts a sink (a separate process answering every POST with 202 on kept-alive
connections), then, in this process, as one Celery worker process would:

1. signing alone (RSA-2048, SHA-256 digest of the body), for reference;
2. `signed_post` alone: signing plus the HTTP round trip;
3. `do_attempt_delivery` on delivery rows: claiming the row, signing,
   posting and recording the outcome in the database;
4. `do_attempt_deliveries` on batches of rows, as the `deliver_activities`
   task runs them: one claim and one record per batch.

    .venv/bin/python bench/delivery.py [--count 2000]

Uses a fresh SQLite database, or PostgreSQL when DATABASE_URL is set.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

SINK = r"""
import asyncio, sys

async def handle(reader, writer):
    try:
        while True:
            head = await reader.readuntil(b"\r\n\r\n")
            length = 0
            for line in head.split(b"\r\n"):
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":", 1)[1])
            if length:
                await reader.readexactly(length)
            writer.write(b"HTTP/1.1 202 Accepted\r\nContent-Length: 0\r\n\r\n")
            await writer.drain()
    except (asyncio.IncompleteReadError, ConnectionResetError):
        writer.close()

async def main():
    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    print(server.sockets[0].getsockname()[1], flush=True)
    async with server:
        await server.serve_forever()

asyncio.run(main())
"""


def make_rows(actor: Any, activity_id: str, inbox: str, body: bytes, count: int) -> list[int]:
    """Store an activity and `count` due deliveries of it; return their ids."""
    from django.utils import timezone

    from federation.models import Delivery, OutboundActivity

    activity = OutboundActivity.objects.create(
        actor=actor, activity_id=activity_id, activity_type="Create", body=json.loads(body)
    )
    now = timezone.now()
    rows = Delivery.objects.bulk_create(
        [
            Delivery(activity=activity, inbox=f"{inbox}?n={n}", host="127.0.0.1", next_attempt_at=now)
            for n in range(count)
        ]
    )
    return [row.pk for row in rows]


def main() -> None:
    """Run the four measurements and print them."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=2000, help="deliveries per measurement (at most 20,000)")
    count = min(parser.parse_args().count, 20_000)

    data_dir = Path(tempfile.mkdtemp(prefix="mutuals-bench-delivery-"))
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings.base",
            "MUTUALS_DATA_DIR": str(data_dir),
            "MUTUALS_ALLOW_LOOPBACK_FEDERATION": "true",
            "MUTUALS_LOG_LEVEL": "WARNING",
        }
    )
    import django

    django.setup()
    from django.core.management import call_command

    from federation.actions.deliveries import DELIVERY_BATCH, do_attempt_deliveries, do_attempt_delivery
    from federation.keys import generate_key_pair
    from federation.models import Actor, Delivery
    from federation.signatures import sign_request
    from federation.transport import signed_post

    call_command("migrate", verbosity=0)
    keys = generate_key_pair()
    actor = Actor.objects.create(
        username="bench",
        uri="https://bench.invalid/users/bench",
        public_key_pem=keys.public_pem,
        private_key_pem=keys.private_pem,
    )
    sink = subprocess.Popen([sys.executable, "-c", SINK], stdout=subprocess.PIPE, text=True)
    try:
        assert sink.stdout is not None
        inbox = f"http://127.0.0.1:{sink.stdout.readline().strip()}/inbox"
        body = json.dumps(
            {"id": "https://bench.invalid/1", "type": "Create", "actor": actor.uri, "object": {"content": "x" * 800}}
        ).encode()

        start = time.perf_counter()
        for _ in range(count):
            sign_request("POST", inbox, key_id=actor.key_id, private_key_pem=keys.private_pem, body=body)
        signing = count / (time.perf_counter() - start)

        start = time.perf_counter()
        for _ in range(count):
            signed_post(inbox, body, key_id=actor.key_id, private_key_pem=keys.private_pem)
        posting = count / (time.perf_counter() - start)

        ids = make_rows(actor, "https://bench.invalid/2", inbox, body, count)
        start = time.perf_counter()
        for delivery_id in ids:
            do_attempt_delivery(delivery_id)
        delivering = count / (time.perf_counter() - start)

        ids = make_rows(actor, "https://bench.invalid/3", inbox, body, count)
        start = time.perf_counter()
        for first in range(0, len(ids), DELIVERY_BATCH):
            do_attempt_deliveries(ids[first : first + DELIVERY_BATCH])
        batched = count / (time.perf_counter() - start)
        delivered = Delivery.objects.filter(state=Delivery.State.DELIVERED).count()
    finally:
        sink.terminate()
        sink.wait(timeout=10)

    engine = django.conf.settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[1]
    print(f"deliveries per measurement: {count} (database: {engine})")
    print(f"signing only (RSA-2048 + digest):        {signing:7.0f}/s")
    print(f"signed_post (sign + HTTP round trip):    {posting:7.0f}/s")
    print(f"do_attempt_delivery (rows, sign, POST):  {delivering:7.0f}/s")
    print(f"do_attempt_deliveries ({DELIVERY_BATCH} per batch):     {batched:7.0f}/s  ({delivered} delivered)")


if __name__ == "__main__":
    main()
