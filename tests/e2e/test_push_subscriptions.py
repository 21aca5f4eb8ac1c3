"""Web Push from an unmodified Mastodon.py against a live server and worker, to a stand-in push service."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from mastodon import Mastodon
from mastodon.errors import MastodonAPIError, MastodonNotFoundError

from tests.live import EMBEDDED_PASS_ONLY, LiveInstance, live_instance, wait_for
from tests.push_service import PushService, ReceivedPush, vapid_claims

pytestmark = [pytest.mark.live, EMBEDDED_PASS_ONLY]

OUT_OF_BAND = "urn:ietf:wg:oauth:2.0:oob"
SCOPES = ["read", "write", "follow", "push"]
PASSWORD = "a sturdy passphrase"


@dataclass
class Members:
    """The live instance, its push service and the signed-in clients of alice and bob."""

    instance: LiveInstance
    service: PushService
    alice: Mastodon
    bob: Mastodon
    client_id: str
    client_secret: str


@pytest.fixture(scope="module")
def members(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Members]:
    """Yield one running instance (web and worker) with alice and bob signed in through one app."""
    service = PushService()
    with live_instance(tmp_path_factory.mktemp("push") / "instance") as instance:
        for name in ("alice", "bob"):
            instance.manage("createmember", name, "--password", PASSWORD)
        instance.start_web()
        instance.start_worker()
        client_id, client_secret = Mastodon.create_app(
            "Pocket", scopes=SCOPES, redirect_uris=OUT_OF_BAND, api_base_url=instance.base_url
        )
        clients = []
        for name in ("alice", "bob"):
            client = Mastodon(client_id=client_id, client_secret=client_secret, api_base_url=instance.base_url)
            client.log_in(name, PASSWORD, scopes=SCOPES, allow_http=True)
            clients.append(client)
        yield Members(instance, service, clients[0], clients[1], client_id, client_secret)
    service.close()


def test_subscribe_show_update_and_unsubscribe(members: Members) -> None:
    alice = members.alice
    _, public = alice.push_subscription_generate_keys()
    server_key = alice.instance_v2()["configuration"]["vapid"]["public_key"]
    created = alice.push_subscription_set(
        members.service.endpoint("crud"), public, mention_events=True, follow_events=True, policy="follower"
    )
    assert created["server_key"] == server_key
    assert created["endpoint"] == members.service.endpoint("crud")
    assert created["policy"] == "follower"
    assert created["alerts"]["mention"] is True
    assert created["alerts"]["favourite"] is False
    assert alice.push_subscription()["id"] == created["id"]
    updated = alice.push_subscription_update(favourite_events=True, policy="none")
    assert (updated["alerts"]["favourite"], updated["alerts"]["mention"], updated["policy"]) == (True, False, "none")
    alice.push_subscription_delete()
    with pytest.raises(MastodonNotFoundError):
        alice.push_subscription()


def test_a_mention_is_pushed_and_a_gone_subscription_removed(members: Members) -> None:
    alice, bob, service = members.alice, members.bob, members.service
    private, public = alice.push_subscription_generate_keys()
    alice.push_subscription_set(service.endpoint("phone"), public, mention_events=True)
    server_key = alice.instance_v2()["configuration"]["vapid"]["public_key"]
    before = len(service.received)

    bob.status_post("@alice the seedlings are up")
    push: ReceivedPush = service.wait_for(before + 1, timeout=60)[before]
    assert push.path == "/push/phone"
    vapid_claims(push, server_key)
    payload = alice.push_subscription_decrypt_push(
        push.body, private, push.headers["encryption"], push.headers["crypto-key"]
    )
    notification = alice.notifications(types=["mention"])[0]
    assert payload["notification_type"] == "mention"
    assert str(payload["notification_id"]) == str(notification["id"])
    assert payload["title"] == "bob mentioned you"
    assert "seedlings are up" in payload["body"]
    assert payload["access_token"] == alice.access_token

    # The push service says the subscription is gone: it is deleted.
    service.status = 410
    bob.status_post("@alice and the beans")
    service.wait_for(before + 2, timeout=60)

    def gone() -> bool:
        try:
            alice.push_subscription()
        except MastodonNotFoundError:
            return True
        return False

    wait_for(gone, timeout=30, message="subscription deleted after 410")
    service.status = 201


def test_refused_subscriptions_store_nothing(members: Members) -> None:
    alice = members.alice
    _, public = alice.push_subscription_generate_keys()
    with pytest.raises(MastodonAPIError) as private_address:
        alice.push_subscription_set("https://10.0.0.1/push", public, mention_events=True)
    assert "private or internal address" in str(private_address.value)
    with pytest.raises(MastodonAPIError) as bad_key:
        alice.push_subscription_set(
            members.service.endpoint(), {"pubkey": b"not a point", "auth": public["auth"]}, mention_events=True
        )
    assert "p256dh" in str(bad_key.value)
    with pytest.raises(MastodonNotFoundError):
        alice.push_subscription()

    no_push = Mastodon(
        client_id=members.client_id, client_secret=members.client_secret, api_base_url=members.instance.base_url
    )
    no_push.log_in("alice", PASSWORD, scopes=["read", "write"], allow_http=True)
    with pytest.raises(MastodonAPIError) as scope:
        no_push.push_subscription_set(members.service.endpoint(), public, mention_events=True)
    assert "outside the authorized scopes" in str(scope.value)
    with pytest.raises(MastodonNotFoundError):
        alice.push_subscription()
