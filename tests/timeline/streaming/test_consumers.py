"""The streaming WebSocket: authentication, subscriptions, and who receives which event."""

from __future__ import annotations

import json

import channels.consumer
import pytest
from channels.db import database_sync_to_async
from channels.routing import URLRouter
from channels.testing import WebsocketCommunicator
from oauth2_provider.models import AccessToken

from config.routing import websocket_urlpatterns
from federation.models import Actor
from tests.factories.federation import LocalActorFactory
from tests.factories.timeline import BlockFactory, FollowFactory, StatusFactory
from tests.timeline.streaming.conftest import apost, decoded, run, token_for
from timeline.actions.interactions import do_favourite
from timeline.actions.statuses import check_edit_status, do_delete_status, do_edit_status
from timeline.models import List, ListAccount, Mute, Status

pytestmark = pytest.mark.django_db(transaction=True)

application = URLRouter(websocket_urlpatterns)


def communicator(query: str = "", *, token: str = "", subprotocol: str = "") -> WebsocketCommunicator:
    """Return a client of the streaming endpoint presenting the token as told."""
    headers = [(b"authorization", f"Bearer {token}".encode())] if token else []
    return WebsocketCommunicator(
        application,
        f"/api/v1/streaming{query}",
        headers=headers,
        subprotocols=[subprotocol] if subprotocol else None,
    )


def test_header_subprotocol_and_query_tokens_open_the_user_stream(alice: Actor, bob: Actor) -> None:
    FollowFactory.create(follower=bob, target=alice)
    token = token_for(bob)

    async def scenario() -> None:
        clients = [
            communicator("?stream=user", token=token),
            communicator("?stream=user", subprotocol=token),
            communicator(f"?stream=user&access_token={token}"),
        ]
        for client in clients:
            assert (await client.connect())[0]
        status = await apost(alice, "hello followers")
        for client in clients:
            message = await client.receive_json_from(timeout=5)
            assert message["stream"] == ["user"]
            assert message["event"] == "update"
            assert decoded(message)["id"] == str(status.pk)
            await client.disconnect()

    run(scenario)


def test_the_subprotocol_token_is_echoed(bob: Actor) -> None:
    token = token_for(bob)

    async def scenario() -> None:
        client = communicator(subprotocol=token)
        connected, subprotocol = await client.connect()
        assert connected
        assert subprotocol == token
        await client.disconnect()

    run(scenario)


@pytest.mark.parametrize("query", ["?stream=public", ""])
def test_an_invalid_or_revoked_token_is_refused(bob: Actor, query: str) -> None:
    token = token_for(bob)
    AccessToken.objects.filter(user=bob.user).delete()

    async def scenario() -> None:
        for client in (communicator(query, token=token), communicator(query, token="not-a-token")):
            connected, _ = await client.connect()
            assert not connected

    run(scenario)


def test_user_streams_need_a_token_with_a_read_scope(alice: Actor, bob: Actor) -> None:
    write_only = token_for(bob, scope="write")
    notifications_only = token_for(bob, scope="read:notifications")

    async def scenario() -> None:
        anonymous = communicator("?stream=user")
        assert not (await anonymous.connect())[0]
        writer = communicator("?stream=user", token=write_only)
        assert not (await writer.connect())[0]
        # A connection without a stream may still be refused per subscription.
        client = communicator(token=notifications_only)
        assert (await client.connect())[0]
        await client.send_json_to({"type": "subscribe", "stream": "user"})
        refusal = await client.receive_json_from(timeout=5)
        assert refusal["status"] == 401
        await client.send_json_to({"type": "subscribe", "stream": "user:notification"})
        assert await client.receive_nothing(timeout=0.2)
        await apost(alice, "not for a notifications-only token")
        assert await client.receive_nothing(timeout=0.3)
        await client.disconnect()

    run(scenario)


def test_subscribe_and_unsubscribe_public_and_hashtag_streams(alice: Actor) -> None:
    async def scenario() -> None:
        client = communicator()
        assert (await client.connect())[0]
        await client.send_json_to({"type": "subscribe", "stream": "public"})
        await client.send_json_to({"type": "subscribe", "stream": "hashtag", "tag": "Coop"})
        await client.send_json_to({"type": "subscribe", "stream": "public:remote"})
        # Subscriptions are not acknowledged; give the consumer a moment to join.
        assert await client.receive_nothing(timeout=0.3)
        status = await apost(alice, "meeting tonight #coop")
        received = [await client.receive_json_from(timeout=5) for _ in range(2)]
        assert sorted(tuple(message["stream"]) for message in received) == [("hashtag", "Coop"), ("public",)]
        for message in received:
            # The payload is a JSON string inside the JSON message.
            assert isinstance(message["payload"], str)
            assert json.loads(message["payload"])["id"] == str(status.pk)
        assert await client.receive_nothing(timeout=0.2)
        await client.send_json_to({"type": "unsubscribe", "stream": "public"})
        await client.send_json_to({"type": "unsubscribe", "stream": "hashtag", "tag": "coop"})
        assert await client.receive_nothing(timeout=0.3)
        await apost(alice, "after unsubscribing #coop")
        assert await client.receive_nothing(timeout=0.3)
        await client.disconnect()

    run(scenario)


def test_bad_messages_and_unknown_streams_get_errors(bob: Actor) -> None:
    async def scenario() -> None:
        refused = communicator("?stream=nonsense")
        assert not (await refused.connect())[0]
        client = communicator()
        assert (await client.connect())[0]
        await client.send_to(text_data="{not json")
        assert (await client.receive_json_from(timeout=5))["status"] == 400
        # A message nested 100,000 levels deep is answered like any bad one, and the socket stays open.
        await client.send_to(text_data="[" * 100_000 + "]" * 100_000)
        deep = await client.receive_json_from(timeout=5)
        assert deep["status"] == 400 and "larger than" in deep["error"]
        await client.send_to(text_data='{"type": "subscribe", "stream": ' + "[" * 100 + "]" * 100 + "}")
        deep = await client.receive_json_from(timeout=5)
        assert deep["status"] == 400 and "nested deeper than" in deep["error"]
        await client.send_json_to({"type": "subscribe", "stream": "nonsense"})
        assert (await client.receive_json_from(timeout=5)) == {"error": "Unknown stream type", "status": 400}
        await client.send_json_to({"type": "subscribe", "stream": "hashtag"})
        assert (await client.receive_json_from(timeout=5))["error"] == "No tag for stream provided"
        await client.send_json_to({"type": "subscribe", "stream": "direct"})
        assert (await client.receive_json_from(timeout=5))["status"] == 401
        await client.disconnect()

    run(scenario)


def test_a_private_status_never_reaches_a_non_follower(alice: Actor, bob: Actor) -> None:
    carol = LocalActorFactory.create()
    FollowFactory.create(follower=carol, target=alice)
    bob_token, carol_token = token_for(bob), token_for(carol)

    async def scenario() -> None:
        bob_client = communicator("?stream=user", token=bob_token)
        carol_client = communicator("?stream=user", token=carol_token)
        public = communicator("?stream=public", token=bob_token)
        for client in (bob_client, carol_client, public):
            assert (await client.connect())[0]
        status = await apost(alice, "followers only", "private")
        message = await carol_client.receive_json_from(timeout=5)
        assert decoded(message)["id"] == str(status.pk)
        assert await bob_client.receive_nothing(timeout=0.3)
        assert await public.receive_nothing(timeout=0.1)
        for client in (bob_client, carol_client, public):
            await client.disconnect()

    run(scenario)


def test_blocked_and_muted_authors_do_not_reach_public_streams(alice: Actor, bob: Actor) -> None:
    carol = LocalActorFactory.create()
    BlockFactory.create(account=bob, target=alice)
    Mute.objects.create(account=carol, target=alice)
    tokens = [token_for(bob), token_for(carol)]

    async def scenario() -> None:
        anonymous = communicator("?stream=public")
        hidden = [communicator("?stream=public", token=token) for token in tokens]
        for client in (anonymous, *hidden):
            assert (await client.connect())[0]
        await apost(alice, "public words")
        assert (await anonymous.receive_json_from(timeout=5))["event"] == "update"
        for client in hidden:
            assert await client.receive_nothing(timeout=0.2)
        for client in (anonymous, *hidden):
            await client.disconnect()

    run(scenario)


def test_delete_sends_the_bare_id_and_edit_sends_status_update(alice: Actor, bob: Actor) -> None:
    FollowFactory.create(follower=bob, target=alice)
    token = token_for(bob)

    async def scenario() -> None:
        home = communicator("?stream=user", token=token)
        public = communicator("?stream=public")
        for client in (home, public):
            assert (await client.connect())[0]
        status = await apost(alice, "first draft")
        for client in (home, public):
            assert (await client.receive_json_from(timeout=5))["event"] == "update"

        def edit() -> None:
            fresh = Status.objects.get(pk=status.pk)
            do_edit_status(alice, fresh, check_edit_status(alice, fresh, text="second draft"))

        await database_sync_to_async(edit)()
        for client in (home, public):
            message = await client.receive_json_from(timeout=5)
            assert message["event"] == "status.update"
            assert "second draft" in decoded(message)["content"]

        await database_sync_to_async(lambda: do_delete_status(alice, Status.objects.get(pk=status.pk)))()
        for client in (home, public):
            message = await client.receive_json_from(timeout=5)
            assert message == {"stream": message["stream"], "event": "delete", "payload": str(status.pk)}
        for client in (home, public):
            await client.disconnect()

    run(scenario)


def test_notifications_reach_the_user_and_notification_streams(alice: Actor, bob: Actor) -> None:
    status = StatusFactory.create(account=bob)
    token = token_for(bob)
    statuses_only = token_for(bob, scope="read:statuses")

    async def scenario() -> None:
        user = communicator("?stream=user", token=token)
        notifications = communicator("?stream=user:notification", token=token)
        without_scope = communicator("?stream=user", token=statuses_only)
        for client in (user, notifications, without_scope):
            assert (await client.connect())[0]
        await database_sync_to_async(do_favourite)(alice, status)
        for client, stream in ((user, ["user"]), (notifications, ["user:notification"])):
            message = await client.receive_json_from(timeout=5)
            assert message["stream"] == stream
            assert message["event"] == "notification"
            notification = decoded(message)
            assert notification["type"] == "favourite"
            assert notification["account"]["id"] == str(alice.pk)
        assert await without_scope.receive_nothing(timeout=0.2)
        for client in (user, notifications, without_scope):
            await client.disconnect()

    run(scenario)


def test_direct_messages_reach_the_participants_direct_streams_only(alice: Actor, bob: Actor) -> None:
    carol = LocalActorFactory.create()
    FollowFactory.create(follower=carol, target=alice)
    bob_token, carol_token = token_for(bob), token_for(carol)

    async def scenario() -> None:
        bob_direct = communicator("?stream=direct", token=bob_token)
        carol_direct = communicator("?stream=direct", token=carol_token)
        for client in (bob_direct, carol_direct):
            assert (await client.connect())[0]
        status = await apost(alice, "@bob just between us", "direct")
        message = await bob_direct.receive_json_from(timeout=5)
        assert message["stream"] == ["direct"]
        assert message["event"] == "conversation"
        conversation = decoded(message)
        assert conversation["last_status"]["id"] == str(status.pk)
        assert [account["id"] for account in conversation["accounts"]] == [str(alice.pk)]
        assert await carol_direct.receive_nothing(timeout=0.3)
        for client in (bob_direct, carol_direct):
            await client.disconnect()

    run(scenario)


def test_list_streams_carry_their_members_statuses_to_the_owner_only(alice: Actor, bob: Actor) -> None:
    FollowFactory.create(follower=bob, target=alice)
    carol = LocalActorFactory.create()
    friends = List.objects.create(account=bob, title="Friends")
    ListAccount.objects.create(list=friends, account=alice)
    bob_token, carol_token = token_for(bob), token_for(carol)

    async def scenario() -> None:
        stolen = communicator(f"?stream=list&list={friends.pk}", token=carol_token)
        assert not (await stolen.connect())[0]
        client = communicator(f"?stream=list&list={friends.pk}", token=bob_token)
        assert (await client.connect())[0]
        status = await apost(alice, "for my listeners")
        message = await client.receive_json_from(timeout=5)
        assert message["stream"] == ["list", str(friends.pk)]
        assert decoded(message)["id"] == str(status.pk)
        await client.disconnect()

    run(scenario)


def test_stream_events_reach_the_client_without_a_trip_to_the_sync_thread(
    alice: Actor, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Channels would close stale database connections in the one sync thread
    # before every message; a thousand connections on a stream would queue there.
    trips: list[str] = []

    async def counted_trip() -> None:
        trips.append("trip")

    monkeypatch.setattr(channels.consumer, "aclose_old_connections", counted_trip)

    async def scenario() -> None:
        client = communicator("?stream=public")
        assert (await client.connect())[0]
        trips_to_connect = len(trips)
        status = await apost(alice, "no detour")
        message = await client.receive_json_from(timeout=5)
        assert decoded(message)["id"] == str(status.pk)
        assert len(trips) == trips_to_connect
        await client.disconnect()

    run(scenario)
