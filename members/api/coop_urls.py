"""Routes of the co-op API (/api/v1/coop/...)."""

from django.urls import URLPattern, URLResolver

urlpatterns: list[URLPattern | URLResolver] = []
