"""Security-checked reads of proposals, moderation actions and reports."""

from __future__ import annotations

from django.http import Http404
from django.utils import timezone

from governance.models import Appeal, Elector, ModerationAction, Proposal, Report
from members.eligibility import is_eligible_voter
from members.models import User
from members.models.membership import Role
from members.selectors import user_has_role
from timeline.models import LinkTrend, StatusTrend, TagTrend


class ProposalNotFound(Http404):
    """The proposal does not exist or the viewer may not see it (indistinguishable on purpose)."""


class ModerationRecordNotFound(Http404):
    """The report, action or appeal does not exist or the viewer may not see it."""


def is_moderator(user: User | None) -> bool:
    """Return whether the user may work the moderation queue."""
    return (
        user is not None and user.is_active and (user_has_role(user, Role.MODERATOR) or user_has_role(user, Role.ADMIN))
    )


def can_view_proposal(viewer: User | None, proposal: Proposal) -> bool:
    """Members in good standing, the proposal's electorate and moderators see full proposals."""
    if viewer is None or not viewer.is_active:
        return False
    if Elector.objects.filter(proposal=proposal, user=viewer).exists():
        return True
    return is_eligible_voter(viewer.pk, timezone.now()) or is_moderator(viewer)


def access_proposal_by_id(viewer: User | None, proposal_id: int) -> Proposal:
    """Return the proposal if the viewer may see it, else raise ProposalNotFound."""
    proposal = Proposal.objects.select_related("author").filter(pk=proposal_id).first()
    if proposal is None or not can_view_proposal(viewer, proposal):
        raise ProposalNotFound("Record not found")
    return proposal


def access_proposal_summary_by_id(proposal_id: int) -> Proposal:
    """Return a proposal for its public summary (title, state, closing time, outcome), else raise ProposalNotFound.

    Every proposal is public in this much: opening and closing each append a
    public entry to the transparency log with its title, closing time and
    outcome. Its text, discussion and ballot stay with `access_proposal_by_id`.
    """
    proposal = Proposal.objects.filter(pk=proposal_id).only("title", "state", "closes_at", "outcome").first()
    if proposal is None:
        raise ProposalNotFound("Record not found")
    return proposal


def access_report_by_id(viewer: User | None, report_id: int) -> Report:
    """Return a report to a moderator, else raise ModerationRecordNotFound."""
    report = Report.objects.select_related("reporter", "target", "assigned_to").filter(pk=report_id).first()
    if report is None or not is_moderator(viewer):
        raise ModerationRecordNotFound("Record not found")
    return report


def access_moderation_action_by_id(viewer: User | None, action_id: int) -> ModerationAction:
    """Return an action to a moderator or to the member it affects, else raise ModerationRecordNotFound."""
    action = ModerationAction.objects.select_related("target_account").filter(pk=action_id).first()
    if action is None or viewer is None:
        raise ModerationRecordNotFound("Record not found")
    affected = action.target_account is not None and action.target_account.user_id == viewer.pk
    if not affected and not is_moderator(viewer):
        raise ModerationRecordNotFound("Record not found")
    return action


def access_appeal_by_id(viewer: User | None, appeal_id: int) -> Appeal:
    """Return an appeal to a moderator or to its appellant, else raise ModerationRecordNotFound."""
    appeal = Appeal.objects.select_related("action").filter(pk=appeal_id).first()
    if appeal is None or viewer is None or (appeal.appellant_id != viewer.pk and not is_moderator(viewer)):
        raise ModerationRecordNotFound("Record not found")
    return appeal


def access_tag_trend_by_id(viewer: User | None, trend_id: str | int) -> TagTrend:
    """Return a hashtag's trend to a moderator for review, else raise ModerationRecordNotFound."""
    text = str(trend_id)
    trend = TagTrend.objects.select_related("tag").filter(pk=int(text)).first() if text.isdigit() else None
    if trend is None or not is_moderator(viewer):
        raise ModerationRecordNotFound("Record not found")
    return trend


def access_link_trend_by_id(viewer: User | None, trend_id: str | int) -> LinkTrend:
    """Return a link's trend to a moderator for review, else raise ModerationRecordNotFound."""
    text = str(trend_id)
    trend = LinkTrend.objects.select_related("card").filter(pk=int(text)).first() if text.isdigit() else None
    if trend is None or not is_moderator(viewer):
        raise ModerationRecordNotFound("Record not found")
    return trend


def access_status_trend_by_id(viewer: User | None, trend_id: str | int) -> StatusTrend:
    """Return a status's trend to a moderator for review, else raise ModerationRecordNotFound."""
    text = str(trend_id)
    trend = StatusTrend.objects.select_related("status").filter(pk=int(text)).first() if text.isdigit() else None
    if trend is None or not is_moderator(viewer):
        raise ModerationRecordNotFound("Record not found")
    return trend
