"""Deliver activities to remote inboxes: one row per distinct inbox, retried with growing back-off.

A delivery is claimed by moving its `next_attempt_at` forward in one UPDATE,
so two workers never send the same row at once; a worker that dies holding a
claim leaves the row to recovery once the claim lapses. Receivers
deduplicate by activity id, so sending twice is harmless.
"""

from __future__ import annotations

import json
import logging
import secrets
import time
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from config.queueing import enqueue_on_commit
from federation.activitypub.incoming import host_of
from federation.models import Actor, Delivery, OutboundActivity, RemoteHost
from federation.selectors import is_domain_suspended
from federation.transport import TransportError, UnsafeDestination, signed_post
from federation.uris import base_url

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 16
UNAVAILABLE_AFTER_DAYS = 7
CIRCUIT_THRESHOLD = 10
CIRCUIT_COOL_OFF = timedelta(minutes=5)
CLAIM_LEASE = timedelta(minutes=5)
HOST_STATE_CACHE_SECONDS = 5.0
_host_cache: dict[str, tuple[float, tuple[bool, datetime | None, bool]]] = {}


def retry_delay(attempts: int) -> timedelta:
    """Return the wait before the next attempt: Mastodon's curve, about 2.6 days over 16 attempts."""
    jitter = secrets.randbelow(10) * (attempts + 1)
    return timedelta(seconds=attempts**4 + 15 + jitter)


def _own_host() -> str:
    return host_of(base_url())


def do_queue_activity(actor: Actor, activity: dict[str, Any], inboxes: list[str]) -> OutboundActivity | None:
    """Store an activity and a delivery per distinct remote inbox; queue them after commit.

    Inboxes on suspended domains, on hosts marked unavailable and on this
    server itself are left out. Call inside the transaction of the change
    the activity announces, so both commit or neither does.
    """
    own = _own_host()
    unavailable = set(RemoteHost.objects.filter(unavailable=True).values_list("host", flat=True))
    targets = sorted(
        {
            inbox
            for inbox in inboxes
            if inbox
            and host_of(inbox) != own
            and host_of(inbox) not in unavailable
            and not is_domain_suspended(host_of(inbox))
        }
    )
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
        for delivery_id in Delivery.objects.filter(activity=outbound, state=Delivery.State.PENDING).values_list(
            "id", flat=True
        ):
            enqueue_on_commit("federation.tasks.deliver_activity", delivery_id)
    return outbound


def _claim(delivery_id: int) -> Delivery | None:
    now = timezone.now()
    claimed = Delivery.objects.filter(id=delivery_id, state=Delivery.State.PENDING, next_attempt_at__lte=now).update(
        next_attempt_at=now + CLAIM_LEASE
    )
    if not claimed:
        return None
    return Delivery.objects.select_related("activity", "activity__actor").get(id=delivery_id)


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
    delivery = _claim(delivery_id)
    if delivery is None:
        return "not due"
    unavailable, circuit_open_until, had_failures = _host_state(delivery.host)
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
    delivery.attempts += 1
    if status is not None and 200 <= status < 300:
        delivery.state = Delivery.State.DELIVERED
        delivery.delivered_at = timezone.now()
        delivery.last_error = ""
        delivery.save(update_fields=["state", "delivered_at", "last_error", "attempts"])
        if had_failures:
            record_host_success(delivery.host)
        return Delivery.State.DELIVERED
    delivery.last_error = error[:2000]
    answered = status is not None and 400 <= status < 500 and status not in (408, 429)
    if permanent or answered:
        delivery.state = Delivery.State.FAILED
    elif delivery.attempts >= MAX_ATTEMPTS:
        delivery.state = Delivery.State.ABANDONED
    else:
        delivery.next_attempt_at = timezone.now() + retry_delay(delivery.attempts)
    delivery.save(update_fields=["attempts", "last_error", "state", "next_attempt_at"])
    if not answered and not permanent:
        record_host_failure(delivery.host)
    logger.info("delivery %s to %s: %s", delivery.pk, delivery.inbox, error)
    return delivery.state


def due_deliveries(min_age: timedelta) -> list[int]:
    """Return ids of pending deliveries due for at least `min_age` (their task was lost or is a retry)."""
    cutoff = timezone.now() - min_age
    return list(
        Delivery.objects.filter(state=Delivery.State.PENDING, next_attempt_at__lte=cutoff)
        .order_by("next_attempt_at")
        .values_list("id", flat=True)[:5000]
    )
