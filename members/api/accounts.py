"""The client API's accounts resource, reading side: profiles, lookups, search, follows and statuses."""

from __future__ import annotations

import contextlib
from typing import IO

from django.conf import settings
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from oauth2_provider.models import AccessToken

from config.api.auth import optional_token, require_token, required_actor, token_actor
from config.api.errors import ApiError, api_view
from config.api.pagination import PageRequest, paginate, paginated_response
from config.api.params import ApiParams
from federation.access import access_account_by_acct, access_account_by_id, visible_accounts
from federation.actions.remote_actors import resolve_account
from federation.errors import RemoteActorUnavailable
from federation.models import Actor
from federation.selectors import is_domain_suspended
from members.actions.accounts import check_sign_up, do_sign_up
from members.actions.preferences import check_posting_defaults
from members.actions.profile import check_update_profile, do_update_profile
from members.errors import AccountRefused
from timeline.entities.accounts import (
    account_entities,
    account_entity,
    credential_account_entity,
    relationship_entities,
)
from timeline.entities.statuses import status_entities, with_authors
from timeline.filtering import without_hidden
from timeline.models import Follow, MediaAttachment, Status, Visibility
from timeline.selectors import followers_of, following_of

MAX_SEARCH_RESULTS = 80


@csrf_exempt
@api_view("POST")
@require_token("write:accounts", allow_app_token=True)
def create_account(request: HttpRequest) -> JsonResponse:
    """Sign a person up from an app: file their membership application and answer a token for them.

    Membership needs the co-op's approval, so, as on a Mastodon server that
    approves sign-ups, the account exists at once but may only read until
    admitted (`members.selectors.posting_refusal`). Each field at fault is
    named in Mastodon's 422 `details`.
    """
    params = ApiParams.from_request(request)
    try:
        draft = check_sign_up(
            username=params.get_str("username"),
            email=params.get_str("email"),
            password=params.get_str("password"),
            agreement=params.get_bool("agreement"),
            locale=params.get_str("locale"),
            reason=params.get_str("reason"),
            invite_code=params.get_str("invite_code"),
        )
    except AccountRefused as refused:
        return _validation_failed(refused)
    app_token: AccessToken = request.oauth_token  # type: ignore[attr-defined]
    token = do_sign_up(draft, app_token.application, app_token.scope)
    return JsonResponse(
        {
            "access_token": token.token,
            "token_type": "Bearer",
            "scope": token.scope,
            "created_at": int(token.created.timestamp()),
        }
    )


def _validation_failed(refused: AccountRefused) -> JsonResponse:
    """Answer Mastodon's 422 for a refused sign-up: a summary, and each field's errors with their codes."""
    details: dict[str, list[dict[str, str]]] = {}
    for error in refused.errors:
        details.setdefault(error.field, []).append({"error": error.code, "description": error.description})
    return JsonResponse({"error": f"Validation failed: {refused.message}", "details": details}, status=422)


@api_view("GET")
@require_token("read:accounts", "profile")
def verify_credentials(request: HttpRequest) -> JsonResponse:
    """Return the token owner's own Account, with its source."""
    return JsonResponse(credential_account_entity(required_actor(request)))


@api_view("GET")
@optional_token("read:accounts")
def account_detail(request: HttpRequest, account_id: str) -> JsonResponse:
    """Return an account by id."""
    return JsonResponse(account_entity(access_account_by_id(account_id)))


@api_view("GET")
@optional_token("read:accounts")
def lookup(request: HttpRequest) -> JsonResponse:
    """Return the account with the handle given in `acct`, without asking other servers."""
    acct = request.GET.get("acct", "")
    if not acct.strip():
        raise ApiError("acct is missing", 400)
    return JsonResponse(account_entity(access_account_by_acct(acct)))


def search_accounts(
    query: str, *, viewer: Actor | None, limit: int, offset: int = 0, following: bool = False, resolve: bool = False
) -> list[Actor]:
    """Return accounts matching a handle or name, exact handles and local members first.

    With `resolve`, a full `user@domain` handle unknown here is looked up
    through WebFinger on its server (only for a signed-in viewer).
    """
    query = query.strip().lstrip("@")
    username, _, domain = query.partition("@")
    local = not domain or domain.lower() == settings.MUTUALS_DOMAIN.lower()
    if resolve and viewer is not None and domain and not local and offset == 0:
        # An unreachable server leaves only what is known here to show.
        with contextlib.suppress(RemoteActorUnavailable):
            resolve_account(f"{username}@{domain}")
    accounts = visible_accounts()
    if domain:
        accounts = accounts.filter(username__istartswith=username, domain="" if local else domain.lower())
    else:
        accounts = accounts.filter(Q(username__istartswith=query) | Q(display_name__icontains=query))
    if following and viewer is not None:
        followed = Follow.objects.filter(follower=viewer, state=Follow.State.ACCEPTED).values("target_id")
        accounts = accounts.filter(pk__in=followed)
    found = list(accounts.order_by("domain", "username")[: offset + limit + MAX_SEARCH_RESULTS])
    found.sort(key=lambda actor: (actor.username.lower() != username.lower(), actor.domain != "", actor.username))
    # One look-up per server, not per account: a page of results often shares a few servers.
    suspended = {domain for domain in {actor.domain for actor in found if actor.domain} if is_domain_suspended(domain)}
    visible = [actor for actor in found if actor.domain not in suspended]
    return visible[offset : offset + limit]


@api_view("GET")
@require_token("read:accounts")
def search(request: HttpRequest) -> JsonResponse:
    """Find accounts by handle or display name among local members and known remote actors."""
    params = ApiParams.from_request(request)
    query = params.get_str("q").strip().lstrip("@")
    if not query:
        raise ApiError("q is missing", 400)
    following = params.get_bool("following")
    viewer = required_actor(request) if following else token_actor(request)
    found = search_accounts(
        query,
        viewer=viewer,
        limit=params.get_int("limit", 40, minimum=1, maximum=MAX_SEARCH_RESULTS) or 40,
        offset=params.get_int("offset", 0, minimum=0) or 0,
        following=following,
        resolve=params.get_bool("resolve"),
    )
    return JsonResponse(account_entities(found), safe=False)


@api_view("GET")
@require_token("read:follows")
def relationships(request: HttpRequest) -> JsonResponse:
    """Return the token owner's relationship with each account in `id[]`."""
    viewer = required_actor(request)
    ids = [value for value in ApiParams.from_request(request).get_list("id") if value.isdigit()]
    targets = {actor.pk: actor for actor in visible_accounts().filter(pk__in=[int(value) for value in ids])}
    ordered = [targets[int(value)] for value in dict.fromkeys(ids) if int(value) in targets]
    return JsonResponse(relationship_entities(viewer, ordered), safe=False)


def _follow_page(request: HttpRequest, follows: QuerySet[Follow], side: str) -> JsonResponse:
    page = paginate(follows.select_related(side), PageRequest.from_request(request, default=40, maximum=80))
    actors = [getattr(follow, side) for follow in page]
    return paginated_response(request, account_entities(actors), [follow.pk for follow in page])


@api_view("GET")
@optional_token("read:accounts")
def followers(request: HttpRequest, account_id: str) -> JsonResponse:
    """Return the accounts following this one, newest follow first, paged by follow."""
    return _follow_page(request, followers_of(access_account_by_id(account_id), token_actor(request)), "follower")


@api_view("GET")
@optional_token("read:accounts")
def following(request: HttpRequest, account_id: str) -> JsonResponse:
    """Return the accounts this one follows, newest follow first, paged by follow."""
    return _follow_page(request, following_of(access_account_by_id(account_id), token_actor(request)), "target")


def _visible_profile_statuses(account: Actor, viewer: Actor | None) -> QuerySet[Status]:
    statuses = Status.objects.filter(account=account)
    if viewer is not None and viewer.pk == account.pk:
        return statuses
    shown = [Visibility.PUBLIC, Visibility.UNLISTED]
    if (
        viewer is not None
        and Follow.objects.filter(follower=viewer, target=account, state=Follow.State.ACCEPTED).exists()
    ):
        shown.append(Visibility.PRIVATE)
    visible = Q(visibility__in=shown)
    if viewer is not None:
        visible |= Q(visibility__in=[Visibility.DIRECT, Visibility.LIMITED], mentions__account=viewer)
    return statuses.filter(visible).distinct()


@api_view("GET")
@optional_token("read:statuses")
def account_statuses(request: HttpRequest, account_id: str) -> JsonResponse:
    """Return an account's statuses the viewer may see, newest first, with Mastodon's filters."""
    account = access_account_by_id(account_id)
    viewer = token_actor(request)
    params = ApiParams.from_request(request)
    page_request = PageRequest.from_request(request, default=20, maximum=40)
    statuses = _visible_profile_statuses(account, viewer)
    if params.get_bool("pinned"):
        pinned = list(with_authors(statuses.filter(pinned_at__isnull=False)).order_by("-pinned_at"))
        return JsonResponse(without_hidden(status_entities(pinned, viewer, context="account")), safe=False)
    if params.get_bool("exclude_replies"):
        # Mastodon keeps replies to oneself (threads) when excluding replies.
        statuses = statuses.filter(Q(in_reply_to__isnull=True) | Q(in_reply_to__account=account))
    if params.get_bool("exclude_reblogs"):
        statuses = statuses.filter(reblog_of__isnull=True)
    if params.get_bool("only_media"):
        statuses = statuses.filter(reblog_of__isnull=True).filter(
            Exists(MediaAttachment.objects.filter(status_id=OuterRef("pk")))
        )
    tagged = params.get_str("tagged").strip().lstrip("#").lower()
    if tagged:
        statuses = statuses.filter(tags__name=tagged)
    page = paginate(with_authors(statuses), page_request)
    body = without_hidden(status_entities(page, viewer, context="account"))
    return paginated_response(request, body, [status.pk for status in page])


def _optional_bool(params: ApiParams, name: str) -> bool | None:
    return params.get_bool(name) if name in params else None


def _profile_fields(params: ApiParams) -> list[tuple[str, str]] | None:
    """Return the fields given as `fields_attributes[i][name]` (forms) or a list of objects (JSON), in order."""
    given = params.get_dicts("fields_attributes")
    if not given:
        return [] if "fields_attributes" in params else None
    if any(not index.isdigit() for index in given):
        raise ApiError("fields_attributes must be indexed by numbers", 422)
    return [(given[index].get("name", ""), given[index].get("value", "")) for index in sorted(given, key=int)]


def _image_upload(params: ApiParams, name: str) -> tuple[IO[bytes], int] | None:
    upload = params.get_file(name)
    return (upload, upload.size or 0) if upload is not None else None


@csrf_exempt
@api_view("PATCH")
@require_token("write:accounts")
def update_credentials(request: HttpRequest) -> JsonResponse:
    """Change the member's profile and return their own Account; a refusal changes nothing."""
    actor = required_actor(request)
    params = ApiParams.from_request(request)
    defaults = check_posting_defaults(
        visibility=params.get_optional_str("source[privacy]"),
        sensitive=_optional_bool(params, "source[sensitive]"),
        language=params.get_optional_str("source[language]"),
    )
    change = check_update_profile(
        actor,
        display_name=params.get_optional_str("display_name"),
        note=params.get_optional_str("note"),
        fields=_profile_fields(params),
        locked=_optional_bool(params, "locked"),
        bot=_optional_bool(params, "bot"),
        discoverable=_optional_bool(params, "discoverable"),
        avatar=_image_upload(params, "avatar"),
        header=_image_upload(params, "header"),
    )
    updated = do_update_profile(actor, change, defaults)
    return JsonResponse(credential_account_entity(updated))
