"""Time-ordered ids: unique within a process and between processes, even for one millisecond."""

from __future__ import annotations

import multiprocessing
import os
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection

from timeline import ids
from timeline.ids import snowflake_floor, snowflake_id

MOMENT = datetime(2024, 5, 1, tzinfo=UTC)


def test_ids_follow_time_and_stay_unique() -> None:
    made = [snowflake_id(MOMENT) for _ in range(1000)]
    assert len(set(made)) == 1000
    later = snowflake_id(MOMENT + timedelta(milliseconds=1))
    assert later > max(made)
    assert all(snowflake_floor(MOMENT) <= i < snowflake_floor(MOMENT + timedelta(milliseconds=1)) for i in made)


def test_a_full_millisecond_moves_on_to_the_next_ones() -> None:
    # A burst of remote statuses published in one second asks for one millisecond thousands of times.
    moment = MOMENT + timedelta(days=1)
    made = [snowflake_id(moment) for _ in range(5000)]
    assert len(set(made)) == 5000
    assert made == sorted(made)
    assert snowflake_floor(moment) <= made[0]
    assert made[-1] < snowflake_floor(moment + timedelta(milliseconds=5))


def test_a_forked_process_takes_a_slot_of_its_own(monkeypatch: pytest.MonkeyPatch) -> None:
    first = snowflake_id(MOMENT + timedelta(days=2)) >> ids.SEQUENCE_BITS & (ids.SLOTS - 1)
    monkeypatch.setattr(os, "getpid", lambda: -1)
    taken: list[int] = []

    def take_slot() -> int:
        taken.append(1)
        return (first + 1) % ids.SLOTS

    monkeypatch.setattr(ids, "_take_slot", take_slot)
    second = snowflake_id(MOMENT + timedelta(days=2)) >> ids.SEQUENCE_BITS & (ids.SLOTS - 1)
    assert taken == [1]
    assert second == (first + 1) % ids.SLOTS


def _ids_in_child(moment: datetime, count: int, results: multiprocessing.Queue[list[int]]) -> None:
    results.put([snowflake_id(moment) for _ in range(count)])


def test_processes_making_ids_for_the_same_millisecond_never_collide(monkeypatch: pytest.MonkeyPatch) -> None:
    # Worker processes storing remote statuses published in the same second: one after another (a
    # process restarted mid-burst), then two at once, each with the slot the embedded mode gives it
    # (the PostgreSQL sequence is checked below).
    monkeypatch.setattr(ids, "_take_slot", ids._locked_slot)
    context = multiprocessing.get_context("fork")
    results: multiprocessing.Queue[list[int]] = context.Queue()
    moment = MOMENT + timedelta(days=3)

    def run(count: int) -> list[list[int]]:
        children = [context.Process(target=_ids_in_child, args=(moment, 3000, results)) for _ in range(count)]
        for child in children:
            child.start()
        made = [results.get(timeout=60) for _ in children]
        for child in children:
            child.join(timeout=60)
        return made

    made = run(1) + run(1) + run(2)
    assert all(len(batch) == 3000 for batch in made)
    assert len({value for batch in made for value in batch}) == 12000


@pytest.mark.django_db
def test_on_postgresql_each_process_takes_the_next_slot() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("the slot sequence exists on PostgreSQL only")
    first = ids._take_slot()
    assert ids._take_slot() == (first + 1) % ids.SLOTS
