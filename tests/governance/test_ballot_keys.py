"""Tracker keys are sealed under the server's secret: the database alone cannot link a tracker to a voter."""

from __future__ import annotations

import hashlib
import hmac
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import override_settings
from pytest_django.fixtures import Settings as SettingsWrapper

from governance.actions.ballots import check_cast_ballot, do_cast_ballot, tracker_for
from governance.actions.closing import recount_proposal
from governance.ballot_keys import (
    BallotKeyUnavailable,
    current_key_id,
    open_tracker_key,
    seal_tracker_key,
    tracker_from_key,
)
from governance.models import Ballot, Elector, Participation, Proposal
from governance.selectors import proposals_with_unheld_ballot_keys
from tests.factories.governance import close, open_proposal, vote
from tests.factories.members import make_member

pytestmark = pytest.mark.django_db

OTHER_SECRET = "another-secret-that-the-database-never-saw-0123456789"


def _every_stored_string(proposal: Proposal) -> list[str]:
    row = Proposal.objects.filter(pk=proposal.pk).values().get()
    return [value for value in row.values() if isinstance(value, str) and value]


def test_a_dump_of_the_database_cannot_link_a_secret_ballot_to_its_voter() -> None:
    """Recomputing trackers from anything the proposal's row stores matches no ballot."""
    voters = [make_member() for _ in range(3)]
    proposal = open_proposal(voters[0], secret=True)
    for voter in voters:
        vote(voter, proposal, 0)
    stored = set(Ballot.objects.filter(proposal=proposal).values_list("tracker", flat=True))
    assert Ballot.objects.filter(proposal=proposal, voter__isnull=False).count() == 0
    elector_ids = list(Elector.objects.filter(proposal=proposal).values_list("user_id", flat=True))
    for candidate_key in _every_stored_string(proposal):
        guesses = {
            hmac.new(candidate_key.encode(), str(user_id).encode(), hashlib.sha256).hexdigest()[:32]
            for user_id in elector_ids
        }
        assert guesses.isdisjoint(stored)


def test_with_the_secret_the_server_finds_each_voters_tracker() -> None:
    voters = [make_member() for _ in range(2)]
    proposal = open_proposal(voters[0], secret=True)
    receipts = {voter.pk: vote(voter, proposal, 0).tracker for voter in voters}
    proposal.refresh_from_db()
    assert {voter.pk: tracker_for(proposal, voter.pk) for voter in voters} == receipts


def test_a_different_secret_cannot_open_the_key() -> None:
    """Under another SECRET_KEY the sealed key is refused, not silently misread."""
    proposal = open_proposal(make_member(), secret=True)
    with override_settings(SECRET_KEY=OTHER_SECRET), pytest.raises(BallotKeyUnavailable, match="not held"):
        tracker_for(proposal, 1)


def test_a_tampered_sealed_key_is_refused() -> None:
    key_id, sealed = seal_tracker_key("a" * 64)
    tampered = sealed[:-4] + ("AAAA" if not sealed.endswith("AAAA") else "BBBB")
    with pytest.raises(BallotKeyUnavailable, match="does not open"):
        open_tracker_key(key_id, tampered)


def test_the_key_id_reveals_neither_secret_nor_wrapping_key() -> None:
    key_id, _ = seal_tracker_key("a" * 64)
    assert key_id == current_key_id()
    assert len(key_id) == 12
    with override_settings(SECRET_KEY=OTHER_SECRET):
        assert current_key_id() != key_id


def test_recount_needs_no_key() -> None:
    """verify_proposal's recount reads the published ballots only; it works with the secret gone."""
    voters = [make_member() for _ in range(3)]
    proposal = open_proposal(voters[0], secret=True)
    for voter in voters:
        vote(voter, proposal, 0)
    closed = close(proposal)
    with override_settings(SECRET_KEY=OTHER_SECRET, SECRET_KEY_FALLBACKS=[]):
        recount = recount_proposal(closed)
    assert recount.problems == []
    assert recount.outcome == closed.outcome


def test_tracker_from_key_is_the_historic_hmac() -> None:
    """Trackers keep the form they always had, so keys sealed after the fact give the same receipts."""
    key = "0f" * 32
    assert tracker_from_key(key, 42) == hmac.new(key.encode(), b"42", hashlib.sha256).hexdigest()[:32]


def test_a_ballot_cast_while_the_key_is_not_held_changes_nothing() -> None:
    """With SECRET_KEY changed and the old one not kept, the vote is refused before anything is written."""
    voter = make_member()
    proposal = open_proposal(voter, secret=True)
    choice = check_cast_ballot(voter, proposal, 0)
    with override_settings(SECRET_KEY=OTHER_SECRET, SECRET_KEY_FALLBACKS=[]), pytest.raises(BallotKeyUnavailable):
        do_cast_ballot(voter, proposal.pk, choice)
    assert not Ballot.objects.filter(proposal=proposal).exists()
    assert not Participation.objects.filter(proposal=proposal).exists()


def test_checkconfig_names_proposals_whose_ballot_key_is_not_held(settings: SettingsWrapper) -> None:
    """A SECRET_KEY changed without keeping the old one is caught before a member asks for a receipt."""
    proposal = open_proposal(make_member())
    assert proposals_with_unheld_ballot_keys() == {}
    old_secret = settings.SECRET_KEY
    settings.SECRET_KEY = OTHER_SECRET
    settings.SECRET_KEY_FALLBACKS = []
    assert proposals_with_unheld_ballot_keys() == {proposal.tracker_key_id: 1}
    out = StringIO()
    with pytest.raises(SystemExit) as exited:
        call_command("checkconfig", stdout=out)
    assert exited.value.code == 1
    assert f"FAIL ballot_keys     1 proposal(s) sealed under secret(s) {proposal.tracker_key_id}" in out.getvalue()
    # Kept as a fallback, the old secret still opens the key: nothing to report.
    settings.SECRET_KEY_FALLBACKS = [old_secret]
    assert proposals_with_unheld_ballot_keys() == {}
