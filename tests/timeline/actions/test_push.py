"""Pushing notifications: which subscriptions get one, what a push service receives, and its answers."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from pytest_django.fixtures import Settings as SettingsWrapper

from config.celery import RECOVERY_TASKS
from config.vapid import vapid_public_key
from federation.models import Actor
from tests.factories.oauth import AccessTokenFactory
from tests.factories.timeline import FollowFactory, StatusFactory
from tests.push_service import Device, PushService, vapid_claims
from timeline.actions.notifications import do_notify
from timeline.actions.push import (
    MAX_PUSH_ATTEMPTS,
    check_create_push_subscription,
    check_push_settings,
    do_attempt_pushes,
    do_create_push_subscription,
    schedule_due_pushes,
)
from timeline.entities.accounts import avatar_url
from timeline.models import Notification, PushDelivery, PushSubscription, Status
from timeline.tasks import requeue_due_pushes

pytestmark = pytest.mark.django_db

Commits = Callable[..., AbstractContextManager[Any]]


@pytest.fixture(autouse=True)
def _loopback_push_services(settings: SettingsWrapper) -> None:
    """Let pushes reach the stand-in on 127.0.0.1, as instances under test do."""
    settings.MUTUALS_ALLOW_LOOPBACK_FEDERATION = True


@pytest.fixture(scope="module")
def service() -> Iterator[PushService]:
    """Run one stand-in push service for the module."""
    running = PushService()
    yield running
    running.close()


@pytest.fixture(autouse=True)
def _fresh_service(service: PushService) -> None:
    service.received.clear()
    service.status = 201


def _subscribe(
    account: Actor, endpoint: str, device: Device, *, standard: bool = True, policy: str = "all", **alerts: bool
) -> PushSubscription:
    token = AccessTokenFactory.create(user=account.user, scope="push")
    wanted = alerts or {"mention": True, "favourite": True, "follow": True}
    draft = check_create_push_subscription(
        endpoint, device.p256dh, device.auth_b64, standard=standard, settings=check_push_settings(wanted, policy)
    )
    return do_create_push_subscription(account, token, draft)


def _mention(sender: Actor, recipient: Actor, commits: Commits, text: str = "Hello") -> tuple[Notification, Status]:
    status = StatusFactory.create(account=sender, text=text)
    with commits(execute=True):
        notification = do_notify(recipient, sender, Notification.Type.MENTION, status)
    assert notification is not None
    return notification, status


def test_a_mention_is_pushed_encrypted_and_signed(
    alice: Actor, bob: Actor, service: PushService, django_capture_on_commit_callbacks: Commits
) -> None:
    device = Device()
    subscription = _subscribe(alice, service.endpoint("alice"), device)
    bob.display_name = "Bob Builder"
    bob.save(update_fields=["display_name"])
    notification, _ = _mention(bob, alice, django_capture_on_commit_callbacks, "Can we fix it? " + "Yes " * 60)

    [push] = service.wait_for(1)
    assert push.path == "/push/alice"
    assert push.headers["content-encoding"] == "aes128gcm"
    assert push.headers["ttl"] == str(48 * 3600)
    assert push.headers["urgency"] == "normal"
    claims = vapid_claims(push, vapid_public_key())
    assert claims["aud"] == service.endpoint().rsplit("/push/", 1)[0]
    assert claims["exp"] > timezone.now().timestamp() + 3600
    assert claims["sub"].startswith("mailto:")
    payload = device.decrypt(push)
    assert payload == {
        "access_token": subscription.access_token.token,
        "preferred_locale": "en",
        "notification_id": notification.pk,
        "notification_type": "mention",
        "icon": avatar_url(bob),
        "title": "Bob Builder mentioned you",
        "body": payload["body"],
    }
    assert payload["body"].startswith("Can we fix it? Yes Yes")
    assert len(payload["body"]) <= 140 and payload["body"].endswith("Yes…")
    delivery = PushDelivery.objects.get()
    assert (delivery.state, delivery.attempts, delivery.notification_id) == ("delivered", 1, notification.pk)


def test_the_draft_encoding_for_subscriptions_made_without_standard(
    alice: Actor, bob: Actor, service: PushService, django_capture_on_commit_callbacks: Commits
) -> None:
    device = Device()
    _subscribe(alice, service.endpoint(), device, standard=False)
    status = StatusFactory.create(account=alice, spoiler_text="Spoilers", text="The butler did it")
    with django_capture_on_commit_callbacks(execute=True):
        do_notify(alice, bob, Notification.Type.FAVOURITE, status)
    [push] = service.wait_for(1)
    assert push.headers["content-encoding"] == "aesgcm"
    assert push.headers["authorization"].startswith("WebPush ")
    vapid_claims(push, vapid_public_key())
    payload = device.decrypt(push)
    assert (payload["title"], payload["body"]) == ("bob favourited your post", "Spoilers")


def test_only_wanted_types_and_senders_admitted_by_the_policy_are_pushed(
    alice: Actor, bob: Actor, service: PushService, django_capture_on_commit_callbacks: Commits
) -> None:
    everyone = _subscribe(alice, service.endpoint("all"), Device(), mention=True)
    followed = _subscribe(alice, service.endpoint("followed"), Device(), policy="followed", mention=True)
    followers = _subscribe(alice, service.endpoint("follower"), Device(), policy="follower", mention=True)
    nobody = _subscribe(alice, service.endpoint("none"), Device(), policy="none", mention=True)
    favourites_only = _subscribe(alice, service.endpoint("favourites"), Device(), favourite=True)

    first, _ = _mention(bob, alice, django_capture_on_commit_callbacks)
    FollowFactory.create(follower=alice, target=bob)
    second, _ = _mention(bob, alice, django_capture_on_commit_callbacks)
    FollowFactory.create(follower=bob, target=alice, state="pending")
    third, _ = _mention(bob, alice, django_capture_on_commit_callbacks)

    pushed = {(row.notification_id, row.subscription_id) for row in PushDelivery.objects.filter(state="delivered")}
    assert pushed == {
        (first.pk, everyone.pk),
        (second.pk, everyone.pk),
        (second.pk, followed.pk),
        (third.pk, everyone.pk),
        (third.pk, followed.pk),
    }
    assert not PushDelivery.objects.filter(subscription__in=[followers, nobody, favourites_only]).exists()
    assert len(service.wait_for(5)) == 5


def test_gone_subscriptions_are_deleted(
    alice: Actor, bob: Actor, service: PushService, django_capture_on_commit_callbacks: Commits
) -> None:
    for status in (410, 404):
        service.status = status
        subscription = _subscribe(alice, service.endpoint(), Device())
        _mention(bob, alice, django_capture_on_commit_callbacks)
        assert not PushSubscription.objects.filter(pk=subscription.pk).exists()
        assert not PushDelivery.objects.exists()


def test_a_refusal_fails_the_push_and_keeps_the_subscription(
    alice: Actor, bob: Actor, service: PushService, django_capture_on_commit_callbacks: Commits
) -> None:
    service.status = 400
    _subscribe(alice, service.endpoint(), Device())
    _mention(bob, alice, django_capture_on_commit_callbacks)
    delivery = PushDelivery.objects.get()
    assert (delivery.state, delivery.last_error) == ("failed", "HTTP 400")
    assert PushSubscription.objects.exists()


def test_server_errors_and_unreachable_services_are_retried_with_back_off(
    alice: Actor, bob: Actor, service: PushService, django_capture_on_commit_callbacks: Commits
) -> None:
    service.status = 503
    _subscribe(alice, service.endpoint("busy"), Device())
    # Nothing listens on port 9: the connection is refused.
    _subscribe(alice, "http://127.0.0.1:9/push", Device())
    _mention(bob, alice, django_capture_on_commit_callbacks)
    rows = list(PushDelivery.objects.order_by("pk"))
    assert [(row.state, row.attempts) for row in rows] == [("pending", 1), ("pending", 1)]
    assert rows[0].last_error == "HTTP 503"
    assert "failed" in rows[1].last_error
    assert all(row.next_attempt_at > timezone.now() + timedelta(seconds=10) for row in rows)
    # Not due yet: a second task leaves them alone.
    assert set(do_attempt_pushes([row.pk for row in rows]).values()) == {"not due"}

    service.status = 201
    PushDelivery.objects.update(next_attempt_at=timezone.now() - timedelta(seconds=1))
    with django_capture_on_commit_callbacks(execute=True):
        assert schedule_due_pushes() == 2
    busy, unreachable = (PushDelivery.objects.get(pk=row.pk) for row in rows)
    assert (busy.state, busy.attempts) == ("delivered", 2)
    assert (unreachable.state, unreachable.attempts) == ("pending", 2)

    for _ in range(MAX_PUSH_ATTEMPTS - 2):
        PushDelivery.objects.filter(pk=unreachable.pk).update(next_attempt_at=timezone.now())
        do_attempt_pushes([unreachable.pk])
    unreachable.refresh_from_db()
    assert (unreachable.state, unreachable.attempts) == ("abandoned", MAX_PUSH_ATTEMPTS)


def test_pushes_never_reach_internal_addresses(
    alice: Actor,
    bob: Actor,
    service: PushService,
    settings: SettingsWrapper,
    django_capture_on_commit_callbacks: Commits,
) -> None:
    _subscribe(alice, service.endpoint(), Device())
    settings.MUTUALS_ALLOW_LOOPBACK_FEDERATION = False
    _mention(bob, alice, django_capture_on_commit_callbacks)
    delivery = PushDelivery.objects.get()
    assert delivery.state == "failed"
    assert "Refusing to contact" in delivery.last_error
    assert service.received == []


def test_a_push_older_than_its_ttl_is_abandoned(
    alice: Actor, bob: Actor, service: PushService, django_capture_on_commit_callbacks: Commits
) -> None:
    service.status = 503
    _subscribe(alice, service.endpoint(), Device())
    notification, _ = _mention(bob, alice, django_capture_on_commit_callbacks)
    Notification.objects.filter(pk=notification.pk).update(created_at=timezone.now() - timedelta(days=3))
    PushDelivery.objects.update(next_attempt_at=timezone.now())
    [delivery] = PushDelivery.objects.all()
    assert do_attempt_pushes([delivery.pk]) == {delivery.pk: "abandoned"}
    assert len(service.received) == 1


def test_a_repeated_notification_is_pushed_once(
    alice: Actor, bob: Actor, service: PushService, django_capture_on_commit_callbacks: Commits
) -> None:
    _subscribe(alice, service.endpoint(), Device())
    status = StatusFactory.create(account=alice)
    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            do_notify(alice, bob, Notification.Type.FAVOURITE, status)
    assert PushDelivery.objects.count() == 1
    assert len(service.wait_for(1)) == 1


def test_the_recovery_task_queues_pushes_left_due(
    alice: Actor, bob: Actor, service: PushService, django_capture_on_commit_callbacks: Commits
) -> None:
    _subscribe(alice, service.endpoint(), Device())
    status = StatusFactory.create(account=alice)
    # The notification commits but its task is lost (no on-commit callbacks run).
    do_notify(alice, bob, Notification.Type.FAVOURITE, status)
    assert PushDelivery.objects.get().state == "pending"
    assert "timeline.tasks.requeue_due_pushes" in RECOVERY_TASKS
    with django_capture_on_commit_callbacks(execute=True):
        assert requeue_due_pushes() == 1
    assert PushDelivery.objects.get().state == "delivered"
    assert len(service.wait_for(1)) == 1
