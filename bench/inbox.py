"""Measure the shared inbox: signed Create(Note) activities accepted and processed per second.

Starts an instance as production runs it (Daphne processes, as behind
nginx's least_conn upstream, and Celery workers) with a remote actor
already known and followed by some local members, then plays the remote
server: POSTs signed Create(Note) activities to /inbox from several
connections spread over the web processes. Prints

- accepted per second: 202 answers, each after signature verification,
  origin checks and the durable insert of the inbox row;
- processed per second: from the first POST until every status is in its
  followers' home timelines;
- processing alone: statuses fanned out per second from the first batch's
  commit to the last's (with --process-after-accepting the workers start
  once every activity is accepted, so they have the machine to themselves).

    .venv/bin/python bench/inbox.py [--count 2000] [--followers 10] [--connections 8]
        [--web-processes 2] [--client-processes 2] [--workers 1] [--process-after-accepting]
        [--backend embedded|services]

The requests are signed before the clock starts, and sent from several
client processes (each with its share of the connections), so that one
Python process's lock is not what limits the rate; each client process's
CPU time is printed beside the figures.

Runs on the suite's backend: MUTUALS_TEST_BACKEND=services for PostgreSQL
and Redis (the figures docs/PERFORMANCE.md reports), embedded otherwise, or
on the one --backend names. It also prints whether every worker is still
running at the end, and how many were stopped by an unrecoverable error: a
burst once killed the embedded worker.
"""

from __future__ import annotations

import argparse
import http.client
import multiprocessing
import os
import sys
import tempfile
import threading
import time
from datetime import datetime
from multiprocessing.synchronize import Barrier
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import psycopg

from bench.home_timeline import start_web_processes
from tests.e2e.database import query_one
from tests.e2e.flood import seed_remote_actor, signed_creates
from tests.live import LiveInstance

Prepared = list[tuple[bytes, dict[str, str]]]


def build_requests(instance: LiveInstance, count: int, private_pem: str) -> Prepared:
    """Return signed (body, headers) pairs, made before the clock starts."""
    return [(body, headers) for _, body, headers in signed_creates(instance, private_pem, count, tag="benchmark")]


def client_process(
    work: list[tuple[int, Prepared]], start: Barrier, results: multiprocessing.Queue[tuple[list[int], float, float]]
) -> None:
    """POST each connection's requests from a thread of this process; report statuses, end time and CPU time."""
    statuses: list[int] = []
    lock = threading.Lock()
    connections = [http.client.HTTPConnection("127.0.0.1", port, timeout=120) for port, _ in work]
    for conn in connections:
        conn.connect()

    def send(conn: http.client.HTTPConnection, batch: Prepared) -> None:
        answers = []
        for body, headers in batch:
            conn.request("POST", "/inbox", body=body, headers=headers)
            response = conn.getresponse()
            response.read()
            answers.append(response.status)
        conn.close()
        with lock:
            statuses.extend(answers)

    threads = [
        threading.Thread(target=send, args=(conn, batch)) for conn, (_, batch) in zip(connections, work, strict=True)
    ]
    start.wait()
    cpu = time.process_time()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # CLOCK_MONOTONIC is system-wide on Linux, so the parent can compare it with its own start.
    results.put((statuses, time.monotonic(), time.process_time() - cpu))


def send_all(
    bases: list[str], prepared: Prepared, connections: int, processes: int
) -> tuple[list[int], float, list[float]]:
    """Send every request over kept-alive connections spread over the web and client processes.

    Return the statuses, the seconds from the start until the last answer,
    and each client process's CPU seconds.
    """
    ports = [int(urlsplit(base).port or 80) for base in bases]
    shares = [(ports[n % len(ports)], prepared[n::connections]) for n in range(connections)]
    context = multiprocessing.get_context("spawn")
    start = context.Barrier(processes + 1)
    results: multiprocessing.Queue[tuple[list[int], float, float]] = context.Queue()
    children = [
        context.Process(target=client_process, args=(shares[n::processes], start, results)) for n in range(processes)
    ]
    for child in children:
        child.start()
    start.wait()
    began = time.monotonic()
    statuses: list[int] = []
    ends: list[float] = []
    cpu: list[float] = []
    for _ in children:
        answers, ended, seconds = results.get(timeout=600)
        statuses.extend(answers)
        ends.append(ended)
        cpu.append(seconds)
    for child in children:
        child.join()
    return statuses, max(ends) - began, cpu


def start_workers(instance: LiveInstance, count: int) -> None:
    """Start the Celery worker processes."""
    for n in range(count):
        instance.start_worker(role="worker" if n == 0 else f"worker{n}")


def moment(value: Any) -> datetime | None:
    """Return a timestamp column's value as a datetime (SQLite gives text)."""
    return datetime.fromisoformat(value) if isinstance(value, str) else value


def processing_rate(instance: LiveInstance) -> float:
    """Return statuses fanned out per second between the first batch's commit and the last's.

    Without the first batch, whose work happened before its commit time:
    the rate at which the workers turned waiting items into home timeline
    entries, whatever the time they took to start.
    """
    first, last = (
        moment(query_one(instance, sql, ()))
        for sql in ("SELECT MIN(fanned_out_at) FROM timeline_status", "SELECT MAX(fanned_out_at) FROM timeline_status")
    )
    if first is None or last is None or last <= first:
        return 0.0
    later = int(query_one(instance, "SELECT COUNT(*) FROM timeline_status WHERE fanned_out_at > %s", (first,)) or 0)
    return later / (last - first).total_seconds()


def wait_until_processed(instance: LiveInstance, accepted: int, *, deadline: float) -> int:
    """Wait until every accepted status is fanned out, or the deadline; return how many are."""
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
        time.sleep(0.1)
    return done


def print_cpu(
    before: dict[str, float], after: dict[str, float], client_cpu: list[float], database: float, count: int
) -> None:
    """Print the CPU time each kind of process spent per activity (workers started late: with their start-up)."""
    web = sum(after[role] - before.get(role, 0.0) for role in after if role.startswith("web"))
    workers = sum(after[role] - before.get(role, 0.0) for role in after if role.startswith("worker"))
    print(
        f"CPU per activity: web processes {web / count * 1000:.2f} ms, workers {workers / count * 1000:.2f} ms,"
        f" PostgreSQL {database / count * 1000:.2f} ms, clients {sum(client_cpu) / count * 1000:.2f} ms"
    )


def _process_cpu(pid: int | str) -> float:
    ticks = os.sysconf("SC_CLK_TCK")
    # Fields 14 and 15 of /proc/<pid>/stat, counted after the command name's closing parenthesis.
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / ticks


def database_cpu_seconds() -> dict[str, float]:
    """Return the CPU seconds each PostgreSQL process on this machine has used so far, by pid.

    Backends that ended between two readings are not counted: the instance
    keeps its connections for the whole run, so few do.
    """
    used = {}
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and (entry / "comm").read_text().strip() == "postgres":
                used[entry.name] = _process_cpu(entry.name)
        except OSError:
            continue
    return used


def database_cpu_between(before: dict[str, float], after: dict[str, float]) -> float:
    """Return the CPU seconds PostgreSQL used between two readings."""
    return sum(seconds - before.get(pid, 0.0) for pid, seconds in after.items())


def cpu_seconds(instance: LiveInstance) -> dict[str, float]:
    """Return the CPU seconds (user and system) each of the instance's processes has used so far."""
    return {role: _process_cpu(process.pid) for role, process in instance.processes.items()}


def worker_survival(instance: LiveInstance) -> str:
    """Say how many workers still run, and how many logged the error that stops a worker."""
    workers = {role: process for role, process in instance.processes.items() if role.startswith("worker")}
    alive = sum(1 for process in workers.values() if process.poll() is None)
    fatal = sum(1 for role in workers if "Unrecoverable error" in instance.log(role))
    return f"workers alive at the end: {alive}/{len(workers)} ({fatal} logged an unrecoverable error)"


def parse_arguments() -> argparse.Namespace:
    """Return the command line's choices."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=2000, help="activities to send (at most 20,000)")
    parser.add_argument("--followers", type=int, default=10, help="local followers of the remote actor")
    parser.add_argument("--connections", type=int, default=8, help="kept-alive connections in all")
    parser.add_argument("--web-processes", type=int, default=2, help="Daphne processes, as behind nginx")
    parser.add_argument("--client-processes", type=int, default=2, help="processes sending the requests")
    parser.add_argument("--workers", type=int, default=1, help="Celery worker processes (solo pool each)")
    parser.add_argument(
        "--backend",
        choices=("embedded", "services"),
        default=None,
        help="where to run: SQLite and the embedded broker, or PostgreSQL and Redis (default: the suite's backend)",
    )
    parser.add_argument(
        "--process-after-accepting",
        action="store_true",
        help="start the workers only once every activity is accepted, to measure processing on its own",
    )
    return parser.parse_args()


def main() -> None:
    """Run the measurement and print it."""
    args = parse_arguments()
    count = min(args.count, 20_000)

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    import django

    django.setup()
    instance = LiveInstance(
        Path(tempfile.mkdtemp(prefix="mutuals-bench-inbox-")), name="benchinbox", backend=args.backend
    )
    try:
        # On a busy shared machine migrating takes longer than the helper's default wait.
        instance.manage("migrate", "--noinput", "-v0", timeout=900)
        instance.manage("collectstatic", "--noinput", "-v0", timeout=900)
        private_pem = seed_remote_actor(instance, followers=args.followers)
        instance.start_web()
        bases = start_web_processes(instance, args.web_processes)
        if not args.process_after_accepting:
            start_workers(instance, args.workers)
        prepared = build_requests(instance, count, private_pem)

        load_before = os.getloadavg()
        cpu_before = cpu_seconds(instance)
        database_before = database_cpu_seconds()
        start = time.monotonic()
        answers, accepted_seconds, client_cpu = send_all(bases, prepared, args.connections, args.client_processes)
        accepted = answers.count(202)
        if args.process_after_accepting:
            start_workers(instance, args.workers)
        done = wait_until_processed(instance, accepted, deadline=start + 600)
        processed_seconds = time.monotonic() - start
        cpu_after = cpu_seconds(instance)
        database = database_cpu_between(database_before, database_cpu_seconds())
        entries = int(query_one(instance, "SELECT COUNT(*) FROM timeline_timelineentry", ()) or 0)
        draining = processing_rate(instance)
        load_after = os.getloadavg()
        survival = worker_survival(instance)
    finally:
        instance.close()

    print(
        f"backend: {instance.backend}; {count} activities, {args.followers} local followers;"
        f" {args.web_processes} web processes, {args.workers} worker processes, {args.connections} connections"
        f" from {args.client_processes} client processes"
    )
    print(
        f"accepted:  {accepted}/{count} answered 202 in {accepted_seconds:.1f}s = {accepted / accepted_seconds:.0f}/s"
        f" (client CPU {', '.join(f'{seconds:.1f}' for seconds in client_cpu)} s)"
    )
    print(
        f"processed: {done} in home timelines after {processed_seconds:.1f}s = {done / processed_seconds:.0f}/s"
        f" ({entries} timeline entries)"
    )
    print(f"processing alone: {draining:.0f}/s, from the first batch's commit to the last's")
    print_cpu(cpu_before, cpu_after, client_cpu, database, count)
    print(survival)
    print(f"load average: {load_before[0]:.2f} before, {load_after[0]:.2f} after")


if __name__ == "__main__":
    main()
