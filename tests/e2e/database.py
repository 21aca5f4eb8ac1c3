"""Read and lock an instance's database from the test process, bypassing its code."""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterator
from typing import Any

import psycopg

from tests.live import LiveInstance


def query_one(instance: LiveInstance, sql: str, params: tuple[Any, ...] = ()) -> Any:
    """Return the first column of the first row of a query (placeholders written %s)."""
    row: Any
    if instance.backend == "services":
        with psycopg.connect(instance.env["DATABASE_URL"], autocommit=True) as pg:
            row = pg.execute(sql.encode(), params).fetchone()
    else:
        with contextlib.closing(sqlite3.connect(instance.data_dir / "mutuals.sqlite3", timeout=30)) as lite:
            row = lite.execute(sql.replace("%s", "?"), params).fetchone()
    return None if row is None else row[0]


@contextlib.contextmanager
def hold_write_lock(instance: LiveInstance, status_id: int) -> Iterator[None]:
    """Hold a lock that makes the status's fan-out wait, until the block ends.

    SQLite has one writer at a time, so an open write transaction stops every
    other write; PostgreSQL locks the status row the fan-out must update.
    """
    if instance.backend == "services":
        with psycopg.connect(instance.env["DATABASE_URL"]) as pg:
            pg.execute("SELECT id FROM timeline_status WHERE id = %s FOR UPDATE", (status_id,))
            yield
            pg.rollback()
    else:
        lite = sqlite3.connect(instance.data_dir / "mutuals.sqlite3", timeout=30, isolation_level=None)
        try:
            lite.execute("BEGIN IMMEDIATE")
            yield
            lite.execute("ROLLBACK")
        finally:
            lite.close()
