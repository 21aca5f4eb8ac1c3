"""Rules in force are the latest non-retired version of each rule."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from governance.actions.founding import RuleText, do_adopt_founding_documents
from governance.models import Rule, RuleVersion
from governance.selectors import current_charter, rules_in_force


@pytest.mark.django_db
def test_amended_and_retired_rules() -> None:
    do_adopt_founding_documents("Charter", "text", [RuleText("one"), RuleText("two"), RuleText("three")])
    first, second, _ = Rule.objects.order_by("position")
    now = timezone.now()
    RuleVersion.objects.create(rule=first, version=2, text="one, amended", effective_at=now, adopted_by="test")
    RuleVersion.objects.create(rule=second, version=2, text="two", retired=True, effective_at=now, adopted_by="test")
    assert [(v.text, v.version) for v in rules_in_force()] == [("one, amended", 2), ("three", 1)]
    charter = current_charter()
    assert charter is not None
    assert charter.version == 1


@pytest.mark.django_db
def test_founding_documents_are_adopted_once() -> None:
    do_adopt_founding_documents("Charter", "text", [])
    with pytest.raises(ValueError, match="already been adopted"):
        do_adopt_founding_documents("Charter", "text", [RuleText("late")])
    assert Rule.objects.count() == 0


@pytest.mark.django_db
def test_a_version_counts_only_from_its_effective_time() -> None:
    do_adopt_founding_documents("Charter", "text", [RuleText("one")])
    rule = Rule.objects.get()
    later = timezone.now() + timedelta(days=1)
    RuleVersion.objects.create(rule=rule, version=2, text="one, from tomorrow", effective_at=later, adopted_by="test")
    assert [v.text for v in rules_in_force()] == ["one"]
    assert [v.text for v in rules_in_force(later)] == ["one, from tomorrow"]
