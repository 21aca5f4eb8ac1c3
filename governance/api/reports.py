"""POST /api/v1/reports: a member reports an account and some of its statuses."""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt

from config.api.auth import require_token
from config.api.errors import ApiError, api_view
from config.api.params import ApiParams
from federation.models import Actor
from governance.actions.reports import do_file_report
from governance.api.entities import report_entity
from governance.selectors import rule_versions_for_rule_ids
from members.api.auth import token_user
from timeline.access import access_status_by_id


def _ids(values: list[str], name: str) -> list[int]:
    try:
        return [int(value) for value in values]
    except ValueError:
        raise ApiError(f"{name} must be ids", 422) from None


@csrf_exempt
@api_view("POST")
@require_token("write:reports")
def create_report(request: HttpRequest) -> JsonResponse:
    """File a report; rule_ids are the ids of /api/v1/instance/rules, cited in their current wording.

    `forward=true` about a remote account also sends the report, without the
    reporter's name, to the account's server.
    """
    params = ApiParams.from_request(request)
    reporter = Actor.objects.filter(user=token_user(request)).first()
    if reporter is None:
        raise ApiError("This user has no account", 422)
    account_id = params.get_int("account_id")
    target = Actor.objects.filter(pk=account_id).first() if account_id is not None else None
    if target is None:
        raise ApiError("Record not found", 404)
    statuses = [
        access_status_by_id(reporter, status_id) for status_id in _ids(params.get_list("status_ids"), "status_ids")
    ]
    versions = rule_versions_for_rule_ids(_ids(params.get_list("rule_ids"), "rule_ids"))
    report = do_file_report(
        reporter,
        target,
        statuses,
        params.get_str("comment"),
        params.get_str("category", "other") or "other",
        [version.pk for version in versions],
        forward=params.get_bool("forward"),
    )
    return JsonResponse(report_entity(report))
