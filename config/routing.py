"""WebSocket routes; each app contributes the consumers for the events it owns."""

from __future__ import annotations

from typing import Any

# The streaming API's consumers are added here as the apps provide them.
websocket_urlpatterns: list[Any] = []
