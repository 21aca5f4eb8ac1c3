"""Outbound HTTP refuses internal addresses, before connecting, after redirects and on the socket."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar

import pytest
from pytest_django.fixtures import Settings as SettingsWrapper

from federation import transport
from federation.transport import (
    TransportError,
    UnsafeDestination,
    address_allowed,
    check_destination,
    check_fetchable_url,
    signed_get,
)
from tests.factories.keys import shared_test_key_pair

KEY = shared_test_key_pair().private_pem


class _Handler(BaseHTTPRequestHandler):
    # Paths requested, in order, by every test's server.
    seen: ClassVar[list[str]] = []

    def do_GET(self) -> None:
        self.seen.append(self.path)
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


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("https://user:pass@a.example/users/x", "credentials"),
        ("https://user@a.example/users/x", "credentials"),
        ("https://:pass@a.example/users/x", "credentials"),
        ("http://user:pass@localhost:8000/users/x", "credentials"),
        ("http://example.org/users/x", "only https"),
        ("http://10.0.0.1/users/x", "only https"),
        ("ftp://a.example/users/x", "only https"),
        ("//a.example/users/x", "only https"),
        ("https:///users/x", "names no host"),
        ("https://a.example:99999/users/x", "out of range"),
        ("https://a.example:0/users/x", "port 0"),
    ],
)
def test_urls_refused_by_their_spelling_even_with_loopback_allowed(
    settings: SettingsWrapper, url: str, message: str
) -> None:
    settings.MUTUALS_ALLOW_LOOPBACK_FEDERATION = True
    with pytest.raises(UnsafeDestination, match=message):
        check_fetchable_url(url)
    with pytest.raises(UnsafeDestination, match=message):
        check_destination(url)


@pytest.mark.parametrize("url", ["http://localhost:8000/users/x", "http://127.0.0.1:8000/x", "http://[::1]:8000/x"])
def test_plain_http_is_allowed_only_to_loopback_and_only_with_the_test_setting(
    settings: SettingsWrapper, url: str
) -> None:
    settings.MUTUALS_ALLOW_LOOPBACK_FEDERATION = True
    assert check_fetchable_url(url).scheme == "http"
    settings.MUTUALS_ALLOW_LOOPBACK_FEDERATION = False
    with pytest.raises(UnsafeDestination, match="only https"):
        check_fetchable_url(url)


def test_redirect_to_a_url_with_credentials_is_not_followed(settings: SettingsWrapper, server: str) -> None:
    settings.MUTUALS_ALLOW_LOOPBACK_FEDERATION = True
    target = server.replace("http://", "http://user:pass@") + "/small"
    _Handler.seen.clear()
    with pytest.raises(UnsafeDestination, match="credentials"):
        signed_get(f"{server}/redirect?to={target}", key_id="https://a.example/actor#main-key", private_key_pem=KEY)
    assert _Handler.seen == [f"/redirect?to={target}"]
