"""Measure POST /api/v1/statuses for a member with many local followers, in PostgreSQL mode.

Starts an instance as production runs it (Daphne processes, one Celery
worker, PostgreSQL and Redis), gives one member `--followers` local
followers, then has `--clients` connections post `--posts` statuses between
them as that member. Prints

- the POST latency percentiles and the posting throughput: what the
  member's app waits for (the status is stored and its fan-out queued);
- how long the worker took to write every status into every follower's
  home timeline, and the home-timeline rows written per second.

    .venv/bin/python bench/posting.py [--followers 1000] [--posts 200] [--clients 4] [--web-processes 2]
"""

from __future__ import annotations

import argparse
import secrets
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.home_timeline import percentile, start_web_processes
from tests.e2e.database import query_one
from tests.live import LiveInstance, services_available

SEED_SCRIPT = """
from datetime import timedelta
from federation import uris
from federation.models import Actor
from members.actions.tokens import do_mint_token
from members.models import User
from timeline.models import Follow

# `createmember` made the poster a member in good standing, as posting requires.
star = Actor.objects.get(username="poster", domain="")
poster = star.user
users = User.objects.bulk_create(
    [User(username=f"f{{n}}", email=f"f{{n}}@bench.test", password="!") for n in range({followers})], batch_size=2000
)
fans = Actor.objects.bulk_create(
    [
        Actor(user=u, username=u.username, uri=uris.actor_uri(u.username), url=uris.profile_url(u.username))
        for u in users
    ],
    batch_size=2000,
)
Follow.objects.bulk_create(
    [Follow(follower=fan, target=star, state=Follow.State.ACCEPTED) for fan in fans], batch_size=2000
)
print(do_mint_token(poster, ["read", "write"], valid_for=timedelta(days=1)).token)
"""


def post_statuses(bases: list[str], token: str, posts: int, clients: int) -> tuple[list[float], float]:
    """Post the statuses from several connections at once; return the latencies (ms) and the elapsed time."""
    latencies: list[float] = []
    lock = threading.Lock()
    share = [posts // clients + (1 if n < posts % clients else 0) for n in range(clients)]

    def client(n: int) -> None:
        session = requests.Session()
        session.headers["Authorization"] = f"Bearer {token}"
        url = bases[n % len(bases)] + "/api/v1/statuses"
        mine = []
        for k in range(share[n]):
            sent = time.perf_counter()
            response = session.post(url, data={"status": f"Post {n}-{k} to the followers"}, timeout=60)
            mine.append((time.perf_counter() - sent) * 1000)
            response.raise_for_status()
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    began = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return latencies, time.monotonic() - began


def main() -> None:
    """Seed, post, wait for the fan-out, print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--followers", type=int, default=1000)
    parser.add_argument("--posts", type=int, default=200)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--web-processes", type=int, default=2)
    args = parser.parse_args()
    reason = services_available()
    if reason is not None:
        sys.exit(f"PostgreSQL mode needs the services: {reason}")
    with tempfile.TemporaryDirectory() as folder:
        instance = LiveInstance(Path(folder), backend="services", name="benchpost")
        instance.env["MUTUALS_API_RATE_LIMIT"] = str(args.posts * 10)
        try:
            instance.setup()
            instance.manage("createmember", "poster", "--password", secrets.token_urlsafe(16))
            token = instance.shell(SEED_SCRIPT.format(followers=args.followers)).split()[-1]
            instance.start_web()
            bases = start_web_processes(instance, args.web_processes)
            instance.start_worker()
            began = time.monotonic()
            latencies, elapsed = post_statuses(bases, token, args.posts, args.clients)
            if len(latencies) != args.posts:
                sys.exit(f"some posts failed; the server said:\n{instance.log('web')[-4000:]}")
            print(
                f"POST /api/v1/statuses, {args.followers} local followers, {args.clients} clients, {args.posts} posts"
            )
            print(f"  p50 {percentile(latencies, 0.50):.1f} ms  p99 {percentile(latencies, 0.99):.1f} ms")
            print(f"  mean {statistics.mean(latencies):.1f} ms  throughput {args.posts / elapsed:.0f} posts/s")
            expected = args.posts * (args.followers + 1)
            deadline = time.monotonic() + 1800
            while query_one(instance, "SELECT count(*) FROM timeline_timelineentry") < expected:
                if time.monotonic() > deadline:
                    sys.exit("the fan-out did not finish within 30 minutes")
                time.sleep(0.2)
            fanned = time.monotonic() - began
            print(f"fan-out: {expected} home-timeline rows written {fanned:.1f} s after the first POST")
            print(f"  {expected / fanned:.0f} rows/s, {args.posts / fanned:.1f} posts fully fanned out per second")
        finally:
            instance.close()


if __name__ == "__main__":
    main()
