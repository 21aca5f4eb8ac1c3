"""Discovery: WebFinger, host-meta and NodeInfo."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.http import require_GET

from federation import uris
from federation.actions.instance_actor import INSTANCE_USERNAME, instance_actor
from federation.models import Actor

JRD = "application/jrd+json"
# What NodeInfo's "usage" counts (members, active members, posts); the apps that hold them register it.
_usage_readers: list[Callable[[], dict[str, object]]] = []


def register_usage_reader(reader: Callable[[], dict[str, object]]) -> None:
    """Name the function that returns NodeInfo's usage document (`users` and `localPosts`).

    Members and their statuses are the apps' rows; the timeline registers
    this when it loads, so this floor imports no app.
    """
    _usage_readers[:] = [reader]


def _cors(response: HttpResponse) -> HttpResponse:
    response["Access-Control-Allow-Origin"] = "*"
    return response


def _actor_for_resource(resource: str) -> Actor | None:
    domain = settings.MUTUALS_DOMAIN.lower()
    if resource.startswith("acct:"):
        username, _, host = resource[5:].lstrip("@").rpartition("@")
        if host.lower() != domain or not username:
            return None
    elif resource.startswith(uris.base_url()):
        path = resource[len(uris.base_url()) :]
        if path == "/actor":
            return instance_actor()
        username = path.removeprefix("/users/").removeprefix("/@")
        if "/" in username or username == path:
            return None
    else:
        return None
    if username.lower() in (INSTANCE_USERNAME, domain.split(":")[0]):
        return instance_actor()
    return Actor.objects.filter(domain="", username__iexact=username, user__is_active=True).first()


@require_GET
def webfinger(request: HttpRequest) -> HttpResponse:
    """Answer `acct:user@host` (or an actor URL) with the actor's id and profile page."""
    resource = request.GET.get("resource", "")
    if not resource:
        return JsonResponse({"error": "resource is required"}, status=400)
    actor = _actor_for_resource(resource)
    if actor is None:
        return JsonResponse({"error": "Account not found"}, status=404)
    document = {
        "subject": f"acct:{actor.username}@{settings.MUTUALS_DOMAIN}",
        "aliases": [actor.uri, actor.url],
        "links": [
            {"rel": "http://webfinger.net/rel/profile-page", "type": "text/html", "href": actor.url},
            {"rel": "self", "type": "application/activity+json", "href": actor.uri},
        ],
    }
    return _cors(JsonResponse(document, content_type=JRD))


@require_GET
def host_meta(request: HttpRequest) -> HttpResponse:
    """Point older clients to WebFinger (XRD)."""
    template = f"{uris.base_url()}/.well-known/webfinger?resource={{uri}}"
    body = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<XRD xmlns="http://docs.oasis-open.org/ns/xri/xrd-1.0">\n'
        f'  <Link rel="lrdd" template="{template}"/>\n'
        "</XRD>\n"
    )
    return _cors(HttpResponse(body, content_type="application/xrd+xml; charset=utf-8"))


@require_GET
def nodeinfo_links(request: HttpRequest) -> HttpResponse:
    """List the NodeInfo documents this server serves."""
    base = uris.base_url()
    return _cors(
        JsonResponse(
            {
                "links": [
                    {"rel": "http://nodeinfo.diaspora.software/ns/schema/2.0", "href": f"{base}/nodeinfo/2.0"},
                    {"rel": "http://nodeinfo.diaspora.software/ns/schema/2.1", "href": f"{base}/nodeinfo/2.1"},
                ]
            }
        )
    )


def _usage() -> dict[str, object]:
    usage: dict[str, object] = {}
    for reader in _usage_readers:
        usage.update(reader())
    return usage


@require_GET
def nodeinfo(request: HttpRequest, version: str) -> HttpResponse:
    """Serve NodeInfo 2.0 or 2.1: software, protocols and usage."""
    if version not in ("2.0", "2.1"):
        return JsonResponse({"error": "Unknown NodeInfo version"}, status=404)
    software: dict[str, str] = {"name": settings.SOFTWARE_NAME, "version": settings.SOFTWARE_VERSION}
    if version == "2.1":
        software["homepage"] = uris.base_url()
    document = {
        "version": version,
        "software": software,
        "protocols": ["activitypub"],
        "services": {"inbound": [], "outbound": []},
        "openRegistrations": False,
        "usage": _usage(),
        "metadata": {"nodeName": settings.MUTUALS_INSTANCE_NAME},
    }
    profile = f"http://nodeinfo.diaspora.software/ns/schema/{version}#"
    return _cors(JsonResponse(document, content_type=f'application/json; profile="{profile}"'))
