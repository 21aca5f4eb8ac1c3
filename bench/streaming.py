"""Hold many streaming WebSocket connections on a live instance and measure how fast a public post reaches them.

Starts an instance (PostgreSQL and Redis when they answer, else embedded),
opens `--connections` WebSockets subscribed to the public stream, then posts
`--posts` public statuses one by one through the REST API. For every post
and every connection it records the time from the start of the POST until
that connection received the update. Prints the connections held, the
delivery latency percentiles (also without the first post, which pays each
process's one-off start-up work) and any missed deliveries. Bounded: every
wait has a deadline and the whole run stops after `--deadline` seconds.

    .venv/bin/python bench/streaming.py [--connections 1000] [--posts 20] [--backend services|embedded]
        [--web-processes 2]

With services, the connections are spread over several Daphne processes, as
production runs them behind nginx (embedded mode has one web process: its
in-memory channel layer lives there).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.home_timeline import start_web_processes
from tests.live import LiveInstance, services_available
from tests.websocket_client import WebSocket

ISSUE_ACCESS = """
import secrets
from datetime import timedelta
from django.utils import timezone
from oauth2_provider.models import AccessToken, Application
from members.models import User
user = User.objects.get(username="poster")
app = Application.objects.create(name="bench", client_type="confidential", authorization_grant_type="password")
token = AccessToken.objects.create(user=user, application=app, token=secrets.token_urlsafe(32),
                                   expires=timezone.now() + timedelta(hours=1), scope="read write")
print(token.token)
"""


def raise_file_limit(wanted: int) -> int:
    """Raise this process's open-file limit towards `wanted` (children inherit it); return the new limit."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = min(max(soft, wanted), hard)
    resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
    return target


def percentile(values: list[float], fraction: float) -> float:
    """Return the value below which the given fraction of the sorted values lie."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def summary(latencies: list[float]) -> str:
    """Return the percentiles of latencies given in seconds, in milliseconds."""
    milliseconds = [value * 1000 for value in latencies]
    return (
        f"p50 {percentile(milliseconds, 0.5):.0f}, p95 {percentile(milliseconds, 0.95):.0f}, "
        f"p99 {percentile(milliseconds, 0.99):.0f}, max {max(milliseconds):.0f}"
    )


async def open_connections(urls: list[str], count: int, deadline: float) -> list[WebSocket]:
    """Open up to `count` connections spread over the URLs, a hundred at a time, until the deadline."""
    sockets: list[WebSocket] = []
    while len(sockets) < count and time.monotonic() < deadline:
        batch = min(100, count - len(sockets))
        results = await asyncio.gather(
            *(WebSocket.connect(urls[(len(sockets) + n) % len(urls)], timeout=30) for n in range(batch)),
            return_exceptions=True,
        )
        opened = [result for result in results if isinstance(result, WebSocket)]
        failures = [result for result in results if not isinstance(result, WebSocket)]
        sockets += opened
        if failures:
            print(f"  {len(failures)} connections failed, e.g. {failures[0]!r}; holding {len(sockets)}")
            if not opened:
                break
    return sockets


async def listen(socket: WebSocket, arrivals: dict[str, list[float]], stop: asyncio.Event) -> None:
    """Record when each update reaches this connection."""
    while not stop.is_set():
        try:
            text = await socket.receive_text()
        except (ConnectionError, asyncio.IncompleteReadError):
            return
        received = time.perf_counter()
        message = json.loads(text)
        if message.get("event") == "update":
            status_id = json.loads(message["payload"])["id"]
            arrivals.setdefault(status_id, []).append(received)


async def run(
    instance: LiveInstance, bases: list[str], token: str, connections: int, *, posts: int, deadline: float
) -> None:
    """Open the connections, post, and print the figures."""
    urls = [base.replace("http://", "ws://") + "/api/v1/streaming?stream=public" for base in bases]
    started = time.perf_counter()
    sockets = await open_connections(urls, connections, deadline)
    held = f"{len(sockets)} over {len(bases)} web processes"
    print(f"connections held: {held} (opened in {time.perf_counter() - started:.1f} s)")
    arrivals: dict[str, list[float]] = {}
    stop = asyncio.Event()
    listeners = [asyncio.create_task(listen(socket, arrivals, stop)) for socket in sockets]
    await asyncio.sleep(1)
    latencies: list[float] = []
    later_latencies: list[float] = []
    slowest: list[float] = []
    post_times: list[float] = []
    missed = 0
    session = requests.Session()
    for number in range(posts):
        if time.monotonic() > deadline:
            print("deadline reached; stopping early")
            break
        sent = time.perf_counter()
        response = await asyncio.to_thread(
            session.post,
            instance.url("/api/v1/statuses"),
            data={"status": f"Benchmark post {number}", "visibility": "public"},
            headers={"Authorization": f"Bearer {token}"},
            timeout=30,
        )
        post_times.append(time.perf_counter() - sent)
        response.raise_for_status()
        status_id = response.json()["id"]
        wait_until = time.perf_counter() + 10
        while len(arrivals.get(status_id, [])) < len(sockets) and time.perf_counter() < wait_until:
            await asyncio.sleep(0.01)
        received = arrivals.get(status_id, [])
        missed += len(sockets) - len(received)
        latencies += [moment - sent for moment in received]
        slowest.append(max(received, default=sent) - sent)
        if number:
            later_latencies += [moment - sent for moment in received]
        await asyncio.sleep(0.5)
    stop.set()
    for task in listeners:
        task.cancel()
    await asyncio.gather(*(socket.close() for socket in sockets), return_exceptions=True)
    if not latencies:
        print("no deliveries measured")
        return
    print(f"posts: {len(post_times)}, deliveries: {len(latencies)}, missed: {missed}")
    print(f"POST /api/v1/statuses: median {statistics.median(post_times) * 1000:.0f} ms")
    print(f"delivery latency from the start of the POST (ms): {summary(latencies)}")
    if later_latencies:
        # The first post also pays each web process's one-off work (the first task it queues loads Celery's modules).
        print(f"  the same from the second post on: {summary(later_latencies)}")
    print("slowest delivery of each post (ms): " + " ".join(f"{value * 1000:.0f}" for value in slowest))


def main() -> None:
    """Parse the options, run the benchmark on a fresh instance, and clean up."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--connections", type=int, default=1000)
    parser.add_argument("--posts", type=int, default=20)
    parser.add_argument("--backend", choices=["services", "embedded"], default=None)
    parser.add_argument("--deadline", type=float, default=240, help="seconds before the run stops by itself")
    parser.add_argument("--web-processes", type=int, default=2, help="Daphne processes (services only)")
    options = parser.parse_args()
    backend = options.backend or ("services" if services_available() is None else "embedded")
    limit = raise_file_limit(options.connections * 2 + 256)
    print(f"backend: {backend}, open-file limit: {limit}")
    deadline = time.monotonic() + options.deadline
    with tempfile.TemporaryDirectory(prefix="mutuals-bench-streaming-") as folder:
        instance = LiveInstance(Path(folder) / "instance", backend=backend, name="benchstream")
        try:
            # The schema takes minutes on a busy shared machine.
            instance.manage("migrate", "--noinput", "-v0", timeout=900)
            instance.manage("collectstatic", "--noinput", "-v0", timeout=300)
            instance.manage("createmember", "poster", "--password", "a sturdy passphrase")
            token = instance.shell(ISSUE_ACCESS).splitlines()[-1]
            instance.start_web()
            processes = options.web_processes if backend == "services" else 1
            bases = start_web_processes(instance, processes)
            instance.start_worker()
            asyncio.run(run(instance, bases, token, options.connections, posts=options.posts, deadline=deadline))
            errors = [line for line in instance.log("web").splitlines() if "Error" in line or "error" in line]
            print(f"web process error lines: {len(errors)}", *errors[-5:], sep="\n  ")
        finally:
            instance.close()


if __name__ == "__main__":
    main()
