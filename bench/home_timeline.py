"""Measure GET /api/v1/timelines/home?limit=40 under concurrent clients, in PostgreSQL mode.

Seeds a live instance (Daphne on PostgreSQL and Redis) with members and
statuses written in bulk, gives each benchmark client a home timeline of
statuses from the accounts it follows, then has the clients read their home
timelines at once for a fixed number of requests each. Prints the latency
percentiles and the throughput.

    .venv/bin/python bench/home_timeline.py [--members 10000] [--statuses 1000000] [--clients 16] [--requests 200]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.live import LiveInstance, services_available

SEED_SCRIPT = """
import random
from datetime import timedelta
from django.utils import timezone
from federation import uris
from federation.models import Actor
from members.models import User
from timeline.ids import snowflake_id
from timeline.models import Follow, Status, TimelineEntry

members, statuses, clients, follows = {members}, {statuses}, {clients}, {follows}
random.seed(7)
users = User.objects.bulk_create(
    [User(username=f"m{{n}}", email=f"m{{n}}@bench.test", password="!") for n in range(members)], batch_size=5000
)
actors = Actor.objects.bulk_create(
    [
        Actor(user=user, username=user.username, uri=uris.actor_uri(user.username), url=uris.profile_url(user.username))
        for user in users
    ],
    batch_size=5000,
)
start = timezone.now() - timedelta(days=30)
step = timedelta(days=30) / max(statuses, 1)
batch = []
for n in range(statuses):
    author = actors[n % members]
    status_id = snowflake_id(start + step * n)
    batch.append(
        Status(
            id=status_id, account=author, uri=uris.status_uri(author.username, status_id),
            url=uris.status_url(author.username, status_id), text=f"Status {{n}}", content=f"<p>Status {{n}}</p>",
            created_at=start + step * n, fanned_out_at=timezone.now(),
        )
    )
    if len(batch) == 10000:
        Status.objects.bulk_create(batch)
        batch = []
Status.objects.bulk_create(batch)
for reader in actors[:clients]:
    followed = random.sample(actors[clients:], min(follows, members - clients))
    Follow.objects.bulk_create([Follow(follower=reader, target=target, state="accepted") for target in followed])
    ids = Status.objects.filter(account__in=followed).order_by("-id").values_list("id", flat=True)[:800]
    TimelineEntry.objects.bulk_create([TimelineEntry(owner=reader, status_id=status_id) for status_id in ids])
print("seeded")
"""


def percentile(values: list[float], fraction: float) -> float:
    """Return the value below which the given fraction of the sorted values fall."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def run_clients(instance: LiveInstance, tokens: list[str], requests_each: int) -> tuple[list[float], float]:
    """Have one client per token read its home timeline at once; return the latencies (ms) and the elapsed time."""
    latencies: list[float] = []
    lock = threading.Lock()

    def client(token: str) -> None:
        session = requests.Session()
        session.headers["Authorization"] = f"Bearer {token}"
        url = instance.url("/api/v1/timelines/home?limit=40")
        session.get(url, timeout=30).raise_for_status()
        mine = []
        for _ in range(requests_each):
            sent = time.perf_counter()
            response = session.get(url, timeout=30)
            mine.append((time.perf_counter() - sent) * 1000)
            response.raise_for_status()
            if len(response.json()) != 40:
                raise AssertionError("a home timeline page came back short")
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=client, args=(token,)) for token in tokens]
    began = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - began
    return latencies, elapsed


def main() -> None:
    """Seed, run the clients, print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=10_000)
    parser.add_argument("--statuses", type=int, default=1_000_000)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--follows", type=int, default=200)
    parser.add_argument("--requests", type=int, default=200, help="requests per client")
    args = parser.parse_args()
    reason = services_available()
    if reason is not None:
        sys.exit(f"PostgreSQL mode needs the services: {reason}")
    with tempfile.TemporaryDirectory() as folder:
        instance = LiveInstance(Path(folder), backend="services", name="benchhome")
        try:
            instance.setup()
            began = time.monotonic()
            script = SEED_SCRIPT.format(
                members=args.members, statuses=args.statuses, clients=args.clients, follows=args.follows
            )
            instance.manage("shell", "-c", script, timeout=3600)
            print(f"seeded {args.members} members and {args.statuses} statuses in {time.monotonic() - began:.0f} s")
            tokens = [
                instance.manage("mint_token", f"m{n}", "--scopes", "read").stdout.strip() for n in range(args.clients)
            ]
            instance.env["MUTUALS_API_RATE_LIMIT"] = str(args.requests * 10)
            instance.start_web()
            latencies, elapsed = run_clients(instance, tokens, args.requests)
            if len(latencies) != args.clients * args.requests:
                sys.exit(f"some clients failed; the server said:\n{instance.log('web')[-4000:]}")
            print(f"home timeline, limit=40, {args.clients} concurrent clients, {len(latencies)} requests")
            print(f"  p50 {percentile(latencies, 0.50):.1f} ms  p99 {percentile(latencies, 0.99):.1f} ms")
            print(f"  mean {statistics.mean(latencies):.1f} ms  throughput {len(latencies) / elapsed:.0f} requests/s")
        finally:
            instance.close()


if __name__ == "__main__":
    main()
