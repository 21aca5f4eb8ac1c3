"""Measure the floor: the cost of the cheapest authenticated request, per web server.

Starts an instance on PostgreSQL and Redis (a database of its own, dropped
afterwards) with one member and 16 tokens, then, for each server asked for,
starts it as `deploy/serve` does (production settings, `checkconfig` first)
and has 16 clients on kept-alive connections read
`GET /api/v1/accounts/verify_credentials` for a fixed number of requests.
Prints requests per second, p50 and p99 latency, and the CPU time the
server's processes (every process of the tree) and the client spent per
request, read from /proc before and after: on a shared, noisy machine the
CPU per request is the figure to compare, within one run.

    .venv/bin/python bench/floor.py [--servers web,http] [--requests 4000] [--clients 16]
        [--web-processes 1] [--http-workers 2] [--http-threads 8]

`web` is Daphne (`deploy/serve web`, one process per `--web-processes`),
`http` is gunicorn with threaded workers (`deploy/serve http`).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import aiohttp
import psutil
import requests

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.live import ROOT, LiveInstance, free_port, services_available, wait_for

FLOOR = "/api/v1/accounts/verify_credentials"

TOKENS_SCRIPT = """
from datetime import timedelta
from members.actions.tokens import do_mint_token
from members.models import User
user = User.objects.get(username="floor")
for _ in range({clients}):
    print(do_mint_token(user, ["read"], valid_for=timedelta(days=1)).token)
"""


def percentile(values: list[float], fraction: float) -> float:
    """Return the value below which the given fraction of the sorted values fall."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def tree_cpu(pids: list[int]) -> float:
    """Return the CPU seconds (user and system) of the processes and all their descendants, as /proc has them."""
    total = 0.0
    seen: set[int] = set()
    for pid in pids:
        try:
            root = psutil.Process(pid)
            processes = [root, *root.children(recursive=True)]
        except psutil.NoSuchProcess:
            continue
        for process in processes:
            if process.pid in seen:
                continue
            seen.add(process.pid)
            try:
                times = process.cpu_times()
            except psutil.NoSuchProcess:
                continue
            total += times.user + times.system
    return total


async def drive(bases: list[str], tokens: list[str], requests_each: int) -> tuple[list[float], float]:
    """Have one client per token read the floor path on its own kept-alive connection; return latencies, elapsed."""
    latencies: list[float] = []

    async def client(token: str, base: str) -> None:
        connector = aiohttp.TCPConnector(limit=1)
        async with aiohttp.ClientSession(connector=connector, headers={"Authorization": f"Bearer {token}"}) as session:
            url = base + FLOOR
            async with session.get(url) as response:
                response.raise_for_status()
                await response.read()
            for _ in range(requests_each):
                sent = time.perf_counter()
                async with session.get(url) as response:
                    await response.read()
                    if response.status != 200:
                        raise AssertionError(f"{url} answered {response.status}")
                latencies.append((time.perf_counter() - sent) * 1000)

    began = time.perf_counter()
    await asyncio.gather(*(client(token, bases[n % len(bases)]) for n, token in enumerate(tokens)))
    return latencies, time.perf_counter() - began


def answers(base: str) -> bool:
    """Return whether a server at the base URL serves requests yet."""
    try:
        return requests.get(base + "/healthz", timeout=5).status_code == 200
    except requests.RequestException:
        return False


def start_servers(instance: LiveInstance, kind: str, args: argparse.Namespace) -> tuple[list[str], list[int]]:
    """Start the server kind with deploy/serve; return its base URLs and the processes' ids."""
    count = args.web_processes if kind == "web" else 1
    bases, pids = [], []
    for n in range(count):
        port = free_port()
        env = {
            **instance.env,
            "MUTUALS_PORT": str(port),
            "MUTUALS_BIND": "127.0.0.1",
            "MUTUALS_HTTP_WORKERS": str(args.http_workers),
            "MUTUALS_HTTP_THREADS": str(args.http_threads),
        }
        log = (instance.data_dir / f"{kind}{n}.log").open("ab")
        process = subprocess.Popen(
            ["bash", str(ROOT / "deploy" / "serve"), kind],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        instance.processes[f"{kind}{n}"] = process
        bases.append(f"http://127.0.0.1:{port}")
        pids.append(process.pid)
    for base in bases:
        wait_for(lambda base=base: answers(base), timeout=120, message=f"{kind} at {base}")
    return bases, pids


def measure(instance: LiveInstance, kind: str, tokens: list[str], args: argparse.Namespace) -> None:
    """Start one server kind, warm it, drive the clients, print the figures, stop it."""
    bases, pids = start_servers(instance, kind, args)
    try:
        requests_each = args.requests // len(tokens)
        # Warm every process and thread (first requests load templates, connections, caches).
        asyncio.run(drive(bases, tokens, 20))
        client = psutil.Process()
        server_before, client_before = tree_cpu(pids), sum(client.cpu_times()[:2])
        latencies, elapsed = asyncio.run(drive(bases, tokens, requests_each))
        server_cpu = tree_cpu(pids) - server_before
        client_cpu = sum(client.cpu_times()[:2]) - client_before
        count = len(latencies)
        print(f"{kind}: {count} requests, {len(tokens)} clients, {len(bases)} process(es) started by deploy/serve")
        print(
            f"  {count / elapsed:.0f} requests/s  p50 {percentile(latencies, 0.5):.1f} ms  "
            f"p99 {percentile(latencies, 0.99):.1f} ms  mean {statistics.mean(latencies):.1f} ms"
        )
        print(
            f"  server CPU {server_cpu * 1000 / count:.2f} ms per request, "
            f"client CPU {client_cpu * 1000 / count:.2f} ms per request, "
            f"load average {os.getloadavg()[0]:.1f}"
        )
    finally:
        for n in range(len(bases)):
            instance.stop(f"{kind}{n}")


def main() -> None:
    """Set up the instance, measure each server kind in turn, clean up."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--servers", default="web,http", help="comma-separated: web (Daphne), http (gunicorn)")
    parser.add_argument("--requests", type=int, default=4000, help="requests in all, per server kind")
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--web-processes", type=int, default=1, help="Daphne processes (deploy/serve web each)")
    parser.add_argument("--http-workers", type=int, default=2, help="gunicorn worker processes")
    parser.add_argument("--http-threads", type=int, default=8, help="threads per gunicorn worker")
    parser.add_argument("--rounds", type=int, default=1, help="measure the server kinds in turn this many times")
    args = parser.parse_args()
    reason = services_available()
    if reason is not None:
        sys.exit(f"the floor is measured on PostgreSQL and Redis: {reason}")
    with tempfile.TemporaryDirectory() as folder:
        instance = LiveInstance(Path(folder), backend="services", name=f"floor_{os.getpid()}")
        try:
            instance.setup()
            # Every request counts against the tokens' rate limit, as in production; let the run fit in it.
            instance.env["MUTUALS_API_RATE_LIMIT"] = str(args.requests * 10)
            instance.manage("createmember", "floor", "--password", "a sturdy floor passphrase")
            tokens = instance.shell(TOKENS_SCRIPT.format(clients=args.clients)).split()
            for _ in range(args.rounds):
                for kind in args.servers.split(","):
                    measure(instance, kind, tokens, args)
        finally:
            instance.close()


if __name__ == "__main__":
    main()
