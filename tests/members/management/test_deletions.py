"""`manage.py deletions`: scheduled and erased accounts, with each receipt's servers by state."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command

from federation.models import Actor
from members.actions.deletion import check_request_account_deletion, do_request_account_deletion
from tests.factories.federation import RemoteActorFactory
from timeline.actions.statuses import check_create_status, do_create_status
from timeline.models import Follow

CaptureHooks = Callable[..., AbstractContextManager[list[Callable[[], Any]]]]


@pytest.mark.django_db
def test_lists_scheduled_and_erased_accounts(
    alice: Actor, bob: Actor, django_capture_on_commit_callbacks: CaptureHooks
) -> None:
    empty = StringIO()
    call_command("deletions", stdout=empty)
    assert "No account deletions." in empty.getvalue()
    follower = RemoteActorFactory.create(domain="mastodon.example")
    Follow.objects.create(follower=follower, target=alice, state=Follow.State.ACCEPTED)
    do_create_status(alice, check_create_status(alice, text="hello"))
    assert alice.user is not None and bob.user is not None
    password = "correct horse battery staple"
    with django_capture_on_commit_callbacks(execute=True):
        do_request_account_deletion(check_request_account_deletion(alice.user, password=password, immediate=True))
        do_request_account_deletion(check_request_account_deletion(bob.user, password=password))
    output = StringIO()
    call_command("deletions", stdout=output)
    lines = output.getvalue().splitlines()
    assert any(line.startswith("alice@") and "acknowledged: 1" in line for line in lines)
    assert any(line.startswith("bob@") and "erasure after" in line for line in lines)
