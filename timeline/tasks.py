"""Celery tasks for timelines: thin wrappers that take ids and call actions."""

from __future__ import annotations

from datetime import timedelta

from celery import shared_task

from timeline.actions.fan_out import do_fan_out_status, pending_fan_outs


@shared_task(name="timeline.tasks.fan_out_status")
def fan_out_status(status_id: int) -> int:
    """Fan a status out to home timelines."""
    return do_fan_out_status(status_id)


@shared_task(name="timeline.tasks.requeue_pending_fan_outs")
def requeue_pending_fan_outs(min_age_seconds: int = 60) -> int:
    """Queue again the fan-out of statuses whose fan-out never finished."""
    ids = list(pending_fan_outs(timedelta(seconds=min_age_seconds)).values_list("id", flat=True)[:10_000])
    for status_id in ids:
        fan_out_status.delay(status_id)
    return len(ids)
