"""The inboxes' ASGI path: the same checks as the Django views, without the middleware; the rest goes to Django."""

from __future__ import annotations

import asyncio
import json
import threading
import time
from typing import Any

import pytest
from asgiref.sync import async_to_sync

from config.json_input import MAX_JSON_DEPTH
from federation.actions.inbox import MAX_BODY_BYTES, VerifiedActivity
from federation.keys import generate_key_pair
from federation.models import Actor, InboxItem, InboxRecipient
from federation.signatures import sign_request
from federation.views import inbox_asgi
from federation.views.inbox_asgi import Message, Receive, Scope, Send, inbox_fast_path
from tests.factories.federation import RemoteActorFactory
from tests.factories.keys import shared_test_key_pair
from tests.federation.views.test_inbox import note_create
from timeline.models import Follow, Mention, Status, Visibility

pytestmark = pytest.mark.django_db(transaction=True)


class DjangoStandIn:
    """Record what reaches the wrapped application and answer 418, so that delegation shows."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, str, bytes]] = []

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        message = await receive()
        self.calls.append((scope["method"], scope["path"], message.get("body", b"")))
        await send({"type": "http.response.start", "status": 418, "headers": []})
        await send({"type": "http.response.body", "body": b""})


async def send_through(
    app: Any, path: str, body: bytes, headers: dict[str, str], *, method: str = "POST", chunk: int | None = None
) -> tuple[int, bytes]:
    """Send one request through an ASGI application; return the status (0 if none) and the body."""
    pieces = [body[n : n + chunk] for n in range(0, len(body), chunk)] if chunk else [body]
    incoming: list[Message] = [
        {"type": "http.request", "body": piece, "more_body": n < len(pieces) - 1} for n, piece in enumerate(pieces)
    ]
    outgoing: list[Message] = []

    async def receive() -> Message:
        return incoming.pop(0) if incoming else {"type": "http.disconnect"}

    async def send(message: Message) -> None:
        outgoing.append(message)

    scope: Scope = {
        "type": "http",
        "method": method,
        "path": path,
        "query_string": b"",
        "headers": [(name.lower().encode(), value.encode()) for name, value in headers.items()],
    }
    await app(scope, receive, send)
    status = outgoing[0]["status"] if outgoing else 0
    return status, b"".join(message.get("body", b"") for message in outgoing[1:])


def call(
    path: str, body: bytes, headers: dict[str, str], *, method: str = "POST", chunk: int | None = None
) -> tuple[DjangoStandIn, int, bytes]:
    """Send one request through the wrapped application; return the stand-in, the status and the body."""
    django_app = DjangoStandIn()
    status, answer = async_to_sync(send_through)(
        inbox_fast_path(django_app), path, body, headers, method=method, chunk=chunk
    )
    return django_app, status, answer


def signed(
    path: str, activity: dict[str, Any], actor: Actor, *, key: str | None = None
) -> tuple[bytes, dict[str, str]]:
    body = json.dumps(activity).encode()
    headers = sign_request(
        "POST",
        f"http://localhost{path}",
        key_id=actor.key_id,
        private_key_pem=key or shared_test_key_pair().private_pem,
        body=body,
    )
    return body, {**headers, "Content-Type": "application/activity+json", "Content-Length": str(len(body))}


@pytest.fixture
def remote() -> Actor:
    return RemoteActorFactory.create(username="carol", domain="mastodon.example")


@pytest.mark.parametrize("path", ["/inbox", "/actor/inbox", "/users/alice/inbox"])
def test_signed_activity_is_stored_and_answered_202_without_django(alice: Actor, remote: Actor, path: str) -> None:
    body, headers = signed(path, note_create(remote), remote)
    django_app, status, answer = call(path, body, headers, chunk=100)
    assert (status, answer, django_app.calls) == (202, b"", [])
    item = InboxItem.objects.get()
    assert item.activity_id == f"{remote.uri}/statuses/1/activity"
    # Its processing was queued from the request's own thread, and ran (tasks run eagerly in tests).
    assert item.state == InboxItem.State.PROCESSED


def test_redelivery_is_answered_202_and_stored_once(remote: Actor) -> None:
    body, headers = signed("/inbox", note_create(remote), remote)
    assert call("/inbox", body, headers)[1] == 202
    assert call("/inbox", body, headers)[1] == 202
    assert InboxItem.objects.count() == 1


def test_personal_inboxes_are_recorded_as_recipients_and_a_second_one_is_served(alice: Actor, bob: Actor) -> None:
    author = RemoteActorFactory.create(username="moo", domain="bovine.example", followers_uri="")
    for follower in (alice, bob):
        Follow.objects.create(follower=follower, target=author, state=Follow.State.ACCEPTED)
    activity = note_create(author)
    activity["to"] = activity["object"]["to"] = ["https://bovine.example/endpoints/followers-of-moo"]
    activity["cc"] = activity["object"]["cc"] = []
    for path in ("/users/alice/inbox", "/users/bob/inbox", "/inbox"):
        body, headers = signed(path, activity, author)
        assert call(path, body, headers)[1] == 202
    assert InboxItem.objects.count() == 1
    assert set(InboxRecipient.objects.values_list("account_id", flat=True)) == {alice.pk, bob.pk}
    status = Status.objects.get(uri=activity["object"]["id"])
    assert status.visibility == Visibility.LIMITED
    assert set(Mention.objects.filter(status=status, silent=True).values_list("account_id", flat=True)) == {
        alice.pk,
        bob.pk,
    }
    assert alice.home_entries.filter(status=status).exists() and bob.home_entries.filter(status=status).exists()


def test_bad_signature_is_refused_with_the_views_error_and_nothing_stored(remote: Actor) -> None:
    body, headers = signed("/inbox", note_create(remote), remote, key=generate_key_pair().private_pem)
    django_app, status, answer = call("/inbox", body, headers)
    assert status == 401
    assert "does not verify" in json.loads(answer)["error"]
    assert django_app.calls == []
    assert InboxItem.objects.count() == 0


def test_signature_over_another_path_is_refused(remote: Actor) -> None:
    body, headers = signed("/users/alice/inbox", note_create(remote), remote)
    _, status, answer = call("/inbox", body, headers)
    assert status == 401 and "does not verify" in json.loads(answer)["error"]
    assert InboxItem.objects.count() == 0


@pytest.mark.parametrize("declare", [True, False])
def test_oversize_body_is_refused_before_it_is_read_whole(remote: Actor, declare: bool) -> None:
    body = b"x" * (MAX_BODY_BYTES + 10)
    headers = {"Host": "localhost", "Content-Length": str(len(body))} if declare else {"Host": "localhost"}
    django_app, status, answer = call("/inbox", body, headers, chunk=64 * 1024)
    assert status == 413 and "larger than" in json.loads(answer)["error"]
    assert django_app.calls == [] and InboxItem.objects.count() == 0


def test_unknown_accounts_inbox_goes_to_django_with_its_body(remote: Actor) -> None:
    body, headers = signed("/users/nobody/inbox", note_create(remote), remote)
    django_app, status, _ = call("/users/nobody/inbox", body, headers, chunk=100)
    assert status == 418
    assert django_app.calls == [("POST", "/users/nobody/inbox", body)]
    assert InboxItem.objects.count() == 0


@pytest.mark.parametrize(
    ("method", "path", "host"),
    [("GET", "/inbox", "localhost"), ("POST", "/inbox", "evil.example"), ("POST", "/inboxes", "localhost")],
)
def test_other_requests_go_to_django_unchanged(remote: Actor, method: str, path: str, host: str) -> None:
    body, headers = signed("/inbox", note_create(remote), remote)
    django_app, status, _ = call(path, body, {**headers, "Host": host}, method=method)
    assert status == 418
    assert django_app.calls == [(method, path, body)]
    assert InboxItem.objects.count() == 0


def test_activities_verified_while_a_batch_is_written_are_stored_together_next(
    remote: Actor, monkeypatch: pytest.MonkeyPatch
) -> None:
    batches: list[int] = []
    writing = threading.Event()
    real_store = inbox_asgi._store

    def store(activities: list[VerifiedActivity]) -> None:
        if not writing.is_set():
            writing.set()
            # Hold the first batch until the other requests wait for the next one.
            deadline = time.monotonic() + 30
            while sum(len(storer._waiting) for storer in list(inbox_asgi._storers.values())) < 4:
                assert time.monotonic() < deadline, "the other requests never queued"
                time.sleep(0.01)
        batches.append(len(activities))
        real_store(activities)

    monkeypatch.setattr(inbox_asgi, "_store", store)
    app = inbox_fast_path(DjangoStandIn())
    requests = [signed("/inbox", note_create(remote, note_id=f"{remote.uri}/statuses/{n}"), remote) for n in range(5)]

    async def one(body: bytes, headers: dict[str, str]) -> int:
        status, _ = await send_through(app, "/inbox", body, headers)
        return int(status)

    async def all_at_once() -> list[int]:
        first = asyncio.ensure_future(one(*requests[0]))
        # The others arrive once the first is being written.
        while not writing.is_set() and not first.done():
            await asyncio.sleep(0.01)
        others = asyncio.gather(*(one(*request) for request in requests[1:]))
        return [await first, *await others]

    assert async_to_sync(all_at_once)() == [202] * 5
    assert batches == [1, 4]
    assert InboxItem.objects.count() == 5


def batches_of(remote: Actor, monkeypatch: pytest.MonkeyPatch, count: int) -> tuple[list[int], float]:
    """Send `count` activities at once; return the sizes of the batches stored, and the seconds it took."""
    batches: list[int] = []
    real_store = inbox_asgi._store

    def store(activities: list[VerifiedActivity]) -> None:
        batches.append(len(activities))
        real_store(activities)

    monkeypatch.setattr(inbox_asgi, "_store", store)
    app = inbox_fast_path(DjangoStandIn())
    requests = [
        signed("/inbox", note_create(remote, note_id=f"{remote.uri}/statuses/{n}"), remote) for n in range(count)
    ]

    async def all_at_once() -> list[int]:
        answers = await asyncio.gather(*(send_through(app, "/inbox", body, headers) for body, headers in requests))
        return [int(status) for status, _ in answers]

    started = time.monotonic()
    assert async_to_sync(all_at_once)() == [202] * count
    return batches, time.monotonic() - started


def test_activities_arriving_within_the_linger_are_stored_in_one_batch(
    remote: Actor, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Long enough for every request of the burst to be verified before the first batch is written.
    monkeypatch.setattr(inbox_asgi, "STORE_LINGER_SECONDS", 2.0)
    batches, _ = batches_of(remote, monkeypatch, 4)
    assert batches == [4]
    assert InboxItem.objects.count() == 4


def test_a_full_batch_is_written_without_waiting_for_the_linger(remote: Actor, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(inbox_asgi, "STORE_LINGER_SECONDS", 30.0)
    monkeypatch.setattr(inbox_asgi, "STORE_BATCH", 1)
    batches, seconds = batches_of(remote, monkeypatch, 2)
    assert batches == [1, 1]
    assert seconds < 20
    assert InboxItem.objects.count() == 2


@pytest.mark.parametrize(
    "body",
    [
        b"[" * 100_000 + b"]" * 100_000,
        b'{"type": "Create", "object": ' + b"[" * MAX_JSON_DEPTH + b"]" * MAX_JSON_DEPTH + b"}",
    ],
)
def test_deeply_nested_body_is_answered_400_and_nothing_stored(remote: Actor, body: bytes) -> None:
    headers = sign_request(
        "POST",
        "http://localhost/inbox",
        key_id=remote.key_id,
        private_key_pem=shared_test_key_pair().private_pem,
        body=body,
    )
    django_app, status, answer = call("/inbox", body, {**headers, "Content-Type": "application/activity+json"})
    assert (status, django_app.calls) == (400, [])
    assert "nested deeper than" in json.loads(answer)["error"]
    assert InboxItem.objects.count() == 0
