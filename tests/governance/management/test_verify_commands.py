"""verify_log and verify_proposal pass on intact records and fail on edited ones."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from governance.models import Ballot, LogEntry
from tests.factories.governance import close, open_proposal, vote
from tests.factories.members import make_member

pytestmark = pytest.mark.django_db


def closed_proposal() -> int:
    voters = [make_member() for _ in range(3)]
    proposal = open_proposal(voters[0])
    for voter in voters:
        vote(voter, proposal, 0)
    return close(proposal).pk


def test_intact_records_verify() -> None:
    proposal_id = closed_proposal()
    out = StringIO()
    call_command("verify_log", stdout=out)
    assert "intact (2 entries)" in out.getvalue()
    out = StringIO()
    call_command("verify_proposal", str(proposal_id), stdout=out)
    assert f"Proposal #{proposal_id} verifies: passed." in out.getvalue()


def test_edited_log_row_fails_verify_log() -> None:
    closed_proposal()
    LogEntry.objects.filter(sequence=2).update(data={"outcome": "failed"})
    err = StringIO()
    with pytest.raises(CommandError, match="chain is broken"):
        call_command("verify_log", stderr=err)
    assert "entry 2: content does not match its hash" in err.getvalue()


def test_edited_ballot_fails_verify_proposal() -> None:
    proposal_id = closed_proposal()
    ballot = Ballot.objects.filter(proposal_id=proposal_id).first()
    assert ballot is not None
    Ballot.objects.filter(pk=ballot.pk).update(choice=3)
    err = StringIO()
    with pytest.raises(CommandError, match="does not verify"):
        call_command("verify_proposal", str(proposal_id), stderr=err)
    assert "The ballots differ from those counted at close." in err.getvalue()


def test_unknown_proposal_is_an_error() -> None:
    with pytest.raises(CommandError, match="No proposal #999"):
        call_command("verify_proposal", "999")
