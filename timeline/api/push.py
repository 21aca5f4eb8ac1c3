"""The client API's push subscription: one Web Push subscription per access token, as in Mastodon."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from oauth2_provider.models import AccessToken

from config.api.auth import require_token, required_actor
from config.api.errors import api_view
from config.api.params import ApiParams
from timeline.access import access_push_subscription_by_token
from timeline.actions.push import (
    PushSettingsDraft,
    check_create_push_subscription,
    check_push_settings,
    do_create_push_subscription,
    do_delete_push_subscription,
    do_update_push_subscription,
)
from timeline.entities.push import ALERT_TYPES, push_subscription_entity


def _settings(params: ApiParams) -> PushSettingsDraft:
    """Read `data[alerts][<type>]` and `data[policy]` (Mastodon.py sends the policy as a bare `policy`)."""
    alerts = {
        kind: params.get_bool(f"data[alerts][{kind}]") for kind in ALERT_TYPES if f"data[alerts][{kind}]" in params
    }
    policy = params.get_optional_str("data[policy]")
    if policy is None:
        policy = params.get_optional_str("policy")
    return check_push_settings(alerts, policy)


@csrf_exempt
@api_view("GET", "POST", "PUT", "DELETE")
@require_token("push")
def push_subscription(request: HttpRequest) -> HttpResponse:
    """Show (GET), create or replace (POST), change the alerts of (PUT) or remove (DELETE) the token's subscription."""
    owner = required_actor(request)
    access_token: AccessToken = request.oauth_token  # type: ignore[attr-defined]
    if request.method == "DELETE":
        do_delete_push_subscription(access_token)
        return JsonResponse({})
    if request.method == "GET":
        return JsonResponse(push_subscription_entity(access_push_subscription_by_token(owner, access_token)))
    params = ApiParams.from_request(request)
    if request.method == "PUT":
        subscription = access_push_subscription_by_token(owner, access_token)
        return JsonResponse(push_subscription_entity(do_update_push_subscription(subscription, _settings(params))))
    draft = check_create_push_subscription(
        params.get_str("subscription[endpoint]"),
        params.get_str("subscription[keys][p256dh]"),
        params.get_str("subscription[keys][auth]"),
        standard=params.get_bool("subscription[standard]"),
        settings=_settings(params),
    )
    return JsonResponse(push_subscription_entity(do_create_push_subscription(owner, access_token, draft)))
