"""The instance's URL map: each app contributes its own patterns."""

from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path
from django.views.static import serve

from config.metrics import metrics
from config.views import healthz
from frontend.views.oauth import authorize

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("metrics", metrics, name="metrics"),
    path("admin/", admin.site.urls),
    # The consent page is a web page; token, revoke and metadata are the members app's API.
    path("oauth/authorize", authorize, name="oauth_authorize"),
    # Django's set_language: the language a visitor picks, kept in a cookie.
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("members.urls")),
    path("", include("timeline.urls")),
    path("", include("governance.urls")),
    path("", include("timeline.activitypub.urls")),
    path("", include("federation.urls")),
    path("", include("frontend.urls")),
]

if settings.MUTUALS_SERVE_MEDIA:
    # Embedded mode has no proxy in front, so uploaded media is served here.
    urlpatterns.append(
        re_path(r"^media/(?P<path>.*)$", serve, {"document_root": settings.MEDIA_ROOT}),
    )

# An unreachable database or Redis met outside a view is still answered 503, not 500.
handler500 = "config.outages.server_error"
# Every /api/ path answers JSON, an unknown one included; people get the site's pages (frontend/templates/).
handler404 = "config.api.errors.not_found"
handler403 = "config.api.errors.permission_denied"
