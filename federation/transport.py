"""Outbound HTTP for federation: signed, bounded, and refusing internal addresses.

Every fetch and delivery goes through here. A destination is refused when its
host resolves to a private, loopback, link-local, multicast or reserved
address, both before connecting and again on the connected socket, so a
redirect or a DNS answer that changes between the two cannot reach an
internal service. Loopback is allowed only when
MUTUALS_ALLOW_LOOPBACK_FEDERATION is set (two instances under test).

Before any of that, `check_fetchable_url` refuses a URL by its spelling
alone: anything but https, and any URL carrying credentials
(`https://user:pass@host/`). Plain http is allowed only to a loopback host
and only with MUTUALS_ALLOW_LOOPBACK_FEDERATION, which is how instances
under test (`http://localhost:PORT`) federate with each other.
"""

from __future__ import annotations

import ipaddress
import socket
import threading
from dataclasses import dataclass
from urllib.parse import SplitResult, urljoin, urlsplit

import urllib3
from django.conf import settings
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import HTTPError, NewConnectionError

from federation.activitypub.context import ACTIVITY_JSON, LD_JSON
from federation.signatures import sign_request

MAX_DOCUMENT_BYTES = 1_000_000
MAX_REDIRECTS = 3
USER_AGENT = f"{settings.SOFTWARE_NAME}/{settings.SOFTWARE_VERSION}"
ACCEPT_ACTIVITY = f"{ACTIVITY_JSON}, {LD_JSON}"


class UnsafeDestination(ValueError):
    """The URL points at an address this server must not contact, or uses a refused scheme."""


class TransportError(Exception):
    """The request failed: no connection, a timeout, an oversize or unreadable answer."""


@dataclass(frozen=True)
class Response:
    """What came back: the final URL after redirects, the status and a bounded body."""

    url: str
    status: int
    body: bytes
    content_type: str
    location: str = ""


def address_allowed(address: str) -> bool:
    """Return whether an IP address may be contacted for federation."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if ip.is_loopback:
        return bool(settings.MUTUALS_ALLOW_LOOPBACK_FEDERATION)
    return ip.is_global and not ip.is_multicast


def _is_loopback_host(hostname: str) -> bool:
    if hostname == "localhost" or hostname.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(hostname).is_loopback
    except ValueError:
        return False


def check_fetchable_url(url: str) -> SplitResult:
    """Refuse a URL this server must never request, judging by its spelling alone; return its parts.

    Every fetch and delivery path calls this before anything else, so a URL
    named in an activity (an Announce's object, a reply's parent, a key id)
    is refused before any DNS lookup or request. Credentials in a URL are
    refused rather than dropped: no peer has a reason to send them, and
    fetching the URL without them would still make this server request
    whatever the sender chose.
    """
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise UnsafeDestination(f"Refusing to contact {url!r}: {exc}.") from None
    if "@" in parts.netloc:
        raise UnsafeDestination(f"Refusing to contact {url!r}: URLs with credentials are never fetched.")
    hostname = parts.hostname or ""
    loopback_http = (
        parts.scheme == "http" and bool(settings.MUTUALS_ALLOW_LOOPBACK_FEDERATION) and _is_loopback_host(hostname)
    )
    if parts.scheme != "https" and not loopback_http:
        raise UnsafeDestination(f"Refusing to contact {url!r}: only https URLs.")
    if not hostname:
        raise UnsafeDestination(f"Refusing to contact {url!r}: it names no host.")
    if port == 0:
        raise UnsafeDestination(f"Refusing to contact {url!r}: port 0.")
    return parts


def check_destination(url: str) -> None:
    """Refuse a URL whose spelling (`check_fetchable_url`) or resolved addresses are not allowed."""
    parts = check_fetchable_url(url)
    hostname = str(parts.hostname)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        infos = socket.getaddrinfo(hostname, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise TransportError(f"Cannot resolve {hostname}: {exc}") from exc
    for info in infos:
        address = str(info[4][0])
        if not address_allowed(address):
            raise UnsafeDestination(f"Refusing to contact {hostname}: it resolves to {address}.")


class _CheckedConnectionMixin:
    """Check the address actually connected to, after DNS and any redirect."""

    def _new_conn(self) -> socket.socket:
        sock: socket.socket = super()._new_conn()  # type: ignore[misc]
        address = str(sock.getpeername()[0])
        if not address_allowed(address):
            sock.close()
            raise NewConnectionError(self, f"refused connection to internal address {address}")  # type: ignore[arg-type]
        return sock


class _CheckedHTTPConnection(_CheckedConnectionMixin, HTTPConnection):
    """An HTTP connection that refuses internal addresses."""


class _CheckedHTTPSConnection(_CheckedConnectionMixin, HTTPSConnection):
    """An HTTPS connection that refuses internal addresses."""


class _CheckedHTTPPool(HTTPConnectionPool):
    ConnectionCls = _CheckedHTTPConnection


class _CheckedHTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _CheckedHTTPSConnection


_local = threading.local()


def _pool_manager() -> urllib3.PoolManager:
    # One pool manager per thread: connections to a host are kept alive between deliveries.
    manager: urllib3.PoolManager | None = getattr(_local, "manager", None)
    if manager is None:
        manager = urllib3.PoolManager(num_pools=64, maxsize=4, block=False)
        manager.pool_classes_by_scheme = {"http": _CheckedHTTPPool, "https": _CheckedHTTPSPool}
        _local.manager = manager
    return manager


def _read_bounded(response: urllib3.BaseHTTPResponse, url: str, limit: int) -> bytes:
    declared = response.headers.get("Content-Length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise TransportError(f"Response from {url} is larger than {limit} bytes.")
    chunks = []
    size = 0
    for chunk in response.stream(65536):
        size += len(chunk)
        if size > limit:
            raise TransportError(f"Response from {url} is larger than {limit} bytes.")
        chunks.append(chunk)
    return b"".join(chunks)


def _request(
    method: str, url: str, headers: dict[str, str], body: bytes | None, limit: int, *, strict: bool = True
) -> Response:
    """Send one request (no redirects followed) and return its bounded answer.

    An answer over the limit raises TransportError, or with `strict=False`
    is cut off (the connection is then closed rather than reused).
    """
    check_destination(url)
    timeout = float(settings.MUTUALS_HTTP_TIMEOUT)
    try:
        response = _pool_manager().request(
            method,
            url,
            body=body,
            headers=headers,
            timeout=urllib3.Timeout(connect=timeout, read=timeout),
            redirect=False,
            retries=False,
            preload_content=False,
        )
    except HTTPError as exc:
        raise TransportError(f"{method} {url} failed: {exc}") from exc
    try:
        redirected = response.status in (301, 302, 303, 307, 308)
        content = b"" if redirected else _read_bounded(response, url, limit)
        response.release_conn()
    except TransportError:
        response.close()
        if strict:
            raise
        content = b""
    except HTTPError as exc:
        response.close()
        raise TransportError(f"{method} {url} failed while reading: {exc}") from exc
    return Response(
        url=url,
        status=response.status,
        body=content,
        content_type=response.headers.get("Content-Type", ""),
        location=response.headers.get("Location", ""),
    )


def signed_get(
    url: str,
    *,
    key_id: str,
    private_key_pem: str,
    accept: str = ACCEPT_ACTIVITY,
    limit: int = MAX_DOCUMENT_BYTES,
) -> Response:
    """GET a URL with a signature, following at most three redirects, each checked and re-signed."""
    for _ in range(MAX_REDIRECTS + 1):
        headers = {"Accept": accept, "User-Agent": USER_AGENT}
        headers.update(sign_request("GET", url, key_id=key_id, private_key_pem=private_key_pem))
        response = _request("GET", url, headers, None, limit)
        if response.status in (301, 302, 303, 307, 308) and response.location:
            url = urljoin(url, response.location)
            continue
        return response
    raise TransportError(f"Too many redirects from {url}.")


def signed_post(url: str, body: bytes, *, key_id: str, private_key_pem: str) -> Response:
    """POST an activity with a signature and digest; redirects are not followed."""
    headers = {"Content-Type": ACTIVITY_JSON, "Accept": ACCEPT_ACTIVITY, "User-Agent": USER_AGENT}
    headers.update(sign_request("POST", url, key_id=key_id, private_key_pem=private_key_pem, body=body))
    # Only the status matters for a delivery; an oversize answer body is dropped.
    return _request("POST", url, headers, body, 65536, strict=False)


def post(url: str, body: bytes, headers: dict[str, str]) -> Response:
    """POST a body with the caller's headers, unsigned, through the same checks; redirects are not followed.

    Web Push requests (RFC 8030) go out this way: a push service is an
    outside host like any peer, so it gets the same refusal of internal
    addresses, timeouts and bounded answer.
    """
    sent = {"User-Agent": USER_AGENT, **headers}
    # Only the status matters; an oversize answer body is dropped.
    return _request("POST", url, sent, body, 65536, strict=False)


def public_get(url: str, *, accept: str, limit: int) -> Response:
    """GET a public resource (a web page, an image) without a signature, following at most three redirects.

    Media, link previews and oEmbed documents are public: signing the request
    would only tell the remote host which server asks. Each hop is checked
    like every other request (`check_fetchable_url`, resolved and connected
    addresses), and the body is bounded by `limit`.
    """
    for _ in range(MAX_REDIRECTS + 1):
        check_fetchable_url(url)
        response = _request("GET", url, {"Accept": accept, "User-Agent": USER_AGENT}, None, limit)
        if response.status in (301, 302, 303, 307, 308) and response.location:
            url = urljoin(url, response.location)
            continue
        return response
    raise TransportError(f"Too many redirects from {url}.")
