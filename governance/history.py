"""The version history of rules and bylaws, with what each version changed."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Literal

from django.db.models import Field

from governance.models import Rule, RuleVersion
from members.models import BylawsVersion

# Bookkeeping fields say when and why a version exists, not what it rules.
BYLAWS_BOOKKEEPING = frozenset({"id", "version", "effective_at", "authorised_by", "recorded_at"})

Operation = Literal["same", "removed", "added"]


@dataclass(frozen=True)
class DiffPiece:
    """A run of words that stayed, went or came between two wordings."""

    operation: Operation
    text: str


def word_diff(old: str, new: str) -> list[DiffPiece]:
    """Return the word-level difference between two wordings, in reading order."""
    old_words, new_words = old.split(), new.split()
    pieces: list[DiffPiece] = []
    matcher = difflib.SequenceMatcher(a=old_words, b=new_words, autojunk=False)
    for tag, a_start, a_end, b_start, b_end in matcher.get_opcodes():
        if tag == "equal":
            pieces.append(DiffPiece("same", " ".join(old_words[a_start:a_end])))
            continue
        if a_end > a_start:
            pieces.append(DiffPiece("removed", " ".join(old_words[a_start:a_end])))
        if b_end > b_start:
            pieces.append(DiffPiece("added", " ".join(new_words[b_start:b_end])))
    return pieces


@dataclass(frozen=True)
class RuleVersionChange:
    """One version of a rule and how its wording differs from the version before."""

    version: RuleVersion
    diff: list[DiffPiece]


@dataclass(frozen=True)
class RuleHistory:
    """A rule with every version it had, newest first."""

    rule: Rule
    current: RuleVersion
    versions: list[RuleVersionChange]


def rule_histories() -> list[RuleHistory]:
    """Return every rule, retired ones included, with its versions and their word diffs."""
    by_rule: dict[int, list[RuleVersion]] = {}
    for version in RuleVersion.objects.select_related("rule").order_by("rule__position", "version"):
        by_rule.setdefault(version.rule_id, []).append(version)
    histories = []
    for versions in by_rule.values():
        changes = []
        previous_text = ""
        for version in versions:
            changes.append(RuleVersionChange(version=version, diff=word_diff(previous_text, version.text)))
            previous_text = version.text
        histories.append(RuleHistory(rule=versions[0].rule, current=versions[-1], versions=changes[::-1]))
    return histories


@dataclass(frozen=True)
class FieldChange:
    """A bylaws setting that a version changed."""

    name: str
    label: str
    before: str
    after: str


@dataclass(frozen=True)
class BylawsChange:
    """One bylaws version and the settings it changed from the version before."""

    version: BylawsVersion
    changes: list[FieldChange]


def _ruling_fields() -> list[Field[object, object]]:
    return [
        field
        for field in BylawsVersion._meta.concrete_fields
        if field.name not in BYLAWS_BOOKKEEPING and isinstance(field, Field)
    ]


def bylaws_history() -> list[BylawsChange]:
    """Return every bylaws version, newest first, with the settings each changed (all of them for the first)."""
    fields = _ruling_fields()
    history: list[BylawsChange] = []
    previous: BylawsVersion | None = None
    for version in BylawsVersion.objects.order_by("version"):
        changes = [
            FieldChange(
                name=field.name,
                label=str(field.verbose_name).capitalize(),
                before="" if previous is None else str(getattr(previous, field.name)),
                after=str(getattr(version, field.name)),
            )
            for field in fields
            if previous is None or getattr(previous, field.name) != getattr(version, field.name)
        ]
        history.append(BylawsChange(version=version, changes=changes))
        previous = version
    return history[::-1]
