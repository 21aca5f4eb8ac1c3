"""Migration 0007 seals existing plain tracker keys; old proposals keep their trackers and receipts."""

from __future__ import annotations

import hashlib
import hmac
from datetime import timedelta

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from governance.actions.ballots import tracker_for
from governance.models import Ballot, Proposal
from tests.factories.members import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("governance", "0006_report_forwarded")]
AFTER = [("governance", "0007_sealed_tracker_keys_full_log_summaries")]
PLAIN_KEY = "ab" * 32


def _migrate(targets: list[tuple[str, str]]) -> MigrationExecutor:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return MigrationExecutor(connection)


def _latest() -> list[tuple[str, str]]:
    """Return governance's newest migration, whose schema today's models read."""
    return MigrationExecutor(connection).loader.graph.leaf_nodes("governance")


def test_plain_keys_are_sealed_and_trackers_unchanged() -> None:
    # Users are untouched by governance's migrations: make one with today's model first.
    author = UserFactory()
    old_apps = _migrate(BEFORE).loader.project_state(BEFORE).apps
    proposal_model = old_apps.get_model("governance", "Proposal")
    ballot_model = old_apps.get_model("governance", "Ballot")
    now = timezone.now()
    old = proposal_model.objects.create(
        kind="text",
        title="Before sealing",
        method="consent",
        options=["Agree", "Abstain", "Disagree", "Block"],
        secret=True,
        author_id=author.pk,
        opened_at=now - timedelta(days=8),
        closes_at=now - timedelta(days=1),
        bylaws_version=1,
        min_open_days=6,
        quorum="0",
        pass_threshold="0.5",
        block_override="0.9",
        electorate_size=1,
        electorate_hash="0" * 64,
        tracker_key=PLAIN_KEY,
    )
    old_tracker = hmac.new(PLAIN_KEY.encode(), str(author.pk).encode(), hashlib.sha256).hexdigest()[:32]
    ballot_model.objects.create(proposal=old, tracker=old_tracker, choice=0, cast_at=now - timedelta(days=2))

    _migrate(_latest())
    proposal = Proposal.objects.get(pk=old.pk)
    assert proposal.tracker_key != PLAIN_KEY
    assert PLAIN_KEY not in proposal.tracker_key
    assert proposal.tracker_key_id
    assert tracker_for(proposal, author.pk) == old_tracker
    cast_at = Ballot.objects.get(proposal=proposal).cast_at
    assert (cast_at.hour, cast_at.minute, cast_at.second, cast_at.microsecond) == (0, 0, 0, 0)

    # And back: the reverse migration restores the plain key.
    _migrate(BEFORE)
    with connection.cursor() as cursor:
        cursor.execute("SELECT tracker_key FROM governance_proposal WHERE id = %s", [old.pk])
        assert cursor.fetchone() == (PLAIN_KEY,)
    _migrate(_latest())
