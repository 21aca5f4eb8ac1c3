"""Moderators act on reports citing rules; members see actions on their account and appeal them."""

from __future__ import annotations

import pytest

from governance.actions.reports import do_file_report
from governance.models import Appeal, ModerationAction, Report
from members.models import User
from tests.clients import signed_in
from tests.factories.federation import LocalActorFactory
from tests.factories.governance import adopt_rules, make_moderator
from tests.factories.members import make_member

pytestmark = pytest.mark.django_db


def filed_report() -> tuple[Report, User]:
    reporter = LocalActorFactory.create(user=make_member())
    member = make_member()
    target = LocalActorFactory.create(user=member, username=member.username)
    report = do_file_report(reporter, target, [], "Spam links", "spam", [])
    return report, member


def test_a_moderator_acts_on_a_report_citing_a_rule() -> None:
    (rule,) = adopt_rules("No spam.")
    report, member = filed_report()
    moderator = signed_in(make_moderator())
    page = moderator.get(f"/governance/moderation/reports/{report.pk}").content.decode()
    assert "Spam links" in page
    assert "No spam." in page
    moderator.post(
        f"/governance/moderation/reports/{report.pk}",
        {"kind": "limit", "rule": [str(rule.pk)], "text": "Please stop.", "resolve": "on"},
    )
    action = ModerationAction.objects.get()
    assert action.kind == ModerationAction.Kind.LIMIT_ACCOUNT
    assert list(action.rule_versions.all()) == [rule]
    assert action.report_id == report.pk
    report.refresh_from_db()
    assert report.state == Report.State.RESOLVED
    assert "No spam." in signed_in(member).get("/governance/my-moderation").content.decode()


def test_an_action_citing_no_rule_is_refused_and_nothing_changes() -> None:
    adopt_rules("No spam.")
    report, _ = filed_report()
    moderator = signed_in(make_moderator())
    response = moderator.post(
        f"/governance/moderation/reports/{report.pk}", {"kind": "suspend", "resolve": "on"}, follow=True
    )
    assert "rule" in response.content.decode().lower()
    assert not ModerationAction.objects.exists()
    report.refresh_from_db()
    assert report.state == Report.State.OPEN


def test_members_without_the_role_cannot_see_or_act_on_reports() -> None:
    (rule,) = adopt_rules("No spam.")
    report, _ = filed_report()
    member = signed_in(make_member())
    assert member.get(f"/governance/moderation/reports/{report.pk}").status_code == 404
    member.post(f"/governance/moderation/reports/{report.pk}", {"kind": "suspend", "rule": [str(rule.pk)]})
    assert not ModerationAction.objects.exists()
    assert member.get("/governance/moderation/appeals").status_code == 404


def test_assigning_a_report_to_oneself() -> None:
    report, _ = filed_report()
    moderator = make_moderator()
    signed_in(moderator).post(f"/governance/moderation/reports/{report.pk}", {"do": "assign"})
    report.refresh_from_db()
    assert report.assigned_to == moderator


def test_an_appeal_is_decided_by_another_moderator_not_the_one_who_acted() -> None:
    (rule,) = adopt_rules("No spam.")
    report, member = filed_report()
    acting = make_moderator()
    other = make_moderator()
    signed_in(acting).post(f"/governance/moderation/reports/{report.pk}", {"kind": "limit", "rule": [str(rule.pk)]})
    action = ModerationAction.objects.get()
    signed_in(member).post(f"/governance/my-moderation/{action.pk}/appeal", {"text": "It was a mistake."})
    appeal = Appeal.objects.get()

    page = signed_in(acting).get("/governance/moderation/appeals").content.decode()
    assert "another moderator decides" in page
    signed_in(acting).post("/governance/moderation/appeals", {"appeal": appeal.pk, "do": "grant"})
    appeal.refresh_from_db()
    assert appeal.state == Appeal.State.PENDING

    signed_in(other).post("/governance/moderation/appeals", {"appeal": appeal.pk, "do": "grant"})
    appeal.refresh_from_db()
    action.refresh_from_db()
    assert appeal.state == Appeal.State.GRANTED
    assert action.state == ModerationAction.State.REVERSED


def test_a_member_cannot_appeal_someone_elses_action() -> None:
    (rule,) = adopt_rules("No spam.")
    report, _ = filed_report()
    signed_in(make_moderator()).post(
        f"/governance/moderation/reports/{report.pk}", {"kind": "limit", "rule": [str(rule.pk)]}
    )
    action = ModerationAction.objects.get()
    response = signed_in(make_member()).post(f"/governance/my-moderation/{action.pk}/appeal", {"text": "Unfair!"})
    assert response.status_code == 404
    assert not Appeal.objects.exists()


def test_an_appeal_against_the_only_moderator_is_put_to_the_assembly_and_the_member_told() -> None:
    (rule,) = adopt_rules("No spam.")
    report, member = filed_report()
    signed_in(make_moderator()).post(
        f"/governance/moderation/reports/{report.pk}", {"kind": "limit", "rule": [str(rule.pk)]}
    )
    action = ModerationAction.objects.get()
    response = signed_in(member).post(
        f"/governance/my-moderation/{action.pk}/appeal", {"text": "It was a mistake."}, follow=True
    )
    appeal = Appeal.objects.get()
    assert appeal.state == Appeal.State.ESCALATED
    assert appeal.proposal is not None
    page = response.content.decode()
    assert f"put to the assembly as proposal #{appeal.proposal_id}" in page
    assert f"/governance/proposals/{appeal.proposal_id}" in page
