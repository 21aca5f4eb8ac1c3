"""The decision rules a proposal is held to, from the bylaws in force when it opens."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from governance.models import Proposal, ProposalKind
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
