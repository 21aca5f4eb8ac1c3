"""Views that belong to the whole instance rather than one app."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from config.health import check_all


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """Report whether the services answer and the worker and beat are alive (503 if not).

    A worker or beat never seen yet is `starting` and does not fail the check:
    a new instance serves before its worker has started.
    """
    checks = check_all()
    healthy = all(check.ok for check in checks)
    body = {
        "status": "ok" if healthy else "error",
        "mode": settings.MUTUALS_MODE,
        "version": settings.SOFTWARE_VERSION,
        "checks": {check.name: check.as_dict() for check in checks},
    }
    return JsonResponse(body, status=200 if healthy else 503)
