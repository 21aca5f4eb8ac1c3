"""ASGI entry point: HTTP to Django, WebSockets to the apps' consumers."""

from __future__ import annotations

import functools
import gc
import os

from config.env import exit_on_config_error

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")

with exit_on_config_error():
    from django.core.asgi import get_asgi_application

    # Django must be set up before the routing imports load any model.
    django_asgi_app = get_asgi_application()

from channels.routing import ProtocolTypeRouter, URLRouter
from twisted.web import http as twisted_http

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


def remember_content_types() -> None:
    """Have Daphne's HTTP layer (Twisted) parse each distinct Content-Type once per process.

    Twisted parses the Content-Type of every POST with the email package's
    header machinery, a tenth of a web process's CPU under a burst of inbox
    deliveries, though peers send a handful of distinct values. The parser
    maps bytes to bytes and nothing else, so remembering its answers
    changes no result. Left as it is where Twisted has no such function.
    """
    parse = getattr(twisted_http, "_parseContentType", None)
    if parse is not None and not hasattr(parse, "cache_info"):
        twisted_http._parseContentType = functools.lru_cache(maxsize=64)(parse)


remember_content_types()

# What is loaded by now lives as long as the process. Frozen, it is left out
# of the collector's full passes, which otherwise scan it all while every
# connection of the process waits: with 500 streaming connections a full
# pass took 90-250 ms, and 25-65 ms with the start-up objects frozen.
gc.collect()
gc.freeze()
