"""`manage.py deliveryqueue`: counts per host and, for the rows waiting, the next attempt and the last error."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from federation.actions.deliveries import do_attempt_deliveries, do_queue_activity
from federation.models import Actor, Delivery
from tests.federation.network import FakeNetwork


def _queue(alice: Actor, n: int, inboxes: list[str]) -> None:
    activity = {"id": f"{alice.uri}#queue/{n}", "type": "Create", "actor": alice.uri, "object": "x"}
    do_queue_activity(alice, activity, inboxes)


def _output() -> list[str]:
    out = StringIO()
    call_command("deliveryqueue", stdout=out)
    return out.getvalue().splitlines()


@pytest.mark.django_db
def test_waiting_hosts_show_their_next_attempt_and_last_error(alice: Actor, network: FakeNetwork) -> None:
    network.unreachable.add("https://down.example/inbox")
    _queue(alice, 1, ["https://down.example/inbox", "https://up.example/inbox"])
    _queue(alice, 2, ["https://down.example/inbox"])
    do_attempt_deliveries(list(Delivery.objects.order_by("id").values_list("id", flat=True)))
    soonest = min(Delivery.objects.filter(host="down.example").values_list("next_attempt_at", flat=True))
    lines = _output()
    down = lines.index(next(line for line in lines if line.startswith("down.example")))
    assert lines[down].split()[:5] == ["down.example", "2", "0", "0", "0"]
    assert "2 consecutive failures" in lines[down]
    assert lines[down + 1].startswith(f"    next attempt: {soonest:%Y-%m-%d %H:%M:%S} UTC (in ")
    assert lines[down + 2].startswith("    last error (")
    assert lines[down + 2].endswith("): POST https://down.example/inbox failed: connection refused")
    up = lines.index(next(line for line in lines if line.startswith("up.example")))
    # Nothing waits for a host that took everything: no next attempt, no error.
    assert lines[up].split()[:5] == ["up.example", "0", "1", "0", "0"]
    assert up + 1 == len(lines) or not lines[up + 1].startswith("    ")


@pytest.mark.django_db
def test_a_row_never_tried_shows_when_it_is_due_and_no_error(alice: Actor) -> None:
    _queue(alice, 1, ["https://new.example/inbox"])
    Delivery.objects.update(next_attempt_at=timezone.now() - timedelta(seconds=30))
    lines = _output()
    assert lines[1].split()[:2] == ["new.example", "1"]
    assert lines[2].startswith("    next attempt: ") and lines[2].endswith(" s ago)")
    assert len(lines) == 3


@pytest.mark.django_db
def test_an_empty_queue_says_so() -> None:
    assert _output()[1:] == ["No deliveries."]
