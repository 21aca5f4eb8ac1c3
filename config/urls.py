"""The instance's URL map: each app contributes its own patterns."""

from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path
from django.views.static import serve

from config.views import healthz
from members.api.accounts import verify_credentials

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("oauth/", include("oauth2_provider.urls", namespace="oauth2_provider")),
    path("api/v1/accounts/verify_credentials", verify_credentials, name="verify_credentials"),
    path("", include("members.urls")),
    path("", include("timeline.urls")),
    path("", include("governance.urls")),
    path("", include("federation.urls")),
    path("", include("frontend.urls")),
]

if settings.MUTUALS_SERVE_MEDIA:
    # Embedded mode has no proxy in front, so uploaded media is served here.
    urlpatterns.append(
        re_path(r"^media/(?P<path>.*)$", serve, {"document_root": settings.MEDIA_ROOT}),
    )
