"""Chart data for a proposal's page: tallies as bars, ranked-choice rounds, participation over time."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from fractions import Fraction
from typing import Any

from django.db.models import Count
from django.db.models.functions import TruncDate
from django.utils.formats import date_format

from governance.models import Participation, Proposal
from governance.rules import people
from governance.tally.methods import DecisionMethod
from governance.tally.outcome import localised_percent


@dataclass(frozen=True)
class Bar:
    """One bar: what it counts, the count, and its length as a share of the longest bar."""

    label: str
    value: int
    percent: int
    highlight: bool = False
    # The count as a share of the ballots in the reader's language ("66.7%", "66,7 %"), where that means
    # something ("" for total scores).
    share: str = ""


def _bars(labels: list[str], values: list[int], highlight: int | None = None) -> list[Bar]:
    longest = max(values, default=0)
    return [
        Bar(
            label=label,
            value=value,
            percent=round(100 * value / longest) if longest else 0,
            highlight=index == highlight,
        )
        for index, (label, value) in enumerate(zip(labels, values, strict=True))
    ]


def tally_bars(options: list[str], tally: dict[str, Any]) -> list[Bar]:
    """Return one bar per option from a published tally, the winner highlighted, each with its share of ballots.

    Shares are written in the reader's language. A score is a sum of
    points, not of ballots, so its bars carry no share.
    """
    counts = [int(count) for count in tally.get("counts", [])]
    bars = _bars(options[: len(counts)], counts, tally.get("winner"))
    ballots = int(tally.get("ballots") or 0)
    if not ballots or tally.get("method") == DecisionMethod.SCORE:
        return bars
    return [replace(bar, share=localised_percent(Fraction(bar.value, ballots))) for bar in bars]


@dataclass(frozen=True)
class QuorumProgress:
    """How many of the electorate voted against how many the quorum needs, the shares in the reader's language."""

    voted: int
    electorate: int
    turnout: str
    quorum: str
    needed: int
    reached: bool


def quorum_progress(proposal: Proposal, ballots: int) -> QuorumProgress:
    """Return the turnout of `ballots` against the proposal's frozen quorum."""
    electorate = proposal.electorate_size
    needed = people(proposal.quorum, electorate)
    return QuorumProgress(
        voted=ballots,
        electorate=electorate,
        turnout=localised_percent(Fraction(ballots, electorate) if electorate else Fraction(0)),
        quorum=localised_percent(proposal.quorum),
        needed=needed,
        reached=electorate > 0 and Fraction(ballots, electorate) >= Fraction(proposal.quorum),
    )


@dataclass(frozen=True)
class RunoffRow:
    """One round of an instant run-off, as bars, with who was eliminated and how many ballots ran out."""

    number: int
    bars: list[Bar]
    eliminated: list[str]
    exhausted: int


def runoff_rows(options: list[str], tally: dict[str, Any]) -> list[RunoffRow]:
    """Return the rounds of a ranked-choice count, each with its continuing options' votes."""
    rows = []
    for number, round_ in enumerate(tally.get("rounds", []), start=1):
        counts = {int(option): int(votes) for option, votes in round_["counts"].items()}
        continuing = sorted(counts)
        rows.append(
            RunoffRow(
                number=number,
                bars=_bars([options[index] for index in continuing], [counts[index] for index in continuing]),
                eliminated=[options[index] for index in round_.get("eliminated", [])],
                exhausted=int(round_.get("exhausted", 0)),
            )
        )
    return rows


def participation_by_day(proposal: Proposal) -> list[Bar]:
    """Return how many members first voted on each day the proposal was open (turnout, never choices)."""
    per_day = (
        Participation.objects.filter(proposal=proposal)
        .annotate(day=TruncDate("first_voted_at"))
        .values("day")
        .annotate(voters=Count("id"))
        .order_by("day")
    )
    days: list[date] = [row["day"] for row in per_day]
    running = 0
    cumulative: list[int] = []
    for row in per_day:
        running += row["voters"]
        cumulative.append(running)
    return _bars([date_format(day, "SHORT_DATE_FORMAT") for day in days], cumulative)
