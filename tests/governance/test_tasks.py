"""The beat task closes due proposals and lapses unratified emergency actions."""

from __future__ import annotations

import pytest
from django.utils import timezone

from config.celery import app
from governance.models import Proposal
from governance.tasks import close_due_proposals
from tests.factories.governance import open_proposal, vote
from tests.factories.members import make_member

pytestmark = pytest.mark.django_db


def test_beat_schedules_the_closing_task() -> None:
    entry = app.conf.beat_schedule["governance.tasks.close_due_proposals"]
    assert entry["task"] == "governance.tasks.close_due_proposals"
    assert entry["schedule"] == 60.0


def test_task_closes_due_proposals_only() -> None:
    member = make_member()
    due = open_proposal(member)
    later = open_proposal(member, title="Later")
    vote(member, due, 0)
    Proposal.objects.filter(pk=due.pk).update(closes_at=timezone.now())
    assert close_due_proposals.delay().get() == 1
    due.refresh_from_db()
    later.refresh_from_db()
    assert (due.state, due.outcome) == (Proposal.State.CLOSED, "passed")
    assert later.state == Proposal.State.OPEN
