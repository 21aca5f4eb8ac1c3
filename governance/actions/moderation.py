"""Moderation actions: each cites the rule versions it enforces; emergency ones await ratification."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from config.queueing import enqueue_on_commit
from federation.actions.domain_policies import check_set_domain_policy, do_lift_domain_policy, do_set_domain_policy
from federation.models import Actor, DomainPolicy
from federation.selectors import forget_cached_suspensions
from governance.access import is_moderator
from governance.actions.log import do_append_log_entry
from governance.actions.reports import do_resolve_report
from governance.errors import ModerationRefused
from governance.log_subjects import action_headline, action_subject, names_account_publicly
from governance.models import LogEntry, LogVisibility, ModerationAction, Report, RuleVersion
from governance.selectors import IN_FORCE, rules_in_force
from members.models import User
from members.selectors import bylaws_in_force
from timeline.actions.follows import do_follow, do_remove_follower, do_unfollow
from timeline.actions.statuses import do_remove_status, do_set_status_sensitive
from timeline.errors import FollowRefused
from timeline.models import Follow, Status

Kind = ModerationAction.Kind
# Kinds a moderator may take as an emergency measure: those that can be undone when they lapse.
EMERGENCY_KINDS = frozenset({Kind.DOMAIN, Kind.LIMIT_ACCOUNT, Kind.SUSPEND_ACCOUNT})
ACCOUNT_KINDS = frozenset({Kind.WARN, Kind.LIMIT_ACCOUNT, Kind.SUSPEND_ACCOUNT})
STATUS_KINDS = frozenset({Kind.MARK_SENSITIVE, Kind.REMOVE_STATUS})
# Details the log never shows: a domain's private comment, and who followed a suspended account.
SEVERED_FOLLOWERS = "severed_local_followers"
PRIVATE_DETAILS = frozenset({"private_comment", SEVERED_FOLLOWERS})


@dataclass(frozen=True)
class ModerationDraft:
    """A moderation action that passed its checks."""

    kind: str
    rule_version_ids: list[int]
    target_account_id: int | None = None
    target_status_id: int | None = None
    target_domain: str = ""
    details: dict[str, Any] = field(default_factory=dict)
    text: str = ""
    emergency: bool = False
    report_id: int | None = None


def check_rule_citation(rule_version_ids: list[int]) -> list[RuleVersion]:
    """Return the cited rule versions; refuse unless at least one is cited and all are in force."""
    if not rule_version_ids:
        raise ModerationRefused("A moderation action must cite the rule it enforces.")
    in_force = {version.pk: version for version in rules_in_force()}
    unknown = sorted(set(rule_version_ids) - set(in_force))
    if unknown:
        raise ModerationRefused(
            f"Rule version(s) {', '.join(map(str, unknown))} are not in force; cite the current wording of a rule."
        )
    return [in_force[version_id] for version_id in sorted(set(rule_version_ids))]


def domain_details(
    *,
    severity: str,
    reject_media: bool = False,
    reject_reports: bool = False,
    public_comment: str = "",
    private_comment: str = "",
    obfuscate: bool = False,
) -> dict[str, Any]:
    """Return the fields of a domain policy as a moderation action stores them."""
    return {
        "severity": severity,
        "reject_media": reject_media,
        "reject_reports": reject_reports,
        "public_comment": public_comment,
        "private_comment": private_comment,
        "obfuscate": obfuscate,
    }


def check_take_moderation_action(
    moderator: User,
    *,
    kind: str,
    rule_version_ids: list[int],
    target_account_id: int | None = None,
    target_status_id: int | None = None,
    target_domain: str = "",
    details: dict[str, Any] | None = None,
    text: str = "",
    emergency: bool = False,
    report_id: int | None = None,
) -> ModerationDraft:
    """Validate a moderator's action, raising ModerationRefused with the reason.

    Domain actions by a moderator are always emergency actions: only an
    assembly makes a domain policy permanent.
    """
    if not is_moderator(moderator):
        raise ModerationRefused("Only moderators can take moderation actions.")
    if kind not in Kind.values:
        raise ModerationRefused(f"kind must be one of {', '.join(Kind.values)}.")
    check_rule_citation(rule_version_ids)
    if len(text) > 5000:
        raise ModerationRefused("The message is limited to 5,000 characters.")
    if report_id is not None and not Report.objects.filter(pk=report_id).exists():
        raise ModerationRefused("No such report.")
    clean_details: dict[str, Any] = {}
    if kind == Kind.DOMAIN:
        emergency = True
        try:
            request = check_set_domain_policy(
                target_domain, authorised_by="moderation", **domain_details(**(details or {"severity": ""}))
            )
        except (TypeError, ValueError) as exc:
            raise ModerationRefused(str(exc) or "The domain policy is not valid.") from exc
        target_domain = request.domain
        clean_details = domain_details(
            severity=request.severity,
            reject_media=request.reject_media,
            reject_reports=request.reject_reports,
            public_comment=request.public_comment,
            private_comment=request.private_comment,
            obfuscate=request.obfuscate,
        )
        target_account_id = target_status_id = None
    elif kind in STATUS_KINDS:
        status = Status.objects.filter(pk=target_status_id).first() if target_status_id is not None else None
        if status is None:
            raise ModerationRefused("No such status.")
        target_account_id = status.account_id
        target_domain = ""
    else:
        if target_account_id is None or not Actor.objects.filter(pk=target_account_id).exists():
            raise ModerationRefused("No such account.")
        target_status_id = None
        target_domain = ""
    if emergency and kind not in EMERGENCY_KINDS:
        raise ModerationRefused("Only domain policies, limits and suspensions can be emergency actions.")
    return ModerationDraft(
        kind=kind,
        rule_version_ids=sorted(set(rule_version_ids)),
        target_account_id=target_account_id,
        target_status_id=target_status_id,
        target_domain=target_domain,
        details=clean_details,
        text=text.strip(),
        emergency=emergency,
        report_id=report_id,
    )


def _authority_for(versions: list[RuleVersion]) -> str:
    return "; ".join(f"Rule {version.rule.position} v{version.version}" for version in versions)


# Every moderation action is answerable in public: the charter promises a public log of them all.
MODERATION_LOG_VISIBILITY = LogVisibility.PUBLIC


def do_take_moderation_action(
    moderator: User, draft: ModerationDraft, *, now: datetime | None = None
) -> ModerationAction:
    """Apply a checked action, log it, and notify the affected member after commit."""
    now = now or timezone.now()
    versions = list(RuleVersion.objects.filter(pk__in=draft.rule_version_ids).select_related("rule"))
    authority = _authority_for(versions)
    expires_at = now + timedelta(days=bylaws_in_force(now).emergency_ratification_days) if draft.emergency else None
    with transaction.atomic():
        details = dict(draft.details)
        if draft.kind == Kind.SUSPEND_ACCOUNT and draft.target_account_id is not None:
            # Before the suspension exists, so that its server still gets the
            # Reject and Undo; nothing is delivered to the account after it.
            severed = _sever_remote_follows(draft.target_account_id)
            if severed:
                details[SEVERED_FOLLOWERS] = severed
        action = ModerationAction.objects.create(
            kind=draft.kind,
            moderator=moderator,
            report_id=draft.report_id,
            authority=authority,
            target_account_id=draft.target_account_id,
            target_status_id=draft.target_status_id,
            target_domain=draft.target_domain,
            details=details,
            text=draft.text,
            emergency=draft.emergency,
            expires_at=expires_at,
            created_at=now,
        )
        action.rule_versions.set(versions)
        _apply(action, authority=f"Emergency action #{action.pk} ({authority})" if draft.emergency else authority)
        do_append_log_entry(
            LogEntry.Kind.MODERATION_ACTION,
            visibility=MODERATION_LOG_VISIBILITY,
            summary=action_headline(action)
            + (" (emergency, awaiting ratification)" if action.emergency else "")
            + f", citing {authority}",
            data=moderation_log_data(action),
        )
        if action.target_account_id is not None:
            enqueue_on_commit("governance.tasks.notify_moderation_action", action.pk)
    return action


def do_take_moderation_actions(
    moderator: User, drafts: Sequence[ModerationDraft], *, report: Report | None = None
) -> list[ModerationAction]:
    """Apply checked actions together and resolve the open report they answer, in one transaction.

    An action on an account and the statuses a report lists is all or
    nothing: a report is never resolved by half of what answered it.
    """
    with transaction.atomic():
        actions = [do_take_moderation_action(moderator, draft) for draft in drafts]
        if report is not None and report.state == Report.State.OPEN:
            do_resolve_report(moderator, report)
    return actions


def moderation_log_data(action: ModerationAction) -> dict[str, Any]:
    """Return what the public log records of a moderation action.

    A local member is named by pseudonym only: neither their account's id
    nor their post's is given. The message to the member, a report's text
    and private comments never appear.
    """
    public_ids = names_account_publicly(action)
    return {
        "action": action.pk,
        "kind": action.kind,
        "authority": action.authority,
        "rule_versions": sorted(action.rule_versions.values_list("pk", flat=True)),
        "proposal": action.proposal_id,
        "subject": action_subject(action),
        "target_account": action.target_account_id if public_ids else None,
        "target_status": action.target_status_id if public_ids else None,
        "target_domain": action.target_domain,
        "details": {key: value for key, value in action.details.items() if key not in PRIVATE_DETAILS},
        "emergency": action.emergency,
        "expires_at": action.expires_at.isoformat() if action.expires_at else None,
    } | ({"mandate": action.mandate_id} if action.mandate_id is not None else {})


def _apply(action: ModerationAction, *, authority: str) -> None:
    if action.kind == Kind.DOMAIN:
        do_set_domain_policy(action.target_domain, authorised_by=authority, **action.details)
    elif action.kind == Kind.MARK_SENSITIVE and (status := _target_status(action)) is not None:
        do_set_status_sensitive(status, sensitive=True)
    elif action.kind == Kind.REMOVE_STATUS and (status := _target_status(action)) is not None:
        do_remove_status(status, authority=authority)
    elif action.kind == Kind.SUSPEND_ACCOUNT:
        _forget_suspensions_on_commit()


def _target_status(action: ModerationAction) -> Status | None:
    """Return the status an action is about, locked, or None if it is gone meanwhile."""
    if action.target_status_id is None:
        return None
    return Status.objects.select_for_update().select_related("account").filter(pk=action.target_status_id).first()


def _forget_suspensions_on_commit() -> None:
    """Have this process read suspensions afresh once the change commits.

    Inside the transaction they are read from the database anyway; other
    processes see the change when their few-second cache expires.
    """
    transaction.on_commit(forget_cached_suspensions)


def _sever_remote_follows(target_account_id: int) -> list[int]:
    """Cut a suspended remote account's follows both ways, as Mastodon does when it suspends one.

    Its server keeps the account, so a follow of a local member would keep
    it reading what members post: each is removed and its server sent
    Reject. Members' follows of it are undone (its server sent Undo) and
    returned, for the action to remember so lifting the suspension can ask
    again. A local account's follows are left alone.
    """
    target = Actor.objects.filter(pk=target_account_id).first()
    if target is None or target.is_local:
        return []
    for follow in list(Follow.objects.filter(follower=target, target__domain="").select_related("target")):
        do_remove_follower(follow.target, target)
    local_followers = list(
        Follow.objects.filter(target=target, follower__domain="").select_related("follower").order_by("pk")
    )
    for follow in local_followers:
        do_unfollow(follow.follower, target)
    return [follow.follower_id for follow in local_followers]


def _end_account_suspension(action: ModerationAction) -> None:
    """Ask again to follow a remote account whose suspension ended, for each member whose follow it cut.

    Mastodon keeps those follows through a suspension; here they were undone,
    so each member sends a new Follow. Its own follows of members, rejected
    at suspension, cannot be restored from this side (nor can Mastodon).
    A member who blocked it meanwhile, or another suspension still in force,
    leaves it unfollowed.
    """
    _forget_suspensions_on_commit()
    target = action.target_account
    if target is None or target.is_local:
        return
    still_suspended = ModerationAction.objects.filter(
        kind=Kind.SUSPEND_ACCOUNT, target_account=target, state__in=IN_FORCE
    ).exclude(pk=action.pk)
    if still_suspended.exists():
        return
    for follower in Actor.objects.filter(pk__in=action.details.get(SEVERED_FOLLOWERS, []), domain=""):
        try:
            do_follow(follower, target)
        except FollowRefused:
            continue


def do_record_assembly_domain_policy(
    domain: str, details: dict[str, Any], *, proposal_id: int, authority: str, now: datetime | None = None
) -> ModerationAction:
    """Set a domain policy an assembly decided, and record it as a permanent action."""
    action = ModerationAction.objects.create(
        kind=Kind.DOMAIN,
        proposal_id=proposal_id,
        authority=authority,
        target_domain=domain,
        details=details,
        created_at=now or timezone.now(),
    )
    _apply(action, authority=authority)
    return action


def do_record_mandated_domain_policy(
    domain: str,
    details: dict[str, Any],
    *,
    mandate_id: int,
    authority: str,
    moderator: User | None = None,
    source: str = "",
    now: datetime | None = None,
) -> ModerationAction:
    """Set a domain policy under an assembly's blocklist mandate, record it citing the mandate, and log it.

    It is no emergency action: the assembly's mandate is its authority, so
    it stays in force until reversed. `source` names where an imported block
    comes from (a list, or another co-op's decision with its provenance),
    in the public log beside the mandate.
    """
    with transaction.atomic():
        action = ModerationAction.objects.create(
            kind=Kind.DOMAIN,
            moderator=moderator,
            mandate_id=mandate_id,
            authority=authority,
            target_domain=domain,
            details=details,
            created_at=now or timezone.now(),
        )
        _apply(action, authority=f"{authority}, action #{action.pk}")
        do_append_log_entry(
            LogEntry.Kind.MODERATION_ACTION,
            visibility=MODERATION_LOG_VISIBILITY,
            summary=f"Domain policy of {domain} ({details.get('severity')}), citing {authority}"
            + (f", applied by {moderator.username}" if moderator is not None else ", applied by the blocklist import")
            + (f", from {source}" if source else ""),
            data={**moderation_log_data(action), **({"source": source} if source else {})},
        )
    return action


def _end_domain_action(action: ModerationAction, *, authority: str) -> None:
    """Lift the domain's policy unless another action still in force set it."""
    others = ModerationAction.objects.filter(
        kind=Kind.DOMAIN, target_domain=action.target_domain, state__in=IN_FORCE
    ).exclude(pk=action.pk)
    if not others.exists() and DomainPolicy.objects.filter(domain=action.target_domain).exists():
        do_lift_domain_policy(action.target_domain, authorised_by=authority)


def do_lapse_emergency_actions(*, now: datetime | None = None) -> list[int]:
    """End every emergency action whose ratification period ran out; return their ids. Idempotent."""
    now = now or timezone.now()
    lapsed: list[int] = []
    due = ModerationAction.objects.filter(
        emergency=True, state=ModerationAction.State.ACTIVE, expires_at__lte=now
    ).values_list("pk", flat=True)
    for action_id in list(due):
        with transaction.atomic():
            action = ModerationAction.objects.select_for_update().get(pk=action_id)
            if action.state != ModerationAction.State.ACTIVE:
                continue
            action.state = ModerationAction.State.LAPSED
            action.ended_at = now
            action.save(update_fields=["state", "ended_at"])
            if action.kind == Kind.DOMAIN:
                _end_domain_action(action, authority=f"Emergency action #{action.pk} lapsed unratified")
            elif action.kind == Kind.SUSPEND_ACCOUNT:
                _end_account_suspension(action)
            do_append_log_entry(
                LogEntry.Kind.EMERGENCY_LAPSED,
                visibility=MODERATION_LOG_VISIBILITY,
                summary=f"Emergency action #{action.pk} ({action_headline(action)}, citing {action.authority}) "
                "lapsed without ratification",
                data={
                    "action": action.pk,
                    "kind": action.kind,
                    "subject": action_subject(action),
                    "authority": action.authority,
                    "rule_versions": sorted(action.rule_versions.values_list("pk", flat=True)),
                    "target_domain": action.target_domain,
                },
            )
            lapsed.append(action.pk)
    return lapsed


def do_ratify_emergency_action(action: ModerationAction, *, proposal_id: int, authority: str) -> bool:
    """Make an emergency action permanent on an assembly's decision; False if it was no longer active."""
    action = ModerationAction.objects.select_for_update().get(pk=action.pk)
    if action.state != ModerationAction.State.ACTIVE:
        return False
    action.state = ModerationAction.State.RATIFIED
    action.save(update_fields=["state"])
    if action.kind == Kind.DOMAIN:
        policy = DomainPolicy.objects.filter(domain=action.target_domain).first()
        if policy is not None:
            policy.authorised_by = f"{authority} ratified emergency action #{action.pk}"
            policy.save(update_fields=["authorised_by"])
    do_append_log_entry(
        LogEntry.Kind.EMERGENCY_RATIFIED,
        visibility=MODERATION_LOG_VISIBILITY,
        summary=f"Emergency action #{action.pk} ({action_headline(action)}, citing {action.authority}) "
        f"ratified by {authority}",
        data={"action": action.pk, "proposal": proposal_id, "kind": action.kind, "subject": action_subject(action)},
    )
    return True


def check_reverse_moderation_action(user: User, action: ModerationAction) -> None:
    """Refuse unless a moderator reverses an action that is still in force."""
    if not is_moderator(user):
        raise ModerationRefused("Only moderators can reverse moderation actions.")
    if action.state not in IN_FORCE:
        raise ModerationRefused("This action is no longer in force.")
    if action.kind == Kind.REMOVE_STATUS:
        raise ModerationRefused("A removed status cannot be restored.")


def do_reverse_moderation_action(
    action: ModerationAction, *, authority: str, now: datetime | None = None
) -> ModerationAction:
    """End an action in force (an appeal granted, a moderator's correction) and log it."""
    now = now or timezone.now()
    with transaction.atomic():
        action = ModerationAction.objects.select_for_update().get(pk=action.pk)
        if action.state not in IN_FORCE:
            return action
        action.state = ModerationAction.State.REVERSED
        action.ended_at = now
        action.save(update_fields=["state", "ended_at"])
        if action.kind == Kind.DOMAIN:
            _end_domain_action(action, authority=authority)
        elif action.kind == Kind.SUSPEND_ACCOUNT:
            _end_account_suspension(action)
        elif action.kind == Kind.MARK_SENSITIVE and (status := _target_status(action)) is not None:
            do_set_status_sensitive(status, sensitive=False)
        do_append_log_entry(
            LogEntry.Kind.MODERATION_REVERSED,
            visibility=MODERATION_LOG_VISIBILITY,
            summary=f"{action_headline(action)}, action #{action.pk}, reversed: {authority}",
            data={"action": action.pk, "kind": action.kind, "subject": action_subject(action), "authority": authority},
        )
    return action


def check_update_domain_action(moderator: User, action: ModerationAction, details: dict[str, Any]) -> dict[str, Any]:
    """Validate new policy fields for a moderator's domain action that awaits ratification."""
    if not is_moderator(moderator):
        raise ModerationRefused("Only moderators can change domain policies.")
    if action.kind != Kind.DOMAIN or action.state != ModerationAction.State.ACTIVE or not action.emergency:
        raise ModerationRefused("Only an emergency domain action awaiting ratification can be changed.")
    try:
        request = check_set_domain_policy(action.target_domain, authorised_by="moderation", **domain_details(**details))
    except (TypeError, ValueError) as exc:
        raise ModerationRefused(str(exc) or "The domain policy is not valid.") from exc
    return domain_details(
        severity=request.severity,
        reject_media=request.reject_media,
        reject_reports=request.reject_reports,
        public_comment=request.public_comment,
        private_comment=request.private_comment,
        obfuscate=request.obfuscate,
    )


def do_update_domain_action(
    moderator: User | None, action: ModerationAction, details: dict[str, Any]
) -> ModerationAction:
    """Change the policy a domain action sets (emergency, or under a blocklist mandate), and log the change.

    `moderator` is None when the blocklist import changes a block it applied.
    """
    changed_by = moderator.username if moderator is not None else "the blocklist import"
    with transaction.atomic():
        action = ModerationAction.objects.select_for_update().get(pk=action.pk)
        action.details = details
        action.save(update_fields=["details"])
        if action.emergency:
            cited = f"Emergency action #{action.pk} ({action.authority})"
            summary = f"Emergency action #{action.pk} on {action.target_domain} changed"
        else:
            cited = f"{action.authority}, action #{action.pk}"
            summary = (
                f"Domain policy #{action.pk} on {action.target_domain} changed to {details.get('severity')}, "
                f"citing {action.authority}, by {changed_by}"
            )
        _apply(action, authority=f"{cited}, changed by {changed_by}")
        do_append_log_entry(
            LogEntry.Kind.MODERATION_ACTION,
            visibility=MODERATION_LOG_VISIBILITY,
            summary=summary,
            data=moderation_log_data(action),
        )
    return action
