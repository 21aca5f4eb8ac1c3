"""The rules a proposal is held to, said in the reader's language and number format."""

from __future__ import annotations

from decimal import Decimal

from django.utils import translation

from governance.rules import explain_rules
from governance.tally.methods import DecisionMethod
from governance.tally.outcome import ThresholdBasis


def test_rules_lines_take_the_languages_number_format() -> None:
    with translation.override("fr"):
        lines = explain_rules(
            method=DecisionMethod.CONSENT,
            quorum=Decimal("0.125"),
            pass_threshold=Decimal("0.5"),
            block_override=Decimal("0.9"),
            threshold_basis=ThresholdBasis.VOTES_CAST,
            electorate=8,
            tally={"ballots": 3, "counts": [2, 0, 1, 0]},
        )
    assert lines == [
        "Quorum 12,5% of 8 members = 1 (3 voted so far)",
        "Passes with 50% of votes cast, abstentions aside: 2 of 3 so far",
        "A block stands unless agreement reaches 90%",
    ]
