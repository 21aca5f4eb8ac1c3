"""The co-op API's side of moderation for members: the actions that affect them, and appeals."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt

from config.api.auth import require_token
from config.api.errors import ApiError, api_view
from config.api.params import ApiParams
from governance.access import access_appeal_by_id, access_moderation_action_by_id
from governance.actions.appeals import (
    check_decide_appeal,
    check_escalate_appeal,
    check_file_appeal,
    do_decide_appeal,
    do_escalate_appeal,
    do_file_appeal,
)
from governance.models import Appeal, ModerationAction
from members.api.auth import token_user


def _int(raw: str) -> int:
    if not raw.isdigit():
        raise ApiError("Record not found", 404)
    return int(raw)


def action_entity(action: ModerationAction) -> dict[str, Any]:
    """Return a moderation action as the affected member sees it: what, why, and until when."""
    return {
        "id": str(action.pk),
        "kind": action.kind,
        "authority": action.authority,
        "rules": [
            {"id": str(version.rule_id), "version": version.version, "text": version.text}
            for version in action.rule_versions.select_related("rule")
        ],
        "text": action.text,
        "state": action.state,
        "emergency": action.emergency,
        "created_at": action.created_at.isoformat(),
        "expires_at": action.expires_at.isoformat() if action.expires_at else None,
    }


def appeal_entity(appeal: Appeal) -> dict[str, Any]:
    """Return an appeal and how it was decided."""
    return {
        "id": str(appeal.pk),
        "action_id": str(appeal.action_id),
        "text": appeal.text,
        "state": appeal.state,
        "decision_note": appeal.decision_note,
        "proposal_id": str(appeal.proposal_id) if appeal.proposal_id else None,
        "created_at": appeal.created_at.isoformat(),
        "decided_at": appeal.decided_at.isoformat() if appeal.decided_at else None,
    }


@api_view("GET")
@require_token("read")
def my_actions(request: HttpRequest) -> JsonResponse:
    """List the moderation actions taken on the member's account, newest first."""
    actions = ModerationAction.objects.filter(target_account__user=token_user(request)).order_by("-created_at")
    return JsonResponse([action_entity(action) for action in actions[:100]], safe=False)


@csrf_exempt
@api_view("POST")
@require_token("write")
def file_appeal(request: HttpRequest, action_id: str) -> JsonResponse:
    """Appeal an action on the member's own account (text).

    When no moderator but the one who acted could decide it, the answer's
    state is "escalated" and proposal_id names the proposal put to the assembly.
    """
    user = token_user(request)
    action = access_moderation_action_by_id(user, _int(action_id))
    draft = check_file_appeal(user, action, ApiParams.from_request(request).get_str("text"))
    return JsonResponse(appeal_entity(do_file_appeal(user, action, draft)), status=201)


@csrf_exempt
@api_view("POST")
@require_token("admin:write")
def decide_appeal(request: HttpRequest, appeal_id: str) -> JsonResponse:
    """Uphold the action or grant the appeal (granted=true), as a moderator who did not act."""
    user = token_user(request)
    appeal = access_appeal_by_id(user, _int(appeal_id))
    params = ApiParams.from_request(request)
    check_decide_appeal(user, appeal)
    appeal = do_decide_appeal(user, appeal, granted=params.get_bool("granted"), note=params.get_str("note"))
    return JsonResponse(appeal_entity(appeal))


@csrf_exempt
@api_view("POST")
@require_token("write")
def escalate_appeal(request: HttpRequest, appeal_id: str) -> JsonResponse:
    """Put the appeal to an assembly vote; the answer names the proposal opened."""
    user = token_user(request)
    appeal = access_appeal_by_id(user, _int(appeal_id))
    draft = check_escalate_appeal(user, appeal)
    do_escalate_appeal(user, appeal, draft)
    appeal.refresh_from_db()
    return JsonResponse(appeal_entity(appeal))
