"""deploy/run brings up the embedded instance, restarts a worker or web process that dies, and stops all on Ctrl-C."""

from __future__ import annotations

import os
import re
import signal
import subprocess
from pathlib import Path

import psutil
import pytest
import requests

from tests.live import EMBEDDED_PASS_ONLY, ROOT, free_port, wait_for

pytestmark = [pytest.mark.live, EMBEDDED_PASS_ONLY]


def start_run_command(data_dir: Path, port: int) -> subprocess.Popen[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MUTUALS_", "DJANGO_", "DATABASE_URL"))}
    env.update({"MUTUALS_DATA_DIR": str(data_dir), "MUTUALS_PORT": str(port), "MUTUALS_WORKER_LOGLEVEL": "WARNING"})
    return subprocess.Popen(
        ["bash", str(ROOT / "deploy" / "run")],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )


def read_until(run: subprocess.Popen[str], marker: str, lines: list[str]) -> str:
    """Read the run command's output into lines until a line holds the marker; return that line."""
    assert run.stdout is not None
    for line in run.stdout:
        lines.append(line)
        if marker in line:
            return line
    raise AssertionError(f"the run command ended before {marker!r}:\n{''.join(lines)}")


def first_started(run: subprocess.Popen[str], lines: list[str], name: str = "worker") -> int:
    """Return the pid of the first process of this name its supervisor started, reading on until it says so."""
    if not started(lines, name):
        read_until(run, f"{name} started", lines)
    return started(lines, name)[0]


def started(lines: list[str], name: str = "worker") -> list[int]:
    """Return the pids of the processes of this name (worker, web) their supervisor started, in order."""
    return [int(match.group(1)) for line in lines if (match := re.search(rf"{name} started \(pid (\d+)\)", line))]


def healthy(port: int) -> bool:
    try:
        return requests.get(f"http://localhost:{port}/healthz", timeout=2).status_code == 200
    except requests.RequestException:
        return False


def test_run_command_serves_the_demo_and_stops_every_process_on_ctrl_c(tmp_path: Path) -> None:
    port = free_port()
    run = start_run_command(tmp_path, port)
    lines: list[str] = []
    try:
        banner = read_until(run, "Ctrl-C stops everything", lines)
        match = re.search(r"supervisor pid (\d+)", banner)
        assert match, banner
        assert int(match.group(1)) == run.pid, banner
        output = "".join(lines)
        assert output.count("password:") == 3
        wait_for(lambda: healthy(port), timeout=60, message="the run command's instance to be healthy")
        profile = requests.get(f"http://localhost:{port}/@alice", timeout=5)
        assert profile.status_code == 200
        assert "@alice@localhost:" in profile.text
        landing = requests.get(f"http://localhost:{port}/", timeout=5)
        assert "Charter of the Mutuals demo co-op" in landing.text
        # The stylesheet is named by its content's hash, so browsers may keep it for good.
        stylesheet = re.search(r'href="(/static/frontend/site\.[0-9a-f]{12}\.css)"', landing.text)
        assert stylesheet, "the page names its stylesheet without a content hash"
        css = requests.get(f"http://localhost:{port}{stylesheet.group(1)}", timeout=5)
        assert css.status_code == 200
        assert "immutable" in css.headers["Cache-Control"]
        pids = [run.pid, first_started(run, lines), first_started(run, lines, "web")]
        # Both are forked from the supervisor, which loaded the application for them.
        assert all(psutil.Process(pid).ppid() == run.pid for pid in pids[1:])
    finally:
        os.kill(run.pid, signal.SIGINT)
        run.wait(timeout=30)
    assert all(not psutil.pid_exists(pid) or psutil.Process(pid).status() == psutil.STATUS_ZOMBIE for pid in pids)

    again = start_run_command(tmp_path, port)
    try:
        second: list[str] = []
        read_until(again, "Ctrl-C stops everything", second)
        assert "already set up" in "".join(second)
        assert "password:" not in "".join(second)
    finally:
        os.kill(again.pid, signal.SIGINT)
        again.wait(timeout=30)


def test_run_command_restarts_a_killed_worker_or_web_process(tmp_path: Path) -> None:
    """A worker killed with SIGKILL is started again after a back-off, with a log line, while the web answers;
    so is a killed web process, and the instance answers again."""
    port = free_port()
    run = start_run_command(tmp_path, port)
    lines: list[str] = []
    try:
        read_until(run, "Ctrl-C stops everything", lines)
        wait_for(lambda: healthy(port), timeout=60, message="the run command's instance to be healthy")
        first = first_started(run, lines)
        os.kill(first, signal.SIGKILL)
        exited = read_until(run, "worker exited", lines)
        assert "status 137" in exited and "restarting in 1s" in exited, exited
        assert healthy(port)
        restarted = read_until(run, "worker started", lines)
        second = started(lines)[-1]
        assert second != first, restarted
        assert psutil.Process(second).is_running()
        assert healthy(port)

        web = first_started(run, lines, "web")
        os.kill(web, signal.SIGKILL)
        exited = read_until(run, "web exited", lines)
        assert "status 137" in exited and "restarting in 1s" in exited, exited
        read_until(run, "web started", lines)
        wait_for(lambda: healthy(port), timeout=60, message="the restarted web process to answer")
        assert started(lines, "web")[-1] != web
        # The worker went on while the web process was forked again.
        assert psutil.Process(second).is_running()
        assert started(lines)[-1] == second
        assert run.poll() is None
    finally:
        os.kill(run.pid, signal.SIGINT)
        run.wait(timeout=30)
    assert not psutil.pid_exists(second) or psutil.Process(second).status() == psutil.STATUS_ZOMBIE
