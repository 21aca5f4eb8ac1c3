"""The WSGI entry point gunicorn serves (config/wsgi.py)."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core import signals
from django.db import close_old_connections

from config.wsgi import application

# /healthz reads heartbeats through the router, from the replica where the suite has one.
pytestmark = pytest.mark.django_db(databases="__all__")


def serve(**environ: str) -> tuple[str, dict[str, Any]]:
    """Serve GET /healthz through the entry point; return the status and the environ Django saw."""
    seen: dict[str, Any] = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": "/healthz",
        "SERVER_NAME": "localhost",
        "SERVER_PORT": "8000",
        "HTTP_HOST": "localhost",
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(b""),
        **environ,
    }
    statuses: list[str] = []
    # As Django's test client does: the test's transaction keeps the connection, which a request would close.
    signals.request_started.disconnect(close_old_connections)
    try:
        b"".join(application(seen, lambda status, headers, *rest: statuses.append(status)))
    finally:
        signals.request_started.connect(close_old_connections)
    return statuses[0], seen


def test_a_loopback_proxys_forwarded_client_becomes_the_address() -> None:
    status, seen = serve(REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="192.0.2.7, 10.0.0.1")
    assert status.startswith(("200", "503"))
    assert seen["REMOTE_ADDR"] == "192.0.2.7"


def test_a_direct_client_cannot_claim_another_address() -> None:
    _, seen = serve(REMOTE_ADDR="198.51.100.4", HTTP_X_FORWARDED_FOR="192.0.2.7")
    assert seen["REMOTE_ADDR"] == "198.51.100.4"
