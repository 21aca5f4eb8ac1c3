"""The client API's timelines: home, public (local, remote, media) and hashtag.

The home timeline reads the entries fan-out wrote; the public and hashtag
timelines read public statuses directly, hiding accounts the viewer blocks
or is blocked by, accounts the co-op limited or suspended and servers it
suspended.
"""

from __future__ import annotations

from django.db.models import F, Q, QuerySet
from django.http import HttpRequest, JsonResponse

from config.api.errors import api_view
from config.api.pagination import PageRequest, paginate, paginated_response
from config.api.params import ApiParams
from federation.models import Actor
from federation.selectors import domain_policies_in_force
from governance.selectors import restricted_account_ids
from members.api.auth import optional_token, require_token, required_actor, token_actor
from timeline.access import hidden_account_ids_for
from timeline.api.entities import status_entities, with_authors
from timeline.models import Block, Status, TimelineEntry, Visibility


def public_statuses_for(viewer: Actor | None, params: ApiParams) -> QuerySet[Status]:
    """Return the public statuses the viewer's public timelines show, before paging."""
    statuses = Status.objects.filter(visibility=Visibility.PUBLIC, reblog_of__isnull=True)
    # Replies to others stay in their threads, as on Mastodon's public timelines.
    statuses = statuses.filter(Q(in_reply_to__isnull=True) | Q(in_reply_to__account_id=F("account_id")))
    if params.get_bool("local"):
        statuses = statuses.filter(local=True)
    elif params.get_bool("remote"):
        statuses = statuses.filter(local=False)
    if params.get_bool("only_media"):
        statuses = statuses.exclude(attachments=[])
    # Limited accounts stay visible to their followers but leave public timelines, as on Mastodon.
    statuses = statuses.exclude(account_id__in=restricted_account_ids())
    suspended = [policy.domain for policy in domain_policies_in_force() if policy.is_suspended]
    for domain in suspended:
        statuses = statuses.exclude(account__domain=domain).exclude(account__domain__endswith=f".{domain}")
    if viewer is not None:
        blocked = Block.objects.filter(account=viewer).values("target_id")
        blockers = Block.objects.filter(target=viewer).values("account_id")
        statuses = statuses.exclude(account_id__in=blocked).exclude(account_id__in=blockers)
    return statuses


def _page(request: HttpRequest, statuses: QuerySet[Status], viewer: Actor | None) -> JsonResponse:
    page = paginate(with_authors(statuses), PageRequest.from_request(request))
    return paginated_response(request, status_entities(page, viewer), [status.pk for status in page])


@api_view("GET")
@require_token("read:statuses")
def home(request: HttpRequest) -> JsonResponse:
    """Return the token owner's home timeline, newest first."""
    viewer = required_actor(request)
    page_request = PageRequest.from_request(request)
    visible = TimelineEntry.objects.filter(owner=viewer).exclude(status__account_id__in=hidden_account_ids_for(viewer))
    entries = paginate(visible, page_request, field="status_id")
    ids = [entry.status_id for entry in entries]
    loaded = with_authors(Status.objects.all()).in_bulk(ids)
    statuses = [loaded[status_id] for status_id in ids if status_id in loaded]
    return paginated_response(request, status_entities(statuses, viewer), ids)


@api_view("GET")
@optional_token("read:statuses")
def public(request: HttpRequest) -> JsonResponse:
    """Return public statuses from everyone known here (`local=true`: members only; `remote=true`: others)."""
    viewer = token_actor(request)
    return _page(request, public_statuses_for(viewer, ApiParams.from_request(request)), viewer)


@api_view("GET")
@optional_token("read:statuses")
def hashtag(request: HttpRequest, hashtag: str) -> JsonResponse:
    """Return public statuses with the hashtag (and with `any[]`, `all[]`, without `none[]`)."""
    viewer = token_actor(request)
    params = ApiParams.from_request(request)
    statuses = public_statuses_for(viewer, params)
    wanted = [hashtag.lower().lstrip("#"), *(name.lower().lstrip("#") for name in params.get_list("any"))]
    statuses = statuses.filter(tags__name__in=wanted)
    for name in params.get_list("all"):
        statuses = statuses.filter(pk__in=Status.objects.filter(tags__name=name.lower().lstrip("#")).values("pk"))
    excluded = [name.lower().lstrip("#") for name in params.get_list("none")]
    if excluded:
        statuses = statuses.exclude(tags__name__in=excluded)
    return _page(request, statuses.distinct(), viewer)
