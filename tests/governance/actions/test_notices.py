"""Members who have not voted are reminded once, a day before a proposal closes."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail

from governance.actions.notices import do_send_closing_reminders
from tests.factories.governance import open_proposal, vote
from tests.factories.members import make_member

pytestmark = pytest.mark.django_db


def test_reminders_go_to_electors_who_have_not_voted_once() -> None:
    voted, silent = make_member(), make_member()
    proposal = open_proposal(voted)
    vote(voted, proposal, 0)
    assert do_send_closing_reminders(now=proposal.closes_at - timedelta(days=2)) == 0
    assert do_send_closing_reminders(now=proposal.closes_at - timedelta(hours=23)) == 1
    assert do_send_closing_reminders(now=proposal.closes_at - timedelta(hours=22)) == 0
    assert [message.to for message in mail.outbox] == [[silent.email]]
    assert f"Proposal #{proposal.pk}" in mail.outbox[0].body
