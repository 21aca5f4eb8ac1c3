"""Statuses rendered as ActivityStreams."""

from __future__ import annotations

import pytest

from federation.activitypub.context import PUBLIC
from federation.models import Actor
from tests.factories.timeline import StatusFactory
from timeline.activitypub.renderers import addressing_for_status
from timeline.models import Visibility


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("visibility", "to", "cc"),
    [(Visibility.UNLISTED, ["followers"], [PUBLIC]), (Visibility.PRIVATE, ["followers"], [])],
)
def test_addressing_follows_visibility(alice: Actor, visibility: Visibility, to: list[str], cc: list[str]) -> None:
    status = StatusFactory.create(account=alice, visibility=visibility)
    expected_to = [alice.followers_uri if x == "followers" else x for x in to]
    assert addressing_for_status(status) == (expected_to, cc)
