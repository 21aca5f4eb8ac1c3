"""Restrictions, moderators and posting refusals reach timeline through what the apps above register."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from federation.models import Actor
from tests.factories.federation import LocalActorFactory
from tests.factories.moderation import restrict_account
from timeline import restrictions
from timeline.restrictions import (
    is_account_restricted,
    posting_refusal,
    restricted_account_ids,
    sees_restricted_accounts,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def nothing_registered() -> Iterator[None]:
    """Empty the registries for one test, then put back what the apps registered."""
    registries: list[list[Any]] = [
        restrictions._restricted_ids,
        restrictions._restricted,
        restrictions._moderator_checks,
        restrictions._posting_refusals,
    ]
    saved = [list(registry) for registry in registries]
    for registry in registries:
        registry.clear()
    yield
    for registry, entries in zip(registries, saved, strict=True):
        registry[:] = entries


def test_registered_readers_answer_for_moderation_and_membership() -> None:
    suspended = LocalActorFactory.create()
    limited = LocalActorFactory.create()
    restrict_account(suspended, "suspend")
    restrict_account(limited, "limit")
    assert set(restricted_account_ids()) == {suspended.pk, limited.pk}
    assert set(restricted_account_ids(limited=False)) == {suspended.pk}
    assert is_account_restricted(limited.pk)
    assert not is_account_restricted(limited.pk, limited=False)
    applicant = LocalActorFactory.create(membership="applicant")
    assert posting_refusal(applicant) is not None
    assert posting_refusal(LocalActorFactory.create()) is None


@pytest.mark.usefixtures("nothing_registered")
def test_with_nothing_registered_nobody_is_restricted_and_everyone_may_post(alice: Actor) -> None:
    assert list(restricted_account_ids()) == []
    assert not is_account_restricted(alice.pk)
    assert not sees_restricted_accounts(alice)
    assert posting_refusal(alice) is None


def test_anonymous_viewers_never_see_restricted_accounts() -> None:
    assert not sees_restricted_accounts(None)
