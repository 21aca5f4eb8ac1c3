"""Members' URLs: the client API (OAuth, apps, accounts) and the co-op API."""

from django.urls import include, path

app_name = "members"

urlpatterns = [
    path("", include("members.api.client_urls")),
    path("", include("members.api.coop_urls")),
]
