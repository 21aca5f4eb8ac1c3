"""The client API's hashtags: read one, follow and unfollow it, and the hashtags one follows."""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt

from config.api.auth import optional_token, require_token, required_actor, token_actor
from config.api.errors import api_view
from config.api.pagination import PageRequest, paginate, paginated_response
from timeline.access import access_tag_by_name
from timeline.actions.tags import check_follow_tag, do_follow_tag, do_unfollow_tag
from timeline.entities.tags import tag_entities, tag_entity
from timeline.selectors import followed_tags_of


@api_view("GET")
@optional_token("read")
def tag(request: HttpRequest, name: str) -> JsonResponse:
    """Return a hashtag with its history (and, for a signed-in viewer, whether it is followed)."""
    return JsonResponse(tag_entity(access_tag_by_name(name), token_actor(request)))


@csrf_exempt
@api_view("POST")
@require_token("write:follows")
def follow(request: HttpRequest, name: str) -> JsonResponse:
    """Follow a hashtag: its public statuses reach the token owner's home timeline."""
    actor = required_actor(request)
    followed = do_follow_tag(actor, check_follow_tag(name))
    return JsonResponse(tag_entity(followed, actor))


@csrf_exempt
@api_view("POST")
@require_token("write:follows")
def unfollow(request: HttpRequest, name: str) -> JsonResponse:
    """Stop following a hashtag."""
    actor = required_actor(request)
    found = access_tag_by_name(name)
    if found.pk is not None:
        do_unfollow_tag(actor, found)
    return JsonResponse(tag_entity(found, actor))


@api_view("GET")
@require_token("read:follows")
def followed_tags(request: HttpRequest) -> JsonResponse:
    """Return the hashtags the token owner follows, the latest followed first, paged by follow."""
    actor = required_actor(request)
    page = paginate(followed_tags_of(actor), PageRequest.from_request(request, default=100, maximum=200))
    return paginated_response(request, tag_entities([item.tag for item in page], actor), [item.pk for item in page])
