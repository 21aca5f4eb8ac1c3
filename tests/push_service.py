"""A stand-in push service on 127.0.0.1 and a subscribed device's keys, for Web Push tests.

The service records each request; a test checks its VAPID token against the
instance's public key with `vapid_claims` and decrypts its body with the
device's private key, as a phone's push service and operating system would.
"""

from __future__ import annotations

import base64
import json
import os
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import http_ece
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature


def b64url(raw: bytes) -> str:
    """Return unpadded base64url."""
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def unb64url(text: str) -> bytes:
    """Decode base64url, padded or not."""
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass(frozen=True)
class ReceivedPush:
    """One request the push service received."""

    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Device:
    """A subscribed device: its P-256 key pair and auth secret (RFC 8291)."""

    private_key: ec.EllipticCurvePrivateKey = field(default_factory=lambda: ec.generate_private_key(ec.SECP256R1()))
    auth: bytes = field(default_factory=lambda: os.urandom(16))

    @property
    def p256dh(self) -> str:
        """Return the public key as a subscription sends it."""
        point = self.private_key.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )
        return b64url(point)

    @property
    def auth_b64(self) -> str:
        """Return the auth secret as a subscription sends it."""
        return b64url(self.auth)

    def decrypt(self, push: ReceivedPush) -> dict[str, Any]:
        """Decrypt a push (aes128gcm, or the aesgcm draft with its headers) and return its JSON payload."""
        encoding = push.headers["content-encoding"]
        if encoding == "aes128gcm":
            plain = http_ece.decrypt(push.body, private_key=self.private_key, auth_secret=self.auth, version=encoding)
        else:
            assert encoding == "aesgcm", encoding
            salt = unb64url(push.headers["encryption"].split("salt=", 1)[1].split(";")[0])
            dh = unb64url(push.headers["crypto-key"].split("dh=", 1)[1].split(";")[0])
            plain = http_ece.decrypt(
                push.body, salt=salt, dh=dh, private_key=self.private_key, auth_secret=self.auth, version=encoding
            )
        payload: dict[str, Any] = json.loads(plain)
        return payload


def vapid_claims(push: ReceivedPush, public_key: str) -> dict[str, Any]:
    """Verify the push's VAPID JWT against the instance's public key and return its claims.

    `vapid t=<jwt>,k=<key>` (RFC 8292) names the key in the header; the
    draft's `WebPush <jwt>` names it in `Crypto-Key: p256ecdsa=`. Either way
    the key must be the instance's and the signature must verify.
    """
    authorization = push.headers["authorization"]
    scheme, _, value = authorization.partition(" ")
    if scheme == "vapid":
        parts = dict(item.split("=", 1) for item in value.split(","))
        token, key = parts["t"], parts["k"]
    else:
        assert scheme == "WebPush", authorization
        token = value
        key = push.headers["crypto-key"].split("p256ecdsa=", 1)[1].split(";")[0]
    assert unb64url(key) == unb64url(public_key.rstrip("=")), "signed with another key"
    signed, _, signature = token.rpartition(".")
    raw = unb64url(signature)
    verifier = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), unb64url(key))
    try:
        verifier.verify(
            encode_dss_signature(int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big")),
            signed.encode(),
            ec.ECDSA(hashes.SHA256()),
        )
    except InvalidSignature:
        raise AssertionError("the VAPID signature does not verify") from None
    header = json.loads(unb64url(signed.split(".")[0]))
    assert header["alg"] == "ES256"
    claims: dict[str, Any] = json.loads(unb64url(signed.split(".")[1]))
    return claims


class PushService:
    """A push service on 127.0.0.1: answers every POST with `status` and records it."""

    def __init__(self) -> None:
        self.status = 201
        self.received: list[ReceivedPush] = []
        service = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                body = self.rfile.read(length)
                headers = {name.lower(): value for name, value in self.headers.items()}
                service.received.append(ReceivedPush(path=self.path, headers=headers, body=body))
                self.send_response(service.status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                """Keep the test output quiet."""

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def endpoint(self, name: str = "device") -> str:
        """Return a subscription endpoint on this service."""
        return f"http://127.0.0.1:{self._server.server_address[1]}/push/{name}"

    def wait_for(self, count: int, timeout: float = 30.0) -> list[ReceivedPush]:
        """Wait until `count` pushes have arrived and return them all."""
        deadline = time.monotonic() + timeout
        while len(self.received) < count:
            if time.monotonic() > deadline:
                raise AssertionError(f"{len(self.received)} pushes arrived within {timeout} s, not {count}")
            time.sleep(0.05)
        return list(self.received)

    def close(self) -> None:
        """Stop serving."""
        self._server.shutdown()
        self._server.server_close()
