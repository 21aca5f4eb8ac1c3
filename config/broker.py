"""The embedded broker: kombu's SQLAlchemy transport on a SQLite file of its own.

The embedded mode once kept messages as files in a folder. kombu's filesystem
transport lists and moves files that a web process has created but not yet
written, so a burst of inbound activities could hand the worker an empty
message, and the decoding error stopped the worker for good. A SQLite file
serialises writers and readers by its own locks: a message is a row that is
committed whole or not at all.

What this module changes in kombu's SQLAlchemy channel, each small enough to
read here:

- A message that is not a whole kombu message (not JSON, or JSON of another
  shape) is logged and dropped instead of being raised into the worker's
  event loop, where any error is fatal. The rows of the main database still
  record the work, and the recovery tasks in `config.celery` redo it.
- A delivered message is deleted, not kept with `visible = false`: kombu's
  virtual transports hold unacknowledged messages in memory and put them back
  with a new row on a warm shutdown, so the old row is never read again, and
  keeping it would make every poll scan a table that only grows.
- Messages are read oldest first by id through an index on (queue, id), and
  an empty queue is found with a read alone: kombu orders by a timestamp it
  never sets on insert and takes the write lock for every poll, so each poll
  of an empty queue scanned every waiting message while producers waited.
- A queue's id is looked up once per channel, and a message is one INSERT.

The database runs in WAL mode with a generous busy timeout, so web processes
queueing work wait for the worker's short transactions instead of failing.
"""

from __future__ import annotations

import json
import logging
from queue import Empty
from typing import Any

from kombu.transport import sqlalchemy as kombu_sqlalchemy
from sqlalchemy import event, insert, select, text

logger = logging.getLogger(__name__)

# Seconds a writer waits for the broker file's lock before the publish fails.
BUSY_TIMEOUT_SECONDS = 30
# The index that finds a queue's oldest message; kombu's own tables have none on the queue.
QUEUE_ORDER_INDEX = "ix_mutuals_kombu_message_queue_id_id"
# Engines whose message table has that index, made once per process.
_INDEXED_ENGINES: set[Any] = set()
# Fields kombu's virtual channel reads from every message it delivers.
REQUIRED_PROPERTIES = ("delivery_info", "delivery_tag")


def decode_message(payload: str | bytes, queue: str) -> dict[str, Any] | None:
    """Return a stored message as kombu's virtual channel reads it, or None if it is not one.

    A message that is None is logged with its queue and the start of its text.
    """
    text_payload = payload.decode("utf-8", "replace") if isinstance(payload, bytes) else payload
    try:
        message = json.loads(text_payload)
    except ValueError as exc:
        logger.error("Dropped a malformed message from queue %s (%s): %.80r", queue, exc, text_payload)
        return None
    properties = message.get("properties") if isinstance(message, dict) else None
    if (
        not isinstance(properties, dict)
        or "body" not in message
        or not all(name in properties for name in REQUIRED_PROPERTIES)
        or not isinstance(properties["delivery_info"], dict)
    ):
        logger.error("Dropped a message of unknown shape from queue %s: %.80r", queue, text_payload)
        return None
    return dict(message)


class Channel(kombu_sqlalchemy.Channel):
    """kombu's SQLAlchemy channel that deletes what it delivers and drops what it cannot read."""

    def _open(self) -> Any:
        engine_and_session = super()._open()
        engine = engine_and_session[0]
        if engine not in _INDEXED_ENGINES:
            with engine.begin() as connection:
                connection.execute(
                    text(f"CREATE INDEX IF NOT EXISTS {QUEUE_ORDER_INDEX} ON {self.message_tablename} (queue_id, id)")
                )
            _INDEXED_ENGINES.add(engine)
        return engine_and_session

    def _engine_from_config(self) -> Any:
        engine = super()._engine_from_config()
        if engine.dialect.name == "sqlite":
            event.listen(engine, "connect", _configure_sqlite_connection)
        return engine

    def _queue_id(self, queue: str) -> int:
        """Return the id of a queue's row, made if missing and then kept: queue rows are never deleted."""
        ids: dict[str, int] = self.__dict__.setdefault("_queue_ids", {})
        if queue not in ids:
            ids[queue] = self._get_or_create(queue).id  # type: ignore[attr-defined]
        return ids[queue]

    # kombu types its two bases' `_put` differently; this matches the SQLAlchemy channel it replaces.
    def _put(self, queue: str, payload: Any, **kwargs: Any) -> None:  # type: ignore[override]
        """Store a message as one row, in a transaction of its own."""
        session = self.session
        table = self.message_cls.__table__
        try:
            session.execute(insert(table).values(payload=json.dumps(payload), queue_id=self._queue_id(queue)))
            session.commit()
        except Exception:
            # The publish fails and can be retried; the session must be usable for that.
            session.rollback()
            raise

    def _get(self, queue: str, timeout: float | None = None) -> dict[str, Any]:
        """Take the oldest message of a queue, in a transaction that deletes its row."""
        queue_id = self._queue_id(queue)
        session = self.session
        waiting = select(self.message_cls.id).where(self.message_cls.queue_id == queue_id).limit(1)
        # Most polls find a queue empty: ask without the write lock, which producers need.
        if session.execute(waiting).first() is None:
            session.commit()
            raise Empty()
        if session.get_bind().dialect.name == "sqlite":
            session.commit()
            # Take the write lock first: two workers must never both read the same row.
            session.execute(text("BEGIN IMMEDIATE TRANSACTION"))
        try:
            row = (
                session.query(self.message_cls)
                .with_for_update()
                .filter(self.message_cls.queue_id == queue_id)
                .order_by(self.message_cls.id)
                .limit(1)
                .first()
            )
            if row is None:
                raise Empty()
            payload = row.payload
            session.delete(row)
        finally:
            session.commit()
        message = decode_message(payload, queue)
        if message is None:
            # The row is gone: the next poll reads the next message.
            raise Empty()
        return message

    def _size(self, queue: str) -> int:
        queue_id = self._queue_id(queue)
        return int(self.session.query(self.message_cls).filter(self.message_cls.queue_id == queue_id).count())


class Transport(kombu_sqlalchemy.Transport):
    """The embedded broker's transport (`broker_transport = "config.broker:Transport"`)."""

    Channel = Channel


def _configure_sqlite_connection(dbapi_connection: Any, connection_record: Any) -> None:
    # WAL lets producers append while the worker reads; NORMAL sync is safe in WAL
    # (a power cut may lose the last commits, never corrupt the file).
    cursor = dbapi_connection.cursor()
    cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_SECONDS * 1000}")
    cursor.execute("PRAGMA journal_mode = WAL")
    cursor.execute("PRAGMA synchronous = NORMAL")
    cursor.close()
