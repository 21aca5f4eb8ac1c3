"""Run real Mutuals processes on loopback for end-to-end tests.

A LiveInstance has its own data folder and, in the services backend, its own
PostgreSQL database and Redis database number, so several instances run side
by side like separate servers. The backend follows MUTUALS_TEST_BACKEND.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import secrets
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
import redis
import requests

from config.vapid import generate_vapid_private_key

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
POSTGRES_ADMIN_URL = os.environ.get("MUTUALS_TEST_ADMIN_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test")
REDIS_BASE_URL = os.environ.get("MUTUALS_TEST_REDIS_HOST_URL", "redis://127.0.0.1:6379")
# A streaming standby of the admin URL's server (postgresql://user@host:port): instances read from it.
REPLICA_BASE_URL = os.environ.get("MUTUALS_TEST_REPLICA_HOST_URL", "")
QUEUES = "default,fanout,inbox,deliveries,scheduled"
# Migrated schemas kept between instances and runs, named by the migrations they hold.
TEMPLATE_FOLDER = ROOT / "var" / "test-templates"


def migrations_digest() -> str:
    """Return a short digest of every migration file, so a template is reused only for the same schema."""
    digest = hashlib.sha256()
    for path in sorted(ROOT.glob("*/migrations/*.py")):
        digest.update(str(path.relative_to(ROOT)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def suite_backend() -> str:
    """Return the backend the suite runs on: embedded or services."""
    return os.environ.get("MUTUALS_TEST_BACKEND", "embedded")


# A live test of what clients and peers see over HTTP, or of the embedded mode itself, runs in the embedded
# pass only: the protocol does not change with the database or the broker, and every test below the live
# ones runs on both backends. The services pass keeps the live tests of workers, brokers, restarts and faults.
EMBEDDED_PASS_ONLY = pytest.mark.skipif(
    suite_backend() == "services", reason="a live test of the protocol or the embedded mode: the embedded pass runs it"
)


def services_available() -> str | None:
    """Return None if PostgreSQL and Redis answer on loopback, else the reason they do not."""
    try:
        with psycopg.connect(POSTGRES_ADMIN_URL, connect_timeout=2) as conn:
            conn.execute("SELECT 1")
    except psycopg.Error as exc:
        return f"PostgreSQL at {POSTGRES_ADMIN_URL} does not answer: {exc}"
    try:
        redis.Redis.from_url(f"{REDIS_BASE_URL}/0", socket_timeout=2).ping()
    except redis.RedisError as exc:
        return f"Redis at {REDIS_BASE_URL} does not answer: {exc}"
    return None


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class LiveInstance:
    """A Mutuals instance in separate processes: Daphne, a Celery worker, optionally beat."""

    def __init__(
        self,
        data_dir: Path,
        *,
        backend: str | None = None,
        name: str = "live",
        postgres_admin_url: str | None = None,
        redis_url: str | None = None,
    ) -> None:
        """Prepare an instance; `postgres_admin_url` and `redis_url` name other servers than the suite's."""
        self.backend = backend or suite_backend()
        # A test that stops and starts services gives its own private servers here.
        self.postgres_admin_url = postgres_admin_url or POSTGRES_ADMIN_URL
        self.redis_base_url = redis_url or REDIS_BASE_URL
        # The suite's standby goes with the suite's own servers only.
        self.suite_servers = postgres_admin_url is None and redis_url is None
        self.name = name
        self.data_dir = data_dir
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        self.domain = f"localhost:{self.port}"
        self.base_url = f"http://{self.domain}"
        self.processes: dict[str, subprocess.Popen[bytes]] = {}
        self.env = self._environment()

    def _environment(self) -> dict[str, str]:
        env = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith(("MUTUALS_", "DATABASE_URL", "BROKER_URL", "REDIS_URL", "DJANGO_"))
        }
        env.update(
            {
                "PYTHONUNBUFFERED": "1",
                "MUTUALS_DATA_DIR": str(self.data_dir),
                "MUTUALS_DOMAIN": self.domain,
                "MUTUALS_SCHEME": "http",
                "MUTUALS_ALLOW_LOOPBACK_FEDERATION": "true",
                "MUTUALS_LOG_LEVEL": "INFO",
            }
        )
        if self.backend == "services":
            self.database = f"mutuals_{self.name}_{secrets.token_hex(4)}"
            with psycopg.connect(self.postgres_admin_url, autocommit=True) as conn:
                conn.execute(f'CREATE DATABASE "{self.database}"')
            # One Redis server, a key prefix per instance: instances (and
            # concurrent test runs) never see each other's queues.
            self.redis_url = f"{self.redis_base_url}/0"
            self.redis_prefix = f"mutuals-{self.database}"
            admin = psycopg.conninfo.conninfo_to_dict(self.postgres_admin_url)
            user, host, port = admin.get("user", "postgres"), admin.get("host", "127.0.0.1"), admin.get("port", 5432)
            env.update(
                {
                    "DJANGO_SETTINGS_MODULE": "config.settings.production",
                    "SECRET_KEY": secrets.token_urlsafe(40),
                    "MUTUALS_VAPID_PRIVATE_KEY": generate_vapid_private_key(),
                    "DATABASE_URL": f"postgresql://{user}@{host}:{port}/{self.database}",
                    "REDIS_URL": self.redis_url,
                    "BROKER_URL": self.redis_url,
                    "MUTUALS_REDIS_PREFIX": self.redis_prefix,
                    # Production leaves /media/ to nginx; a live instance has no proxy in front.
                    "MUTUALS_SERVE_MEDIA": "true",
                }
            )
            if REPLICA_BASE_URL and self.suite_servers:
                env["DATABASE_REPLICA_URL"] = f"{REPLICA_BASE_URL}/{self.database}"
        else:
            env["DJANGO_SETTINGS_MODULE"] = "config.settings.base"
        return env

    def manage(self, *args: str, check: bool = True, timeout: float = 120) -> subprocess.CompletedProcess[str]:
        """Run a manage.py command against this instance and return its result."""
        result = subprocess.run(
            [PYTHON, "manage.py", *args],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        if check and result.returncode != 0:
            raise AssertionError(f"manage.py {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
        return result

    def _migrate_into(self, env: dict[str, str]) -> None:
        subprocess.run(
            [PYTHON, "manage.py", "migrate", "--noinput", "-v0"],
            cwd=ROOT,
            env=env,
            capture_output=True,
            timeout=600,
            check=True,
        )

    def _sqlite_template(self) -> Path:
        """Return a migrated SQLite database for this schema, making it once."""
        path = TEMPLATE_FOLDER / f"schema-{migrations_digest()}.sqlite3"
        if path.exists():
            return path
        TEMPLATE_FOLDER.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(dir=TEMPLATE_FOLDER) as folder:
            self._migrate_into({**self.env, "MUTUALS_DATA_DIR": folder})
            staged = Path(folder) / "template.sqlite3"
            # The backup API writes one consistent file, whatever is still in the write-ahead log.
            with (
                contextlib.closing(sqlite3.connect(Path(folder) / "mutuals.sqlite3")) as source,
                contextlib.closing(sqlite3.connect(staged)) as target,
            ):
                source.backup(target)
            os.replace(staged, path)
        return path

    def _postgres_template(self) -> str:
        """Return the name of a migrated PostgreSQL database for this schema, making it once."""
        template = f"mutuals_template_{migrations_digest()}"
        with psycopg.connect(self.postgres_admin_url, autocommit=True) as conn:
            if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (template,)).fetchone():
                return template
            conn.execute(f'CREATE DATABASE "{template}"')
        url = self.env["DATABASE_URL"].rsplit("/", 1)[0] + f"/{template}"
        try:
            self._migrate_into({**self.env, "DATABASE_URL": url})
        except (subprocess.SubprocessError, OSError):
            with psycopg.connect(self.postgres_admin_url, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{template}"')
            raise
        return template

    def _start_from_template(self) -> None:
        if self.backend == "services":
            template = self._postgres_template()
            with psycopg.connect(self.postgres_admin_url, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE "{self.database}"')
                conn.execute(f'CREATE DATABASE "{self.database}" TEMPLATE "{template}"')
        else:
            template_file = self._sqlite_template()
            with (
                contextlib.closing(sqlite3.connect(template_file)) as source,
                contextlib.closing(sqlite3.connect(self.data_dir / "mutuals.sqlite3")) as target,
            ):
                source.backup(target)

    def _reset_database(self) -> None:
        if self.backend == "services":
            with psycopg.connect(self.postgres_admin_url, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{self.database}"')
                conn.execute(f'CREATE DATABASE "{self.database}"')
        else:
            for suffix in ("", "-wal", "-shm"):
                (self.data_dir / f"mutuals.sqlite3{suffix}").unlink(missing_ok=True)

    def setup(self) -> None:
        """Create the schema (copied from a migrated template when one can be made) and collect static files.

        Migrating from nothing takes most of an instance's start-up; copying a
        template made once per schema and then running the (now empty)
        migration keeps every instance's schema exactly what `migrate` makes.
        """
        try:
            self._start_from_template()
        except (subprocess.SubprocessError, OSError, sqlite3.Error, psycopg.Error):
            # Migrating from nothing below still gives a correct schema, only slower.
            self._reset_database()
        self.manage("migrate", "--noinput", "-v0")
        self.manage("collectstatic", "--noinput", "-v0")

    def _spawn(self, role: str, command: list[str]) -> subprocess.Popen[bytes]:
        log = (self.data_dir / f"{role}.log").open("ab")
        process = subprocess.Popen(
            command, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        self.processes[role] = process
        return process

    def start_web(self) -> None:
        """Start Daphne on this instance's port and wait until /healthz answers."""
        self._spawn("web", [PYTHON, "-m", "daphne", "-b", "127.0.0.1", "-p", str(self.port), "config.asgi:application"])
        self.wait_healthy()

    def start_worker(self, *, beat: bool = False, role: str = "worker") -> subprocess.Popen[bytes]:
        """Start a Celery worker (with beat as a thread if asked) on every queue."""
        command = [PYTHON, "-m", "celery", "-A", "config", "worker", "--pool", "solo", "--queues", QUEUES]
        command += ["--without-mingle", "--without-gossip", "--loglevel", "INFO", "--hostname", f"{role}@{self.name}"]
        if beat:
            command.append("--beat-thread")
        return self._spawn(role, command)

    def start_beat(self) -> subprocess.Popen[bytes]:
        """Start Celery beat as its own process, as production runs it."""
        schedule = str(self.data_dir / "beat-schedule")
        return self._spawn(
            "beat", [PYTHON, "-m", "celery", "-A", "config", "beat", "--schedule", schedule, "--loglevel", "INFO"]
        )

    def stop(self, role: str, sig: int = signal.SIGTERM, timeout: float = 20) -> None:
        """Stop one process (its whole session) and wait for it."""
        process = self.processes.pop(role, None)
        if process is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, sig)
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)

    def close(self) -> None:
        """Stop every process and drop the instance's database."""
        for role in list(self.processes):
            self.stop(role)
        if self.backend == "services":
            with psycopg.connect(self.postgres_admin_url, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{self.database}" WITH (FORCE)')
            client = redis.Redis.from_url(self.redis_url)
            keys = list(client.scan_iter(f"{self.redis_prefix}*", count=1000))
            if keys:
                client.delete(*keys)

    def log(self, role: str) -> str:
        """Return what a process has written so far."""
        path = self.data_dir / f"{role}.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def url(self, path: str) -> str:
        """Return the absolute URL of a path on this instance."""
        return f"{self.base_url}{path}"

    def get(self, path: str, **kwargs: Any) -> requests.Response:
        """GET a path on this instance."""
        timeout = kwargs.pop("timeout", 10)
        return requests.get(self.url(path), timeout=timeout, **kwargs)

    def wait_healthy(self, timeout: float = 60) -> dict[str, Any]:
        """Wait until /healthz answers 200 and return its body."""
        deadline = time.monotonic() + timeout
        last = "no answer"
        while time.monotonic() < deadline:
            for role, process in self.processes.items():
                if process.poll() is not None:
                    raise AssertionError(f"{role} exited with {process.returncode}:\n{self.log(role)[-3000:]}")
            try:
                response = self.get("/healthz", timeout=5)
                if response.status_code == 200:
                    body: dict[str, Any] = response.json()
                    return body
                last = f"{response.status_code} {response.text[:500]}"
            except requests.RequestException as exc:
                last = str(exc)
            time.sleep(0.3)
        raise AssertionError(f"{self.name} never became healthy: {last}\n{self.log('web')[-3000:]}")

    def shell(self, code: str) -> str:
        """Run Python in `manage.py shell` against this instance and return its output."""
        return self.manage("shell", "--no-imports", "-v", "0", "-c", code).stdout.strip()


def wait_for(predicate: Any, *, timeout: float, interval: float = 0.25, message: str = "condition") -> None:
    """Poll until the predicate returns a truthy value, or fail after the timeout."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {message}")


@contextlib.contextmanager
def live_instance(data_dir: Path, **kwargs: Any) -> Iterator[LiveInstance]:
    """Yield a set-up LiveInstance and stop it afterwards."""
    instance = LiveInstance(data_dir, **kwargs)
    try:
        instance.setup()
        yield instance
    finally:
        instance.close()
