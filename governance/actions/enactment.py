"""Apply a passed proposal's payload, inside the transaction that closes it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from config.refusals import Refused
from federation.actions.domain_policies import do_lift_domain_policy
from federation.models import DomainPolicy
from governance.actions.blocklists import do_adopt_blocklist_mandate, log_blocklist_mandate
from governance.actions.custom_emojis import do_add_custom_emoji, do_retire_custom_emoji
from governance.actions.instance_settings import check_instance_settings_values, do_update_instance_settings
from governance.actions.log import do_append_log_entry
from governance.actions.moderation import (
    do_ratify_emergency_action,
    do_record_assembly_domain_policy,
    do_reverse_moderation_action,
    domain_details,
)
from governance.errors import ProposalRefused
from governance.models import LogEntry, LogVisibility, ModerationAction, Proposal, ProposalKind, Rule, RuleVersion
from governance.payloads import (
    BlocklistMandatePayload,
    BudgetPayload,
    BylawAmendmentPayload,
    ContentPolicyPayload,
    CustomEmojiPayload,
    DomainAction,
    DomainPolicyPayload,
    DuesTierPayload,
    EmergencyAction,
    EmergencyReviewPayload,
    InstanceSettingsPayload,
    MembershipAction,
    MembershipPayload,
    PatronagePayload,
    ProposalPayload,
    RoleAction,
    RoleGrantPayload,
    RuleAction,
    ServerRulePayload,
    ShareClassPayload,
    awaiting_ratification,
    check_custom_emoji_change,
    check_patronage,
    check_share_class,
    parse_payload,
)
from governance.selectors import IN_FORCE
from members.actions.bylaws import check_adopt_bylaws_version, do_adopt_bylaws_version
from members.actions.dues import check_create_dues_tier, do_create_dues_tier
from members.actions.lifecycle import check_admit_applicant, check_expel_member, do_admit_applicant, do_expel_member
from members.actions.patronage import do_allocate_patronage
from members.actions.roles import check_grant_role, check_revoke_role, do_grant_role, do_revoke_role
from members.actions.share_classes import ShareClassChange, do_change_share_class, do_create_share_class
from members.models import User
from timeline.models import CustomEmoji


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
    except Refused as exc:
        # Every app's refusals share this base, with a message fit to show; any other error is a bug.
        enactment["error"] = exc.message
    ratified = [
        action.pk
        for action in proposal.ratifies.all()
        if do_ratify_emergency_action(action, proposal_id=proposal.pk, authority=proposal.authority)
    ]
    if ratified:
        enactment["ratified"] = ratified
    return enactment


def _winning_option(proposal: Proposal) -> dict[str, Any]:
    """Return, for a proposal whose options carry the changes, which option's change is enacted."""
    return {"option": (proposal.tally or {}).get("winner")} if proposal.option_payloads else {}


def _log(kind: LogEntry.Kind, summary: str, proposal: Proposal, result_sequence: int, **data: Any) -> int:
    entry = do_append_log_entry(
        kind,
        visibility=LogVisibility.PUBLIC,
        summary=summary,
        data={"proposal": proposal.pk, "result_entry": result_sequence, **_winning_option(proposal), **data},
    )
    return entry.sequence


P = TypeVar("P", bound=ProposalPayload)


def _apply_payload(proposal: Proposal, result_sequence: int) -> dict[str, Any]:
    apply = ENACTORS.get(proposal.kind)
    return {**_winning_option(proposal), **apply(proposal, result_sequence)} if apply is not None else {}


def chosen_payload(proposal: Proposal) -> Any:
    """Return the stored payload a closed proposal enacts: its own, or the winning option's."""
    if not proposal.option_payloads:
        return proposal.payload
    winner = (proposal.tally or {}).get("winner")
    if not isinstance(winner, int) or not 0 <= winner < len(proposal.option_payloads):
        raise ProposalRefused("No option won, so no option's change is enacted.")
    return proposal.option_payloads[winner]


def _payload(proposal: Proposal, kind: type[P]) -> P:
    """Return the payload the proposal enacts, typed; one the check refuses is a refusal, never a crash."""
    payload = parse_payload(proposal.kind, chosen_payload(proposal))
    if not isinstance(payload, kind):
        raise ProposalRefused(f"The payload of a {proposal.kind} proposal cannot be read.")
    return payload


def _user(user_id: int) -> User:
    user = User.objects.filter(pk=user_id).first()
    if user is None:
        raise ProposalRefused(f"User {user_id} no longer has an account here.")
    return user


def _enact_domain_policy(proposal: Proposal, result_sequence: int) -> dict[str, Any]:
    payload = _payload(proposal, DomainPolicyPayload)
    authority = proposal.authority
    domain = payload.domain
    if payload.action == DomainAction.LIFT:
        return _lift_domain(payload, proposal, result_sequence)
    details = domain_details(**payload.policy_settings)
    action = do_record_assembly_domain_policy(domain, details, proposal_id=proposal.pk, authority=authority)
    sequence = _log(
        LogEntry.Kind.DOMAIN_POLICY,
        f"{payload.action.label} {domain}, by {authority}",
        proposal,
        result_sequence,
        domain=domain,
        moderation_action=action.pk,
        details={key: value for key, value in details.items() if key != "private_comment"},
    )
    return {"domain": domain, "moderation_action": action.pk, "log_entry": sequence}


def _lift_domain(payload: DomainPolicyPayload, proposal: Proposal, result_sequence: int) -> dict[str, Any]:
    """Reverse every action in force on the domain, as a moderator's reversal would, then lift its policy.

    Reversing the last action lifts the policy it set; a policy set some
    other way (an admin's command) is lifted here. A domain with neither is
    refused, so the decision is recorded as not applied.
    """
    authority = proposal.authority
    domain = payload.domain
    in_force = ModerationAction.objects.filter(
        kind=ModerationAction.Kind.DOMAIN, target_domain=domain, state__in=IN_FORCE
    ).order_by("pk")
    reversed_ids = [do_reverse_moderation_action(action, authority=authority).pk for action in in_force]
    if DomainPolicy.objects.filter(domain=domain).exists() or not reversed_ids:
        do_lift_domain_policy(domain, authorised_by=authority)
    sequence = _log(
        LogEntry.Kind.DOMAIN_POLICY_LIFTED,
        f"Policy on {domain} lifted by {authority}",
        proposal,
        result_sequence,
        domain=domain,
        reversed_actions=reversed_ids,
    )
    return {"domain": domain, "lifted": True, "reversed_actions": reversed_ids, "log_entry": sequence}


def _enact_server_rule(proposal: Proposal, result_sequence: int) -> dict[str, Any]:
    payload = _payload(proposal, ServerRulePayload)
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
    payload = _payload(proposal, ContentPolicyPayload)
    authority = proposal.authority
    sequence = _log(
        LogEntry.Kind.CONTENT_POLICY,
        f"Content policy {payload.title!r} adopted by {authority}",
        proposal,
        result_sequence,
        title=payload.title,
        text=payload.text,
    )
    return {"log_entry": sequence}


def _enact_bylaw_amendment(proposal: Proposal, result_sequence: int) -> dict[str, Any]:
    payload = _payload(proposal, BylawAmendmentPayload)
    authority = proposal.authority
    changes = check_adopt_bylaws_version(dict(payload.changes), authorised_by=authority)
    bylaws = do_adopt_bylaws_version(changes, authorised_by=authority)
    sequence = _log(
        LogEntry.Kind.BYLAWS_VERSION,
        f"Bylaws v{bylaws.version} adopted by {authority}",
        proposal,
        result_sequence,
        bylaws_version=bylaws.version,
        changes=payload.to_json()["changes"],
    )
    return {"bylaws_version": bylaws.version, "log_entry": sequence}


def _enact_membership(proposal: Proposal, result_sequence: int) -> dict[str, Any]:
    payload = _payload(proposal, MembershipPayload)
    authority = proposal.authority
    user = _user(payload.user_id)
    if payload.action == MembershipAction.ADMIT:
        check_admit_applicant(user, actor_user=None, authorised_by=authority)
        do_admit_applicant(user, actor_user=None, authorised_by=authority)
    else:
        check_expel_member(user, reason=payload.reason, authorised_by=authority)
        do_expel_member(user, reason=payload.reason, authorised_by=authority)
    sequence = _log(
        LogEntry.Kind.MEMBERSHIP,
        f"{payload.action.label} decided by {authority}",
        proposal,
        result_sequence,
        action=payload.action.value,
        user=user.pk,
    )
    return {"membership": payload.action.value, "log_entry": sequence}


def _enact_role(proposal: Proposal, result_sequence: int) -> dict[str, Any]:
    payload = _payload(proposal, RoleGrantPayload)
    authority = proposal.authority
    user = _user(payload.user_id)
    role = payload.role.value
    if payload.action == RoleAction.GRANT:
        check_grant_role(user, role, authorised_by=authority)
        do_grant_role(user, role, authorised_by=authority)
    else:
        check_revoke_role(user, role, authorised_by=authority)
        do_revoke_role(user, role, authorised_by=authority)
    sequence = _log(
        LogEntry.Kind.ROLE,
        f"Role {role} {payload.action.value}ed by {authority}",
        proposal,
        result_sequence,
        action=payload.action.value,
        role=role,
        user=user.pk,
    )
    return {"role": role, "log_entry": sequence}


def _enact_budget(proposal: Proposal, result_sequence: int) -> dict[str, Any]:
    payload = _payload(proposal, BudgetPayload)
    authority = proposal.authority
    sequence = _log(
        LogEntry.Kind.BUDGET,
        f"{payload.amount} {payload.currency} to {payload.payee} authorised by {authority}",
        proposal,
        result_sequence,
        **payload.to_json(),
    )
    return {"log_entry": sequence}


def _enact_blocklist_mandate(proposal: Proposal, result_sequence: int) -> dict[str, Any]:
    payload = _payload(proposal, BlocklistMandatePayload)
    mandate = do_adopt_blocklist_mandate(proposal, payload)
    sequence = log_blocklist_mandate(mandate, payload, result_sequence)
    return {"blocklist_mandate": mandate.pk, "log_entry": sequence}


def _enact_instance_settings(proposal: Proposal, result_sequence: int) -> dict[str, Any]:
    payload = _payload(proposal, InstanceSettingsPayload)
    draft = check_instance_settings_values(title=payload.title, contact_email=payload.contact_email)
    do_update_instance_settings(None, draft)
    sequence = _log(
        LogEntry.Kind.INSTANCE_SETTINGS,
        f"Instance settings changed by {proposal.authority}",
        proposal,
        result_sequence,
        **payload.to_json(),
    )
    return {"log_entry": sequence}


def _enact_custom_emoji(proposal: Proposal, result_sequence: int) -> dict[str, Any]:
    payload = _payload(proposal, CustomEmojiPayload)
    checked = check_custom_emoji_change(payload)
    data = {"proposal": proposal.pk, "result_entry": result_sequence, **_winning_option(proposal)}
    if isinstance(checked, CustomEmoji):
        sequence = do_retire_custom_emoji(checked, authority=proposal.authority, data=data)
        return {"custom_emoji": payload.shortcode, "log_entry": sequence}
    emoji, sequence = do_add_custom_emoji(checked, authority=proposal.authority, data=data)
    return {"custom_emoji": emoji.shortcode, "log_entry": sequence}


def _enact_emergency_review(proposal: Proposal, result_sequence: int) -> dict[str, Any]:
    payload = _payload(proposal, EmergencyReviewPayload)
    authority = proposal.authority
    action = awaiting_ratification().filter(pk=payload.moderation_action_id).first()
    if action is None:
        raise ProposalRefused(f"Emergency action #{payload.moderation_action_id} no longer awaits ratification.")
    if payload.action == EmergencyAction.RATIFY:
        do_ratify_emergency_action(action, proposal_id=proposal.pk, authority=authority)
        kind = LogEntry.Kind.EMERGENCY_RATIFIED
    else:
        do_reverse_moderation_action(action, authority=f"Lifted by {authority}")
        kind = LogEntry.Kind.MODERATION_REVERSED
    # The moderation action logged itself; this entry ties it to the decision.
    entry = LogEntry.objects.filter(kind=kind, data__action=action.pk).order_by("-sequence").first()
    return {
        "moderation_action": action.pk,
        "decided": payload.action.value,
        "log_entry": entry.sequence if entry else None,
    }


def _enact_share_class(proposal: Proposal, result_sequence: int) -> dict[str, Any]:
    payload = _payload(proposal, ShareClassPayload)
    draft = check_share_class(payload, authorised_by=proposal.authority)
    if isinstance(draft, ShareClassChange):
        share_class = do_change_share_class(draft)
        done = "changed"
    else:
        share_class = do_create_share_class(draft)
        done = "created"
    sequence = _log(
        LogEntry.Kind.SHARE_CLASS,
        f"Share class {share_class.name!r} {done} by {proposal.authority}",
        proposal,
        result_sequence,
        share_class=share_class.pk,
        **payload.to_json(),
    )
    return {"share_class": share_class.pk, "log_entry": sequence}


def _enact_dues_tier(proposal: Proposal, result_sequence: int) -> dict[str, Any]:
    payload = _payload(proposal, DuesTierPayload)
    tier = do_create_dues_tier(check_create_dues_tier(payload.draft(), authorised_by=proposal.authority))
    sequence = _log(
        LogEntry.Kind.DUES_TIER,
        f"Dues tier {tier.name!r} added by {proposal.authority}",
        proposal,
        result_sequence,
        dues_tier=tier.pk,
        **payload.to_json(),
    )
    return {"dues_tier": tier.pk, "log_entry": sequence}


def _enact_patronage(proposal: Proposal, result_sequence: int) -> dict[str, Any]:
    payload = _payload(proposal, PatronagePayload)
    allocation = do_allocate_patronage(check_patronage(payload, authorised_by=proposal.authority))
    sequence = _log(
        LogEntry.Kind.PATRONAGE,
        f"Patronage for {allocation.label} allocated by {proposal.authority}",
        proposal,
        result_sequence,
        allocation=allocation.pk,
        reserve_amount=str(allocation.reserve_amount),
        **payload.to_json(),
    )
    return {"patronage_allocation": allocation.pk, "log_entry": sequence}


ENACTORS: dict[str, Callable[[Proposal, int], dict[str, Any]]] = {
    ProposalKind.DOMAIN_POLICY: _enact_domain_policy,
    ProposalKind.SERVER_RULE: _enact_server_rule,
    ProposalKind.CONTENT_POLICY: _enact_content_policy,
    ProposalKind.BYLAW_AMENDMENT: _enact_bylaw_amendment,
    ProposalKind.MEMBERSHIP: _enact_membership,
    ProposalKind.ROLE_GRANT: _enact_role,
    ProposalKind.BUDGET: _enact_budget,
    ProposalKind.BLOCKLIST_MANDATE: _enact_blocklist_mandate,
    ProposalKind.INSTANCE_SETTINGS: _enact_instance_settings,
    ProposalKind.EMERGENCY_REVIEW: _enact_emergency_review,
    ProposalKind.SHARE_CLASS: _enact_share_class,
    ProposalKind.DUES_TIER: _enact_dues_tier,
    ProposalKind.PATRONAGE: _enact_patronage,
    ProposalKind.CUSTOM_EMOJI: _enact_custom_emoji,
}


def _apply_rule(payload: ServerRulePayload, authority: str) -> RuleVersion:
    now = timezone.now()
    if payload.rule_id is None:
        position = (Rule.objects.aggregate(last=Max("position"))["last"] or 0) + 1
        rule = Rule.objects.create(position=position)
        return RuleVersion.objects.create(
            rule=rule, version=1, text=payload.text, hint=payload.hint, effective_at=now, adopted_by=authority
        )
    latest = RuleVersion.objects.select_related("rule").filter(rule_id=payload.rule_id).order_by("-version").first()
    if latest is None or latest.retired:
        raise ProposalRefused("The rule no longer exists or is already retired.")
    retire = payload.action == RuleAction.RETIRE
    return RuleVersion.objects.create(
        rule=latest.rule,
        version=latest.version + 1,
        text=latest.text if retire else payload.text,
        hint=latest.hint if retire else payload.hint,
        retired=retire,
        effective_at=now,
        adopted_by=authority,
    )
