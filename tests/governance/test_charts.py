"""Chart data for the proposal page."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.utils import translation

from governance.charts import Bar, participation_by_day, quorum_progress, runoff_rows, tally_bars
from governance.models import Proposal
from tests.factories.governance import open_proposal, vote
from tests.factories.members import make_member


def test_tally_bars_scale_to_the_longest_and_mark_the_winner() -> None:
    bars = tally_bars(["yes", "no", "abstain"], {"counts": [6, 3, 0], "winner": 0})
    assert bars == [Bar("yes", 6, 100, True), Bar("no", 3, 50, False), Bar("abstain", 0, 0, False)]


def test_an_empty_tally_has_zero_length_bars() -> None:
    assert tally_bars(["a", "b"], {"counts": [0, 0], "winner": None}) == [Bar("a", 0, 0), Bar("b", 0, 0)]


def test_shares_are_written_in_the_readers_language() -> None:
    tally = {"counts": [2, 1], "winner": 0, "ballots": 3, "method": "yes_no"}
    with translation.override("fr"):
        shares = [bar.share for bar in tally_bars(["oui", "non"], tally)]
    assert re.fullmatch(r"66,7\s?%", shares[0]), shares
    assert re.fullmatch(r"33,3\s?%", shares[1]), shares
    assert [bar.share for bar in tally_bars(["yes", "no"], tally)] == ["66.7%", "33.3%"]


def test_scores_carry_no_share() -> None:
    tally = {"counts": [9, 4], "winner": 0, "ballots": 3, "method": "score"}
    assert [bar.share for bar in tally_bars(["ann", "bo"], tally)] == ["", ""]


def test_quorum_progress_writes_turnout_and_quorum_in_the_readers_language() -> None:
    proposal = Proposal(electorate_size=8, quorum=Decimal("0.125"))
    with translation.override("fr"):
        progress = quorum_progress(proposal, 3)
    assert re.fullmatch(r"37,5\s?%", progress.turnout), progress.turnout
    assert re.fullmatch(r"12,5\s?%", progress.quorum), progress.quorum
    assert (progress.needed, progress.reached) == (1, True)
    assert quorum_progress(proposal, 3).turnout == "37.5%"
    assert quorum_progress(Proposal(electorate_size=0, quorum=Decimal("0.2")), 0).turnout == "0%"


def test_runoff_rows_name_the_eliminated_and_the_exhausted() -> None:
    tally = {
        "counts": [3, 2, 1],
        "rounds": [
            {"counts": {"0": 3, "1": 2, "2": 1}, "exhausted": 0, "eliminated": [2]},
            {"counts": {"0": 3, "1": 2}, "exhausted": 1, "eliminated": [1]},
        ],
    }
    rows = runoff_rows(["ann", "bo", "cy"], tally)
    assert [row.eliminated for row in rows] == [["cy"], ["bo"]]
    assert [bar.label for bar in rows[1].bars] == ["ann", "bo"]
    assert rows[1].exhausted == 1


@pytest.mark.django_db
def test_participation_counts_voters_cumulatively_without_choices() -> None:
    voters = [make_member(username=name) for name in ("ben", "cat")]
    proposal = open_proposal(make_member(username="ada"))
    for voter in voters:
        vote(voter, proposal, 0)
    [today] = participation_by_day(proposal)
    assert today.value == 2
