"""A fleet of remote servers on loopback, over https: actor documents to fetch, inboxes that verify signatures.

One asyncio process answers for many hosts at once: each host is a
loopback address of its own (127.0.0.2, 127.0.0.3, ...) on one port, so the
server's transport resolves, checks and connects to each exactly as it does
to a peer on the internet (`getaddrinfo`, the address check on the socket,
TLS with certificate verification), with no change to the machine's name
resolution. A certificate signed by the benchmark's own authority names
every address; the server trusts that authority through SSL_CERT_FILE.

- `GET <path>` answers the actor document configured for that host and path;
- `POST <path>` verifies the request's HTTP signature with the public key
  its keyId names (the sender's key, configured), records the activity id
  per host, and answers 202, or 401 when the signature does not verify;
- `GET /_fleet/stats` answers what was received: requests, unique
  (host, activity id) pairs, duplicates, refused signatures, and the
  wall-clock times of the first and last accepted delivery.

    .venv/bin/python bench/fleet.py CONFIG.json

The configuration names the certificate and key files, the port, the
addresses to listen on, the actor documents by "host/path" and the public
keys by keyId. The process prints its port once it listens.

Hand-written HTTP/1.1 rather than a web framework: the fleet must cost little
CPU per request beside the server it measures, and it needs only
Content-Length bodies on kept-alive connections.
"""

from __future__ import annotations

import asyncio
import json
import ssl
import sys
import time
from collections import Counter
from collections.abc import Mapping
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from federation.signatures import SignatureError, parse_signature_header, verify_request

MAX_BODY = 1_000_000


def check_delivery(
    method: str, path: str, headers: Mapping[str, str], body: bytes, keys: Mapping[str, str]
) -> dict[str, Any]:
    """Verify a signed request with the key its keyId names; return the JSON body, or raise SignatureError.

    `headers` must be keyed by lower-case names.
    """
    params = parse_signature_header(headers.get("signature"))
    pem = keys.get(params.key_id)
    if pem is None:
        raise SignatureError(f"Unknown keyId {params.key_id}.")
    verify_request(params, method=method, path=path, headers=headers, body=body, public_key_pem=pem)
    try:
        activity = json.loads(body)
    except ValueError as exc:
        raise SignatureError("The body is not JSON.") from exc
    if not isinstance(activity, dict):
        raise SignatureError("The body is not a JSON object.")
    return activity


class Fleet:
    """What the fleet serves and what it has received."""

    def __init__(self, config: dict[str, Any]) -> None:
        """Keep the configuration's documents and keys; start with nothing received."""
        self.documents: dict[str, Any] = config.get("documents", {})
        self.keys: dict[str, str] = config.get("keys", {})
        self.received = 0
        self.refused = 0
        self.seen: Counter[tuple[str, str]] = Counter()
        self.first = 0.0
        self.last = 0.0

    def stats(self) -> dict[str, Any]:
        """Return the counts and times of what was received so far."""
        duplicates = sum(count - 1 for count in self.seen.values() if count > 1)
        return {
            "received": self.received,
            "unique": len(self.seen),
            "duplicates": duplicates,
            "refused": self.refused,
            "hosts": len({host for host, _ in self.seen}),
            "first": self.first,
            "last": self.last,
        }

    def answer(self, method: str, path: str, headers: dict[str, str], body: bytes) -> tuple[int, bytes, str]:
        """Return the status, body and content type for one request."""
        host = headers.get("host", "").split(":", 1)[0]
        if method == "GET" and path == "/_fleet/stats":
            return 200, json.dumps(self.stats()).encode(), "application/json"
        if method == "GET":
            document = self.documents.get(f"{host}{path.split('?', 1)[0]}")
            if document is None:
                return 404, b"", "text/plain"
            return 200, json.dumps(document).encode(), "application/activity+json"
        if method == "POST":
            self.received += 1
            try:
                activity = check_delivery(method, path, headers, body, self.keys)
            except SignatureError as exc:
                self.refused += 1
                return 401, str(exc).encode(), "text/plain"
            now = time.time()
            self.first = self.first or now
            self.last = now
            self.seen[(host, str(activity.get("id")))] += 1
            return 202, b"", "text/plain"
        return 405, b"", "text/plain"

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        """Serve requests on one kept-alive connection until the peer closes it."""
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                lines = head.decode("latin-1").split("\r\n")
                method, target, _ = lines[0].split(" ", 2)
                headers: dict[str, str] = {}
                for line in lines[1:]:
                    if ":" in line:
                        name, value = line.split(":", 1)
                        headers[name.strip().lower()] = value.strip()
                length = int(headers.get("content-length", "0") or 0)
                if length > MAX_BODY:
                    break
                body = await reader.readexactly(length) if length else b""
                status, content, kind = self.answer(method, target, headers, body)
                writer.write(
                    f"HTTP/1.1 {status} X\r\nContent-Type: {kind}\r\nContent-Length: {len(content)}\r\n\r\n".encode()
                    + content
                )
                await writer.drain()
        except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError, ValueError, ssl.SSLError):
            # A sender that hangs up or speaks garbage ends its own connection; the fleet goes on serving the rest.
            return
        finally:
            writer.close()


async def serve(config: dict[str, Any]) -> None:
    """Listen on every configured address with TLS and serve until killed."""
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(config["certificate"], config["key"])
    fleet = Fleet(config)
    server = await asyncio.start_server(
        fleet.handle, host=config["addresses"], port=config.get("port", 0), ssl=context, backlog=1024
    )
    print(server.sockets[0].getsockname()[1], flush=True)
    async with server:
        await server.serve_forever()


def main() -> None:
    """Read the configuration file named on the command line and serve."""
    config = json.loads(Path(sys.argv[1]).read_text())
    asyncio.run(serve(config))


if __name__ == "__main__":
    main()
