"""Web Push: apps' subscriptions (one per access token) and the pushes of new notifications.

A notification's pushes are rows (`PushDelivery`), written in the
notification's transaction for each subscription of the recipient that
wants its type from its sender, and sent after commit by
`timeline.tasks.deliver_pushes`. A push service's 404 or 410 means the
subscription is gone (RFC 8030): it is deleted. Other refusals (4xx but
408 and 429) fail the push without retry; timeouts, 408, 429 and 5xx are
retried on the back-off curve of federation's deliveries, six attempts in
all over about eighteen minutes, as Mastodon retries a push five times.
"""

from __future__ import annotations

import base64
import binascii
import json
import logging
import math
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from cryptography.hazmat.primitives.asymmetric import ec
from django.db import transaction
from django.utils import timezone
from oauth2_provider.models import AccessToken

from config.queueing import enqueue_at_on_commit, enqueue_on_commit
from federation.actions.deliveries import retry_delay
from federation.models import Actor
from federation.transport import TransportError, UnsafeDestination, check_destination, check_fetchable_url, post
from timeline.entities.push import ALERT_TYPES, push_message
from timeline.errors import RequestRefused, ValidationFailed
from timeline.models import Follow, Notification, PushDelivery, PushSubscription
from timeline.web_push import TTL_SECONDS, decode_key, push_request

logger = logging.getLogger(__name__)

MAX_PUSH_ATTEMPTS = 6
MAX_ENDPOINT_LENGTH = 2000
AUTH_SECRET_BYTES = 16
# A claim lapses after this: a push takes at most MUTUALS_HTTP_TIMEOUT to connect and as much to read.
CLAIM_LEASE = timedelta(seconds=40)
# Retries due within this are queued for their time; the rest by the sweep, which runs every minute.
SCHEDULE_AHEAD = timedelta(seconds=75)
PUSH_TASK = "timeline.tasks.deliver_pushes"
PUSH_BATCH = 25


@dataclass(frozen=True)
class PushSettingsDraft:
    """Checked alerts and policy of a subscription."""

    alerts: Mapping[str, bool] = field(default_factory=dict)
    policy: str = PushSubscription.Policy.ALL


@dataclass(frozen=True)
class PushSubscriptionDraft:
    """A checked new subscription: endpoint, the client's keys (unpadded base64url) and its settings."""

    endpoint: str
    key_p256dh: str
    key_auth: str
    standard: bool
    settings: PushSettingsDraft


def _check_endpoint(endpoint: str) -> str:
    endpoint = endpoint.strip()
    if len(endpoint) > MAX_ENDPOINT_LENGTH:
        raise ValidationFailed(f"Endpoint is longer than {MAX_ENDPOINT_LENGTH} characters")
    try:
        check_fetchable_url(endpoint)
    except UnsafeDestination:
        raise ValidationFailed("Endpoint must be an https URL with a host and no credentials") from None
    try:
        check_destination(endpoint)
    except UnsafeDestination:
        raise ValidationFailed("Endpoint must not point at a private or internal address") from None
    except TransportError:
        raise ValidationFailed("Endpoint names a host that cannot be resolved") from None
    return endpoint


def _check_keys(p256dh: str, auth: str) -> tuple[str, str]:
    try:
        point = decode_key(p256dh)
        ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), point)
        if len(point) != 65:
            raise ValueError("not an uncompressed point")
    except (ValueError, binascii.Error):
        raise ValidationFailed("Key p256dh is not a P-256 public key in base64") from None
    try:
        secret = decode_key(auth)
    except (ValueError, binascii.Error):
        raise ValidationFailed("Key auth is not base64") from None
    if len(secret) != AUTH_SECRET_BYTES:
        raise ValidationFailed(f"Key auth must be {AUTH_SECRET_BYTES} bytes")
    return _unpadded(point), _unpadded(secret)


def _unpadded(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def check_push_settings(alerts: Mapping[str, bool], policy: str | None) -> PushSettingsDraft:
    """Check a subscription's alerts and policy; types Mastodon does not push are ignored, as it ignores them."""
    chosen = policy or PushSubscription.Policy.ALL
    if chosen not in PushSubscription.Policy.values:
        raise ValidationFailed("Policy must be all, followed, follower or none")
    return PushSettingsDraft(
        alerts={kind: bool(value) for kind, value in alerts.items() if kind in ALERT_TYPES}, policy=chosen
    )


def check_create_push_subscription(
    endpoint: str, p256dh: str, auth: str, *, standard: bool, settings: PushSettingsDraft
) -> PushSubscriptionDraft:
    """Check a new subscription: an https endpoint on a public address and the client's keys."""
    if not endpoint.strip() or not p256dh.strip() or not auth.strip():
        raise RequestRefused(
            "param is missing or the value is empty: subscription[endpoint], subscription[keys][p256dh] "
            "and subscription[keys][auth] are required",
            status=400,
        )
    checked_endpoint = _check_endpoint(endpoint)
    key_p256dh, key_auth = _check_keys(p256dh, auth)
    return PushSubscriptionDraft(
        endpoint=checked_endpoint, key_p256dh=key_p256dh, key_auth=key_auth, standard=standard, settings=settings
    )


def do_create_push_subscription(
    account: Actor, access_token: AccessToken, draft: PushSubscriptionDraft
) -> PushSubscription:
    """Subscribe the access token, replacing its earlier subscription (and the pushes still owed to it)."""
    with transaction.atomic():
        # The token's row is the lock: two concurrent subscriptions of one token replace each other in turn.
        AccessToken.objects.select_for_update().filter(pk=access_token.pk).exists()
        PushSubscription.objects.filter(access_token=access_token).delete()
        return PushSubscription.objects.create(
            account=account,
            access_token=access_token,
            endpoint=draft.endpoint,
            key_p256dh=draft.key_p256dh,
            key_auth=draft.key_auth,
            standard=draft.standard,
            alerts=dict(draft.settings.alerts),
            policy=draft.settings.policy,
        )


def do_update_push_subscription(subscription: PushSubscription, draft: PushSettingsDraft) -> PushSubscription:
    """Replace the subscription's alerts and policy, as Mastodon replaces its `data` on update."""
    subscription.alerts = dict(draft.alerts)
    subscription.policy = draft.policy
    subscription.save(update_fields=["alerts", "policy", "updated_at"])
    return subscription


def do_delete_push_subscription(access_token: AccessToken) -> None:
    """Remove the access token's subscription, if it has one."""
    PushSubscription.objects.filter(access_token=access_token).delete()


def _policy_allows(subscription: PushSubscription, notification: Notification) -> bool:
    policy = subscription.policy
    if policy == PushSubscription.Policy.ALL:
        return True
    if policy == PushSubscription.Policy.FOLLOWED:
        follower, target = notification.recipient_id, notification.from_account_id
    elif policy == PushSubscription.Policy.FOLLOWER:
        follower, target = notification.from_account_id, notification.recipient_id
    else:
        return False
    return Follow.objects.filter(follower_id=follower, target_id=target, state=Follow.State.ACCEPTED).exists()


def do_queue_pushes(notification: Notification) -> list[int]:
    """Write a push of a new notification for each of its recipient's subscriptions that wants it; send after commit.

    A subscription wants it when its alerts enable the notification's type
    and its policy admits the sender (everyone, accounts the recipient
    follows, the recipient's followers, no one). Return the new rows' ids.
    """
    subscriptions = [
        subscription
        for subscription in PushSubscription.objects.filter(account_id=notification.recipient_id)
        if subscription.alerts.get(notification.type) and _policy_allows(subscription, notification)
    ]
    if not subscriptions:
        return []
    now = timezone.now()
    PushDelivery.objects.bulk_create(
        [PushDelivery(subscription=item, notification=notification, next_attempt_at=now) for item in subscriptions],
        ignore_conflicts=True,
    )
    ids = list(
        PushDelivery.objects.filter(notification=notification, state=PushDelivery.State.PENDING)
        .order_by("id")
        .values_list("id", flat=True)
    )
    for start in range(0, len(ids), PUSH_BATCH):
        enqueue_on_commit(PUSH_TASK, ids[start : start + PUSH_BATCH])
    return ids


def _claim(delivery_id: int) -> PushDelivery | None:
    now = timezone.now()
    claimed = PushDelivery.objects.filter(
        pk=delivery_id, state=PushDelivery.State.PENDING, next_attempt_at__lte=now
    ).update(next_attempt_at=now + CLAIM_LEASE)
    if not claimed:
        return None
    return (
        PushDelivery.objects.select_related(
            "subscription", "subscription__access_token", "notification", "notification__from_account"
        )
        .filter(pk=delivery_id)
        .first()
    )


def do_attempt_pushes(delivery_ids: list[int]) -> dict[int, str]:
    """Send the due pushes among the ids, each claimed first; return each one's outcome.

    Outcomes are the row's new state, "gone" when the push service said the
    subscription no longer exists (it is deleted), or "not due".
    """
    outcomes = dict.fromkeys(delivery_ids, "not due")
    retries: list[tuple[int, datetime]] = []
    for delivery_id in delivery_ids:
        delivery = _claim(delivery_id)
        if delivery is None:
            continue
        outcomes[delivery_id] = _send(delivery)
        if outcomes[delivery_id] == PushDelivery.State.PENDING:
            retries.append((delivery.pk, delivery.next_attempt_at))
    _schedule(retries)
    return outcomes


def _send(delivery: PushDelivery) -> str:
    subscription = delivery.subscription
    notification = delivery.notification
    now = timezone.now()
    if notification.created_at < now - timedelta(seconds=TTL_SECONDS):
        # A push service would drop it by now anyway.
        return _finish(delivery, PushDelivery.State.ABANDONED, "expired before it could be pushed")
    message = json.dumps(push_message(notification, subscription), separators=(",", ":")).encode()
    try:
        request = push_request(
            subscription.endpoint,
            subscription.key_p256dh,
            subscription.key_auth,
            message,
            standard=subscription.standard,
        )
    except ValueError as exc:
        return _finish(delivery, PushDelivery.State.FAILED, f"cannot encrypt for this subscription: {exc}")
    try:
        response = post(subscription.endpoint, request.body, request.headers)
    except UnsafeDestination as exc:
        return _finish(delivery, PushDelivery.State.FAILED, str(exc))
    except TransportError as exc:
        return _retry(delivery, str(exc))
    return _record_answer(delivery, response.status)


def _record_answer(delivery: PushDelivery, status: int) -> str:
    """Record what the push service answered: delivered, gone, refused for good, or to retry."""
    now = timezone.now()
    if 200 <= status < 300:
        delivery.state = PushDelivery.State.DELIVERED
        delivery.attempts += 1
        delivery.delivered_at = delivery.last_attempt_at = now
        delivery.last_error = ""
        delivery.save(update_fields=["state", "attempts", "delivered_at", "last_attempt_at", "last_error"])
        return delivery.state
    if status in (404, 410):
        logger.info("push subscription %s is gone (HTTP %s): deleted", delivery.subscription_id, status)
        delivery.subscription.delete()
        return "gone"
    if 400 <= status < 500 and status not in (408, 429):
        return _finish(delivery, PushDelivery.State.FAILED, f"HTTP {status}")
    return _retry(delivery, f"HTTP {status}")


def _finish(delivery: PushDelivery, state: str, error: str) -> str:
    delivery.state = state
    delivery.attempts += 1
    delivery.last_error = error[:2000]
    delivery.last_attempt_at = timezone.now()
    delivery.save(update_fields=["state", "attempts", "last_error", "last_attempt_at"])
    logger.info("push %s to subscription %s: %s (%s)", delivery.pk, delivery.subscription_id, state, error)
    return state


def _retry(delivery: PushDelivery, error: str) -> str:
    if delivery.attempts + 1 >= MAX_PUSH_ATTEMPTS:
        return _finish(delivery, PushDelivery.State.ABANDONED, error)
    delivery.attempts += 1
    delivery.last_error = error[:2000]
    delivery.last_attempt_at = timezone.now()
    delivery.next_attempt_at = delivery.last_attempt_at + retry_delay(delivery.attempts)
    delivery.save(update_fields=["attempts", "last_error", "last_attempt_at", "next_attempt_at"])
    logger.info("push %s to subscription %s: retry (%s)", delivery.pk, delivery.subscription_id, error)
    return delivery.state


def _schedule(rows: list[tuple[int, datetime]]) -> int:
    """Queue a task for the pushes due within SCHEDULE_AHEAD, at their due second; return how many."""
    now = timezone.now()
    by_second: dict[int, list[int]] = defaultdict(list)
    for delivery_id, due in rows:
        if due <= now + SCHEDULE_AHEAD:
            by_second[0 if due <= now else math.ceil(due.timestamp())].append(delivery_id)
    for second, ids in sorted(by_second.items()):
        for start in range(0, len(ids), PUSH_BATCH):
            batch = ids[start : start + PUSH_BATCH]
            if second == 0:
                enqueue_on_commit(PUSH_TASK, batch)
            else:
                enqueue_at_on_commit(PUSH_TASK, datetime.fromtimestamp(second, tz=UTC), batch)
    return sum(len(ids) for ids in by_second.values())


def schedule_due_pushes(*, min_age: timedelta = timedelta(0)) -> int:
    """Queue every pending push due within SCHEDULE_AHEAD for its time; return how many.

    This is the schedule of retries with long back-offs and the recovery of
    pushes whose task was lost; a push queued twice is claimed once.
    """
    now = timezone.now()
    pending = PushDelivery.objects.filter(state=PushDelivery.State.PENDING)
    overdue = pending.filter(next_attempt_at__lte=now - min_age)
    coming = pending.filter(next_attempt_at__gt=now, next_attempt_at__lte=now + SCHEDULE_AHEAD)
    rows = list((overdue | coming).order_by("next_attempt_at").values_list("id", "next_attempt_at")[:5000])
    return _schedule(rows)
