"""Stand-ins for remote servers in fault tests: inboxes on loopback that record what they receive."""

from __future__ import annotations

import json
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class RecordingPeer:
    """An HTTP server on 127.0.0.1 that answers every POST with 202 and records its path, activity id and time.

    `delay` makes each answer wait, so a burst of deliveries lasts long
    enough to be interrupted. `host` is what the sender sees: `localhost:PORT`.
    """

    def __init__(self, port: int = 0, *, delay: float = 0.0) -> None:
        self.delay = delay
        self.received: list[tuple[str, str, float]] = []
        self.signed: list[bool] = []
        self._lock = threading.Lock()
        peer = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:
                try:
                    activity = json.loads(self.rfile.read(int(self.headers.get("Content-Length", "0"))))
                except (OSError, ValueError):
                    # A sender killed mid-request leaves a truncated body or a reset connection:
                    # nothing was delivered.
                    self.close_connection = True
                    return
                with peer._lock:
                    peer.received.append((self.path, str(activity["id"]), time.time()))
                    peer.signed.append("Signature" in self.headers and "Digest" in self.headers)
                if peer.delay:
                    time.sleep(peer.delay)
                self.send_response(202)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                """Keep the test's output quiet."""

        self.server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.server.daemon_threads = True
        self.port = int(self.server.server_address[1])
        self.host = f"localhost:{self.port}"
        self.inbox = f"http://{self.host}/inbox"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self._thread.start()

    def ids(self) -> Counter[str]:
        """Return how many times each activity id arrived."""
        with self._lock:
            return Counter(activity_id for _, activity_id, _ in self.received)

    def arrivals(self) -> Counter[tuple[str, str]]:
        """Return how many times each (inbox path, activity id) arrived."""
        with self._lock:
            return Counter((path, activity_id) for path, activity_id, _ in self.received)

    def last_arrival(self) -> float:
        """Return the wall-clock time of the latest POST (0 if none)."""
        with self._lock:
            return max((at for _, _, at in self.received), default=0.0)

    def close(self) -> None:
        """Stop answering and free the port."""
        self.server.shutdown()
        self.server.server_close()
        self._thread.join(timeout=10)


@contextmanager
def recording_peers(count: int, *, delay: float = 0.0) -> Iterator[list[RecordingPeer]]:
    """Yield `count` recording peers, each its own host, and stop them afterwards."""
    peers = [RecordingPeer(delay=delay) for _ in range(count)]
    try:
        yield peers
    finally:
        for peer in peers:
            peer.close()


class DocumentPeer:
    """An HTTP server on 127.0.0.1 serving ActivityPub documents by path, as a remote server serves its actors.

    `serve(path, document)` publishes a document; GETs of other paths answer
    404. `fetched` records each path requested.
    """

    def __init__(self) -> None:
        self.documents: dict[str, dict[str, Any]] = {}
        self.fetched: list[str] = []
        self._lock = threading.Lock()
        peer = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:
                with peer._lock:
                    peer.fetched.append(self.path)
                    document = peer.documents.get(self.path)
                body = json.dumps(document).encode() if document is not None else b"{}"
                self.send_response(200 if document is not None else 404)
                self.send_header("Content-Type", "application/activity+json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:
                """Keep the test's output quiet."""

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = int(self.server.server_address[1])
        self.host = f"localhost:{self.port}"
        self.base_url = f"http://{self.host}"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self._thread.start()

    def serve(self, path: str, document: dict[str, Any]) -> None:
        """Publish a document at a path."""
        with self._lock:
            self.documents[path] = document

    def close(self) -> None:
        """Stop answering and free the port."""
        self.server.shutdown()
        self.server.server_close()
        self._thread.join(timeout=10)
