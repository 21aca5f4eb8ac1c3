"""Appeals against moderation actions: decided by another moderator, or by the assembly."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone, translation

from governance.access import is_moderator
from governance.actions.log import do_append_log_entry
from governance.actions.moderation import do_reverse_moderation_action
from governance.actions.proposals import ProposalDraft, check_create_proposal, do_open_proposal
from governance.errors import ModerationRefused, ProposalRefused
from governance.models import Appeal, LogEntry, LogVisibility, ModerationAction, Proposal, ProposalKind
from governance.selectors import IN_FORCE, appeal_deciders
from members.models import User

MAX_APPEAL = 5000


@dataclass(frozen=True)
class AppealDraft:
    """An appeal that passed its checks.

    When no moderator but the one who acted can decide it, `assembly` is the
    proposal that puts it to the members at once, opened by `assembly_author`.
    """

    text: str
    assembly: ProposalDraft | None = None
    assembly_author: User | None = None


def check_file_appeal(appellant: User, action: ModerationAction, text: str) -> AppealDraft:
    """Refuse unless the affected member appeals an action in force, once at a time.

    An appeal nobody eligible could decide (the only moderator took the
    action) goes straight to the assembly, opened by the appellant, or by
    the moderator who acted when the appellant may not make proposals.
    """
    target_user_id = action.target_account.user_id if action.target_account is not None else None
    if target_user_id is None or target_user_id != appellant.pk:
        raise ModerationRefused("Only the member an action affects can appeal it.")
    if action.state not in IN_FORCE:
        raise ModerationRefused("This action is no longer in force.")
    if action.appeals.filter(state__in=[Appeal.State.PENDING, Appeal.State.ESCALATED]).exists():
        raise ModerationRefused("An appeal against this action is already open.")
    text = text.strip()
    if not text or len(text) > MAX_APPEAL:
        raise ModerationRefused(f"Explain the appeal in 1 to {MAX_APPEAL} characters.")
    if appeal_deciders(action):
        return AppealDraft(text=text)
    for author in (appellant, action.moderator):
        if author is None:
            continue
        try:
            return AppealDraft(text=text, assembly=_assembly_proposal(author, action, text), assembly_author=author)
        except ProposalRefused:
            continue
    # Nobody can open the proposal either: the appeal waits for a moderator to be appointed.
    return AppealDraft(text=text)


def do_file_appeal(appellant: User, action: ModerationAction, draft: AppealDraft) -> Appeal:
    """Record a checked appeal, and open its proposal when it goes straight to the assembly."""
    with transaction.atomic():
        appeal = Appeal.objects.create(action=action, appellant=appellant, text=draft.text, created_at=timezone.now())
        if draft.assembly is not None and draft.assembly_author is not None:
            do_escalate_appeal(draft.assembly_author, appeal, draft.assembly)
    return appeal


def check_decide_appeal(decider: User, appeal: Appeal) -> None:
    """Refuse unless a moderator other than the one who acted decides a pending appeal."""
    if not is_moderator(decider):
        raise ModerationRefused("Only moderators can decide appeals.")
    if appeal.action.moderator_id == decider.pk:
        raise ModerationRefused("The moderator who took the action cannot decide its appeal.")
    if appeal.state != Appeal.State.PENDING:
        raise ModerationRefused("This appeal is not pending.")


def _record_decision(appeal: Appeal, *, granted: bool, decider: User | None, note: str) -> Appeal:
    appeal.state = Appeal.State.GRANTED if granted else Appeal.State.UPHELD
    appeal.decided_by = decider
    appeal.decision_note = note
    appeal.decided_at = timezone.now()
    appeal.save(update_fields=["state", "decided_by", "decision_note", "decided_at"])
    # The log is a record: its summary stays in the source language whoever decides.
    with translation.override(None):
        log_summary = f"Appeal {appeal.pk} against action #{appeal.action_id}: {appeal.get_state_display().lower()}"
    do_append_log_entry(
        LogEntry.Kind.APPEAL_DECIDED,
        # Public like the action itself; the appeal's text stays out of the log.
        visibility=LogVisibility.PUBLIC,
        summary=log_summary,
        data={"appeal": appeal.pk, "action": appeal.action_id, "state": appeal.state, "proposal": appeal.proposal_id},
    )
    return appeal


def do_decide_appeal(decider: User, appeal: Appeal, *, granted: bool, note: str = "") -> Appeal:
    """Uphold the action, or grant the appeal and reverse it."""
    with transaction.atomic():
        if granted:
            do_reverse_moderation_action(appeal.action, authority=f"Appeal {appeal.pk} granted")
        return _record_decision(appeal, granted=granted, decider=decider, note=note.strip())


def check_escalate_appeal(user: User, appeal: Appeal) -> ProposalDraft:
    """Return the proposal that puts a pending appeal to the assembly.

    The appellant or a moderator other than the one who acted may escalate;
    the proposal passing grants the appeal and reverses the action.
    """
    if appeal.state != Appeal.State.PENDING:
        raise ModerationRefused("This appeal is not pending.")
    moderator_may = is_moderator(user) and appeal.action.moderator_id != user.pk
    if appeal.appellant_id != user.pk and not moderator_may:
        raise ModerationRefused("Only the appellant or another moderator can put this appeal to the assembly.")
    return _assembly_proposal(user, appeal.action, appeal.text)


def _assembly_proposal(author: User, action: ModerationAction, text: str) -> ProposalDraft:
    """Return the proposal whose passing grants an appeal and reverses the action."""
    # The proposal's title is stored and logged, so it keeps the source language.
    with translation.override(None):
        title = f"Appeal: reverse {action.get_kind_display().lower()} #{action.pk}?"
    return check_create_proposal(
        author,
        kind=ProposalKind.TEXT,
        title=title,
        body=f"Action #{action.pk}, citing {action.authority}, is appealed:\n\n{text}\n\n"
        "If this proposal passes, the action is reversed.",
    )


def do_escalate_appeal(user: User, appeal: Appeal, draft: ProposalDraft) -> Proposal:
    """Open the appeal's proposal; its outcome decides the appeal when it closes."""
    with transaction.atomic():
        proposal = do_open_proposal(user, draft)
        appeal.state = Appeal.State.ESCALATED
        appeal.proposal = proposal
        appeal.save(update_fields=["state", "proposal"])
    return proposal


def do_settle_escalated_appeal(appeal: Appeal, *, granted: bool) -> Appeal:
    """Apply an assembly's decision on an escalated appeal (a passed proposal grants it)."""
    if appeal.state != Appeal.State.ESCALATED:
        return appeal
    if granted:
        do_reverse_moderation_action(appeal.action, authority=f"Proposal #{appeal.proposal_id} granted the appeal")
    return _record_decision(appeal, granted=granted, decider=None, note=f"Decided by Proposal #{appeal.proposal_id}")
