"""WebSocket routes; each app contributes the consumers for the events it owns."""

from __future__ import annotations

from typing import Any

from django.urls import re_path

from timeline.streaming.consumers import StreamingConsumer

# The streaming API's consumers are added here as the apps provide them.
websocket_urlpatterns: list[Any] = [
    re_path(r"^api/v1/streaming/?$", StreamingConsumer.as_asgi()),
]
