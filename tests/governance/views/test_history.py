"""The rules, bylaws and receipts pages."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone, translation
from django.utils.formats import number_format
from django.utils.translation import gettext

from governance.actions.ballots import tracker_for
from governance.models import RuleVersion
from governance.tally.outcome import localised_percent
from members.models import User
from members.selectors import bylaws_in_force
from tests.factories.governance import adopt_rules, close, open_proposal, vote
from tests.factories.members import make_member

pytestmark = pytest.mark.django_db


def test_rules_page_shows_current_wording_and_the_amendment(client: Client) -> None:
    [first] = adopt_rules("Be kind")
    RuleVersion.objects.create(
        rule=first.rule, version=2, text="Be kind and fair", effective_at=timezone.now(), adopted_by="Decision #3"
    )
    page = client.get("/governance/rules").content.decode()
    assert "Be kind and fair" in page
    assert "<ins>and fair</ins>" in page
    assert "Decision #3" in page


def test_bylaws_page_shows_the_version_in_force(client: Client) -> None:
    page = client.get("/governance/bylaws").content.decode()
    assert "(in force)" in page
    assert "Proposal quorum" in page


def test_bylaws_page_writes_values_in_the_readers_language() -> None:
    founding = bylaws_in_force()
    amended = bylaws_in_force()
    amended.pk = None
    amended.version = founding.version + 1
    amended.proposal_quorum = Decimal("0.125")
    amended.effective_at = timezone.now()
    amended.save()
    reader = make_member()
    User.objects.filter(pk=reader.pk).update(interface_language="fr")
    client = Client()
    client.force_login(reader)
    page = client.get("/governance/bylaws").content.decode()
    with translation.override("fr"):
        before, after = localised_percent(founding.proposal_quorum), localised_percent(amended.proposal_quorum)
        minimum = number_format(founding.dues_monthly_minimum, use_l10n=True)
        flag = gettext("Yes") if founding.admission_requires_approval else gettext("No")
    assert "12,5" in after
    assert "," in minimum
    assert flag in ("Oui", "Non")
    assert f"<td>Proposal quorum</td><td><del>{before}</del></td><td>{after}</td>" in page
    assert f"<td>Dues monthly minimum</td><td>{minimum}</td>" in page
    assert f"<td>Admission requires approval</td><td>{flag}</td>" in page
    assert str(founding.proposal_quorum) not in page


def test_receipts_page_lists_my_tracker_and_finds_it_after_close() -> None:
    author = make_member(username="ada")
    voter = make_member(username="ben")
    proposal = open_proposal(author)
    vote(voter, proposal, 0)
    client = Client()
    client.force_login(voter)
    tracker = tracker_for(proposal, voter.pk)
    page = client.get("/governance/receipts").content.decode()
    assert tracker in page
    assert "Published when the proposal closes" in page
    close(proposal)
    page = client.get("/governance/receipts").content.decode()
    assert f'<a href="/governance/proposals/{proposal.pk}#published-ballots">Yes</a>' in page


def test_receipts_page_shows_nobody_elses_receipts() -> None:
    author = make_member(username="ada")
    voter = make_member(username="ben")
    proposal = open_proposal(author)
    vote(voter, proposal, 0)
    client = Client()
    client.force_login(author)
    page = client.get("/governance/receipts").content.decode()
    assert tracker_for(proposal, voter.pk) not in page
    assert "You have not voted yet." in page


def test_receipts_need_sign_in(client: Client) -> None:
    assert client.get("/governance/receipts").status_code == 302
