"""Idempotency-Key on POST /api/v1/statuses: one post per key and account for an hour, whatever happens."""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import pytest
from django.db import OperationalError, connection
from django.test import Client
from django.utils import timezone

from config import queueing
from federation.models import Actor
from tests.clients import bearer_for
from timeline.actions import statuses as status_actions
from timeline.actions.statuses import IDEMPOTENCY_WINDOW, check_create_status, do_create_status
from timeline.models import IdempotencyKey, ScheduledStatus, Status

pytestmark = pytest.mark.django_db

CONCURRENT_POSTS = 6


def post(actor: Actor, key: str | None, **payload: str) -> Any:
    """POST a status as the actor, with the Idempotency-Key if one is given."""
    headers = bearer_for(actor) | ({"Idempotency-Key": key} if key is not None else {})
    return Client().post("/api/v1/statuses", {"status": "Once", **payload}, headers=headers)


def test_a_repeated_key_answers_the_first_status_even_with_another_body(alice: Actor) -> None:
    first = post(alice, "abc-123")
    again = post(alice, "abc-123", status="Something else", visibility="private")
    assert first.status_code == again.status_code == 200
    assert again.json()["id"] == first.json()["id"]
    assert again.json()["content"] == first.json()["content"]
    assert Status.objects.get().text == "Once"
    key = IdempotencyKey.objects.get()
    assert (key.key, key.account_id, key.status_id) == ("abc-123", alice.pk, int(first.json()["id"]))


def test_blanks_around_a_key_do_not_make_another_key(alice: Actor) -> None:
    first = post(alice, "k1").json()
    assert post(alice, "  k1 ").json()["id"] == first["id"]
    assert Status.objects.count() == 1


def test_keys_belong_to_one_account(alice: Actor, bob: Actor) -> None:
    mine = post(alice, "shared").json()
    theirs = post(bob, "shared").json()
    assert mine["id"] != theirs["id"]
    assert theirs["account"]["id"] == str(bob.pk)
    assert Status.objects.count() == IdempotencyKey.objects.count() == 2


def test_posts_without_a_key_are_never_merged(alice: Actor) -> None:
    assert post(alice, None).json()["id"] != post(alice, None).json()["id"]
    assert Status.objects.count() == 2
    assert not IdempotencyKey.objects.exists()


def test_a_repeated_key_answers_the_first_scheduled_status(alice: Actor) -> None:
    later = (timezone.now() + timedelta(hours=2)).isoformat()
    first = post(alice, "plan", scheduled_at=later)
    again = post(alice, "plan", scheduled_at=later)
    assert first.status_code == again.status_code == 200
    assert again.json() == first.json()
    assert ScheduledStatus.objects.count() == 1
    assert not Status.objects.exists()
    assert IdempotencyKey.objects.get().scheduled_status_id == int(first.json()["id"])


def test_an_expired_key_posts_anew_and_replaces_the_old_record(alice: Actor) -> None:
    first = post(alice, "hourly").json()
    IdempotencyKey.objects.update(created_at=timezone.now() - IDEMPOTENCY_WINDOW - timedelta(seconds=1))
    second = post(alice, "hourly").json()
    assert second["id"] != first["id"]
    assert Status.objects.count() == 2
    assert IdempotencyKey.objects.get().status_id == int(second["id"])


def test_a_key_whose_status_was_deleted_answers_404_and_posts_nothing(alice: Actor) -> None:
    first = post(alice, "gone").json()
    headers = bearer_for(alice)
    assert Client().delete(f"/api/v1/statuses/{first['id']}", headers=headers).status_code == 200
    again = post(alice, "gone")
    assert again.status_code == 404
    assert again.json() == {"error": "Record not found"}
    assert not Status.objects.exists()
    assert IdempotencyKey.objects.get().status_id is None


@pytest.mark.parametrize(
    ("key", "message"),
    [
        ("x" * 201, "Idempotency-Key is too long (the limit is 200 characters)."),
        ("tab\there", "Idempotency-Key may contain only printable characters."),
    ],
)
def test_a_refused_key_stores_nothing(alice: Actor, key: str, message: str) -> None:
    response = post(alice, key)
    assert response.status_code == 422
    assert response.json() == {"error": message}
    assert not Status.objects.exists()
    assert not IdempotencyKey.objects.exists()


def test_a_refused_post_does_not_use_up_its_key(alice: Actor) -> None:
    refused = post(alice, "retry-me", status="")
    assert refused.status_code == 422
    assert not Status.objects.exists()
    assert not IdempotencyKey.objects.exists()
    accepted = post(alice, "retry-me")
    assert accepted.status_code == 200
    assert Status.objects.get().pk == int(accepted.json()["id"])


def test_a_twin_that_missed_the_first_post_answers_it_without_posting(
    alice: Actor, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two requests with one key in flight: the second passed the look-up before the first committed."""
    first = post(alice, "race").json()
    looked_up: list[str] = []
    real_lookup = status_actions.earlier_post_for_key

    def lookup_missing_the_first(author: Actor, key: str) -> Any:
        looked_up.append(key)
        # The first look-up happens while the twin's transaction is still open.
        return None if len(looked_up) == 1 else real_lookup(author, key)

    monkeypatch.setattr("timeline.api.statuses.earlier_post_for_key", lookup_missing_the_first)
    again = post(alice, "race", status="The twin")
    assert again.status_code == 200
    assert again.json()["id"] == first["id"]
    assert looked_up == ["race", "race"]
    assert list(Status.objects.values_list("text", flat=True)) == ["Once"]
    assert IdempotencyKey.objects.count() == 1


def test_keyed_posts_prune_expired_keys_of_every_account(
    alice: Actor, bob: Actor, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    old = timezone.now() - IDEMPOTENCY_WINDOW - timedelta(minutes=1)
    for number in range(3):
        IdempotencyKey.objects.create(account=bob, key=f"old-{number}", created_at=old)
    IdempotencyKey.objects.create(account=bob, key="recent", created_at=timezone.now() - timedelta(minutes=59))
    with django_capture_on_commit_callbacks(execute=True):
        do_create_status(alice, check_create_status(alice, text="Hi", idempotency_key="new"))
    assert sorted(IdempotencyKey.objects.values_list("key", flat=True)) == ["new", "recent"]


@contextlib.contextmanager
def reads_failing_after_the_post_commits(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Fail every query outside a transaction once a status has been inserted, as a database dropping would."""
    published: list[str] = []
    # Queued tasks go to the broker, as in production, rather than running here.
    monkeypatch.setattr(queueing, "_send", lambda task_name, args: published.append(task_name))
    inserted: list[bool] = []

    def wrapper(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        if inserted and not connection.in_atomic_block:
            raise OperationalError("server closed the connection unexpectedly")
        result = execute(sql, params, many, context)
        if sql.startswith('INSERT INTO "timeline_status"'):
            inserted.append(True)
        return result

    with connection.execute_wrapper(wrapper):
        yield published


@pytest.mark.django_db(transaction=True)
def test_a_committed_post_is_answered_even_if_the_database_drops_right_after(
    alice: Actor, monkeypatch: pytest.MonkeyPatch
) -> None:
    with reads_failing_after_the_post_commits(monkeypatch) as published:
        response = post(alice, "k")
    assert response.status_code == 200, response.content
    assert "timeline.tasks.fan_out_status" in published
    status = Status.objects.get()
    assert response.json()["id"] == str(status.pk)
    assert response.json()["content"] == "<p>Once</p>"
    assert IdempotencyKey.objects.get().status_id == status.pk


@pytest.mark.skipif(
    os.environ.get("MUTUALS_TEST_BACKEND", "embedded") != "services",
    reason="the in-memory SQLite test database locks tables rather than waiting; live tests cover SQLite",
)
@pytest.mark.django_db(transaction=True)
def test_concurrent_posts_with_one_key_make_one_status(alice: Actor) -> None:
    """The unique constraint, not the look-up, decides: every request is answered the one status."""
    headers = bearer_for(alice) | {"Idempotency-Key": "together"}
    start = threading.Barrier(CONCURRENT_POSTS)
    answers: list[tuple[int, str]] = []

    def post_together(number: int) -> None:
        try:
            start.wait(timeout=10)
            response = Client().post("/api/v1/statuses", {"status": f"Attempt {number}"}, headers=headers)
            answers.append((response.status_code, response.json().get("id", response.content.decode())))
        finally:
            connection.close()

    threads = [threading.Thread(target=post_together, args=(number,)) for number in range(CONCURRENT_POSTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    status = Status.objects.get()
    assert answers == [(200, str(status.pk))] * CONCURRENT_POSTS
    assert IdempotencyKey.objects.get().status_id == status.pk
