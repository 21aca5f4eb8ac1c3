"""Routes of the Mastodon client API that the members app owns."""

from django.urls import URLPattern, URLResolver

urlpatterns: list[URLPattern | URLResolver] = []
