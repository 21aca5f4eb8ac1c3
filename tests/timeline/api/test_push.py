"""The push subscription through the client API: Mastodon's one subscription per token, and every refusal."""

from __future__ import annotations

import socket
from typing import Any

import pytest
from django.test import Client
from oauth2_provider.models import AccessToken
from pytest_django.fixtures import Settings as SettingsWrapper

from config.vapid import vapid_public_key
from federation.models import Actor
from tests.clients import bearer
from tests.factories.oauth import AccessTokenFactory
from tests.push_service import Device
from timeline.entities.push import ALERT_TYPES
from timeline.models import PushSubscription

pytestmark = pytest.mark.django_db

URL = "/api/v1/push/subscription"
ENDPOINT = "http://127.0.0.1:9/push/device"


@pytest.fixture(autouse=True)
def _loopback_push_services(settings: SettingsWrapper) -> None:
    """Let endpoints on 127.0.0.1 through, as instances under test do; other tests turn it off."""
    settings.MUTUALS_ALLOW_LOOPBACK_FEDERATION = True


@pytest.fixture
def token(alice: Actor) -> AccessToken:
    """Return an access token of alice with the push scope only."""
    return AccessTokenFactory.create(user=alice.user, scope="push")


def _subscribe(token: AccessToken, device: Device, **extra: Any) -> Any:
    form = {
        "subscription[endpoint]": ENDPOINT,
        "subscription[keys][p256dh]": device.p256dh,
        "subscription[keys][auth]": device.auth_b64,
        **extra,
    }
    return Client().post(URL, form, headers=bearer(token.token))


def test_subscribe_show_update_and_delete(token: AccessToken) -> None:
    device = Device()
    created = _subscribe(
        token,
        device,
        **{"data[alerts][mention]": "true", "data[alerts][follow]": "1", "data[policy]": "followed"},
    )
    assert created.status_code == 200, created.content
    body = created.json()
    assert body == {
        "id": body["id"],
        "endpoint": ENDPOINT,
        "standard": False,
        "alerts": {kind: kind in {"mention", "follow"} for kind in ALERT_TYPES},
        "server_key": vapid_public_key(),
        "policy": "followed",
    }
    assert Client().get(URL, headers=bearer(token.token)).json() == body

    updated = (
        Client()
        .put(
            URL,
            {"data": {"alerts": {"favourite": True, "admin.report": True}, "policy": "all"}},
            content_type="application/json",
            headers=bearer(token.token),
        )
        .json()
    )
    # As in Mastodon, an update replaces the alerts: mention and follow are off now.
    assert [kind for kind, on in updated["alerts"].items() if on] == ["favourite", "admin.report"]
    assert updated["policy"] == "all"
    assert updated["id"] == body["id"]

    assert Client().delete(URL, headers=bearer(token.token)).json() == {}
    assert not PushSubscription.objects.exists()
    missing = Client().get(URL, headers=bearer(token.token))
    assert (missing.status_code, missing.json()) == (404, {"error": "Record not found"})


def test_a_new_subscription_replaces_the_tokens_earlier_one(token: AccessToken, alice: Actor) -> None:
    first = _subscribe(token, Device()).json()
    other_token = AccessTokenFactory.create(user=alice.user, scope="read push")
    other = _subscribe(other_token, Device()).json()
    second = _subscribe(token, Device(), **{"subscription[standard]": "true"}).json()
    assert second["id"] != first["id"]
    assert second["standard"] is True
    assert sorted(PushSubscription.objects.values_list("pk", flat=True)) == sorted(
        [int(other["id"]), int(second["id"])]
    )
    # Each token sees its own subscription only.
    assert Client().get(URL, headers=bearer(other_token.token)).json()["id"] == other["id"]


def test_json_body_with_padded_standard_base64_keys(token: AccessToken) -> None:
    """Mastodon.py sends keys in standard base64 with padding; they are stored unpadded base64url."""
    device = Device()
    padded = device.p256dh.replace("-", "+").replace("_", "/") + "="
    response = Client().post(
        URL,
        {
            "subscription": {"endpoint": ENDPOINT, "keys": {"p256dh": padded, "auth": device.auth_b64 + "=="}},
            "policy": "follower",
        },
        content_type="application/json",
        headers=bearer(token.token),
    )
    assert response.status_code == 200, response.content
    assert response.json()["policy"] == "follower"
    stored = PushSubscription.objects.get()
    assert (stored.key_p256dh, stored.key_auth) == (device.p256dh, device.auth_b64)


def test_revoking_the_token_ends_its_subscription(token: AccessToken) -> None:
    _subscribe(token, Device())
    token.delete()
    assert not PushSubscription.objects.exists()


def _assert_refused(response: Any, status: int, words: str) -> None:
    assert response.status_code == status, response.content
    assert words in response.json()["error"]


@pytest.mark.parametrize(
    ("endpoint", "words"),
    [
        ("https://10.0.0.5/push", "private or internal address"),
        ("https://192.168.1.20/push", "private or internal address"),
        ("https://169.254.169.254/latest", "private or internal address"),
        ("https://[fd00::1]/push", "private or internal address"),
        ("https://internal.example/push", "private or internal address"),
        ("http://push.example/push", "https URL"),
        ("https://user:pass@push.example/push", "https URL"),
        ("not a url", "https URL"),
        ("https://" + "a" * 2000 + ".example/", "longer than"),
    ],
)
def test_endpoints_refused_leave_nothing_stored(
    token: AccessToken, endpoint: str, words: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = socket.getaddrinfo

    def resolve(host: str, *args: Any, **kwargs: Any) -> Any:
        if host == "internal.example":
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("10.1.2.3", 443))]
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", resolve)
    response = _subscribe(token, Device(), **{"subscription[endpoint]": endpoint})
    _assert_refused(response, 422, words)
    assert response.json()["error"].startswith("Validation failed: ")
    assert not PushSubscription.objects.exists()


def test_loopback_endpoint_refused_unless_instances_under_test(token: AccessToken, settings: SettingsWrapper) -> None:
    settings.MUTUALS_ALLOW_LOOPBACK_FEDERATION = False
    _assert_refused(_subscribe(token, Device()), 422, "https URL")
    https_loopback = _subscribe(token, Device(), **{"subscription[endpoint]": "https://127.0.0.1/push"})
    _assert_refused(https_loopback, 422, "private or internal address")
    assert not PushSubscription.objects.exists()


@pytest.mark.parametrize(
    ("keys", "words"),
    [
        ({"subscription[keys][p256dh]": "bm90IGEga2V5"}, "p256dh is not a P-256 public key"),
        ({"subscription[keys][p256dh]": "B" + "A" * 86}, "p256dh is not a P-256 public key"),
        ({"subscription[keys][p256dh]": "!!!"}, "p256dh is not a P-256 public key"),
        ({"subscription[keys][auth]": "c2hvcnQ"}, "auth must be 16 bytes"),
        ({"subscription[keys][auth]": "%%%"}, "auth"),
    ],
)
def test_bad_keys_refused_leave_the_earlier_subscription(token: AccessToken, keys: dict[str, str], words: str) -> None:
    earlier = _subscribe(token, Device()).json()
    _assert_refused(_subscribe(token, Device(), **keys), 422, words)
    assert list(PushSubscription.objects.values_list("pk", flat=True)) == [int(earlier["id"])]


def test_missing_parameters_and_bad_settings_refused(token: AccessToken) -> None:
    missing = Client().post(URL, {"subscription[endpoint]": ENDPOINT}, headers=bearer(token.token))
    _assert_refused(missing, 400, "param is missing")
    _assert_refused(_subscribe(token, Device(), **{"data[policy]": "friends"}), 422, "Policy must be")
    _assert_refused(_subscribe(token, Device(), **{"data[alerts][mention]": "maybe"}), 422, "true or false")
    assert not PushSubscription.objects.exists()
    # Updating needs a subscription, and a valid policy.
    nothing = Client().put(
        URL, {"data": {"policy": "all"}}, content_type="application/json", headers=bearer(token.token)
    )
    assert nothing.status_code == 404
    _subscribe(token, Device(), **{"data[alerts][mention]": "true"})
    bad = Client().put(URL, {"data": {"policy": "x"}}, content_type="application/json", headers=bearer(token.token))
    _assert_refused(bad, 422, "Policy must be")
    stored = PushSubscription.objects.get()
    assert (stored.policy, stored.alerts) == ("all", {"mention": True})


def test_tokens_without_the_push_scope_are_refused(alice: Actor) -> None:
    token = AccessTokenFactory.create(user=alice.user, scope="read write follow")
    for method in ("get", "post", "put", "delete"):
        response = getattr(Client(), method)(URL, headers=bearer(token.token))
        _assert_refused(response, 403, "outside the authorized scopes")
    _assert_refused(_subscribe(token, Device()), 403, "outside the authorized scopes")
    _assert_refused(Client().get(URL), 401, "invalid")
    assert not PushSubscription.objects.exists()
