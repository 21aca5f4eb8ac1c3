"""ASGI entry point: HTTP to Django, WebSockets to the apps' consumers."""

from __future__ import annotations

import gc
import os

from config.env import exit_on_config_error

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")

with exit_on_config_error():
    from django.core.asgi import get_asgi_application

    # Django must be set up before the routing imports load any model.
    django_asgi_app = get_asgi_application()

from channels.routing import ProtocolTypeRouter, URLRouter

from config.queueing import load_task_modules
from config.routing import websocket_urlpatterns
from federation.views.inbox_asgi import inbox_fast_path

application = ProtocolTypeRouter(
    {
        # Inbox POSTs from peers skip Django's middleware (federation/views/inbox_asgi.py).
        "http": inbox_fast_path(django_asgi_app),
        "websocket": URLRouter(websocket_urlpatterns),
    }
)

# The first task a process queues would otherwise load Celery's task modules
# (and have its Django fix-up run every system check) in the middle of a request.
load_task_modules()

# What is loaded by now lives as long as the process. Frozen, it is left out
# of the collector's full passes, which otherwise scan it all while every
# connection of the process waits: with 500 streaming connections a full
# pass took 90-250 ms, and 25-65 ms with the start-up objects frozen.
gc.collect()
gc.freeze()
