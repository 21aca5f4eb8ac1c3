"""Time-ordered ids."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from timeline.ids import snowflake_floor, snowflake_id


def test_ids_follow_time_and_stay_unique() -> None:
    moment = datetime(2024, 5, 1, tzinfo=UTC)
    ids = [snowflake_id(moment) for _ in range(1000)]
    assert len(set(ids)) == 1000
    later = snowflake_id(moment + timedelta(milliseconds=1))
    assert later > max(ids)
    assert all(snowflake_floor(moment) <= i < snowflake_floor(moment + timedelta(milliseconds=1)) for i in ids)
