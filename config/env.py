"""Read Mutuals' configuration from the environment.

Every setting an operator may change comes from an environment variable read
here, so that an error names the variable and stops start-up with one line.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


class ConfigError(ImproperlyConfigured):
    """A configuration value is missing or wrong; the message names it."""


def env_str(name: str, default: str = "") -> str:
    """Return the variable's value, or the default when unset or empty."""
    value = os.environ.get(name, "").strip()
    return value or default


def env_bool(name: str, default: bool) -> bool:
    """Return a boolean variable: 1/true/yes/on or 0/false/no/off."""
    raw = env_str(name).lower()
    if not raw:
        return default
    if raw in {"1", "true", "yes", "on"}:
        return True
    if raw in {"0", "false", "no", "off"}:
        return False
    raise ConfigError(f"{name}={raw!r} is not a boolean (use true or false)")


def env_int(name: str, default: int) -> int:
    """Return an integer variable."""
    raw = env_str(name)
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError:
        raise ConfigError(f"{name}={raw!r} is not a whole number") from None


def parse_domain(raw: str) -> str:
    """Validate MUTUALS_DOMAIN: a host name with an optional port, no scheme or path."""
    if not raw or "/" in raw or "@" in raw or " " in raw:
        raise ConfigError(f"MUTUALS_DOMAIN={raw!r} must be a bare host such as social.example or social.test:8000")
    parts = urlsplit(f"//{raw}")
    try:
        port = parts.port
    except ValueError:
        raise ConfigError(f"MUTUALS_DOMAIN={raw!r} has an invalid port") from None
    if not parts.hostname or (port is None and raw.endswith(":")):
        raise ConfigError(f"MUTUALS_DOMAIN={raw!r} has no host name")
    return raw.lower()


def parse_scheme(raw: str) -> str:
    """Validate MUTUALS_SCHEME: https, or http when explicitly asked for."""
    if raw not in {"https", "http"}:
        raise ConfigError(f"MUTUALS_SCHEME={raw!r} must be https or http")
    return raw


DATABASE_CONNECT_TIMEOUT_SECONDS = 3
DATABASE_POOL_WAIT_SECONDS = 5


def parse_database_url(url: str, *, variable: str = "DATABASE_URL", pgbouncer: bool = False) -> dict[str, Any]:
    """Turn a database URL into a Django DATABASES entry, naming the variable and what is wrong.

    `pgbouncer` says the URL reaches PostgreSQL through PgBouncer in
    transaction mode, where consecutive transactions of one connection may
    run on different server connections: nothing may outlive a transaction.
    """
    scheme = url.split(":", 1)[0]
    if scheme not in {"sqlite", "postgres", "postgresql", "pgsql"}:
        raise ConfigError(f"{variable} scheme {scheme!r} is not supported (use postgresql://... or sqlite:///...)")
    try:
        config: dict[str, Any] = dict(dj_database_url.parse(url))
    except ValueError as exc:
        raise ConfigError(f"{variable} is malformed: {exc}") from None
    if config["ENGINE"].endswith("postgresql"):
        if not config.get("NAME"):
            raise ConfigError(f"{variable} names no database (postgresql://user@host:5432/NAME)")
        # A server-side cursor (QuerySet.iterator()) is declared in one
        # transaction and read in later ones: behind PgBouncer those may reach
        # another server connection, which has no such cursor. Prepared
        # statements would have the same problem; Django leaves them off.
        config["DISABLE_SERVER_SIDE_CURSORS"] = pgbouncer
        # Under ASGI each request may run on a new thread, so per-thread
        # persistent connections pile up until PostgreSQL refuses clients.
        # A small pool per process reuses connections instead.
        config["CONN_MAX_AGE"] = 0
        options = config.setdefault("OPTIONS", {})
        # While PostgreSQL is down a request waits at most this long for a
        # connection and then answers 503, rather than hanging: libpq's own
        # connect timeout is unlimited, and the pool waited 10 s.
        options.setdefault("connect_timeout", DATABASE_CONNECT_TIMEOUT_SECONDS)
        options["pool"] = {"min_size": 1, "max_size": 8, "timeout": DATABASE_POOL_WAIT_SECONDS}
    return config


def parse_sentinels(raw: str) -> list[tuple[str, int]]:
    """Read REDIS_SENTINELS: comma-separated host:port pairs of Redis Sentinels."""
    sentinels = []
    for item in (part.strip() for part in raw.split(",")):
        host, _, port = item.rpartition(":")
        if not host or not port.isdigit():
            raise ConfigError(f"REDIS_SENTINELS entry {item!r} is not host:port")
        sentinels.append((host.strip("[]"), int(port)))
    return sentinels


def sqlite_database(path: Path) -> dict[str, Any]:
    """Return the embedded SQLite settings: WAL journal and immediate write locks."""
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": str(path),
        "OPTIONS": {
            # WAL lets the web and worker processes read while one writes;
            # IMMEDIATE takes the write lock up front so two writers queue
            # on the busy timeout instead of failing with "database is locked".
            "init_command": ("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"),
            "transaction_mode": "IMMEDIATE",
            "timeout": 30,
        },
    }


def redacted(url: str) -> str:
    """Return the URL without its password, for messages."""
    parts = urlsplit(url)
    if parts.password:
        netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
        return parts._replace(netloc=netloc).geturl()
    return url


@contextlib.contextmanager
def exit_on_config_error() -> Iterator[None]:
    """Turn a configuration error into one line on stderr and exit status 2."""
    try:
        yield
    except ConfigError as exc:
        sys.stderr.write(f"mutuals: configuration error: {exc}\n")
        sys.stderr.flush()
        raise SystemExit(2) from None
