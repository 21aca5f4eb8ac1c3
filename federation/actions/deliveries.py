"""Deliver activities to remote inboxes: one row per distinct inbox, retried with growing back-off.

A delivery is claimed by moving its `next_attempt_at` forward by a short
lease in one UPDATE, so two workers never send the same row at once. The
worker renews the lease of the rows it still holds while it works, and
records its successes every few sends; a worker that dies holding a claim
leaves its rows due again when the lease lapses, within CLAIM_LEASE.
Deliveries it had sent but not yet recorded (at most RECORD_EVERY per
task: the unrecorded successes and the POST in flight) are then sent
again; receivers deduplicate by activity id, so that is harmless.

Every pending row due within SCHEDULE_AHEAD has a task queued for its due
time: a retry whose back-off is that short when it fails, the others by
`schedule_due_deliveries`, which beat runs every minute and a worker runs
when it starts, so a task lost with its worker is queued again.
"""

from __future__ import annotations

import json
import logging
import math
import secrets
import time
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from typing import Any

from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from config.queueing import enqueue_at_on_commit, enqueue_on_commit
from federation.activitypub.base import host_of
from federation.models import Actor, Delivery, OutboundActivity, RemoteHost
from federation.selectors import is_domain_suspended
from federation.transport import TransportError, UnsafeDestination, signed_post
from federation.uris import base_url

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 16
UNAVAILABLE_AFTER_DAYS = 7
CIRCUIT_THRESHOLD = 10
CIRCUIT_COOL_OFF = timedelta(minutes=5)
# A claim lapses after this unless renewed: a killed worker's rows are due
# again within it. A POST takes at most MUTUALS_HTTP_TIMEOUT to connect and
# as much per read, so a lease renewed before each POST outlasts it.
CLAIM_LEASE = timedelta(seconds=40)
# A worker renews the lease of the rows it still holds once this much of it has passed.
LEASE_RENEWAL = timedelta(seconds=10)
# Successes are recorded after this many sends: a killed worker's duplicates are bounded by it.
RECORD_EVERY = 5
# Pending rows due within this are queued for their due time; the sweep runs every
# minute, so the window overlaps the next run by a margin for beat's jitter.
SCHEDULE_AHEAD = timedelta(seconds=75)
DELIVER_TASK = "federation.tasks.deliver_activities"
HOST_STATE_CACHE_SECONDS = 5.0
# Deliveries sent by one task: enough to make the claim and the record cheap
# per delivery, few enough that a slow host holds up little else.
DELIVERY_BATCH = 25
_host_cache: dict[str, tuple[float, tuple[bool, datetime | None, bool]]] = {}


def retry_delay(attempts: int) -> timedelta:
    """Return the wait before the next attempt: Mastodon's curve, about 2.6 days over 16 attempts."""
    jitter = secrets.randbelow(10) * (attempts + 1)
    return timedelta(seconds=attempts**4 + 15 + jitter)


def _own_host() -> str:
    return host_of(base_url())


def do_queue_activity(
    actor: Actor,
    activity: dict[str, Any],
    inboxes: list[str],
    *,
    include_unavailable: bool = False,
    keep_order: bool = False,
) -> OutboundActivity | None:
    """Store an activity and a delivery per distinct remote inbox; queue them after commit.

    Inboxes on suspended domains, on hosts marked unavailable (unless
    `include_unavailable`: an account's erasure records every server it
    should tell, even one that is down) and on this server itself are left
    out. With `keep_order`, deliveries are queued in the order given rather
    than sorted. Call inside the transaction of the change the activity
    announces, so both commit or neither does.
    """
    own = _own_host()
    unavailable = (
        set()
        if include_unavailable
        else set(RemoteHost.objects.filter(unavailable=True).values_list("host", flat=True))
    )
    kept = [
        inbox
        for inbox in inboxes
        if inbox
        and host_of(inbox) != own
        and host_of(inbox) not in unavailable
        and not is_domain_suspended(host_of(inbox))
    ]
    targets = list(dict.fromkeys(kept)) if keep_order else sorted(set(kept))
    if not targets:
        return None
    now = timezone.now()
    with transaction.atomic():
        outbound, _ = OutboundActivity.objects.get_or_create(
            activity_id=activity["id"],
            defaults={"actor": actor, "activity_type": activity["type"], "body": activity},
        )
        Delivery.objects.bulk_create(
            [Delivery(activity=outbound, inbox=inbox, host=host_of(inbox), next_attempt_at=now) for inbox in targets],
            ignore_conflicts=True,
        )
        pending = list(
            Delivery.objects.filter(activity=outbound, state=Delivery.State.PENDING)
            .order_by("id")
            .values_list("id", flat=True)
        )
        for start in range(0, len(pending), DELIVERY_BATCH):
            enqueue_on_commit(DELIVER_TASK, pending[start : start + DELIVERY_BATCH])
    return outbound


def _move_lease(delivery_ids: list[int], *, held_until: datetime | None, lease_until: datetime) -> list[int]:
    """Set `next_attempt_at` to `lease_until` on the pending rows among the ids that are due or held; return their ids.

    With `held_until` None the rows due now are claimed; otherwise the rows
    whose lease is still exactly `held_until` (this worker's) are renewed,
    and a row whose lease lapsed and went to another worker is left to it.
    RETURNING names exactly the rows this UPDATE moved, so a row another
    worker claimed a moment earlier is never taken twice.
    """
    if not delivery_ids:
        return []
    ops = connection.ops
    table = ops.quote_name(Delivery._meta.db_table)
    marks = ", ".join(["%s"] * len(delivery_ids))
    if held_until is None:
        condition, value = "next_attempt_at <= %s", timezone.now()
    else:
        condition, value = "next_attempt_at = %s", held_until
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET next_attempt_at = %s "  # noqa: S608 - only placeholders are interpolated
            f"WHERE id IN ({marks}) AND state = %s AND {condition} RETURNING id",
            [
                ops.adapt_datetimefield_value(lease_until),
                *delivery_ids,
                Delivery.State.PENDING,
                ops.adapt_datetimefield_value(value),
            ],
        )
        return [row[0] for row in cursor.fetchall()]


def _claim(delivery_ids: list[int], lease_until: datetime) -> list[Delivery]:
    """Claim the due deliveries among the ids until `lease_until` in one UPDATE; load them in one SELECT."""
    claimed = _move_lease(delivery_ids, held_until=None, lease_until=lease_until)
    if not claimed:
        return []
    loaded = Delivery.objects.select_related("activity", "activity__actor").in_bulk(claimed)
    return [loaded[delivery_id] for delivery_id in delivery_ids if delivery_id in loaded]


def record_host_success(host: str) -> None:
    """Mark a host as answering: its failure days and circuit are cleared."""
    _host_cache.pop(host, None)
    RemoteHost.objects.update_or_create(
        host=host,
        defaults={
            "consecutive_failures": 0,
            "failure_days": [],
            "unavailable": False,
            "circuit_open_until": None,
            "last_success_at": timezone.now(),
        },
    )


def record_host_failure(host: str) -> RemoteHost:
    """Count a failed delivery against a host; open its circuit or mark it unavailable when due."""
    _host_cache.pop(host, None)
    now = timezone.now()
    with transaction.atomic():
        state, _ = RemoteHost.objects.select_for_update().get_or_create(host=host)
        state.consecutive_failures += 1
        today = now.date().isoformat()
        if today not in state.failure_days:
            state.failure_days = [*state.failure_days, today]
        state.unavailable = len(state.failure_days) >= UNAVAILABLE_AFTER_DAYS
        if state.consecutive_failures >= CIRCUIT_THRESHOLD:
            state.circuit_open_until = now + CIRCUIT_COOL_OFF
        state.last_failure_at = now
        state.save()
    return state


def _host_state(host: str) -> tuple[bool, datetime | None, bool]:
    """Return (unavailable, circuit open until, has failures) for a host, cached for a few seconds."""
    now = time.monotonic()
    cached = _host_cache.get(host)
    if cached is not None and now - cached[0] < HOST_STATE_CACHE_SECONDS:
        return cached[1]
    row = (
        RemoteHost.objects.filter(host=host)
        .values_list("unavailable", "circuit_open_until", "consecutive_failures")
        .first()
    )
    state = (False, None, False) if row is None else (row[0], row[1], row[2] > 0 or row[0])
    _host_cache[host] = (now, state)
    return state


def host_is_unavailable(host: str) -> bool:
    """Return whether deliveries to a host are suspended after failures on too many days."""
    return _host_state(host)[0]


def do_attempt_delivery(delivery_id: int) -> str:
    """Send one delivery if it is due, and record the outcome; return the resulting state.

    A 2xx answer delivers; other 4xx answers (except 408 and 429) mean the
    receiver will never accept it; anything else is retried later.
    """
    return do_attempt_deliveries([delivery_id])[delivery_id]


def do_attempt_deliveries(delivery_ids: list[int]) -> dict[int, str]:
    """Send the due deliveries among the ids, as `do_attempt_delivery` does each; return each one's state.

    The rows are claimed in one statement and the successes recorded
    RECORD_EVERY at a time, so the database work of a delivery is a small
    share of its cost, which is then mostly the signature. Before each POST,
    once LEASE_RENEWAL has passed, the successes so far are recorded and
    the lease of the rows still to send renewed; a row whose lease was lost
    meanwhile (a POST that outlasted it) is left to the worker that claimed
    it since. Retries due within SCHEDULE_AHEAD are queued for their time.
    """
    outcomes = dict.fromkeys(delivery_ids, "not due")
    lease_until = _lease_end()
    claimed = _claim(delivery_ids, lease_until)
    renewed_at = time.monotonic()
    delivered: list[Delivery] = []
    revived: set[str] = set()
    for index, delivery in enumerate(claimed):
        if time.monotonic() - renewed_at >= LEASE_RENEWAL.total_seconds():
            # Successes waiting to be recorded are recorded now, so their lease never lapses unrecorded.
            _record_delivered(delivered)
            delivered = []
            held_until, lease_until = lease_until, _lease_end()
            held = set(_move_lease([row.pk for row in claimed[index:]], held_until=held_until, lease_until=lease_until))
            renewed_at = time.monotonic()
            if delivery.pk not in held:
                continue
        had_failures = _host_state(delivery.host)[2]
        outcome = _send(delivery)
        if outcome is None:
            delivered.append(delivery)
            if had_failures:
                revived.add(delivery.host)
            outcome = Delivery.State.DELIVERED
            if len(delivered) >= RECORD_EVERY:
                _record_delivered(delivered)
                delivered = []
        outcomes[delivery.pk] = outcome
    _record_delivered(delivered)
    for host in sorted(revived):
        record_host_success(host)
    waiting = (Delivery.State.PENDING, "circuit open")
    _schedule([(row.pk, row.next_attempt_at) for row in claimed if outcomes[row.pk] in waiting])
    return outcomes


def _lease_end() -> datetime:
    return timezone.now() + CLAIM_LEASE


def _record_delivered(delivered: list[Delivery]) -> None:
    if delivered:
        now = timezone.now()
        Delivery.objects.filter(id__in=[delivery.pk for delivery in delivered]).update(
            state=Delivery.State.DELIVERED,
            delivered_at=now,
            last_attempt_at=now,
            last_error="",
            attempts=F("attempts") + 1,
        )


def _schedule(rows: list[tuple[int, datetime]]) -> int:
    """Queue a task for the rows due within SCHEDULE_AHEAD, to run at their due time; return how many.

    Rows due in the same second share tasks of up to DELIVERY_BATCH; the
    task runs once that second is over, when all of them are due.
    """
    now = timezone.now()
    horizon = now + SCHEDULE_AHEAD
    # Second 0 holds the rows due now, queued at once.
    by_second: dict[int, list[int]] = defaultdict(list)
    for delivery_id, due in rows:
        if due <= horizon:
            by_second[0 if due <= now else math.ceil(due.timestamp())].append(delivery_id)
    for second, ids in sorted(by_second.items()):
        for start in range(0, len(ids), DELIVERY_BATCH):
            batch = ids[start : start + DELIVERY_BATCH]
            if second == 0:
                enqueue_on_commit(DELIVER_TASK, batch)
            else:
                enqueue_at_on_commit(DELIVER_TASK, datetime.fromtimestamp(second, tz=UTC), batch)
    return sum(len(ids) for ids in by_second.values())


def _send(delivery: Delivery) -> str | None:
    """Send one claimed delivery; return None when it was accepted (recorded by the caller), else its state."""
    unavailable, circuit_open_until, _ = _host_state(delivery.host)
    if unavailable:
        delivery.state = Delivery.State.ABANDONED
        delivery.last_error = "host unavailable"
        delivery.save(update_fields=["state", "last_error"])
        return delivery.state
    if circuit_open_until and circuit_open_until > timezone.now():
        delivery.next_attempt_at = circuit_open_until
        delivery.save(update_fields=["next_attempt_at"])
        return "circuit open"
    actor = delivery.activity.actor
    body = json.dumps(delivery.activity.body, separators=(",", ":")).encode()
    permanent = False
    try:
        response = signed_post(delivery.inbox, body, key_id=actor.key_id, private_key_pem=actor.private_key_pem)
        status: int | None = response.status
        error = f"HTTP {response.status}"
    except UnsafeDestination as exc:
        status, error, permanent = None, str(exc), True
    except TransportError as exc:
        status, error = None, str(exc)
    if status is not None and 200 <= status < 300:
        return None
    delivery.attempts += 1
    delivery.last_error = error[:2000]
    delivery.last_attempt_at = timezone.now()
    answered = status is not None and 400 <= status < 500 and status not in (408, 429)
    if permanent or answered:
        delivery.state = Delivery.State.FAILED
    elif delivery.attempts >= MAX_ATTEMPTS:
        delivery.state = Delivery.State.ABANDONED
    else:
        delivery.next_attempt_at = timezone.now() + retry_delay(delivery.attempts)
    delivery.save(update_fields=["attempts", "last_error", "last_attempt_at", "state", "next_attempt_at"])
    if not answered and not permanent:
        record_host_failure(delivery.host)
    logger.info("delivery %s to %s: %s", delivery.pk, delivery.inbox, error)
    return delivery.state


def due_deliveries(
    *, ahead: timedelta = SCHEDULE_AHEAD, min_age: timedelta = timedelta(0)
) -> list[tuple[int, datetime]]:
    """Return (id, due time) of pending deliveries due within `ahead`, soonest first.

    Rows due now but for less than `min_age` are left out (their first task
    may still be on its way). A row held by a worker is due when its lease
    lapses: if the worker died, that is when it is sent again.
    """
    now = timezone.now()
    pending = Delivery.objects.filter(state=Delivery.State.PENDING)
    overdue = pending.filter(next_attempt_at__lte=now - min_age)
    coming = pending.filter(next_attempt_at__gt=now, next_attempt_at__lte=now + ahead)
    return list((overdue | coming).order_by("next_attempt_at").values_list("id", "next_attempt_at")[:5000])


def schedule_due_deliveries(*, min_age: timedelta = timedelta(0)) -> int:
    """Queue every pending delivery due within SCHEDULE_AHEAD for its due time; return how many.

    This is both the schedule of retries with long back-offs and the
    recovery of rows whose task was lost: a row whose task is still waiting
    gets a second one, which finds it claimed or delivered and does nothing.
    """
    return _schedule(due_deliveries(min_age=min_age))
