"""Decide a proposal's outcome from its tally and the rules frozen when it opened."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from django.db import models
from django.utils.translation import gettext_lazy as _

from governance.tally.methods import BINARY_METHODS, DecisionMethod, Tally


class Outcome(models.TextChoices):
    """How a closed proposal ended."""

    PASSED = "passed", _("Passed")
    FAILED = "failed", _("Failed")
    NO_QUORUM = "no_quorum", _("No quorum")


class ThresholdBasis(models.TextChoices):
    """What the pass threshold is a share of."""

    VOTES_CAST = "cast", _("Votes cast (abstentions aside)")
    ELECTORATE = "electorate", _("The whole electorate")


@dataclass(frozen=True)
class DecisionRules:
    """The thresholds a proposal is held to, as fractions from 0 to 1.

    `block_override` is the share of agreement that outweighs a block: with
    any block and less agreement than this, a consent proposal fails.
    """

    quorum: Decimal
    pass_threshold: Decimal
    block_override: Decimal
    threshold_basis: str = ThresholdBasis.VOTES_CAST


@dataclass(frozen=True)
class Decision:
    """The outcome and the sentence that explains it."""

    outcome: Outcome
    reason: str
    agreement: Fraction | None = None


def _percent(value: Fraction | Decimal) -> str:
    return f"{float(value) * 100:.1f}%"


def decide(tally: Tally, rules: DecisionRules, electorate: int) -> Decision:
    """Return whether the proposal passed, failed or lacked a quorum.

    Turnout counts every ballot, abstentions included. For consent and
    yes/no, agreement is the share of agree (yes) votes among agree,
    disagree and block votes (or among the whole electorate when the rules
    say so) and must reach the pass threshold. For the other methods the
    proposal passes when one option wins outright.
    """
    if electorate <= 0 or Fraction(tally.ballots, electorate) < Fraction(rules.quorum):
        turnout = Fraction(tally.ballots, electorate) if electorate > 0 else Fraction(0)
        return Decision(
            Outcome.NO_QUORUM,
            f"{tally.ballots} of {electorate} eligible members voted ({_percent(turnout)}); "
            f"the quorum is {_percent(rules.quorum)}.",
        )
    if tally.method not in BINARY_METHODS:
        if tally.winner is None:
            return Decision(Outcome.FAILED, "No option won outright.")
        return Decision(Outcome.PASSED, f"Option {tally.winner + 1} won.")
    agree = tally.counts[0]
    if tally.method == DecisionMethod.CONSENT:
        opposed, blocks = tally.counts[2], tally.counts[3]
    else:
        opposed, blocks = tally.counts[1], 0
    base = electorate if rules.threshold_basis == ThresholdBasis.ELECTORATE else agree + opposed + blocks
    agreement = Fraction(agree, base) if base else Fraction(0)
    if agreement < Fraction(rules.pass_threshold) or agree == 0:
        return Decision(
            Outcome.FAILED,
            f"Agreement was {_percent(agreement)}; {_percent(rules.pass_threshold)} was needed.",
            agreement,
        )
    if blocks and agreement < Fraction(rules.block_override):
        return Decision(
            Outcome.FAILED,
            f"Blocked: {blocks} block(s) stand unless agreement reaches {_percent(rules.block_override)} "
            f"(it was {_percent(agreement)}).",
            agreement,
        )
    return Decision(Outcome.PASSED, f"Agreement was {_percent(agreement)}.", agreement)
