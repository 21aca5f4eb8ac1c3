"""The part of Mastodon's admin API that blocklist and moderation tools use.

A domain block sent without `rule_ids[]` is applied under the assembly's
blocklist mandate in force for its severity, citing it, as a blocklist tool
sends blocks; an identical block sent again changes nothing. With no mandate,
a block is a moderator's emergency action: it must cite a rule, applies at
once and lapses unless an assembly ratifies it within the bylaws' period.
An account's suspension or its limit created here is an emergency action too,
lapsing unless ratified, as on the web.
Mastodon's API has no field for the rule an action enforces, so `rule_ids[]`
may be sent, or the private comment may name rules ("rule 2", "rule #3").
"""

from __future__ import annotations

import re
from typing import Any

from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt

from config.api.auth import require_token
from config.api.errors import ApiError, api_view
from config.api.params import ApiParams
from federation.domains import check_domain_name
from governance.access import access_report_by_id, is_moderator
from governance.actions.blocklists import (
    check_apply_mandated_block,
    check_update_mandated_block,
    do_apply_mandated_block,
    do_update_mandated_block,
)
from governance.actions.moderation import (
    EMERGENCY_KINDS,
    check_reverse_moderation_action,
    check_take_moderation_action,
    check_update_domain_action,
    do_reverse_moderation_action,
    do_take_moderation_action,
    do_take_moderation_actions,
    do_update_domain_action,
)
from governance.actions.reports import do_assign_report, do_reopen_report, do_resolve_report
from governance.api.entities import admin_domain_block_entity, admin_report_entity
from governance.models import ModerationAction, Report
from governance.selectors import (
    blocklist_mandates_in_force,
    domain_actions_in_force,
    report_queue,
    rule_versions_for_rule_ids,
    rules_in_force,
)
from members.api.auth import token_user
from members.models import User

RULE_MENTION = re.compile(r"\brule\s*#?\s*(\d+)\b", re.IGNORECASE)
ACCOUNT_ACTIONS = {
    "none": "warn",
    "silence": "limit",
    "suspend": "suspend",
    "disable": "suspend",
    "sensitive": "sensitive",
}


def _moderator(request: HttpRequest) -> User:
    user = token_user(request)
    if not is_moderator(user):
        raise ApiError("This action is not allowed", 403)
    return user


def _int(raw: str) -> int:
    if not raw.isdigit():
        raise ApiError("Record not found", 404)
    return int(raw)


def _cited_versions(params: ApiParams, *, fallback: list[int] | None = None) -> list[int]:
    """Return the rule version ids cited by rule_ids[], by "rule N" in the private comment, or the fallback."""
    try:
        rule_ids = [int(value) for value in params.get_list("rule_ids")]
    except ValueError:
        raise ApiError("rule_ids must be ids", 422) from None
    if not rule_ids:
        positions = {int(match) for match in RULE_MENTION.findall(params.get_str("private_comment"))}
        rule_ids = [version.rule_id for version in rules_in_force() if version.rule.position in positions]
    if not rule_ids:
        return fallback or []
    return [version.pk for version in rule_versions_for_rule_ids(rule_ids)]


def _domain_details(params: ApiParams, current: dict[str, Any] | None = None) -> dict[str, Any]:
    current = current or {}

    def text(name: str) -> str:
        value = params.get_optional_str(name)
        return value if value is not None else str(current.get(name, ""))

    return {
        "severity": params.get_str("severity", current.get("severity", "silence")),
        "reject_media": params.get_bool("reject_media", bool(current.get("reject_media"))),
        "reject_reports": params.get_bool("reject_reports", bool(current.get("reject_reports"))),
        "public_comment": text("public_comment"),
        "private_comment": text("private_comment"),
        "obfuscate": params.get_bool("obfuscate", bool(current.get("obfuscate"))),
    }


@csrf_exempt
@api_view("GET", "POST")
@require_token("admin:read", "admin:write")
def domain_blocks(request: HttpRequest) -> JsonResponse:
    """List domain actions in force (GET) or take an emergency domain action (POST)."""
    moderator = _moderator(request)
    if request.method == "GET":
        return JsonResponse([admin_domain_block_entity(action) for action in domain_actions_in_force()], safe=False)
    params = ApiParams.from_request(request)
    domain = check_domain_name(params.get_str("domain"))
    details = _domain_details(params)
    cited = _cited_versions(params)
    if not params.get_list("rule_ids") and (blocklist_mandates_in_force().exists() or not cited):
        # Blocklist tools send no rule: the assembly's mandate is the authority, or the refusal says it is missing.
        result = do_apply_mandated_block(check_apply_mandated_block(moderator, domain, details), moderator=moderator)
        return JsonResponse(admin_domain_block_entity(result.action))
    if domain_actions_in_force().filter(target_domain=domain).exists():
        raise ApiError(f"{domain} already has a domain block; change it instead", 422)
    draft = check_take_moderation_action(
        moderator,
        kind=ModerationAction.Kind.DOMAIN,
        rule_version_ids=cited,
        target_domain=domain,
        details=details,
    )
    return JsonResponse(admin_domain_block_entity(do_take_moderation_action(moderator, draft)))


@csrf_exempt
@api_view("GET", "PUT", "PATCH", "DELETE")
@require_token("admin:read", "admin:write")
def domain_block(request: HttpRequest, block_id: str) -> JsonResponse:
    """Show, change (while awaiting ratification) or lift one domain action."""
    moderator = _moderator(request)
    action = domain_actions_in_force().filter(pk=_int(block_id)).first()
    if action is None:
        raise ApiError("Record not found", 404)
    if request.method == "GET":
        return JsonResponse(admin_domain_block_entity(action))
    if request.method == "DELETE":
        check_reverse_moderation_action(moderator, action)
        action = do_reverse_moderation_action(action, authority=f"Lifted by moderator {moderator.username}")
    else:
        params = ApiParams.from_request(request)
        wanted = _domain_details(params, action.details)
        if action.mandate_id is not None:
            draft = check_update_mandated_block(moderator, action, wanted)
            action = do_update_mandated_block(draft, action, moderator=moderator).action
        else:
            details = check_update_domain_action(moderator, action, wanted)
            action = do_update_domain_action(moderator, action, details)
    return JsonResponse(admin_domain_block_entity(action))


@api_view("GET")
@require_token("admin:read")
def reports(request: HttpRequest) -> JsonResponse:
    """List reports: unresolved by default, resolved with ?resolved=true."""
    _moderator(request)
    resolved = request.GET.get("resolved", "").lower() in ("1", "true")
    queryset = report_queue(state=Report.State.RESOLVED if resolved else Report.State.OPEN)
    return JsonResponse([admin_report_entity(report) for report in queryset[:100]], safe=False)


@api_view("GET")
@require_token("admin:read")
def report_detail(request: HttpRequest, report_id: str) -> JsonResponse:
    """Show one report."""
    return JsonResponse(admin_report_entity(access_report_by_id(token_user(request), _int(report_id))))


@csrf_exempt
@api_view("POST")
@require_token("admin:write")
def report_transition(request: HttpRequest, report_id: str, transition: str) -> JsonResponse:
    """Assign to self, unassign, resolve or reopen a report."""
    moderator = _moderator(request)
    report = access_report_by_id(moderator, _int(report_id))
    if transition == "assign_to_self":
        report = do_assign_report(moderator, report, assignee=moderator)
    elif transition == "unassign":
        report = do_assign_report(moderator, report, assignee=None)
    elif transition == "resolve":
        report = do_resolve_report(moderator, report)
    elif transition == "reopen":
        report = do_reopen_report(moderator, report)
    else:
        raise ApiError("Record not found", 404)
    return JsonResponse(admin_report_entity(report))


@csrf_exempt
@api_view("POST")
@require_token("admin:write")
def account_action(request: HttpRequest, account_id: str) -> JsonResponse:
    """Warn, limit, suspend or mark sensitive an account, citing a rule (or the report's rules).

    Mastodon's API has no way to say an action is an emergency one, and a
    moderator alone never makes a suspension or a limit permanent: those are
    stored as emergency actions that lapse unless the assembly ratifies them.
    """
    moderator = _moderator(request)
    params = ApiParams.from_request(request)
    kind = ACCOUNT_ACTIONS.get(params.get_str("type", "none"))
    if kind is None:
        raise ApiError(f"type must be one of {', '.join(ACCOUNT_ACTIONS)}", 422)
    report_id = params.get_int("report_id")
    report = access_report_by_id(moderator, report_id) if report_id is not None else None
    fallback = list(report.rule_versions.values_list("pk", flat=True)) if report is not None else None
    cited = _cited_versions(params, fallback=fallback)
    targets: list[dict[str, Any]] = [{"target_account_id": _int(account_id)}]
    if kind == ModerationAction.Kind.MARK_SENSITIVE:
        if report is None or not report.statuses.exists():
            raise ApiError("Marking sensitive needs a report_id whose report lists statuses", 422)
        targets = [{"target_status_id": pk} for pk in report.statuses.values_list("pk", flat=True)]
    drafts = [
        check_take_moderation_action(
            moderator,
            kind=kind,
            rule_version_ids=cited,
            text=params.get_str("text"),
            emergency=kind in EMERGENCY_KINDS,
            report_id=report_id,
            **target,
        )
        for target in targets
    ]
    do_take_moderation_actions(moderator, drafts, report=report)
    return JsonResponse({})
