"""Reports from members and remote Flags enter the queue; moderators assign, resolve and reopen them."""

from __future__ import annotations

import pytest

from governance.actions.moderation import check_take_moderation_action, do_take_moderation_action
from governance.actions.reports import do_assign_report, do_file_report, do_reopen_report, do_resolve_report
from governance.errors import ModerationRefused
from governance.models import Report
from governance.selectors import reported_posts_of
from tests.factories.federation import LocalActorFactory, RemoteActorFactory
from tests.factories.governance import adopt_rules, make_moderator
from tests.factories.members import make_member
from tests.factories.timeline import StatusFactory

pytestmark = pytest.mark.django_db


def test_remote_flag_is_recorded_once_per_uri() -> None:
    target = LocalActorFactory.create()
    status = StatusFactory.create(account=target)
    flag = "https://mastodon.example/activities/flag-1"
    first = do_file_report(None, target, [status], "Spam", "spam", [], forwarded_from="mastodon.example", uri=flag)
    again = do_file_report(None, target, [status], "Spam", "spam", [], forwarded_from="mastodon.example", uri=flag)
    assert first.pk == again.pk
    assert list(first.statuses.all()) == [status]
    assert Report.objects.count() == 1


@pytest.mark.parametrize(
    ("case", "message"),
    [
        ("self", "cannot report yourself"),
        ("other_status", "by the reported account"),
        ("category", "category must be one of"),
        ("violation_without_rule", "which rule"),
        ("long", "limited to 1000"),
    ],
)
def test_invalid_reports_are_refused(case: str, message: str) -> None:
    reporter = RemoteActorFactory.create()
    target = LocalActorFactory.create()
    statuses = [StatusFactory.create()] if case == "other_status" else []
    category = {"category": "nonsense", "violation_without_rule": "violation"}.get(case, "other")
    comment = "x" * 1001 if case == "long" else "Please look"
    with pytest.raises(ModerationRefused, match=message):
        do_file_report(target if case == "self" else reporter, target, statuses, comment, category, [])
    assert not Report.objects.exists()


def test_queue_transitions_are_for_moderators() -> None:
    (rule,) = adopt_rules("No spam.")
    report = do_file_report(None, LocalActorFactory.create(), [], "Ads", "violation", [rule.pk])
    moderator = make_moderator()
    with pytest.raises(ModerationRefused, match="Only moderators"):
        do_resolve_report(make_member(), report)
    with pytest.raises(ModerationRefused, match="only be assigned to moderators"):
        do_assign_report(moderator, report, assignee=make_member())
    do_assign_report(moderator, report, assignee=moderator)
    do_resolve_report(moderator, report)
    with pytest.raises(ModerationRefused, match="already resolved"):
        do_resolve_report(moderator, report)
    do_reopen_report(moderator, report)
    report.refresh_from_db()
    assert (report.state, report.assigned_to, report.resolved_at) == (Report.State.OPEN, moderator, None)


def test_a_report_keeps_its_posts_after_they_are_removed() -> None:
    (rule,) = adopt_rules("No spam.")
    target = LocalActorFactory.create()
    status = StatusFactory.create(account=target, content="<p>Buy pills</p>")
    report = do_file_report(LocalActorFactory.create(), target, [status], "Spam", "spam", [])
    moderator = make_moderator()
    action = do_take_moderation_action(
        moderator,
        check_take_moderation_action(
            moderator, kind="remove_status", rule_version_ids=[rule.pk], target_status_id=status.pk
        ),
    )
    report.refresh_from_db()
    assert not report.statuses.exists()
    (post,) = reported_posts_of(report)
    assert (post.id, post.author, post.content) == (status.pk, target.acct, "<p>Buy pills</p>")
    assert post.url == status.url
    assert (post.present, post.removed_by) == (False, action.pk)
