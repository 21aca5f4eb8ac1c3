"""Outbound HTTP refuses internal addresses, before connecting, after redirects and on the socket."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from pytest_django.fixtures import Settings as SettingsWrapper

from federation import transport
from federation.transport import TransportError, UnsafeDestination, address_allowed, check_destination, signed_get
from tests.factories.keys import shared_test_key_pair

KEY = shared_test_key_pair().private_pem


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        if self.path.startswith("/redirect"):
            self.send_response(302)
            self.send_header("Location", self.path.split("to=", 1)[1])
            self.end_headers()
            return
        body = b'{"id": "x"}' if self.path == "/small" else b"x" * (transport.MAX_DOCUMENT_BYTES + 10)
        self.send_response(200)
        self.send_header("Content-Type", "application/activity+json")
        if self.path != "/unsized":
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        """Keep test output quiet."""


@pytest.fixture
def server() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


@pytest.mark.parametrize(
    ("address", "allowed"),
    [
        ("93.184.216.34", True),
        ("2606:2800:220:1::1", True),
        ("10.0.0.1", False),
        ("172.16.5.4", False),
        ("192.168.1.1", False),
        ("169.254.169.254", False),
        ("100.64.0.1", False),
        ("0.0.0.0", False),  # noqa: S104 (an address refused, not one bound to)
        ("::ffff:127.0.0.1", False),
        ("fe80::1", False),
        ("fd00::1", False),
        ("224.0.0.1", False),
        ("127.0.0.1", False),
        ("::1", False),
    ],
)
def test_internal_addresses_are_refused(settings: SettingsWrapper, address: str, allowed: bool) -> None:
    settings.MUTUALS_ALLOW_LOOPBACK_FEDERATION = False
    assert address_allowed(address) is allowed


def test_loopback_only_with_the_test_setting(settings: SettingsWrapper) -> None:
    settings.MUTUALS_ALLOW_LOOPBACK_FEDERATION = True
    assert address_allowed("127.0.0.1")
    assert not address_allowed("10.0.0.1")


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("https://localhost/users/x", "resolves to"),
        ("https://127.0.0.1/users/x", "resolves to"),
        ("https://[::1]/users/x", "resolves to"),
        ("https://169.254.169.254/latest/meta-data", "resolves to"),
        ("http://example.org/users/x", "only https"),
        ("file:///etc/passwd", "only https"),
        ("gopher://example.org/", "only https"),
    ],
)
def test_unsafe_destinations_are_refused_before_connecting(settings: SettingsWrapper, url: str, message: str) -> None:
    settings.MUTUALS_ALLOW_LOOPBACK_FEDERATION = False
    with pytest.raises(UnsafeDestination, match=message):
        check_destination(url)


def test_fetch_of_loopback_is_refused(settings: SettingsWrapper, server: str) -> None:
    settings.MUTUALS_ALLOW_LOOPBACK_FEDERATION = False
    with pytest.raises(UnsafeDestination):
        signed_get(f"{server}/small", key_id="https://a.example/actor#main-key", private_key_pem=KEY)


def test_redirect_to_an_internal_address_is_refused(settings: SettingsWrapper, server: str) -> None:
    settings.MUTUALS_ALLOW_LOOPBACK_FEDERATION = True
    response = signed_get(f"{server}/small", key_id="https://a.example/actor#main-key", private_key_pem=KEY)
    assert response.status == 200
    with pytest.raises(UnsafeDestination, match=r"169\.254\.169\.254"):
        signed_get(
            f"{server}/redirect?to=http://169.254.169.254/latest/meta-data",
            key_id="https://a.example/actor#main-key",
            private_key_pem=KEY,
        )


def test_socket_check_catches_what_resolution_let_through(
    settings: SettingsWrapper, server: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A DNS answer that changes between the check and the connection still cannot reach loopback."""
    settings.MUTUALS_ALLOW_LOOPBACK_FEDERATION = False
    monkeypatch.setattr(transport, "check_destination", lambda url: None)
    with pytest.raises(TransportError, match="internal address"):
        signed_get(f"{server}/small", key_id="https://a.example/actor#main-key", private_key_pem=KEY)


@pytest.mark.parametrize("path", ["/large", "/unsized"])
def test_oversize_responses_are_cut_off(settings: SettingsWrapper, server: str, path: str) -> None:
    settings.MUTUALS_ALLOW_LOOPBACK_FEDERATION = True
    with pytest.raises(TransportError, match="larger than"):
        signed_get(f"{server}{path}", key_id="https://a.example/actor#main-key", private_key_pem=KEY)
