"""Beat keeps no schedule file: a half-written one from an earlier version cannot stop it."""

from __future__ import annotations

import pytest

from tests.live import LiveInstance, wait_for

pytestmark = pytest.mark.live


def test_beat_starts_past_a_truncated_schedule_file_and_sends_every_task_at_once(instance: LiveInstance) -> None:
    # What a beat killed mid-write left behind: a pickle cut short.
    for name in ("beat-schedule", "celerybeat-schedule"):
        (instance.data_dir / name).write_bytes(b"\x80\x04\x95\x10\x00\x00")
    beat = instance.start_beat()
    wait_for(
        lambda: "Sending due task governance.tasks.close_due_proposals" in instance.log("beat"),
        timeout=60,
        message="beat to send the closing of due proposals",
    )
    wait_for(
        lambda: (
            instance.shell(
                "from config.models import Heartbeat; print(Heartbeat.objects.filter(process='beat').count())"
            )
            == "1"
        ),
        timeout=30,
        message="beat's heartbeat",
    )
    assert beat.poll() is None
    log = instance.log("beat")
    assert "EOFError" not in log
    assert "Sending due task timeline.tasks.remove_unattached_media" in log
