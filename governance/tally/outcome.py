"""Decide a proposal's outcome from its tally and the rules frozen when it opened."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_EVEN, Decimal
from fractions import Fraction
from typing import Any

from django.db import models
from django.utils.formats import number_format
from django.utils.translation import gettext, ngettext
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
    """The outcome and the sentence that explains it.

    `reason` is the sentence as it is stored and logged, in the source
    language; `facts` holds the numbers it was made from, so that
    `explain_decision` can say it again in the reader's language.
    """

    outcome: Outcome
    reason: str
    agreement: Fraction | None = None
    facts: dict[str, Any] = field(default_factory=dict)


def _percent(value: Fraction | Decimal) -> str:
    return f"{float(value) * 100:.1f}%"


def localised_percent(value: Fraction | Decimal) -> str:
    """Return a share from 0 to 1 as a percentage in the reader's language, without trailing zeros.

    "66.7%" in English, "66,7 %" in French once translated: the number takes
    the language's decimal separator and the sign's spacing is translatable.
    """
    share = Decimal(value.numerator) / Decimal(value.denominator) if isinstance(value, Fraction) else value
    number = (share * 100).quantize(Decimal("0.1"), rounding=ROUND_HALF_EVEN).normalize()
    # normalize() writes 50 as 5E+1; quantizing to units brings back a plain integer.
    if number == number.to_integral_value():
        number = number.quantize(Decimal(1))
    return gettext("%(number)s%%") % {"number": number_format(number)}


_PERCENT_FACTS = frozenset({"turnout", "quorum", "threshold", "override", "agreement"})


def explain_decision(decision: Decision) -> str:
    """Return why the proposal ended as it did, in the reader's language, from the decision's facts.

    A decision without facts (one made before they were kept) is explained
    by its stored sentence.
    """
    facts = decision.facts
    values = {name: localised_percent(value) if name in _PERCENT_FACTS else value for name, value in facts.items()}
    match facts.get("kind"):
        case "no_quorum":
            template = ngettext(
                "%(ballots)s of %(electorate)s eligible member voted (%(turnout)s); the quorum is %(quorum)s.",
                "%(ballots)s of %(electorate)s eligible members voted (%(turnout)s); the quorum is %(quorum)s.",
                facts["electorate"],
            )
        case "no_winner":
            template = gettext("No option won outright.")
        case "winner":
            template = gettext("Option %(option)s won.")
        case "below_threshold":
            template = gettext("Agreement was %(agreement)s; %(threshold)s was needed.")
        case "blocked":
            template = ngettext(
                "Blocked: %(blocks)s block stands unless agreement reaches %(override)s (it was %(agreement)s).",
                "Blocked: %(blocks)s blocks stand unless agreement reaches %(override)s (it was %(agreement)s).",
                facts["blocks"],
            )
        case "agreed":
            template = gettext("Agreement was %(agreement)s.")
        case _:
            return decision.reason
    return template % values


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
            facts={
                "kind": "no_quorum",
                "ballots": tally.ballots,
                "electorate": electorate,
                "turnout": turnout,
                "quorum": rules.quorum,
            },
        )
    if tally.method not in BINARY_METHODS:
        if tally.winner is None:
            return Decision(Outcome.FAILED, "No option won outright.", facts={"kind": "no_winner"})
        return Decision(
            Outcome.PASSED, f"Option {tally.winner + 1} won.", facts={"kind": "winner", "option": tally.winner + 1}
        )
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
            facts={"kind": "below_threshold", "agreement": agreement, "threshold": rules.pass_threshold},
        )
    if blocks and agreement < Fraction(rules.block_override):
        return Decision(
            Outcome.FAILED,
            f"Blocked: {blocks} block(s) stand unless agreement reaches {_percent(rules.block_override)} "
            f"(it was {_percent(agreement)}).",
            agreement,
            facts={"kind": "blocked", "blocks": blocks, "override": rules.block_override, "agreement": agreement},
        )
    return Decision(
        Outcome.PASSED,
        f"Agreement was {_percent(agreement)}.",
        agreement,
        facts={"kind": "agreed", "agreement": agreement},
    )
