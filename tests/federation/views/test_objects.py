"""Actor documents, negotiated against HTML on the same URLs (Notes: `tests/timeline/activitypub/test_views.py`)."""

from __future__ import annotations

import pytest
from django.test import Client

from federation.activitypub.context import ACTIVITYSTREAMS
from federation.models import Actor
from tests.factories.timeline import StatusFactory

AP = {"accept": "application/activity+json"}
LD = {"accept": 'application/ld+json; profile="https://www.w3.org/ns/activitystreams"'}


@pytest.mark.django_db
@pytest.mark.parametrize("headers", [AP, LD])
def test_actor_document(client: Client, alice: Actor, headers: dict[str, str]) -> None:
    response = client.get("/users/alice", headers=headers)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/activity+json"
    doc = response.json()
    assert doc["@context"][0] == ACTIVITYSTREAMS
    assert doc["id"] == alice.uri
    assert doc["type"] == "Person"
    assert doc["preferredUsername"] == "alice"
    assert doc["inbox"] == f"{alice.uri}/inbox"
    assert doc["endpoints"] == {"sharedInbox": alice.shared_inbox_uri}
    assert doc["publicKey"] == {"id": f"{alice.uri}#main-key", "owner": alice.uri, "publicKeyPem": alice.public_key_pem}
    assert doc["manuallyApprovesFollowers"] is False
    assert "privateKey" not in str(doc) and "PRIVATE KEY" not in str(doc)


@pytest.mark.django_db
def test_profile_url_serves_the_actor_to_activitypub_clients(client: Client, alice: Actor) -> None:
    assert client.get("/@alice", headers=AP).json()["id"] == alice.uri
    html = client.get("/@alice")
    assert html.status_code == 200
    assert html["Content-Type"].startswith("text/html")


@pytest.mark.django_db
def test_browsers_are_sent_from_ids_to_pages(client: Client, alice: Actor) -> None:
    status = StatusFactory.create(account=alice)
    assert client.get("/users/alice")["Location"] == alice.url
    assert client.get(f"/users/alice/statuses/{status.id}")["Location"] == status.url


@pytest.mark.django_db
def test_unknown_actor_and_wrong_author_are_404(client: Client, alice: Actor, bob: Actor) -> None:
    status = StatusFactory.create(account=alice)
    assert client.get("/users/nobody", headers=AP).status_code == 404
    assert client.get(f"/users/bob/statuses/{status.id}", headers=AP).status_code == 404
