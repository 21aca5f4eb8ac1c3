"""A client posting a burst of statuses and retrying each with its Idempotency-Key, and an inbox that hears them.

The fault tests take the web process, PostgreSQL or Redis away while the
burst runs, then check that each key made exactly one status and that every
status reached its remote follower's inbox.
"""

from __future__ import annotations

import contextlib
import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import requests

from tests.e2e.database import query_one
from tests.live import LiveInstance, free_port

# A request that takes longer than this counts as hung: an outage must be answered, not waited out.
REQUEST_TIMEOUT = 10.0
RETRY_PAUSE = 0.3


class Inbox:
    """A remote follower's inbox on loopback: records the object of every Create it is sent, answers 202."""

    def __init__(self) -> None:
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.actor_uri = f"{self.base_url}/users/reader"
        self.created: list[str] = []
        self._lock = threading.Lock()
        inbox = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                with contextlib.suppress(ValueError, AttributeError):
                    activity = json.loads(body)
                    if activity.get("type") == "Create":
                        with inbox._lock:
                            inbox.created.append(str(activity["object"]["id"]))
                self.send_response(202)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                """Keep the test's output free of one line per delivery."""

        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self) -> Inbox:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    def received(self) -> set[str]:
        """Return the ids of the objects created so far."""
        with self._lock:
            return set(self.created)


def follow_from(instance: LiveInstance, inbox: Inbox, username: str) -> None:
    """Make the inbox's actor an accepted follower of the local member, so every public post is delivered to it."""
    instance.shell(
        "from federation.models import Actor; from timeline.models import Follow; "
        f"reader = Actor.objects.create(username='reader', domain='127.0.0.1:{inbox.port}', "
        f"uri='{inbox.actor_uri}', url='{inbox.actor_uri}', inbox_uri='{inbox.actor_uri}/inbox'); "
        f"Follow.objects.create(follower=reader, target=Actor.objects.get(username='{username}', domain=''), "
        "state=Follow.State.ACCEPTED)"
    )


@dataclass
class Outcome:
    """What became of one status the client meant to post once."""

    key: str
    text: str
    status_id: int | None = None
    answers: list[str] = field(default_factory=list)


@dataclass
class Burst:
    """Posts statuses one after another from a thread, each retried with its key until it is answered 200."""

    base_url: str
    token: str
    keys: list[str]
    deadline: float
    outcomes: list[Outcome] = field(default_factory=list)
    _thread: threading.Thread | None = None

    def _post(self, outcome: Outcome) -> None:
        headers = {"Authorization": f"Bearer {self.token}", "Idempotency-Key": outcome.key}
        while time.monotonic() < self.deadline:
            started = time.monotonic()
            try:
                response = requests.post(
                    f"{self.base_url}/api/v1/statuses",
                    data={"status": outcome.text, "visibility": "public"},
                    headers=headers,
                    timeout=REQUEST_TIMEOUT,
                )
            except requests.Timeout:
                outcome.answers.append("hung")
            except requests.ConnectionError:
                outcome.answers.append("no connection")
            else:
                answer = str(response.status_code)
                if response.status_code == 503:
                    answer += " " + str(response.json().get("error", ""))
                outcome.answers.append(answer)
                if response.status_code == 200:
                    outcome.status_id = int(response.json()["id"])
                    return
            # Never retry at once: a server that just refused deserves a moment.
            time.sleep(max(0.0, RETRY_PAUSE - (time.monotonic() - started)))

    def _run(self) -> None:
        for key in self.keys:
            outcome = Outcome(key=key, text=f"post {key}")
            self.outcomes.append(outcome)
            self._post(outcome)

    def start(self) -> Burst:
        """Start posting in a thread."""
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def answered(self) -> int:
        """Return how many statuses have been answered 200 so far."""
        return sum(1 for outcome in list(self.outcomes) if outcome.status_id is not None)

    def join(self) -> list[Outcome]:
        """Wait for the burst to end (it stops by itself at its deadline) and return its outcomes."""
        assert self._thread is not None
        self._thread.join(timeout=max(0.0, self.deadline - time.monotonic()) + REQUEST_TIMEOUT + 5)
        assert not self._thread.is_alive(), "the burst did not end by its deadline"
        return self.outcomes


def stored_texts(instance: LiveInstance) -> list[str]:
    """Return the text of every status stored, as the database has them."""
    aggregate = "json_agg(text)::text" if instance.backend == "services" else "json_group_array(text)"
    rows = query_one(instance, f"SELECT COALESCE({aggregate}, '[]') FROM timeline_status")  # noqa: S608 - no input
    return [str(text) for text in json.loads(rows)] if rows else []


def check_burst(instance: LiveInstance, inbox: Inbox, outcomes: list[Outcome], *, timeout: float) -> None:
    """Check that each key made one status, answered 200, and that each reached the follower's inbox."""
    unanswered = [(outcome.key, outcome.answers[-5:]) for outcome in outcomes if outcome.status_id is None]
    assert not unanswered, f"posts never answered 200: {unanswered}"
    errors = [(outcome.key, answer) for outcome in outcomes for answer in outcome.answers if answer[:3] == "500"]
    assert not errors, f"answered 500: {errors}"
    hung = [outcome.key for outcome in outcomes if "hung" in outcome.answers]
    assert not hung, f"requests hung for {REQUEST_TIMEOUT} s: {hung}"
    texts = stored_texts(instance)
    duplicated = sorted({text for text in texts if texts.count(text) > 1})
    missing = [outcome.text for outcome in outcomes if outcome.text not in texts]
    answers = [outcome.answers for outcome in outcomes if outcome.text in duplicated]
    assert not duplicated, f"posted twice: {duplicated}; answers: {answers}"
    assert not missing, f"answered 200 but not stored: {missing}"
    assert query_one(instance, "SELECT COUNT(*) FROM timeline_idempotencykey") == len(outcomes)
    uris = {f"{instance.base_url}/users/alice/statuses/{outcome.status_id}" for outcome in outcomes}

    def pending_fan_outs() -> int:
        return int(query_one(instance, "SELECT COUNT(*) FROM timeline_status WHERE fanned_out_at IS NULL"))

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and not (uris <= inbox.received() and pending_fan_outs() == 0):
        time.sleep(0.5)
    assert uris <= inbox.received(), f"{len(uris - inbox.received())} of {len(uris)} posts never delivered"
    assert pending_fan_outs() == 0
