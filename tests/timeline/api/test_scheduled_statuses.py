"""Scheduled statuses: created with `scheduled_at`, listed, moved, cancelled, and published once when due."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from config.celery import RECOVERY_TASKS, app
from federation.models import Actor
from tests.clients import bearer_for
from timeline.actions.scheduled_statuses import do_publish_scheduled_status
from timeline.models import ScheduledStatus, Status
from timeline.tasks import requeue_due_scheduled_statuses

pytestmark = pytest.mark.django_db


def _in(minutes: int) -> str:
    return (timezone.now() + timedelta(minutes=minutes)).isoformat()


def _schedule(actor: Actor, minutes: int = 60, **extra: str) -> dict[str, object]:
    response = Client().post(
        "/api/v1/statuses", {"status": "Later", "scheduled_at": _in(minutes), **extra}, headers=bearer_for(actor)
    )
    assert response.status_code == 200, response.content
    return dict(response.json())


def test_scheduling_answers_a_scheduled_status_and_posts_nothing(alice: Actor) -> None:
    body = _schedule(alice, visibility="unlisted", spoiler_text="cw")
    params = body["params"]
    assert isinstance(params, dict)
    assert params["text"] == "Later"
    assert params["visibility"] == "unlisted"
    assert params["spoiler_text"] == "cw"
    assert body["media_attachments"] == []
    assert not Status.objects.exists()
    listed = Client().get("/api/v1/scheduled_statuses", headers=bearer_for(alice)).json()
    assert [item["id"] for item in listed] == [body["id"]]
    assert Client().get(f"/api/v1/scheduled_statuses/{body['id']}", headers=bearer_for(alice)).json() == body


@pytest.mark.parametrize("minutes", [-10, 0, 4])
def test_too_soon_is_refused(alice: Actor, minutes: int) -> None:
    response = Client().post(
        "/api/v1/statuses", {"status": "Soon", "scheduled_at": _in(minutes)}, headers=bearer_for(alice)
    )
    assert response.status_code == 422
    assert response.json()["error"] == (
        "Validation failed: Scheduled at The scheduled date must be in the future (at least 5 minutes ahead)."
    )
    assert not ScheduledStatus.objects.exists()
    assert not Status.objects.exists()


def test_reschedule_and_cancel(alice: Actor) -> None:
    body = _schedule(alice)
    url = f"/api/v1/scheduled_statuses/{body['id']}"
    too_soon = Client().put(url, {"scheduled_at": _in(1)}, content_type="application/json", headers=bearer_for(alice))
    assert too_soon.status_code == 422
    assert ScheduledStatus.objects.get().scheduled_at.isoformat() != _in(1)
    moved = Client().put(url, {"scheduled_at": _in(120)}, content_type="application/json", headers=bearer_for(alice))
    assert moved.json()["scheduled_at"] != body["scheduled_at"]
    assert Client().delete(url, headers=bearer_for(alice)).json() == {}
    assert not ScheduledStatus.objects.exists()


def test_others_scheduled_statuses_are_not_found_and_unchanged(alice: Actor, bob: Actor) -> None:
    body = _schedule(alice)
    url = f"/api/v1/scheduled_statuses/{body['id']}"
    assert Client().get(url, headers=bearer_for(bob)).status_code == 404
    put = Client().put(url, {"scheduled_at": _in(200)}, content_type="application/json", headers=bearer_for(bob))
    assert put.status_code == 404
    assert Client().delete(url, headers=bearer_for(bob)).status_code == 404
    assert Client().get("/api/v1/scheduled_statuses", headers=bearer_for(bob)).json() == []
    assert Client().delete(url, headers=bearer_for(alice, "read")).status_code == 403
    scheduled = ScheduledStatus.objects.get()
    assert scheduled.scheduled_at.isoformat().startswith(str(body["scheduled_at"])[:16])


def test_due_statuses_are_published_once(alice: Actor) -> None:
    body = _schedule(alice)
    scheduled = ScheduledStatus.objects.get(pk=int(str(body["id"])))
    assert do_publish_scheduled_status(scheduled.pk) is None
    ScheduledStatus.objects.filter(pk=scheduled.pk).update(scheduled_at=timezone.now() - timedelta(seconds=1))
    assert requeue_due_scheduled_statuses() == 1
    status = Status.objects.get()
    assert status.text == "Later"
    assert status.account == alice
    assert do_publish_scheduled_status(scheduled.pk) is None
    assert requeue_due_scheduled_statuses() == 0
    assert Status.objects.count() == 1
    assert Client().get("/api/v1/scheduled_statuses", headers=bearer_for(alice)).json() == []


def test_a_scheduled_status_that_no_longer_passes_is_dropped(alice: Actor) -> None:
    body = _schedule(alice)
    ScheduledStatus.objects.filter(pk=int(str(body["id"]))).update(
        scheduled_at=timezone.now() - timedelta(seconds=1), params={"text": "", "visibility": "public"}
    )
    assert do_publish_scheduled_status(int(str(body["id"]))) is None
    assert not Status.objects.exists()
    assert not ScheduledStatus.objects.exists()


def test_publishing_runs_every_minute_and_on_recovery() -> None:
    assert "timeline.tasks.requeue_due_scheduled_statuses" in RECOVERY_TASKS
    assert app.conf.beat_schedule["timeline.tasks.requeue_due_scheduled_statuses"]["schedule"] == 60.0
