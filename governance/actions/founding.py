"""Adopt the founding charter and rules of a new co-op."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from governance.models import CharterVersion, Rule, RuleVersion

FOUNDING_AUTHORITY = "Founding charter"


@dataclass(frozen=True)
class RuleText:
    """The wording of a rule and an optional longer explanation."""

    text: str
    hint: str = ""


def do_adopt_founding_documents(charter_title: str, charter_text: str, rules: list[RuleText]) -> CharterVersion:
    """Record version 1 of the charter and of each rule. Refuse if a charter exists."""
    now = timezone.now()
    with transaction.atomic():
        if CharterVersion.objects.exists():
            raise ValueError("The founding charter has already been adopted.")
        charter = CharterVersion.objects.create(
            version=1, title=charter_title, text=charter_text, effective_at=now, adopted_by=FOUNDING_AUTHORITY
        )
        for position, rule_text in enumerate(rules, start=1):
            rule = Rule.objects.create(position=position)
            RuleVersion.objects.create(
                rule=rule,
                version=1,
                text=rule_text.text,
                hint=rule_text.hint,
                effective_at=now,
                adopted_by=FOUNDING_AUTHORITY,
            )
    return charter
