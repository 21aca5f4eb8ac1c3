"""Timeline's URLs (client API and ActivityPub routes the app owns)."""

from django.urls import URLPattern, URLResolver

app_name = "timeline"

urlpatterns: list[URLPattern | URLResolver] = []
