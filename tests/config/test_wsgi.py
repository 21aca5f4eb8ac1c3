"""The WSGI entry point gunicorn serves (config/wsgi.py)."""

from __future__ import annotations

import io
from typing import Any

import pytest

from config.wsgi import application

pytestmark = pytest.mark.django_db


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
    b"".join(application(seen, lambda status, headers, *rest: statuses.append(status)))
    return statuses[0], seen


def test_a_loopback_proxys_forwarded_client_becomes_the_address() -> None:
    status, seen = serve(REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="192.0.2.7, 10.0.0.1")
    assert status.startswith(("200", "503"))
    assert seen["REMOTE_ADDR"] == "192.0.2.7"


def test_a_direct_client_cannot_claim_another_address() -> None:
    _, seen = serve(REMOTE_ADDR="198.51.100.4", HTTP_X_FORWARDED_FOR="192.0.2.7")
    assert seen["REMOTE_ADDR"] == "198.51.100.4"
