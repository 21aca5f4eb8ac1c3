"""Celery tasks for federation: thin wrappers that take ids and call actions."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

from celery import shared_task

from federation.actions.deliveries import do_attempt_deliveries, do_attempt_delivery, schedule_due_deliveries
from federation.actions.inbox import (
    PROCESSING_BATCH,
    do_process_inbox_item,
    do_process_inbox_items,
    unprocessed_inbox_items,
)


@shared_task(name="federation.tasks.deliver_activity")
def deliver_activity(delivery_id: int) -> str:
    """Send one delivery if it is due."""
    return do_attempt_delivery(delivery_id)


@shared_task(name="federation.tasks.deliver_activities")
def deliver_activities(delivery_ids: list[int]) -> dict[int, str]:
    """Send the due deliveries among the ids, claimed and recorded together."""
    return do_attempt_deliveries(delivery_ids)


@shared_task(name="federation.tasks.process_inbox_items")
def process_inbox_items(item_ids: list[int]) -> dict[str, int]:
    """Run the handlers of stored inbox activities: these, and a batch of the oldest others waiting.

    Return how many items ended in each state (the worker logs it).
    """
    return dict(Counter(do_process_inbox_items(item_ids).values()))


@shared_task(name="federation.tasks.process_inbox_item")
def process_inbox_item(item_id: int) -> str:
    """Run the handler of one stored inbox activity (the task earlier versions queued for each)."""
    return do_process_inbox_item(item_id)


@shared_task(name="federation.tasks.requeue_due_deliveries")
def requeue_due_deliveries(min_age_seconds: int = 0) -> int:
    """Queue pending deliveries due now or within the next minute or so, each for its due time.

    These are retries whose back-off was too long to queue when they
    failed, rows held by a worker that died (due when the lease lapses) and
    rows whose task was lost. Return how many were queued.
    """
    return schedule_due_deliveries(min_age=timedelta(seconds=min_age_seconds))


@shared_task(name="federation.tasks.requeue_unprocessed_inbox_items")
def requeue_unprocessed_inbox_items(min_age_seconds: int = 10) -> int:
    """Queue again stored activities whose processing never finished.

    Beat runs this every minute: an item received 10 s before is old enough
    that its own task has had its chance (or was lost with a killed worker,
    whose batch rolled back), so every stored activity is processed within
    about a minute and ten seconds of a worker's death while another runs.
    """
    ids = unprocessed_inbox_items(timedelta(seconds=min_age_seconds))
    for start in range(0, len(ids), PROCESSING_BATCH):
        process_inbox_items.delay(ids[start : start + PROCESSING_BATCH])
    return len(ids)
