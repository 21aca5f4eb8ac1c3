"""WebFinger, host-meta, NodeInfo and the instance actor."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client

from federation.models import Actor
from tests.factories.timeline import StatusFactory

AP = {"accept": "application/activity+json"}


@pytest.mark.django_db
def test_webfinger_finds_a_member_by_acct_and_by_uri(client: Client, alice: Actor) -> None:
    for resource in (f"acct:alice@{settings.MUTUALS_DOMAIN}", f"acct:ALICE@{settings.MUTUALS_DOMAIN}", alice.uri):
        response = client.get("/.well-known/webfinger", {"resource": resource})
        assert response.status_code == 200
        assert response["Content-Type"] == "application/jrd+json"
        assert response["Access-Control-Allow-Origin"] == "*"
        doc = response.json()
        assert doc["subject"] == f"acct:alice@{settings.MUTUALS_DOMAIN}"
        assert {"rel": "self", "type": "application/activity+json", "href": alice.uri} in doc["links"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("resource", "status"),
    [("", 400), ("acct:alice@elsewhere.example", 404), ("acct:nobody@localhost:8000", 404), ("mailto:x", 404)],
)
def test_webfinger_refuses_unknown_resources(client: Client, alice: Actor, resource: str, status: int) -> None:
    assert client.get("/.well-known/webfinger", {"resource": resource}).status_code == status


@pytest.mark.django_db
def test_instance_actor_is_an_application_with_a_key(client: Client) -> None:
    doc = client.get("/actor", headers=AP).json()
    assert doc["type"] == "Application"
    assert doc["publicKey"]["id"] == f"{doc['id']}#main-key"
    assert doc["endpoints"]["sharedInbox"].endswith("/inbox")
    finger = client.get("/.well-known/webfinger", {"resource": f"acct:instance@{settings.MUTUALS_DOMAIN}"}).json()
    assert finger["links"][1]["href"] == doc["id"]


@pytest.mark.django_db
def test_instance_actor_is_followable_for_the_transparency_log(client: Client) -> None:
    doc = client.get("/actor", headers=AP).json()
    # It accepts follows at once, so Mastodon must not show them as requests.
    assert doc["manuallyApprovesFollowers"] is False
    assert doc["followers"] == f"{doc['id']}/followers"
    log = doc["id"].removesuffix("/actor") + "/governance/log"
    assert doc["outbox"] == log
    assert doc["streams"] == [log]
    followers = client.get("/actor/followers", headers=AP).json()
    assert followers["type"] == "OrderedCollection"
    assert followers["totalItems"] == 0
    assert client.get(log, headers=AP).json()["type"] == "OrderedCollection"


def test_host_meta_points_to_webfinger(client: Client) -> None:
    response = client.get("/.well-known/host-meta")
    assert response["Content-Type"].startswith("application/xrd+xml")
    assert "/.well-known/webfinger?resource={uri}" in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("version", ["2.0", "2.1"])
def test_nodeinfo_names_the_software_and_counts_usage(client: Client, alice: Actor, version: str) -> None:
    StatusFactory.create(account=alice)
    links = client.get("/.well-known/nodeinfo").json()["links"]
    assert [link["href"].rsplit("/", 1)[1] for link in links] == ["2.0", "2.1"]
    response = client.get(f"/nodeinfo/{version}")
    assert response["Access-Control-Allow-Origin"] == "*"
    doc = response.json()
    assert doc["version"] == version
    assert doc["software"]["name"] == "mutuals"
    assert doc["software"]["version"] == settings.SOFTWARE_VERSION
    assert doc["protocols"] == ["activitypub"]
    assert doc["usage"]["users"] == {"total": 1, "activeMonth": 1, "activeHalfyear": 1}
    assert doc["usage"]["localPosts"] == 1
    assert client.get("/nodeinfo/3.0").status_code == 404
