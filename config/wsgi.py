"""WSGI entry point: the client API, pages and federation over plain HTTP (gunicorn, `deploy/serve http`).

Django's ASGI handler runs every synchronous view and middleware on one
thread per process, behind a hop from the event loop for each request.
Under a WSGI server with threaded workers the same code runs on the
worker's threads directly. WebSockets (the streaming API) and the inboxes'
batching path stay with Daphne (`config/asgi.py`); nginx sends each there.
"""

from __future__ import annotations

import gc
import os
from collections.abc import Callable, Iterable
from typing import Any

from config.env import exit_on_config_error

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")

with exit_on_config_error():
    from django.core.wsgi import get_wsgi_application

    django_wsgi_app = get_wsgi_application()

from config.queueing import load_task_modules

LOOPBACK = frozenset({"127.0.0.1", "::1"})

StartResponse = Callable[..., Any]


def application(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
    """Serve a request, with the client address nginx names in place of nginx's own.

    Daphne's `--proxy-headers` does the same for the ASGI processes: behind
    the instance's own proxy every request comes from loopback, and the
    proxy names the client first in X-Forwarded-For. Only a loopback peer
    is believed, so a client reaching the port directly cannot claim
    another address.
    """
    forwarded = environ.get("HTTP_X_FORWARDED_FOR")
    if forwarded and environ.get("REMOTE_ADDR") in LOOPBACK:
        environ["REMOTE_ADDR"] = forwarded.split(",", maxsplit=1)[0].strip()
    return django_wsgi_app(environ, start_response)


# The first task a process queues would otherwise load Celery's task modules in the middle of a request.
load_task_modules()

# Loaded once before gunicorn forks its workers (`--preload`): frozen, these
# objects stay out of the collector's full passes, and their pages stay shared
# between the workers instead of being copied when a pass touches them.
gc.collect()
gc.freeze()
