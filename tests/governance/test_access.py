"""Proposals are for members, their electorate and moderators; reports for moderators only."""

from __future__ import annotations

import pytest

from governance.access import (
    ModerationRecordNotFound,
    ProposalNotFound,
    access_appeal_by_id,
    access_moderation_action_by_id,
    access_proposal_by_id,
    access_proposal_summary_by_id,
    access_report_by_id,
)
from governance.actions.appeals import check_file_appeal, do_file_appeal
from governance.actions.moderation import check_take_moderation_action, do_take_moderation_action
from governance.actions.reports import do_file_report
from members.models.membership import MembershipStatus
from tests.factories.federation import LocalActorFactory
from tests.factories.governance import adopt_rules, make_moderator, open_proposal
from tests.factories.members import UserFactory, make_member, make_membership

pytestmark = pytest.mark.django_db


def test_proposal_access() -> None:
    author = make_member()
    proposal = open_proposal(author)
    assert access_proposal_by_id(author, proposal.pk) == proposal
    assert access_proposal_by_id(make_member(), proposal.pk) == proposal
    assert access_proposal_by_id(make_moderator(), proposal.pk) == proposal
    applicant = UserFactory.create()
    make_membership(applicant, MembershipStatus.APPLICANT)
    for viewer in (None, UserFactory.create(), applicant):
        with pytest.raises(ProposalNotFound):
            access_proposal_by_id(viewer, proposal.pk)
    with pytest.raises(ProposalNotFound):
        access_proposal_by_id(author, proposal.pk + 1000)


def test_a_proposals_public_summary_is_what_the_public_log_shows() -> None:
    proposal = open_proposal(make_member(), title="Picnic?")
    summary = access_proposal_summary_by_id(proposal.pk)
    assert (summary.pk, summary.title, summary.state, summary.outcome) == (proposal.pk, "Picnic?", "open", "")
    with pytest.raises(ProposalNotFound):
        access_proposal_summary_by_id(proposal.pk + 1000)


def test_moderation_records_access() -> None:
    (rule,) = adopt_rules("No spam.")
    moderator = make_moderator()
    member = make_member()
    target = LocalActorFactory.create(user=member, username=member.username)
    report = do_file_report(None, target, [], "Ads", "spam", [])
    assert access_report_by_id(moderator, report.pk) == report
    with pytest.raises(ModerationRecordNotFound):
        access_report_by_id(member, report.pk)
    draft = check_take_moderation_action(
        moderator, kind="warn", rule_version_ids=[rule.pk], target_account_id=target.pk
    )
    action = do_take_moderation_action(moderator, draft)
    assert access_moderation_action_by_id(member, action.pk) == action
    assert access_moderation_action_by_id(moderator, action.pk) == action
    with pytest.raises(ModerationRecordNotFound):
        access_moderation_action_by_id(make_member(), action.pk)
    appeal = do_file_appeal(member, action, check_file_appeal(member, action, "Unfair"))
    assert access_appeal_by_id(member, appeal.pk) == appeal
    with pytest.raises(ModerationRecordNotFound):
        access_appeal_by_id(make_member(), appeal.pk)
