"""The decision rules a proposal is held to, from the bylaws in force when it opens."""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Any

from django.utils.translation import gettext, ngettext

from governance.models import Proposal, ProposalKind
from governance.tally.methods import BINARY_METHODS, DecisionMethod, Tally
from governance.tally.outcome import DecisionRules, ThresholdBasis, decide, explain_decision, localised_percent
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


def outcome_reason(proposal: Proposal) -> str:
    """Return why a closed proposal ended as it did, in the reader's language.

    The decision is made again from the stored tally and frozen rules. The
    stored sentence is a record in the source language; when the decision
    made again does not say the same (a proposal decided by older rules),
    the stored sentence is shown as it is.
    """
    stored = proposal.tally or {}
    try:
        tally = Tally(
            method=proposal.method,
            ballots=int(stored["ballots"]),
            counts=[int(count) for count in stored["counts"]],
            winner=stored.get("winner"),
        )
        decision = decide(tally, decision_rules(proposal), proposal.electorate_size)
    except (KeyError, TypeError, ValueError, IndexError):
        return proposal.outcome_reason
    if decision.reason != proposal.outcome_reason:
        return proposal.outcome_reason
    return explain_decision(decision)


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
    """Return the rules as sentences in percentages and in people, with the count (so far, or final) if shown.

    The sentences are for display, in the reader's language with its number formats; nothing stores them.
    """
    ballots = tally.get("ballots") if tally else None
    quorum_line = ngettext(
        "Quorum %(quorum)s of %(electorate)s member = %(people)s",
        "Quorum %(quorum)s of %(electorate)s members = %(people)s",
        electorate,
    ) % {"quorum": localised_percent(quorum), "electorate": electorate, "people": people(quorum, electorate)}
    if ballots is not None:
        counted = gettext("%(rule)s (%(ballots)s voted)") if closed else gettext("%(rule)s (%(ballots)s voted so far)")
        quorum_line = counted % {"rule": quorum_line, "ballots": ballots}
    lines = [quorum_line]
    if method in BINARY_METHODS:
        threshold = localised_percent(pass_threshold)
        if threshold_basis == ThresholdBasis.ELECTORATE:
            lines.append(
                ngettext(
                    "Passes with %(threshold)s of the whole electorate agreeing: %(people)s of %(electorate)s member",
                    "Passes with %(threshold)s of the whole electorate agreeing: %(people)s of %(electorate)s members",
                    electorate,
                )
                % {"threshold": threshold, "people": people(pass_threshold, electorate), "electorate": electorate}
            )
        elif tally:
            counts = list(tally.get("counts") or [])
            # Abstentions aside: agree, disagree and block (consent) or yes and no.
            cast = sum(counts[:1] + counts[2:]) if method == DecisionMethod.CONSENT else sum(counts[:2])
            needed = {"threshold": threshold, "people": max(1, people(pass_threshold, cast)), "cast": cast}
            if closed:
                lines.append(
                    gettext("Passes with %(threshold)s of votes cast, abstentions aside: %(people)s of %(cast)s")
                    % needed
                )
            else:
                lines.append(
                    gettext("Passes with %(threshold)s of votes cast, abstentions aside: %(people)s of %(cast)s so far")
                    % needed
                )
        else:
            lines.append(
                gettext("Passes with %(threshold)s of votes cast, abstentions aside") % {"threshold": threshold}
            )
        if method == DecisionMethod.CONSENT:
            lines.append(
                gettext("A block stands unless agreement reaches %(override)s")
                % {"override": localised_percent(block_override)}
            )
    elif method == DecisionMethod.RANKED_CHOICE:
        lines.append(
            gettext("The option with more than half of the ballots still counting, after run-off rounds, wins")
        )
    else:
        lines.append(gettext("The option with the most support wins; a tie for first place decides nothing"))
    return lines
