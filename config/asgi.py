"""ASGI entry point: HTTP to Django, WebSockets to the apps' consumers."""

from __future__ import annotations

import os

from config.env import exit_on_config_error

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")

with exit_on_config_error():
    from django.core.asgi import get_asgi_application

    # Django must be set up before the routing imports load any model.
    django_asgi_app = get_asgi_application()

from channels.routing import ProtocolTypeRouter, URLRouter

from config.routing import websocket_urlpatterns
from federation.views.inbox_asgi import inbox_fast_path

application = ProtocolTypeRouter(
    {
        # Inbox POSTs from peers skip Django's middleware (federation/views/inbox_asgi.py).
        "http": inbox_fast_path(django_asgi_app),
        "websocket": URLRouter(websocket_urlpatterns),
    }
)
