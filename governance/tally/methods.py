"""The decision methods, how a choice is written for each, and how ballots are counted.

A choice is stored as JSON:
- consent, yes/no/abstain and single choice: the index of the chosen option;
- approval: the sorted indexes of every approved option (at least one);
- ranked choice: distinct option indexes, most preferred first (a partial
  ranking is allowed; a ballot whose ranked options are all eliminated is
  exhausted);
- score: one whole score from 0 to SCORE_MAX per option, in option order.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import models
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from governance.errors import BallotRefused

SCORE_MAX = 5
MIN_OPTIONS = 2
MAX_OPTIONS = 20

Choice = int | list[int]


class DecisionMethod(models.TextChoices):
    """How members answer a proposal."""

    CONSENT = "consent", _("Consent (agree, abstain, disagree, block)")
    YES_NO = "yes_no", _("Yes, no or abstain")
    SINGLE_CHOICE = "single_choice", _("Single choice")
    APPROVAL = "approval", _("Approval (any number of options)")
    RANKED_CHOICE = "ranked_choice", _("Ranked choice (instant run-off)")
    SCORE = "score", format_lazy(_("Score (0 to {max} for each option)"), max=SCORE_MAX)


CONSENT_OPTIONS = ("agree", "abstain", "disagree", "block")
YES_NO_OPTIONS = ("yes", "no", "abstain")
# The fixed options' names as shown; the values above are stored in ballots and the log and never change.
FIXED_OPTION_LABELS = {
    "agree": pgettext_lazy("ballot option", "agree"),
    "abstain": pgettext_lazy("ballot option", "abstain"),
    "disagree": pgettext_lazy("ballot option", "disagree"),
    "block": pgettext_lazy("ballot option", "block"),
    "yes": pgettext_lazy("ballot option", "yes"),
    "no": pgettext_lazy("ballot option", "no"),
}
# Methods that decide whether to do one thing; only these may carry a payload.
BINARY_METHODS = frozenset({DecisionMethod.CONSENT, DecisionMethod.YES_NO})


def fixed_options(method: str) -> tuple[str, ...] | None:
    """Return the options a method always has, or None when the proposer writes them."""
    if method == DecisionMethod.CONSENT:
        return CONSENT_OPTIONS
    if method == DecisionMethod.YES_NO:
        return YES_NO_OPTIONS
    return None


def option_label(method: str, option: str) -> str:
    """Return an option's name in the reader's language: a method's fixed option translated, a written one as is."""
    fixed = fixed_options(method)
    if fixed is not None and option in fixed:
        return str(FIXED_OPTION_LABELS[option])
    return option


def option_labels(method: str, options: Sequence[str]) -> list[str]:
    """Return the names of a proposal's options in the reader's language (see `option_label`)."""
    return [option_label(method, option) for option in options]


def _index(value: Any, option_count: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < option_count:
        raise BallotRefused(f"Each option must be a number from 0 to {option_count - 1}.")
    return int(value)


def normalise_choice(method: str, option_count: int, raw: Any) -> Choice:
    """Return the canonical form of a choice, or raise BallotRefused saying what is wrong."""
    if method in (DecisionMethod.CONSENT, DecisionMethod.YES_NO, DecisionMethod.SINGLE_CHOICE):
        if isinstance(raw, list):
            if len(raw) != 1:
                raise BallotRefused("Choose exactly one option.")
            raw = raw[0]
        return _index(raw, option_count)
    if not isinstance(raw, list) or not raw:
        raise BallotRefused("Give a list of options.")
    if method == DecisionMethod.APPROVAL:
        indexes = sorted({_index(value, option_count) for value in raw})
        return indexes
    if method == DecisionMethod.RANKED_CHOICE:
        ranking = [_index(value, option_count) for value in raw]
        if len(set(ranking)) != len(ranking):
            raise BallotRefused("Rank each option at most once.")
        return ranking
    if method == DecisionMethod.SCORE:
        if len(raw) != option_count:
            raise BallotRefused(f"Give one score for each of the {option_count} options.")
        for value in raw:
            if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= SCORE_MAX:
                raise BallotRefused(f"Each score must be a whole number from 0 to {SCORE_MAX}.")
        return list(raw)
    raise BallotRefused(f"Unknown decision method {method!r}.")


@dataclass(frozen=True)
class RunoffRound:
    """One round of an instant run-off: each continuing option's votes, then who was eliminated."""

    counts: dict[int, int]
    exhausted: int
    eliminated: list[int]

    def to_json(self) -> dict[str, Any]:
        """Return the round as JSON (option indexes as strings, as JSON keys must be)."""
        return {
            "counts": {str(option): votes for option, votes in sorted(self.counts.items())},
            "exhausted": self.exhausted,
            "eliminated": self.eliminated,
        }


@dataclass(frozen=True)
class Tally:
    """The count of a proposal's ballots.

    `counts` holds, per option: votes (consent, yes/no, single choice),
    approvals, total score, or first preferences (ranked choice, whose later
    rounds are in `rounds`). `winner` is None when no option wins outright.
    """

    method: str
    ballots: int
    counts: list[int]
    winner: int | None
    rounds: list[RunoffRound] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        """Return the tally as JSON, as it is stored and published."""
        return {
            "method": self.method,
            "ballots": self.ballots,
            "counts": self.counts,
            "winner": self.winner,
            "rounds": [round_.to_json() for round_ in self.rounds],
        }


def _sole_maximum(counts: Sequence[int]) -> int | None:
    best = max(counts, default=0)
    leaders = [index for index, value in enumerate(counts) if value == best]
    return leaders[0] if len(leaders) == 1 and best > 0 else None


def count_ballots(method: str, option_count: int, choices: Iterable[Choice]) -> Tally:
    """Count normalised choices by the proposal's method."""
    return count_ballot_groups(method, option_count, ((choice, 1) for choice in choices))


def count_ballot_groups(method: str, option_count: int, groups: Iterable[tuple[Choice, int]]) -> Tally:
    """Count ballots given as (choice, number of ballots with that choice) pairs."""
    if method == DecisionMethod.RANKED_CHOICE:
        return _runoff(option_count, groups)
    counts = [0] * option_count
    ballots = 0
    for choice, weight in groups:
        ballots += weight
        if isinstance(choice, int):
            counts[choice] += weight
        elif method == DecisionMethod.SCORE:
            for index, score in enumerate(choice):
                counts[index] += score * weight
        else:
            for index in choice:
                counts[index] += weight
    return Tally(method=method, ballots=ballots, counts=counts, winner=_sole_maximum(counts))


def _eliminate(continuing: set[int], counts: dict[int, int], history: list[dict[int, int]]) -> list[int]:
    """Return the options to eliminate this round.

    Every option with no votes goes at once. Otherwise the option with fewest
    votes goes; a tie is broken by the most recent earlier round in which the
    tied options differed, and then by eliminating the option listed last.
    """
    zero = sorted(option for option in continuing if counts[option] == 0)
    if zero:
        return zero
    fewest = min(counts[option] for option in continuing)
    tied = [option for option in continuing if counts[option] == fewest]
    for earlier in reversed(history):
        if len(tied) == 1:
            break
        lowest = min(earlier.get(option, 0) for option in tied)
        tied = [option for option in tied if earlier.get(option, 0) == lowest]
    return [max(tied)]


def instant_runoff(option_count: int, choices: Iterable[Choice]) -> Tally:
    """Count ranked ballots by instant run-off, recording every round.

    An option wins with more than half of the continuing (not exhausted)
    ballots, or as the last option standing. When every continuing option
    has the same number of votes, no option wins.
    """
    return _runoff(option_count, ((choice, 1) for choice in choices))


def _runoff(option_count: int, weighted: Iterable[tuple[Choice, int]]) -> Tally:
    groups: Counter[tuple[int, ...]] = Counter()
    for choice, weight in weighted:
        groups[tuple(choice) if isinstance(choice, list) else (choice,)] += weight
    ballots = sum(groups.values())
    continuing = set(range(option_count))
    rounds: list[RunoffRound] = []
    history: list[dict[int, int]] = []
    first_preferences = [0] * option_count
    winner: int | None = None
    while continuing:
        counts = dict.fromkeys(continuing, 0)
        exhausted = 0
        for ranking, weight in groups.items():
            for option in ranking:
                if option in continuing:
                    counts[option] += weight
                    break
            else:
                exhausted += weight
        if not rounds:
            for option, votes in counts.items():
                first_preferences[option] = votes
        active = ballots - exhausted
        leader = max(continuing, key=lambda option: (counts[option], -option))
        if active and (counts[leader] * 2 > active or len(continuing) == 1):
            rounds.append(RunoffRound(counts=counts, exhausted=exhausted, eliminated=[]))
            winner = leader
            break
        if not active or len(set(counts.values())) == 1:
            rounds.append(RunoffRound(counts=counts, exhausted=exhausted, eliminated=[]))
            break
        eliminated = _eliminate(continuing, counts, history)
        rounds.append(RunoffRound(counts=counts, exhausted=exhausted, eliminated=eliminated))
        history.append(counts)
        continuing.difference_update(eliminated)
    return Tally(
        method=DecisionMethod.RANKED_CHOICE, ballots=ballots, counts=first_preferences, winner=winner, rounds=rounds
    )
