"""Members' URLs: the client API (OAuth, apps, accounts), the co-op API and the membership pages."""

from django.urls import include, path

from members.views import documents, membership

app_name = "members"

urlpatterns = [
    path("", include("members.api.client_urls")),
    path("", include("members.api.coop_urls")),
    path("coop/apply", membership.apply, name="apply"),
    path("coop/membership", membership.membership, name="membership"),
    path("coop/certificate", documents.certificate, name="certificate"),
    path("coop/statement", documents.statement, name="statement"),
]
