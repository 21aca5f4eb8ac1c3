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
        "Quorum de 12,5\u202f% sur 8 membres = 1 (votants pour l\u2019instant\xa0: 3)",
        "Adoptée avec 50\u202f% des suffrages exprimés, hors abstentions\xa0: 2 sur 3 pour l\u2019instant",
        "Un blocage l\u2019emporte sauf si l\u2019accord atteint 90\u202f%",
    ]
