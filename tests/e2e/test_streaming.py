"""Streaming against a live instance: Mastodon.py's stream_user (SSE) and a WebSocket client.

In embedded mode the worker's fan-out reaches the web process through the
relay table; in services mode through Redis. Both must deliver in seconds.
"""

from __future__ import annotations

import asyncio
import json
import threading
from typing import Any

import pytest
from mastodon import Mastodon, StreamListener

from tests.e2e.test_client_api import OUT_OF_BAND, PASSWORD, SCOPES
from tests.live import LiveInstance, wait_for
from tests.websocket_client import HandshakeRefused, WebSocket

pytestmark = pytest.mark.live


class Collector(StreamListener):
    """Keep what a stream delivers."""

    def __init__(self) -> None:
        super().__init__()
        self.updates: list[dict[str, Any]] = []
        self.notifications: list[dict[str, Any]] = []
        self.lock = threading.Lock()

    def on_update(self, status: dict[str, Any]) -> None:
        """Keep a status."""
        with self.lock:
            self.updates.append(status)

    def on_notification(self, notification: dict[str, Any]) -> None:
        """Keep a notification."""
        with self.lock:
            self.notifications.append(notification)


def signed_in(instance: LiveInstance, client_id: str, client_secret: str, username: str) -> Mastodon:
    """Return a Mastodon.py client logged in as the member."""
    api = Mastodon(client_id=client_id, client_secret=client_secret, api_base_url=instance.base_url)
    api.log_in(username, PASSWORD, scopes=SCOPES, allow_http=True)
    return api


@pytest.mark.timeout(400)
def test_stream_user_receives_the_second_members_post_within_seconds(instance: LiveInstance) -> None:
    instance.manage("createmember", "alice", "--password", PASSWORD)
    instance.manage("createmember", "bob", "--password", PASSWORD)
    instance.start_web()
    instance.start_worker()
    client_id, client_secret = Mastodon.create_app(
        "Mutuals streaming", scopes=SCOPES, redirect_uris=OUT_OF_BAND, api_base_url=instance.base_url
    )
    alice = signed_in(instance, client_id, client_secret, "alice")
    bob = signed_in(instance, client_id, client_secret, "bob")
    bob.account_follow(alice.account_verify_credentials()["id"])
    assert instance.get("/api/v1/streaming/health").text == "OK"

    collector = Collector()
    handle = bob.stream_user(collector, run_async=True, reconnect_async=False)
    try:
        wait_for(handle.is_receiving, timeout=10, message="the user stream to open")
        posted = alice.status_post("Streaming hello from alice")
        wait_for(
            lambda: any(status["id"] == posted["id"] for status in collector.updates),
            timeout=10,
            message="alice's post on bob's user stream",
        )
        alice.status_favourite(bob.status_post("Bob's own words")["id"])
        wait_for(lambda: collector.notifications, timeout=10, message="the favourite notification")
        assert collector.notifications[0]["type"] == "favourite"
    finally:
        # Closing waits for the reader thread; a broken stream must fail the test, not hang it.
        closer = threading.Thread(target=handle.close, daemon=True)
        closer.start()
        closer.join(timeout=5)

    token = str(bob.access_token)
    websocket_url = instance.base_url.replace("http://", "ws://") + "/api/v1/streaming"

    async def over_websocket() -> None:
        with pytest.raises(HandshakeRefused):
            await WebSocket.connect(f"{websocket_url}?stream=user", token="not-a-token")
        socket = await WebSocket.connect(f"{websocket_url}?stream=public:local", subprotocol=token)
        assert socket.subprotocol == token
        await asyncio.to_thread(alice.status_post, "Over the socket #live")
        message = json.loads(await asyncio.wait_for(socket.receive_text(), 10))
        assert message["stream"] == ["public:local"]
        assert json.loads(message["payload"])["content"] == "<p>Over the socket #live</p>"
        await socket.close()

    asyncio.run(over_websocket())
