"""Apply a passed proposal's payload, inside the transaction that closes it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from federation.actions.domain_policies import do_lift_domain_policy
from governance.actions.log import do_append_log_entry
from governance.actions.moderation import (
    do_ratify_emergency_action,
    do_record_assembly_domain_policy,
    domain_details,
)
from governance.errors import ProposalRefused
from governance.models import LogEntry, LogVisibility, ModerationAction, Proposal, ProposalKind, Rule, RuleVersion
from governance.payloads import DomainAction, MembershipAction, RoleAction, RuleAction
from governance.selectors import IN_FORCE
from members.actions.bylaws import check_adopt_bylaws_version, do_adopt_bylaws_version
from members.actions.lifecycle import check_admit_applicant, check_expel_member, do_admit_applicant, do_expel_member
from members.actions.roles import check_grant_role, check_revoke_role, do_grant_role, do_revoke_role
from members.models import User

DOMAIN_SETTINGS: dict[str, dict[str, Any]] = {
    DomainAction.SUSPEND: {"severity": "suspend"},
    DomainAction.LIMIT: {"severity": "silence"},
    DomainAction.REJECT_MEDIA: {"severity": "noop", "reject_media": True},
    DomainAction.REJECT_REPORTS: {"severity": "noop", "reject_reports": True},
}


def do_enact_proposal(proposal: Proposal, *, result_sequence: int) -> dict[str, Any]:
    """Apply the payload and ratifications of a passed proposal; return what changed.

    Each change is logged citing the closing entry. A change the owning app
    refuses (an applicant already admitted, a role already held) is recorded
    as not applied; the decision itself stands.
    """
    enactment: dict[str, Any] = {"result_entry": result_sequence}
    try:
        with transaction.atomic():
            enactment.update(_apply_payload(proposal, result_sequence))
    except ValueError as exc:
        # Every app's refusals are ValueError subclasses with a message fit to show.
        enactment["error"] = str(exc)
    ratified = [
        action.pk
        for action in proposal.ratifies.all()
        if do_ratify_emergency_action(action, proposal_id=proposal.pk, authority=proposal.authority)
    ]
    if ratified:
        enactment["ratified"] = ratified
    return enactment


def _log(kind: LogEntry.Kind, summary: str, proposal: Proposal, result_sequence: int, **data: Any) -> int:
    entry = do_append_log_entry(
        kind,
        visibility=LogVisibility.PUBLIC,
        summary=summary,
        data={"proposal": proposal.pk, "result_entry": result_sequence, **data},
    )
    return entry.sequence


def _apply_payload(proposal: Proposal, result_sequence: int) -> dict[str, Any]:
    apply = ENACTORS.get(proposal.kind)
    return apply(proposal, result_sequence) if apply is not None else {}


def _enact_domain_policy(proposal: Proposal, result_sequence: int) -> dict[str, Any]:
    payload = proposal.payload
    authority = proposal.authority
    domain = payload["domain"]
    if payload["action"] == DomainAction.LIFT:
        for action in ModerationAction.objects.filter(kind=ModerationAction.Kind.DOMAIN, target_domain=domain):
            if action.state in IN_FORCE:
                action.state = ModerationAction.State.REVERSED
                action.ended_at = timezone.now()
                action.save(update_fields=["state", "ended_at"])
        do_lift_domain_policy(domain, authorised_by=authority)
        sequence = _log(
            LogEntry.Kind.DOMAIN_POLICY_LIFTED,
            f"Policy on {domain} lifted by {authority}",
            proposal,
            result_sequence,
            domain=domain,
        )
        return {"domain": domain, "lifted": True, "log_entry": sequence}
    details = domain_details(public_comment=payload["public_comment"], **DOMAIN_SETTINGS[payload["action"]])
    action = do_record_assembly_domain_policy(domain, details, proposal_id=proposal.pk, authority=authority)
    sequence = _log(
        LogEntry.Kind.DOMAIN_POLICY,
        f"{DomainAction(payload['action']).label} {domain}, by {authority}",
        proposal,
        result_sequence,
        domain=domain,
        moderation_action=action.pk,
        details={key: value for key, value in details.items() if key != "private_comment"},
    )
    return {"domain": domain, "moderation_action": action.pk, "log_entry": sequence}


def _enact_server_rule(proposal: Proposal, result_sequence: int) -> dict[str, Any]:
    payload = proposal.payload
    authority = proposal.authority
    version = _apply_rule(payload, authority)
    sequence = _log(
        LogEntry.Kind.RULE_VERSION,
        f"Rule {version.rule.position} v{version.version} {'retired' if version.retired else 'adopted'} by {authority}",
        proposal,
        result_sequence,
        rule=version.rule_id,
        rule_version=version.pk,
        version=version.version,
        text=version.text,
        retired=version.retired,
    )
    return {"rule_version": version.pk, "log_entry": sequence}


def _enact_content_policy(proposal: Proposal, result_sequence: int) -> dict[str, Any]:
    payload = proposal.payload
    authority = proposal.authority
    sequence = _log(
        LogEntry.Kind.CONTENT_POLICY,
        f"Content policy {payload['title']!r} adopted by {authority}",
        proposal,
        result_sequence,
        title=payload["title"],
        text=payload["text"],
    )
    return {"log_entry": sequence}


def _enact_bylaw_amendment(proposal: Proposal, result_sequence: int) -> dict[str, Any]:
    payload = proposal.payload
    authority = proposal.authority
    changes = check_adopt_bylaws_version(dict(payload["changes"]), authorised_by=authority)
    bylaws = do_adopt_bylaws_version(changes, authorised_by=authority)
    sequence = _log(
        LogEntry.Kind.BYLAWS_VERSION,
        f"Bylaws v{bylaws.version} adopted by {authority}",
        proposal,
        result_sequence,
        bylaws_version=bylaws.version,
        changes=payload["changes"],
    )
    return {"bylaws_version": bylaws.version, "log_entry": sequence}


def _enact_membership(proposal: Proposal, result_sequence: int) -> dict[str, Any]:
    payload = proposal.payload
    authority = proposal.authority
    user = User.objects.get(pk=payload["user_id"])
    if payload["action"] == MembershipAction.ADMIT:
        check_admit_applicant(user, actor_user=None, authorised_by=authority)
        do_admit_applicant(user, actor_user=None, authorised_by=authority)
    else:
        check_expel_member(user, reason=payload["reason"], authorised_by=authority)
        do_expel_member(user, reason=payload["reason"], authorised_by=authority)
    sequence = _log(
        LogEntry.Kind.MEMBERSHIP,
        f"{MembershipAction(payload['action']).label} decided by {authority}",
        proposal,
        result_sequence,
        action=payload["action"],
        user=user.pk,
    )
    return {"membership": payload["action"], "log_entry": sequence}


def _enact_role(proposal: Proposal, result_sequence: int) -> dict[str, Any]:
    payload = proposal.payload
    authority = proposal.authority
    user = User.objects.get(pk=payload["user_id"])
    if payload["action"] == RoleAction.GRANT:
        check_grant_role(user, payload["role"], authorised_by=authority)
        do_grant_role(user, payload["role"], authorised_by=authority)
    else:
        check_revoke_role(user, payload["role"], authorised_by=authority)
        do_revoke_role(user, payload["role"], authorised_by=authority)
    sequence = _log(
        LogEntry.Kind.ROLE,
        f"Role {payload['role']} {payload['action']}ed by {authority}",
        proposal,
        result_sequence,
        action=payload["action"],
        role=payload["role"],
        user=user.pk,
    )
    return {"role": payload["role"], "log_entry": sequence}


def _enact_budget(proposal: Proposal, result_sequence: int) -> dict[str, Any]:
    payload = proposal.payload
    authority = proposal.authority
    sequence = _log(
        LogEntry.Kind.BUDGET,
        f"{payload['amount']} {payload['currency']} to {payload['payee']} authorised by {authority}",
        proposal,
        result_sequence,
        **payload,
    )
    return {"log_entry": sequence}


ENACTORS: dict[str, Callable[[Proposal, int], dict[str, Any]]] = {
    ProposalKind.DOMAIN_POLICY: _enact_domain_policy,
    ProposalKind.SERVER_RULE: _enact_server_rule,
    ProposalKind.CONTENT_POLICY: _enact_content_policy,
    ProposalKind.BYLAW_AMENDMENT: _enact_bylaw_amendment,
    ProposalKind.MEMBERSHIP: _enact_membership,
    ProposalKind.ROLE_GRANT: _enact_role,
    ProposalKind.BUDGET: _enact_budget,
}


def _apply_rule(payload: dict[str, Any], authority: str) -> RuleVersion:
    now = timezone.now()
    if payload["action"] == RuleAction.ADD:
        position = (Rule.objects.aggregate(last=Max("position"))["last"] or 0) + 1
        rule = Rule.objects.create(position=position)
        return RuleVersion.objects.create(
            rule=rule, version=1, text=payload["text"], hint=payload["hint"], effective_at=now, adopted_by=authority
        )
    latest = RuleVersion.objects.select_related("rule").filter(rule_id=payload["rule_id"]).order_by("-version").first()
    if latest is None or latest.retired:
        raise ProposalRefused("The rule no longer exists or is already retired.")
    retire = payload["action"] == RuleAction.RETIRE
    return RuleVersion.objects.create(
        rule=latest.rule,
        version=latest.version + 1,
        text=latest.text if retire else payload["text"],
        hint=latest.hint if retire else payload["hint"],
        retired=retire,
        effective_at=now,
        adopted_by=authority,
    )
