"""Rule and bylaws version histories and their diffs."""

from __future__ import annotations

import pytest
from django.utils import timezone

from governance.history import DiffPiece, bylaws_history, rule_histories, word_diff
from governance.models import RuleVersion
from members.selectors import bylaws_in_force
from tests.factories.governance import adopt_rules

pytestmark = pytest.mark.django_db


def test_word_diff_marks_removed_and_added_words_in_order() -> None:
    assert word_diff("Be kind to others", "Be kind and fair to everyone") == [
        DiffPiece("same", "Be kind"),
        DiffPiece("added", "and fair"),
        DiffPiece("same", "to"),
        DiffPiece("removed", "others"),
        DiffPiece("added", "everyone"),
    ]


def test_word_diff_of_a_first_version_adds_everything() -> None:
    assert word_diff("", "No harassment") == [DiffPiece("added", "No harassment")]


def test_rule_history_lists_versions_newest_first_with_diffs() -> None:
    [first] = adopt_rules("No harassment")
    RuleVersion.objects.create(
        rule=first.rule, version=2, text="No harassment or hate", effective_at=timezone.now(), adopted_by="Decision #4"
    )
    [history] = rule_histories()
    assert history.current.version == 2
    assert [change.version.version for change in history.versions] == [2, 1]
    assert history.versions[0].diff == [DiffPiece("same", "No harassment"), DiffPiece("added", "or hate")]


def test_bylaws_history_shows_only_what_each_amendment_changed() -> None:
    founding = bylaws_in_force()
    amended = founding
    amended.pk = None
    amended.version = founding.version + 1
    amended.proposal_quorum = founding.proposal_quorum * 2
    amended.authorised_by = "Decision #7"
    amended.effective_at = timezone.now()
    amended.save()
    newest, oldest = bylaws_history()[0], bylaws_history()[-1]
    assert newest.version.version == amended.version
    assert [change.name for change in newest.changes] == ["proposal_quorum"]
    assert newest.changes[0].before != newest.changes[0].after
    assert len(oldest.changes) > 10
