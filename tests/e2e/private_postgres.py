"""A PostgreSQL cluster of a test's own, on a free loopback port, that the test may stop and start.

Tests that take PostgreSQL away must never touch the machine's shared
server: this cluster lives in a temporary folder, listens on 127.0.0.1 only
and is removed when the block ends. PostgreSQL refuses to run as root, so
under root its programs run as the `postgres` user.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

from tests.live import free_port

BIN = Path("/usr/lib/postgresql/15/bin")


def _as_server_user() -> list[str]:
    """Return the command prefix that runs PostgreSQL's programs as an ordinary user."""
    return ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []


class PrivatePostgres:
    """One initialised cluster: `admin_url` reaches its `postgres` database as the superuser."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.data = folder / "data"
        self.port = free_port()
        self.user = "postgres" if os.geteuid() == 0 else pwd.getpwuid(os.geteuid()).pw_name
        self.admin_url = f"postgresql://{self.user}@127.0.0.1:{self.port}/postgres"

    def _run(self, *command: str, timeout: float = 60) -> None:
        subprocess.run(
            [*_as_server_user(), *command], check=True, capture_output=True, timeout=timeout, cwd=self.folder
        )

    def initialise(self) -> None:
        """Create the cluster: trust on loopback, no fsync (the machine does not crash under a test).

        Commits stay synchronous: a test that stops the server at once must
        find every transaction it was told had committed.
        """
        if os.geteuid() == 0:
            shutil.chown(self.folder, "postgres", "postgres")
        self._run(str(BIN / "initdb"), "-D", str(self.data), "-U", self.user, "--auth=trust", "-E", "UTF8")
        with (self.data / "postgresql.conf").open("a") as conf:
            conf.write(
                f"listen_addresses = '127.0.0.1'\nport = {self.port}\nunix_socket_directories = '{self.folder}'\n"
                "fsync = off\nfull_page_writes = off\nmax_connections = 100\n"
            )

    def start(self) -> None:
        """Start the server and wait until it accepts connections."""
        log = str(self.folder / "postgres.log")
        self._run(str(BIN / "pg_ctl"), "-D", str(self.data), "-l", log, "-w", "-t", "30", "start")

    def stop(self) -> None:
        """Stop the server at once, disconnecting every client (as a crash or restart would)."""
        self._run(str(BIN / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "-w", "-t", "30", "stop")

    def running(self) -> bool:
        """Return whether the server's postmaster is alive."""
        status = subprocess.run(
            [*_as_server_user(), str(BIN / "pg_ctl"), "-D", str(self.data), "status"],
            capture_output=True,
            timeout=10,
            check=False,
        )
        return status.returncode == 0


@contextlib.contextmanager
def private_postgres() -> Iterator[PrivatePostgres]:
    """Yield a started private cluster; stop it and remove its folder afterwards."""
    # Not under pytest's tmp_path: the server user must be able to reach the folder.
    folder = Path(tempfile.mkdtemp(prefix="mutuals-pg-"))
    server = PrivatePostgres(folder)
    try:
        server.initialise()
        server.start()
        yield server
    finally:
        if server.data.exists() and server.running():
            server.stop()
        shutil.rmtree(folder, ignore_errors=True)
