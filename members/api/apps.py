"""The client API's apps resource: register an app, verify an app's token."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from oauth2_provider.models import Application

from config.api.auth import require_token
from config.api.errors import api_view
from config.api.params import ApiParams
from config.vapid import vapid_public_key
from members.actions.app_registration import check_register_application, do_register_application
from members.selectors import registered_scopes, registered_website


def application_entity(application: Application, *, scopes: list[str], website: str | None) -> dict[str, Any]:
    """Return Mastodon's Application entity (without credentials)."""
    redirect_uris = application.redirect_uris.split()
    return {
        "id": str(application.pk),
        "name": application.name,
        "website": website or None,
        "scopes": scopes,
        "redirect_uri": "\n".join(redirect_uris),
        "redirect_uris": redirect_uris,
        # The key apps pass to their push subscriptions' browsers, as Mastodon gives it here too.
        "vapid_key": vapid_public_key(),
    }


@csrf_exempt
@api_view("POST")
def create_app(request: HttpRequest) -> JsonResponse:
    """Register a client app and return it with its client id and one-time secret."""
    params = ApiParams.from_request(request)
    checked = check_register_application(
        params.get_str("client_name"),
        params.get_list("redirect_uris"),
        scopes=params.get_list("scopes"),
        website=params.get_str("website"),
    )
    registered = do_register_application(checked)
    body = application_entity(registered.application, scopes=list(registered.scopes), website=registered.website)
    body["client_id"] = registered.application.client_id
    body["client_secret"] = registered.client_secret
    body["client_secret_expires_at"] = 0
    return JsonResponse(body)


@api_view("GET")
@require_token(allow_app_token=True)
def verify_app_credentials(request: HttpRequest) -> JsonResponse:
    """Return the Application the presented token belongs to, with the scopes and website it registered."""
    application: Application = request.oauth_application  # type: ignore[attr-defined]
    return JsonResponse(
        application_entity(application, scopes=registered_scopes(application), website=registered_website(application))
    )
