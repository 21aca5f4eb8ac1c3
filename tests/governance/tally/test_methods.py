"""Choices are validated per method and counted as hand-computed examples say."""

from __future__ import annotations

from typing import Any

import pytest

from governance.errors import BallotRefused
from governance.tally.methods import (
    CONSENT_OPTIONS,
    DecisionMethod,
    count_ballot_groups,
    count_ballots,
    instant_runoff,
    normalise_choice,
    option_label,
    option_labels,
)

A, B, C = 0, 1, 2


def ballots(*groups: tuple[int, Any]) -> list[Any]:
    return [choice for count, choice in groups for _ in range(count)]


def test_runoff_transfers_the_eliminated_options_votes() -> None:
    """4 A>B>C, 3 B>C>A, 2 C>B>A: C goes first, its votes move to B, and B wins 5 to 4."""
    tally = instant_runoff(3, ballots((4, [A, B, C]), (3, [B, C, A]), (2, [C, B, A])))
    assert tally.winner == B
    assert tally.counts == [4, 3, 2]
    assert [round_.to_json() for round_ in tally.rounds] == [
        {"counts": {"0": 4, "1": 3, "2": 2}, "exhausted": 0, "eliminated": [C]},
        {"counts": {"0": 4, "1": 5}, "exhausted": 0, "eliminated": []},
    ]


def test_runoff_tie_for_last_eliminates_the_option_listed_last() -> None:
    """3 A, 2 B, 2 C>B: B and C tie for last, so C goes; B then has 4 of 7 and wins."""
    tally = instant_runoff(3, ballots((3, [A]), (2, [B]), (2, [C, B])))
    assert tally.winner == B
    assert tally.rounds[0].eliminated == [C]


def test_runoff_majority_is_of_continuing_ballots() -> None:
    """3 A, 2 B, 2 C: C goes and its ballots are exhausted; A has 3 of the 5 left and wins."""
    tally = instant_runoff(3, ballots((3, [A]), (2, [B]), (2, [C])))
    assert tally.winner == A
    assert tally.rounds[-1].exhausted == 2


def test_runoff_with_every_option_tied_has_no_winner() -> None:
    tally = instant_runoff(2, ballots((2, [A]), (2, [B])))
    assert tally.winner is None
    assert len(tally.rounds) == 1


def test_runoff_eliminates_options_nobody_ranked_at_once() -> None:
    tally = instant_runoff(4, ballots((2, [A]), (1, [B])))
    assert tally.winner == A
    assert tally.rounds[0].eliminated == []


def test_runoff_tie_is_broken_by_the_earlier_round() -> None:
    """6 A, 3 B, 4 C, 1 D>B: D goes; B and C tie at 4, B had fewer in round 1 and goes; A wins 6 of 10."""
    tally = instant_runoff(4, ballots((6, [A]), (3, [B]), (4, [C]), (1, [3, B])))
    assert tally.rounds[0].eliminated == [3]
    assert tally.rounds[1].counts == {A: 6, B: 4, C: 4}
    assert tally.rounds[1].eliminated == [B]
    assert tally.rounds[2].counts == {A: 6, C: 4}
    assert tally.rounds[2].exhausted == 4
    assert tally.winner == A


def test_other_methods_count_by_option() -> None:
    assert count_ballots(DecisionMethod.SINGLE_CHOICE, 3, [0, 1, 1]).winner == 1
    approval = count_ballots(DecisionMethod.APPROVAL, 3, [[0, 1], [1], [2]])
    assert approval.counts == [1, 2, 1]
    assert approval.winner == 1
    score = count_ballots(DecisionMethod.SCORE, 2, [[5, 0], [0, 4], [1, 1]])
    assert score.counts == [6, 5]
    assert score.winner == 0
    assert count_ballots(DecisionMethod.SINGLE_CHOICE, 2, [0, 1]).winner is None


@pytest.mark.parametrize(
    ("method", "raw", "message"),
    [
        (DecisionMethod.CONSENT, 4, "from 0 to 3"),
        (DecisionMethod.CONSENT, [0, 1], "exactly one"),
        (DecisionMethod.RANKED_CHOICE, [0, 0], "at most once"),
        (DecisionMethod.APPROVAL, [], "list of options"),
        (DecisionMethod.SCORE, [1, 2], "one score for each"),
        (DecisionMethod.SCORE, [1, 2, 9, 0], "from 0 to 5"),
        (DecisionMethod.YES_NO, True, "from 0 to"),
    ],
)
def test_invalid_choices_are_refused(method: str, raw: Any, message: str) -> None:
    options = 4 if method != DecisionMethod.YES_NO else 3
    with pytest.raises(BallotRefused, match=message):
        normalise_choice(method, options, raw)


def test_choices_are_normalised() -> None:
    assert normalise_choice(DecisionMethod.CONSENT, 4, [2]) == 2
    assert normalise_choice(DecisionMethod.APPROVAL, 3, [2, 0, 2]) == [0, 2]


def test_grouped_ballots_count_as_many_ballots() -> None:
    grouped = count_ballot_groups(DecisionMethod.SCORE, 2, [([5, 0], 2), ([0, 4], 3)])
    assert (grouped.ballots, grouped.counts, grouped.winner) == (5, [10, 12], 1)
    ranked = count_ballot_groups(DecisionMethod.RANKED_CHOICE, 3, [([A, B, C], 4), ([B, C, A], 3), ([C, B, A], 2)])
    assert ranked == instant_runoff(3, ballots((4, [A, B, C]), (3, [B, C, A]), (2, [C, B, A])))


def test_fixed_options_are_named_for_display_and_written_ones_are_left_as_written() -> None:
    assert option_labels(DecisionMethod.CONSENT, list(CONSENT_OPTIONS)) == ["agree", "abstain", "disagree", "block"]
    assert option_label(DecisionMethod.YES_NO, "yes") == "yes"
    assert option_label(DecisionMethod.SINGLE_CHOICE, "block") == "block"
    assert isinstance(option_label(DecisionMethod.CONSENT, "agree"), str)
