"""Note documents; outbox, followers, following, featured and hashtag collections; secure mode wants signatures."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import timezone
from pytest_django.fixtures import Settings as SettingsWrapper

from federation.activitypub.context import PUBLIC
from federation.models import Actor
from federation.signatures import sign_request
from federation.uris import base_url
from tests.factories.federation import RemoteActorFactory
from tests.factories.keys import shared_test_key_pair
from tests.factories.timeline import FollowFactory, StatusFactory
from timeline.models import FeaturedTag, Follow, Tag, Visibility

AP = {"accept": "application/activity+json"}


@pytest.mark.django_db
def test_outbox_pages_public_posts_as_create_activities(client: Client, alice: Actor) -> None:
    public = [StatusFactory.create(account=alice) for _ in range(21)]
    StatusFactory.create(account=alice, visibility=Visibility.PRIVATE)
    StatusFactory.create(account=alice, visibility=Visibility.DIRECT)
    collection = client.get("/users/alice/outbox", headers=AP).json()
    assert collection["type"] == "OrderedCollection"
    assert collection["totalItems"] == 21
    first = client.get(collection["first"].replace("https://localhost:8000", ""), headers=AP).json()
    assert first["type"] == "OrderedCollectionPage"
    assert [item["object"]["id"] for item in first["orderedItems"]] == [s.uri for s in reversed(public)][:20]
    assert all(item["type"] == "Create" for item in first["orderedItems"])
    second = client.get(first["next"].replace("https://localhost:8000", ""), headers=AP).json()
    assert [item["object"]["id"] for item in second["orderedItems"]] == [public[0].uri]
    assert "next" not in second


@pytest.mark.django_db
def test_followers_and_following_list_accepted_follows(client: Client, alice: Actor, bob: Actor) -> None:
    remote = RemoteActorFactory.create()
    FollowFactory.create(follower=remote, target=alice)
    FollowFactory.create(follower=bob, target=alice, state=Follow.State.PENDING)
    FollowFactory.create(follower=alice, target=bob)
    assert client.get("/users/alice/followers", headers=AP).json()["totalItems"] == 1
    assert client.get("/users/alice/followers?page=1", headers=AP).json()["orderedItems"] == [remote.uri]
    assert client.get("/users/alice/following?page=1", headers=AP).json()["orderedItems"] == [bob.uri]


@pytest.mark.django_db
def test_featured_lists_pinned_public_statuses(client: Client, alice: Actor) -> None:
    pinned = StatusFactory.create(account=alice, pinned_at=timezone.now())
    StatusFactory.create(account=alice)
    doc = client.get("/users/alice/collections/featured", headers=AP).json()
    assert doc["totalItems"] == 1
    assert doc["orderedItems"][0]["id"] == pinned.uri


@pytest.mark.django_db
def test_the_actor_names_its_featured_hashtags_collection(client: Client, alice: Actor) -> None:
    FeaturedTag.objects.create(account=alice, tag=Tag.objects.create(name="harvest"))
    actor = client.get("/users/alice", headers=AP).json()
    assert actor["featuredTags"] == f"{alice.uri}/collections/tags"
    doc = client.get("/users/alice/collections/tags", headers=AP).json()
    assert (doc["id"], doc["type"], doc["totalItems"]) == (actor["featuredTags"], "Collection", 1)
    assert doc["items"] == [{"type": "Hashtag", "href": f"{base_url()}/tags/harvest", "name": "#harvest"}]


@pytest.mark.django_db
def test_secure_mode_refuses_unsigned_fetches_but_serves_actors(
    client: Client, alice: Actor, settings: SettingsWrapper
) -> None:
    settings.MUTUALS_AUTHORIZED_FETCH = True
    status = StatusFactory.create(account=alice)
    path = f"/users/alice/statuses/{status.id}"
    assert client.get(path, headers=AP).status_code == 401
    assert client.get("/users/alice/outbox", headers=AP).status_code == 401
    assert client.get("/users/alice", headers=AP).status_code == 200
    remote = RemoteActorFactory.create()
    signed = sign_request(
        "GET", f"http://testserver{path}", key_id=remote.key_id, private_key_pem=shared_test_key_pair().private_pem
    )
    response = client.get(path, headers={**AP, **signed})
    assert response.status_code == 200
    assert response.json()["id"] == status.uri


@pytest.mark.django_db
def test_signed_fetch_of_a_followers_only_status_by_a_follower(client: Client, alice: Actor) -> None:
    status = StatusFactory.create(account=alice, visibility=Visibility.PRIVATE)
    follower = RemoteActorFactory.create()
    path = f"/users/alice/statuses/{status.id}"
    signed = sign_request(
        "GET", f"http://testserver{path}", key_id=follower.key_id, private_key_pem=shared_test_key_pair().private_pem
    )
    assert client.get(path, headers={**AP, **signed}).status_code == 404
    FollowFactory.create(follower=follower, target=alice)
    assert client.get(path, headers={**AP, **signed}).status_code == 200
    # A bad signature is refused outright.
    assert client.get(path, headers={**AP, **signed, "Date": "Mon, 01 Jan 2001 00:00:00 GMT"}).status_code == 401


@pytest.mark.django_db
def test_note_document(client: Client, alice: Actor) -> None:
    status = StatusFactory.create(
        account=alice, text="hi", content="<p>hi</p>", language="en", spoiler_text="cw", sensitive=True
    )
    for path in (f"/users/alice/statuses/{status.id}", f"/@alice/{status.id}"):
        doc = client.get(path, headers=AP).json()
        assert doc["id"] == status.uri
        assert doc["type"] == "Note"
        assert doc["attributedTo"] == alice.uri
        assert doc["content"] == "<p>hi</p>"
        assert doc["contentMap"] == {"en": "<p>hi</p>"}
        assert doc["summary"] == "cw"
        assert doc["sensitive"] is True
        assert doc["to"] == [PUBLIC]
        assert doc["cc"] == [alice.followers_uri]
        assert doc["published"].endswith("Z")


@pytest.mark.django_db
@pytest.mark.parametrize("visibility", [Visibility.PRIVATE, Visibility.DIRECT])
def test_unsigned_fetch_of_a_non_public_status_finds_nothing(client: Client, alice: Actor, visibility: str) -> None:
    status = StatusFactory.create(account=alice, visibility=visibility)
    assert client.get(f"/users/alice/statuses/{status.id}", headers=AP).status_code == 404
    assert client.get(f"/@alice/{status.id}").status_code == 404
