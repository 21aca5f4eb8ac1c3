"""A stand-in for other servers: documents to serve and a record of what was posted.

Tests never reach the network: fetches and deliveries go to this object.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import pytest

from federation.transport import Response, TransportError


@dataclass
class FakeNetwork:
    """Documents by URL that signed GETs return, and the signed POSTs made."""

    documents: dict[str, dict[str, Any]] = field(default_factory=dict)
    posts: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    fetches: list[str] = field(default_factory=list)
    post_status: int = 202
    unreachable: set[str] = field(default_factory=set)

    def serve(self, document: dict[str, Any], url: str | None = None) -> None:
        """Serve a document at its id (or another URL, to test origin checks)."""
        self.documents[url or document["id"]] = document

    def get(self, url: str, **kwargs: Any) -> Response:
        self.fetches.append(url)
        if url in self.unreachable:
            raise TransportError(f"GET {url} failed: connection refused")
        document = self.documents.get(url.split("#", 1)[0])
        if document is None:
            return Response(url=url, status=404, body=b"{}", content_type="application/json")
        return Response(
            url=url, status=200, body=json.dumps(document).encode(), content_type="application/activity+json"
        )

    def post(self, url: str, body: bytes, **kwargs: Any) -> Response:
        if url in self.unreachable:
            raise TransportError(f"POST {url} failed: connection refused")
        self.posts.append((url, json.loads(body)))
        return Response(url=url, status=self.post_status, body=b"", content_type="")

    def posted(self, kind: str) -> list[dict[str, Any]]:
        """Return the posted activities of a type."""
        return [activity for _, activity in self.posts if activity.get("type") == kind]


@pytest.fixture
def network(monkeypatch: pytest.MonkeyPatch) -> FakeNetwork:
    """Route every federation fetch and delivery of the test to a FakeNetwork."""
    fake = FakeNetwork()
    monkeypatch.setattr("federation.actions.remote_actors.signed_get", fake.get)
    monkeypatch.setattr("federation.actions.deliveries.signed_post", fake.post)
    # Host states are cached per process; each test starts from the database.
    monkeypatch.setattr("federation.actions.deliveries._host_cache", {})
    # So are the inbox's signing actors.
    monkeypatch.setattr("federation.actions.inbox._signers", {})
    return fake
