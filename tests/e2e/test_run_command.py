"""deploy/run brings up the embedded instance; Ctrl-C stops web and worker."""

from __future__ import annotations

import os
import re
import signal
import subprocess
from pathlib import Path

import psutil
import pytest
import requests

from tests.live import ROOT, free_port, wait_for

pytestmark = pytest.mark.live


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


def test_run_command_serves_the_demo_and_stops_both_processes_on_ctrl_c(tmp_path: Path) -> None:
    port = free_port()
    run = start_run_command(tmp_path, port)
    lines: list[str] = []
    assert run.stdout is not None
    try:
        for line in run.stdout:
            lines.append(line)
            if "Ctrl-C stops both" in line:
                break
        output = "".join(lines)
        match = re.search(r"web pid (\d+), worker pid (\d+)", output)
        assert match, output
        pids = [int(match.group(1)), int(match.group(2))]
        assert output.count("password:") == 3

        def healthy() -> bool:
            try:
                return requests.get(f"http://localhost:{port}/healthz", timeout=2).status_code == 200
            except requests.RequestException:
                return False

        wait_for(healthy, timeout=60, message="the run command's instance to be healthy")
        profile = requests.get(f"http://localhost:{port}/@alice", timeout=5)
        assert profile.status_code == 200
        assert "@alice@localhost:" in profile.text
        landing = requests.get(f"http://localhost:{port}/", timeout=5)
        assert "Charter of the Mutuals demo co-op" in landing.text
    finally:
        os.kill(run.pid, signal.SIGINT)
        run.wait(timeout=30)
    assert all(not psutil.pid_exists(pid) or psutil.Process(pid).status() == psutil.STATUS_ZOMBIE for pid in pids)

    again = start_run_command(tmp_path, port)
    assert again.stdout is not None
    try:
        second: list[str] = []
        for line in again.stdout:
            second.append(line)
            if "Ctrl-C stops both" in line:
                break
        assert "already set up" in "".join(second)
        assert "password:" not in "".join(second)
    finally:
        os.kill(again.pid, signal.SIGINT)
        again.wait(timeout=30)
