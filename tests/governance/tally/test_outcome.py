"""Outcomes follow the quorum, the pass threshold and the block rule."""

from __future__ import annotations

from decimal import Decimal

from django.utils import translation

from governance.tally.methods import DecisionMethod, count_ballots
from governance.tally.outcome import Decision, DecisionRules, Outcome, ThresholdBasis, decide, explain_decision

RULES = DecisionRules(quorum=Decimal("0.2"), pass_threshold=Decimal("0.5"), block_override=Decimal("0.9"))
AGREE, ABSTAIN, DISAGREE, BLOCK = 0, 1, 2, 3


def consent(agree: int = 0, abstain: int = 0, disagree: int = 0, block: int = 0) -> list[int]:
    return [AGREE] * agree + [ABSTAIN] * abstain + [DISAGREE] * disagree + [BLOCK] * block


def outcome(choices: list[int], electorate: int, rules: DecisionRules = RULES) -> Outcome:
    return decide(count_ballots(DecisionMethod.CONSENT, 4, choices), rules, electorate).outcome


def test_turnout_below_quorum_is_no_quorum() -> None:
    assert outcome(consent(agree=1), electorate=10) == Outcome.NO_QUORUM
    assert outcome(consent(agree=1, abstain=1), electorate=10) == Outcome.PASSED


def test_an_empty_electorate_has_no_quorum() -> None:
    assert outcome([], electorate=0) == Outcome.NO_QUORUM


def test_a_block_vetoes_unless_the_supermajority_agrees() -> None:
    assert outcome(consent(agree=5, block=1), electorate=10) == Outcome.FAILED
    assert outcome(consent(agree=9, block=1), electorate=10) == Outcome.PASSED


def test_abstentions_do_not_count_against_agreement() -> None:
    assert outcome(consent(agree=2, abstain=5, disagree=2), electorate=10) == Outcome.PASSED
    assert outcome(consent(agree=2, abstain=5, disagree=3), electorate=10) == Outcome.FAILED


def test_threshold_of_the_electorate() -> None:
    rules = DecisionRules(Decimal("0.2"), Decimal("0.5"), Decimal("0.9"), ThresholdBasis.ELECTORATE)
    assert outcome(consent(agree=4), electorate=10, rules=rules) == Outcome.FAILED
    assert outcome(consent(agree=5), electorate=10, rules=rules) == Outcome.PASSED


def test_yes_no_has_no_blocks() -> None:
    tally = count_ballots(DecisionMethod.YES_NO, 3, [0, 0, 1])
    assert decide(tally, RULES, 3).outcome == Outcome.PASSED
    tally = count_ballots(DecisionMethod.YES_NO, 3, [2, 2])
    assert decide(tally, RULES, 3).outcome == Outcome.FAILED


def test_a_decision_is_explained_again_in_the_readers_number_format() -> None:
    """The stored reason stays as it was; the explanation takes the language's decimal separator."""
    decision = decide(count_ballots(DecisionMethod.CONSENT, 4, consent(agree=2, disagree=1)), RULES, 3)
    assert decision.reason == "Agreement was 66.7%."
    assert explain_decision(decision) == "Agreement was 66.7%."
    with translation.override("fr"):
        assert explain_decision(decision) == "L\u2019accord était de 66,7\u202f%."
        blocked = decide(count_ballots(DecisionMethod.CONSENT, 4, consent(agree=5, block=1)), RULES, 10)
        assert explain_decision(blocked) == (
            "Bloquée\xa0: 1 blocage l\u2019emporte sauf si l\u2019accord atteint 90\u202f% (il était de 83,3\u202f%)."
        )
        no_quorum = decide(count_ballots(DecisionMethod.CONSENT, 4, consent(agree=1)), RULES, 8)
        assert explain_decision(no_quorum) == (
            "Participation\xa0: 1 sur 8 membres habilités à voter (12,5\u202f%)\xa0; le quorum est de 20\u202f%."
        )
    assert blocked.reason == "Blocked: 1 block(s) stand unless agreement reaches 90.0% (it was 83.3%)."


def test_a_decision_without_facts_is_explained_by_its_stored_sentence() -> None:
    assert explain_decision(Decision(Outcome.FAILED, "Decided by hand.")) == "Decided by hand."
