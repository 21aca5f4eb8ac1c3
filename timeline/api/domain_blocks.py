"""The client API's domain blocks: the domains a member hid from their own timelines and notifications.

These are the member's own choice; the co-op's domain policies, which apply
to everyone, are served at /api/v1/instance/domain_blocks.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt

from config.api.auth import require_token, required_actor
from config.api.errors import api_view
from config.api.pagination import PageRequest, paginate, paginated_response
from config.api.params import ApiParams
from timeline.actions.domain_blocks import check_block_domain, do_block_domain, do_unblock_domain
from timeline.models import AccountDomainBlock


@csrf_exempt
@api_view("GET", "POST", "DELETE")
def domain_blocks(request: HttpRequest) -> HttpResponse:
    """List (GET), add (POST) or remove (DELETE) a hidden domain."""
    if request.method == "GET":
        return list_domain_blocks(request)
    if request.method == "POST":
        return block_domain(request)
    return unblock_domain(request)


@require_token("read:blocks")
def list_domain_blocks(request: HttpRequest) -> JsonResponse:
    """Return the hidden domains as strings, newest first, paged by block."""
    viewer = required_actor(request)
    page = paginate(
        AccountDomainBlock.objects.filter(account=viewer), PageRequest.from_request(request, default=100, maximum=200)
    )
    return paginated_response(request, [item.domain for item in page], [item.pk for item in page])


@require_token("write:blocks")
def block_domain(request: HttpRequest) -> JsonResponse:
    """Hide a domain; answer an empty object."""
    viewer = required_actor(request)
    domain = ApiParams.from_request(request).get_str("domain")
    check_block_domain(viewer, domain)
    do_block_domain(viewer, domain)
    return JsonResponse({})


@require_token("write:blocks")
def unblock_domain(request: HttpRequest) -> JsonResponse:
    """Show a hidden domain again; answer an empty object."""
    viewer = required_actor(request)
    do_unblock_domain(viewer, ApiParams.from_request(request).get_str("domain"))
    return JsonResponse({})
