"""The plain-HTTP server started as `deploy/serve http` does (gunicorn), beside Daphne for the streaming API."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator

import pytest
import requests

from tests.live import ROOT, LiveInstance, free_port, live_instance, wait_for
from tests.websocket_client import HandshakeRefused, WebSocket

pytestmark = pytest.mark.live

METRICS_TOKEN = "metrics-token-for-the-http-test"
MINT = """
from datetime import timedelta
from members.actions.tokens import do_mint_token
from members.models import User
print(do_mint_token(User.objects.get(username="alice"), ["read"], valid_for=timedelta(days=1)).token)
"""


@pytest.fixture(scope="module")
def instance(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LiveInstance, str]]:
    """Yield an instance with Daphne on its port and gunicorn (two workers) on another, and the latter's base URL."""
    with live_instance(tmp_path_factory.mktemp("http") / "instance", name="http") as live:
        live.env["MUTUALS_METRICS_TOKEN"] = METRICS_TOKEN
        live.manage("createmember", "alice", "--password", "a sturdy passphrase")
        live.start_web()
        port = free_port()
        live.env.update({"MUTUALS_BIND": "127.0.0.1", "MUTUALS_PORT": str(port), "MUTUALS_HTTP_WORKERS": "2"})
        live._spawn("http", ["bash", str(ROOT / "deploy" / "serve"), "http"])
        base = f"http://127.0.0.1:{port}"

        def answers() -> bool:
            assert live.processes["http"].poll() is None, live.log("http")[-3000:]
            try:
                return requests.get(f"{base}/healthz", timeout=5).status_code == 200
            except requests.RequestException:
                return False

        wait_for(answers, timeout=120, message="gunicorn to answer /healthz")
        yield live, base


def test_api_pages_and_metrics_answer_from_every_worker(instance: tuple[LiveInstance, str]) -> None:
    live, base = instance
    token = live.shell(MINT)
    session = requests.Session()
    # Fresh connections, so that both workers answer some of the requests.
    session.headers["Connection"] = "close"
    for _ in range(6):
        response = session.get(
            f"{base}/api/v1/accounts/verify_credentials", headers={"Authorization": f"Bearer {token}"}
        )
        assert response.status_code == 200
        assert response.json()["username"] == "alice"
        assert response.headers["X-RateLimit-Limit"] == "300"
    assert session.get(f"{base}/api/v1/accounts/verify_credentials").status_code == 401
    page = session.get(f"{base}/@alice")
    assert page.status_code == 200
    assert "text/html" in page.headers["Content-Type"]

    metrics = session.get(f"{base}/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}"})
    assert metrics.status_code == 200
    counted = [
        line
        for line in metrics.text.splitlines()
        if line.startswith("mutuals_http_requests_total{")
        and 'route="api/v1/accounts/verify_credentials"' in line
        and 'status="200"' in line
    ]
    # Summed over the workers' files: every worker's counts are in one scrape.
    assert [float(line.rsplit(" ", 1)[1]) for line in counted] == [6.0]


def test_an_unsigned_inbox_post_is_refused_by_the_wsgi_view(instance: tuple[LiveInstance, str]) -> None:
    live, base = instance
    follow = {
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": "https://peer.example/follows/1",
        "type": "Follow",
        "actor": "https://peer.example/users/x",
        "object": f"{live.base_url}/users/alice",
    }
    response = requests.post(
        f"{base}/inbox",
        data=json.dumps(follow),
        headers={"Content-Type": "application/activity+json"},
        timeout=10,
    )
    assert response.status_code == 401, response.text
    assert "not signed" in response.json()["error"]


def test_the_streaming_api_still_answers_through_daphne(instance: tuple[LiveInstance, str]) -> None:
    live, _ = instance
    token = live.shell(MINT)
    assert live.get("/api/v1/streaming/health").text == "OK"

    async def open_stream(bearer: str) -> None:
        socket = await WebSocket.connect(f"ws://{live.domain}/api/v1/streaming?stream=user", token=bearer)
        await socket.close()

    asyncio.run(open_stream(token))
    with pytest.raises(HandshakeRefused):
        asyncio.run(open_stream("not-a-token"))
