"""A member created by the operator posts; a worker process fans the post out."""

from __future__ import annotations

import pytest

from tests.e2e.database import query_one
from tests.live import LiveInstance, wait_for

pytestmark = pytest.mark.live


def test_post_is_stored_served_and_fanned_out_by_the_worker(instance: LiveInstance) -> None:
    instance.manage("createmember", "alice", "--password", "a sturdy passphrase")
    url = instance.manage("poststatus", "alice", "Hello from the command line").stdout.strip()
    status_id = int(url.rsplit("/", 1)[1])
    assert url == instance.url(f"/@alice/{status_id}")
    assert query_one(instance, "SELECT fanned_out_at FROM timeline_status WHERE id = %s", (status_id,)) is None

    instance.start_web()
    instance.start_worker()
    # The author's own entry is written with the post; the worker marks the fan-out done.
    assert query_one(instance, "SELECT COUNT(*) FROM timeline_timelineentry WHERE status_id = %s", (status_id,)) == 1
    wait_for(
        lambda: query_one(instance, "SELECT fanned_out_at FROM timeline_status WHERE id = %s", (status_id,)),
        timeout=60,
        message="the worker to fan the status out",
    )
    assert "fan_out_status" in instance.log("worker")

    page = instance.get(f"/@alice/{status_id}")
    assert page.status_code == 200
    assert "Hello from the command line" in page.text
    note = instance.get(f"/users/alice/statuses/{status_id}", headers={"Accept": "application/activity+json"})
    assert note.headers["Content-Type"] == "application/activity+json"
    assert note.json()["type"] == "Note"
    assert note.json()["id"] == instance.url(f"/users/alice/statuses/{status_id}")
    assert note.json()["content"] == "<p>Hello from the command line</p>"
    assert instance.get("/@alice").status_code == 200
