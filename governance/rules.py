"""The decision rules a proposal is held to, from the bylaws in force when it opens."""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Any

from governance.models import Proposal, ProposalKind
from governance.tally.methods import BINARY_METHODS, DecisionMethod
from governance.tally.outcome import DecisionRules, ThresholdBasis
from members.models.bylaws import BylawsVersion


@dataclass(frozen=True)
class OpeningRules:
    """The minimum open period and thresholds for a new proposal."""

    bylaws_version_id: int
    min_open_days: int
    quorum: Decimal
    pass_threshold: Decimal
    block_override: Decimal


def opening_rules(kind: str, bylaws: BylawsVersion) -> OpeningRules:
    """Return the rules for a proposal of this kind; bylaw amendments get the stricter ones."""
    if kind == ProposalKind.BYLAW_AMENDMENT:
        return OpeningRules(
            bylaws.pk,
            bylaws.amendment_min_open_days,
            bylaws.proposal_quorum,
            bylaws.amendment_pass_threshold,
            bylaws.amendment_block_override,
        )
    return OpeningRules(
        bylaws.pk,
        bylaws.proposal_min_open_days,
        bylaws.proposal_quorum,
        bylaws.proposal_pass_threshold,
        bylaws.proposal_block_override,
    )


def decision_rules(proposal: Proposal) -> DecisionRules:
    """Return the thresholds frozen on a proposal when it opened."""
    return DecisionRules(
        quorum=proposal.quorum,
        pass_threshold=proposal.pass_threshold,
        block_override=proposal.block_override,
        threshold_basis=ThresholdBasis(proposal.threshold_basis),
    )


def percent(fraction: Decimal) -> str:
    """Return a fraction from 0 to 1 as a percentage without trailing zeros ("25%", "66.7%")."""
    value = (fraction * 100).quantize(Decimal("0.1"))
    return f"{value.normalize():f}%"


def people(fraction: Decimal, of: int) -> int:
    """Return the fewest people that make up at least `fraction` of `of`."""
    return math.ceil(Fraction(fraction) * of)


def explain_rules(
    *,
    method: str,
    quorum: Decimal,
    pass_threshold: Decimal,
    block_override: Decimal,
    threshold_basis: str,
    electorate: int,
    tally: dict[str, Any] | None = None,
    closed: bool = False,
) -> list[str]:
    """Return the rules as sentences in percentages and in people, with the count (so far, or final) if shown."""
    ballots = tally.get("ballots") if tally else None
    so_far = "" if closed else " so far"
    lines = [
        f"Quorum {percent(quorum)} of {electorate} members = {people(quorum, electorate)}"
        + (f" ({ballots} voted{so_far})" if ballots is not None else "")
    ]
    if method in BINARY_METHODS:
        if threshold_basis == ThresholdBasis.ELECTORATE:
            lines.append(
                f"Passes with {percent(pass_threshold)} of the whole electorate agreeing: "
                f"{people(pass_threshold, electorate)} of {electorate} members"
            )
        else:
            counts = list(tally.get("counts") or []) if tally else []
            # Abstentions aside: agree, disagree and block (consent) or yes and no.
            cast = sum(counts[:1] + counts[2:]) if method == DecisionMethod.CONSENT else sum(counts[:2])
            needed = f": {max(1, people(pass_threshold, cast))} of {cast}{so_far}" if tally else ""
            lines.append(f"Passes with {percent(pass_threshold)} of votes cast, abstentions aside{needed}")
        if method == DecisionMethod.CONSENT:
            lines.append(f"A block stands unless agreement reaches {percent(block_override)}")
    elif method == DecisionMethod.RANKED_CHOICE:
        lines.append("The option with more than half of the ballots still counting, after run-off rounds, wins")
    else:
        lines.append("The option with the most support wins; a tie for first place decides nothing")
    return lines
