"""Chart data for the proposal page."""

from __future__ import annotations

import pytest

from governance.charts import Bar, participation_by_day, runoff_rows, tally_bars
from tests.factories.governance import open_proposal, vote
from tests.factories.members import make_member


def test_tally_bars_scale_to_the_longest_and_mark_the_winner() -> None:
    bars = tally_bars(["yes", "no", "abstain"], {"counts": [6, 3, 0], "winner": 0})
    assert bars == [Bar("yes", 6, 100, True), Bar("no", 3, 50, False), Bar("abstain", 0, 0, False)]


def test_an_empty_tally_has_zero_length_bars() -> None:
    assert tally_bars(["a", "b"], {"counts": [0, 0], "winner": None}) == [Bar("a", 0, 0), Bar("b", 0, 0)]


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
