"""The client API's featured hashtags: those a member shows on their profile."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt

from config.api.auth import optional_token, require_token, required_actor
from config.api.errors import api_view
from config.api.params import ApiParams
from federation.access import access_account_by_id
from timeline.access import access_featured_tag_by_id
from timeline.actions.tags import check_feature_tag, do_feature_tag, do_unfeature_tag
from timeline.entities.tags import featured_tag_entities, tag_entities
from timeline.selectors import featured_tag_suggestions, featured_tags_of


@csrf_exempt
@api_view("GET", "POST")
def featured_tags(request: HttpRequest) -> HttpResponse:
    """List the token owner's featured hashtags (GET), or feature one more, `name` (POST)."""
    if request.method == "POST":
        return feature_tag(request)
    return list_featured_tags(request)


@require_token("read:accounts")
def list_featured_tags(request: HttpRequest) -> JsonResponse:
    """Return the token owner's featured hashtags, oldest first."""
    actor = required_actor(request)
    return JsonResponse(featured_tag_entities(actor, list(featured_tags_of(actor))), safe=False)


@require_token("write:accounts")
def feature_tag(request: HttpRequest) -> JsonResponse:
    """Feature a hashtag (`name`) on the token owner's profile: at most ten, each once."""
    actor = required_actor(request)
    featured = do_feature_tag(actor, check_feature_tag(actor, ApiParams.from_request(request).get_str("name")))
    return JsonResponse(featured_tag_entities(actor, [featured])[0])


@csrf_exempt
@api_view("DELETE")
@require_token("write:accounts")
def featured_tag(request: HttpRequest, featured_id: str) -> JsonResponse:
    """Stop featuring one of the token owner's hashtags; answer an empty object, as Mastodon does."""
    actor = required_actor(request)
    do_unfeature_tag(access_featured_tag_by_id(actor, featured_id))
    return JsonResponse({})


@api_view("GET")
@require_token("read:accounts")
def suggestions(request: HttpRequest) -> JsonResponse:
    """Return the hashtags the token owner used most recently and does not feature yet."""
    actor = required_actor(request)
    return JsonResponse(tag_entities(featured_tag_suggestions(actor), actor), safe=False)


@api_view("GET")
@optional_token("read:accounts")
def account_featured_tags(request: HttpRequest, account_id: str) -> JsonResponse:
    """Return the hashtags an account features on its profile."""
    account = access_account_by_id(account_id)
    return JsonResponse(featured_tag_entities(account, list(featured_tags_of(account))), safe=False)
