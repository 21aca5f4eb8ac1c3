"""Measure GET /api/v1/timelines/home?limit=40 under concurrent clients, in PostgreSQL mode.

Seeds a live instance (Daphne on PostgreSQL and Redis) with members and
statuses written in bulk (COPY), gives each benchmark client a home timeline
of statuses from the accounts it follows, then has one client, and then all
clients at once, read their home timelines for a fixed number of requests
each. Prints how long seeding took, the latency percentiles and the
throughput. The seeded database (mutuals_bench_home_<members>_<statuses>)
is kept and reused by later runs; drop it with dropdb when done.

    .venv/bin/python bench/home_timeline.py [--members 10000] [--statuses 1000000] [--clients 16] [--requests 200]
        [--web-processes 2]

As in production (deploy/systemd/mutuals-web@.service behind nginx's
least_conn upstream), several Daphne processes can serve the clients; each
client keeps to one process, spread evenly. The same clients also read
`verify_credentials`, the cheapest authenticated endpoint, as the floor that
HTTP, token checking and the server's own loop set on this machine.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

import psycopg
import redis
import requests

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.live import POSTGRES_ADMIN_URL, PYTHON, LiveInstance, free_port, services_available, wait_for

ASGI_APP = "config.asgi:application"


def answers(base: str) -> bool:
    """Return whether a web process at the base URL serves requests yet."""
    try:
        return requests.get(base + "/healthz", timeout=5).status_code == 200
    except requests.RequestException:
        return False


SEED_SCRIPT = """
import random, time
from datetime import timedelta
from django.db import connection
from django.utils import timezone
from federation import uris
from federation.models import Actor
from members.models import User
from timeline.ids import snowflake_id
from timeline.models import Follow, Status, TimelineEntry

members, statuses, clients, follows = {members}, {statuses}, {clients}, {follows}
if Actor.objects.count() == members and Status.objects.count() == statuses:
    print("reused")
    raise SystemExit(0)
began = time.monotonic()
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
# Statuses go in with COPY: the field values of one prototype status, prepared
# as the ORM would write them, with id, author, text, links and time varied.
start = timezone.now() - timedelta(days=30)
step = timedelta(days=30) / max(statuses, 1)
fields = [field for field in Status._meta.concrete_fields]
names = [field.column for field in fields]
prototype = Status(
    id=1, account=actors[0], uri="u", url="u", text="t", content="c", created_at=start, fanned_out_at=timezone.now()
)
template = [field.get_db_prep_save(getattr(prototype, field.attname), connection) for field in fields]
varied = {{name: names.index(name) for name in ("id", "account_id", "uri", "url", "text", "content", "created_at")}}
# The first id takes this process's id slot from a database sequence: ask before COPY holds the connection.
snowflake_id(start)
with connection.cursor() as cursor:
    with cursor.cursor.copy(f"COPY {{Status._meta.db_table}} ({{', '.join(names)}}) FROM STDIN") as copy:
        for n in range(statuses):
            author = actors[n % members]
            moment = start + step * n
            status_id = snowflake_id(moment)
            row = list(template)
            row[varied["id"]] = status_id
            row[varied["account_id"]] = author.pk
            row[varied["uri"]] = uris.status_uri(author.username, status_id)
            row[varied["url"]] = uris.status_url(author.username, status_id)
            row[varied["text"]] = f"Status {{n}}"
            row[varied["content"]] = f"<p>Status {{n}}</p>"
            row[varied["created_at"]] = moment
            copy.write_row(row)
    cursor.execute(f"ANALYZE {{Status._meta.db_table}}")
for reader in actors[:clients]:
    followed = random.sample(actors[clients:], min(follows, members - clients))
    Follow.objects.bulk_create([Follow(follower=reader, target=target, state="accepted") for target in followed])
    ids = Status.objects.filter(account__in=followed).order_by("-id").values_list("id", flat=True)[:800]
    TimelineEntry.objects.bulk_create([TimelineEntry(owner=reader, status_id=status_id) for status_id in ids])
with connection.cursor() as cursor:
    # Planner statistics and visibility map as autovacuum would leave them after a while: without the
    # map, counting an account's statuses from its index still reads every status row.
    cursor.execute("VACUUM ANALYZE")
print(f"seeded in {{time.monotonic() - began:.1f}} s")
"""

TOKENS_SCRIPT = """
from datetime import timedelta
from members.actions.tokens import do_mint_token
from members.models import User
for n in range({clients}):
    print(do_mint_token(User.objects.get(username=f"m{{n}}"), ["read"], valid_for=timedelta(days=1)).token)
"""


def percentile(values: list[float], fraction: float) -> float:
    """Return the value below which the given fraction of the sorted values fall."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


HOME = "/api/v1/timelines/home?limit=40"
FLOOR = "/api/v1/accounts/verify_credentials"


def run_clients(bases: list[str], tokens: list[str], requests_each: int, path: str = HOME) -> tuple[list[float], float]:
    """Have one client per token read the path at once; return the latencies (ms) and the elapsed time."""
    latencies: list[float] = []
    lock = threading.Lock()

    def client(token: str, base: str) -> None:
        session = requests.Session()
        session.headers["Authorization"] = f"Bearer {token}"
        url = base + path
        session.get(url, timeout=30).raise_for_status()
        mine = []
        for _ in range(requests_each):
            sent = time.perf_counter()
            response = session.get(url, timeout=30)
            mine.append((time.perf_counter() - sent) * 1000)
            response.raise_for_status()
            if path == HOME and len(response.json()) != 40:
                raise AssertionError("a home timeline page came back short")
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=client, args=(token, bases[n % len(bases)])) for n, token in enumerate(tokens)]
    began = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - began
    return latencies, elapsed


def start_web_processes(instance: LiveInstance, count: int) -> list[str]:
    """Start Daphne processes beyond the instance's first, as production runs them; return every base URL."""
    bases = [instance.base_url]
    for n in range(1, count):
        port = free_port()
        instance._spawn(f"web{n}", [PYTHON, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port), ASGI_APP])
        bases.append(f"http://127.0.0.1:{port}")
    for base in bases:
        wait_for(lambda base=base: answers(base), timeout=60, message=f"Daphne at {base}")
    return bases


def report(
    instance: LiveInstance, bases: list[str], tokens: list[str], requests_each: int, *, label: str, path: str
) -> None:
    """Run every client against the path and print the latency percentiles and the throughput."""
    latencies, elapsed = run_clients(bases, tokens, requests_each, path)
    if len(latencies) != len(tokens) * requests_each:
        sys.exit(f"some clients failed; the server said:\n{instance.log('web')[-4000:]}")
    print(f"{label}, {len(tokens)} concurrent clients, {len(bases)} web processes, {len(latencies)} requests")
    print(f"  p50 {percentile(latencies, 0.50):.1f} ms  p99 {percentile(latencies, 0.99):.1f} ms")
    print(f"  mean {statistics.mean(latencies):.1f} ms  throughput {len(latencies) / elapsed:.0f} requests/s")


def main() -> None:
    """Seed, run the clients, print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=10_000)
    parser.add_argument("--statuses", type=int, default=1_000_000)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--follows", type=int, default=200)
    parser.add_argument("--requests", type=int, default=200, help="requests per client")
    parser.add_argument("--web-processes", type=int, default=2, help="Daphne processes, as behind nginx")
    args = parser.parse_args()
    reason = services_available()
    if reason is not None:
        sys.exit(f"PostgreSQL mode needs the services: {reason}")
    database = f"mutuals_bench_home_{args.members}_{args.statuses}"
    with tempfile.TemporaryDirectory() as folder:
        instance = LiveInstance(Path(folder), backend="services", name="benchhome")
        # The seeded database is kept between runs (seeding a million statuses
        # takes minutes); the instance's own fresh database is not needed.
        with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{instance.database}"')
            if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (database,)).fetchone() is None:
                conn.execute(f'CREATE DATABASE "{database}"')
        instance.database = database
        instance.env["DATABASE_URL"] = instance.env["DATABASE_URL"].rsplit("/", 1)[0] + f"/{database}"
        instance.env["MUTUALS_REDIS_PREFIX"] = instance.redis_prefix = "benchhome"
        try:
            # On a busy shared machine migrating takes longer than the helper's default wait.
            instance.manage("migrate", "--noinput", "-v0", timeout=900)
            instance.manage("collectstatic", "--noinput", "-v0", timeout=900)
            began = time.monotonic()
            script = SEED_SCRIPT.format(
                members=args.members, statuses=args.statuses, clients=args.clients, follows=args.follows
            )
            seeded = instance.manage("shell", "-c", script, timeout=3600).stdout.strip()
            print(f"{args.members} members and {args.statuses} statuses: {seeded} ({time.monotonic() - began:.0f} s)")
            tokens = instance.shell(TOKENS_SCRIPT.format(clients=args.clients)).split()
            instance.env["MUTUALS_API_RATE_LIMIT"] = str(args.requests * 10)
            instance.start_web()
            bases = start_web_processes(instance, args.web_processes)
            latencies, _ = run_clients(bases[:1], tokens[:1], min(args.requests, 100))
            print(f"home timeline, limit=40, 1 client, {len(latencies)} requests")
            print(f"  p50 {percentile(latencies, 0.50):.1f} ms  p99 {percentile(latencies, 0.99):.1f} ms")
            for label, path in (("home timeline, limit=40", HOME), ("floor: verify_credentials", FLOOR)):
                report(instance, bases, tokens, args.requests, label=label, path=path)
        finally:
            for role in list(instance.processes):
                instance.stop(role)
            client = redis.Redis.from_url(instance.redis_url)
            keys = list(client.scan_iter(f"{instance.redis_prefix}*", count=1000))
            if keys:
                client.delete(*keys)


if __name__ == "__main__":
    main()
