"""Measure the memory of the embedded instance: web and worker together.

Starts Daphne and one Celery worker (beat as a thread), as `deploy/run`
does, on a fresh SQLite data folder; measures idle, then after 1,000 posts
have been fanned out and their pages served. Prints RSS (what `ps` shows,
counting shared pages once per process), PSS (shared pages split between
the processes) and USS (pages private to each process).

    .venv/bin/python bench/memory.py [--posts 1000]
    .venv/bin/python bench/memory.py --run-command [--idle-seconds 15]

With `--run-command` it starts `deploy/run` itself instead (its preloaded
supervisor, `manage.py runembedded`, and the worker with beat and Daphne it
forks, exactly as a person starts the instance) and measures every process
of it once, idle, the given seconds after `/healthz` first answers; then,
with the same environment, the floor: one idle process that has only loaded
the application, and a bare interpreter.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil
import requests

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.e2e.database import query_one
from tests.live import ROOT, LiveInstance, free_port, wait_for

POST_SCRIPT = """
from federation.models import Actor
from timeline.actions.statuses import check_create_status, do_create_status
alice = Actor.objects.get(username="alice", domain="")
for n in range({posts}):
    do_create_status(alice, check_create_status(alice, text=f"Benchmark post number {{n}} with a link https://example.com/{{n}}"))
print("posted")
"""


def memory_of(processes: list[psutil.Process]) -> dict[str, float]:
    """Return RSS, PSS and USS in MiB, summed over the processes and their children."""
    totals = {"rss": 0.0, "pss": 0.0, "uss": 0.0}
    seen: set[int] = set()
    for root in processes:
        for process in [root, *root.children(recursive=True)]:
            if process.pid in seen:
                continue
            seen.add(process.pid)
            info = process.memory_full_info()
            totals["rss"] += info.rss
            totals["pss"] += info.pss
            totals["uss"] += info.uss
    return {key: value / 2**20 for key, value in totals.items()}


def report(label: str, figures: dict[str, float], per_process: dict[str, dict[str, float]]) -> None:
    """Print one line of totals and the split per process."""
    split = ", ".join(f"{role} rss {f['rss']:.0f}" for role, f in per_process.items())
    totals = "  ".join(f"{kind.upper()} {figures[kind]:6.1f} MiB" for kind in ("rss", "pss", "uss"))
    print(f"{label:28} {totals}  ({split})")


def measure_run_command(idle_seconds: float) -> None:
    """Start deploy/run on a fresh data folder, wait until it answers and then idles, print its memory, stop it."""
    with tempfile.TemporaryDirectory(prefix="mutuals-bench-") as folder:
        port = free_port()
        env = {k: v for k, v in os.environ.items() if not k.startswith(("MUTUALS_", "DJANGO_", "DATABASE_URL"))}
        env.update({"MUTUALS_DATA_DIR": folder, "MUTUALS_PORT": str(port), "MUTUALS_WORKER_LOGLEVEL": "WARNING"})
        run = subprocess.Popen(
            ["bash", str(ROOT / "deploy" / "run")],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )

        def answers() -> bool:
            try:
                return requests.get(f"http://127.0.0.1:{port}/healthz", timeout=5).status_code in (200, 503)
            except requests.RequestException:
                return False

        try:
            wait_for(answers, timeout=600, message="deploy/run to answer /healthz")
            time.sleep(idle_seconds)
            root = psutil.Process(run.pid)
            print(f"deploy/run, {idle_seconds:.0f} s idle, every process:")
            for process in [root, *root.children(recursive=True)]:
                info = process.memory_full_info()
                command = " ".join(Path(part).name for part in process.cmdline()[:4])
                print(
                    f"  {process.pid:>7} {command[:40]:40} RSS {info.rss / 2**20:6.1f} MiB  "
                    f"PSS {info.pss / 2**20:6.1f} MiB  USS {info.uss / 2**20:6.1f} MiB"
                )
            totals = memory_of([root])
            print("  total" + " " * 43 + "  ".join(f"{k.upper()} {totals[k]:6.1f} MiB" for k in ("rss", "pss", "uss")))
        finally:
            os.killpg(run.pid, signal.SIGTERM)
            run.wait(timeout=60)
        print_floor(env, idle_seconds)


# The floor: what one process costs before it serves anything, measured in the same run.
FLOORS = {
    "a bare interpreter": "import signal; signal.pause()",
    "the application loaded (django.setup() and config.asgi)": (
        "import os, signal, django; os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'config.settings.base'); "
        "django.setup(); import config.asgi; print('ready', flush=True); signal.pause()"
    ),
}


def print_floor(env: dict[str, str], idle_seconds: float) -> None:
    """Print the PSS of one idle process at each floor, with the same environment and data folder deploy/run had."""
    for label, code in FLOORS.items():
        process = subprocess.Popen(
            [sys.executable, "-c", code], cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL
        )
        try:
            if "ready" in code:
                assert process.stdout is not None
                process.stdout.readline()
            time.sleep(min(idle_seconds, 5))
            info = psutil.Process(process.pid).memory_full_info()
            print(f"  floor, {label}: PSS {info.pss / 2**20:6.1f} MiB, RSS {info.rss / 2**20:6.1f} MiB")
        finally:
            process.terminate()
            process.wait(timeout=30)


def main() -> None:
    """Run the measurement and print it."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=1000)
    parser.add_argument("--run-command", action="store_true", help="measure deploy/run itself, idle")
    parser.add_argument("--idle-seconds", type=float, default=15)
    args = parser.parse_args()
    if args.run_command:
        measure_run_command(args.idle_seconds)
        return
    with tempfile.TemporaryDirectory(prefix="mutuals-bench-") as folder:
        instance = LiveInstance(Path(folder), backend="embedded", name="bench")
        try:
            instance.setup()
            instance.manage("seed_demo")
            instance.env["MUTUALS_LOG_LEVEL"] = "WARNING"
            worker = instance.start_worker(beat=True)
            instance.start_web()
            processes = {role: psutil.Process(p.pid) for role, p in instance.processes.items()}
            time.sleep(5)
            idle = memory_of(list(processes.values()))
            report("idle", idle, {r: memory_of([p]) for r, p in processes.items()})

            started = time.monotonic()
            instance.shell(POST_SCRIPT.format(posts=args.posts))
            wait_for(
                lambda: query_one(instance, "SELECT COUNT(*) FROM timeline_status WHERE fanned_out_at IS NULL") == 0,
                timeout=600,
                interval=1,
                message="every post to be fanned out",
            )
            elapsed = time.monotonic() - started
            for _ in range(3):
                for path in ("/", "/@alice", "/users/alice", "/healthz"):
                    instance.get(path).raise_for_status()
            time.sleep(2)
            loaded = memory_of(list(processes.values()))
            report(f"after {args.posts} posts", loaded, {r: memory_of([p]) for r, p in processes.items()})
            print(f"posting and fanning out {args.posts} posts took {elapsed:.1f} s")
            print(f"worker alive: {worker.poll() is None}")
        finally:
            instance.close()


if __name__ == "__main__":
    main()
