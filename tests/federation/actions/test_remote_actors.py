"""Remote documents: URLs this server must never request are refused before any fetch; hostile JSON is refused."""

from __future__ import annotations

from typing import Any

import pytest
from pytest_django.fixtures import Settings as SettingsWrapper

from config.json_input import MAX_JSON_DEPTH
from federation.actions.remote_actors import (
    derived_username,
    do_delete_remote_actor,
    do_store_actor_document,
    fetch_actor,
    fetch_document,
)
from federation.activitypub.context import PUBLIC
from federation.errors import RemoteActorUnavailable
from federation.inbox import IgnoredActivity, dispatch
from federation.inbox.registry import read_activity
from federation.models import Actor, Tombstone
from federation.transport import Response
from tests.federation.network import FakeNetwork
from tests.fixtures import load_activitypub
from timeline.models import Status

REFUSED_URLS = [
    "https://user:pass@mastodon.example/users/dana/statuses/1",
    "https://dana@mastodon.example/users/dana/statuses/1",
    "http://mastodon.example/users/dana/statuses/1",
    "http://user:pass@localhost:8000/users/dana/statuses/1",
    "file:///etc/passwd",
    "gopher://mastodon.example/1",
]


@pytest.fixture
def dana(db: None) -> Actor:
    return do_store_actor_document(load_activitypub("mastodon/actor"))


def announce(actor: Actor, object_id: str) -> dict[str, Any]:
    return {
        "id": f"{actor.uri}/statuses/9/activity",
        "type": "Announce",
        "actor": actor.uri,
        "object": object_id,
        "to": [PUBLIC],
        "cc": [actor.followers_uri],
    }


@pytest.mark.django_db
@pytest.mark.parametrize("url", REFUSED_URLS)
def test_announce_of_a_refused_url_is_ignored_without_any_request(
    settings: SettingsWrapper, network: FakeNetwork, dana: Actor, url: str
) -> None:
    # Loopback federation allowed, as for instances under test: credentials and http elsewhere stay refused.
    # (An id that is no http(s) URI without credentials is refused when the Announce is read; the others
    # when the fetch is checked.)
    settings.MUTUALS_ALLOW_LOOPBACK_FEDERATION = True
    network.serve({"id": url, "type": "Note"}, url=url)
    with pytest.raises(IgnoredActivity, match=r"cannot be fetched|cannot be read"):
        dispatch(dana, read_activity(announce(dana, url)))
    assert network.fetches == []
    assert Status.objects.count() == 0


@pytest.mark.django_db
def test_reply_to_a_parent_with_credentials_is_stored_without_fetching_it(network: FakeNetwork, dana: Actor) -> None:
    create = load_activitypub("mastodon/create_note")
    create["object"]["inReplyTo"] = "https://user:pass@mastodon.example/users/dana/statuses/1"
    dispatch(dana, read_activity(create))
    status = Status.objects.get(uri=create["object"]["id"])
    assert status.in_reply_to is None
    assert network.fetches == []


@pytest.mark.django_db
@pytest.mark.parametrize("url", REFUSED_URLS)
def test_fetch_of_a_refused_url_raises_before_any_request(network: FakeNetwork, url: str) -> None:
    with pytest.raises(RemoteActorUnavailable, match="Refusing to contact"):
        fetch_document(url)
    with pytest.raises(RemoteActorUnavailable, match="Refusing to contact"):
        fetch_actor(url)
    assert network.fetches == []
    assert Actor.objects.filter(uri=url).count() == 0


@pytest.mark.django_db
@pytest.mark.parametrize(
    "body",
    [
        b"[" * 100_000 + b"]" * 100_000,
        b'{"id": "https://deep.example/users/x", "a": ' + b"[" * MAX_JSON_DEPTH + b"]" * MAX_JSON_DEPTH + b"}",
    ],
)
def test_deeply_nested_documents_are_refused_and_nothing_stored(monkeypatch: pytest.MonkeyPatch, body: bytes) -> None:
    url = "https://deep.example/users/x"

    def deep_document(uri: str, **kwargs: Any) -> Response:
        return Response(url=uri, status=200, body=body, content_type="application/activity+json")

    monkeypatch.setattr("federation.actions.remote_actors.signed_get", deep_document)
    with pytest.raises(RemoteActorUnavailable, match="nested deeper than"):
        fetch_actor(url)
    assert Actor.objects.filter(uri=url).count() == 0


@pytest.mark.django_db
def test_a_deleted_remote_account_goes_and_leaves_a_tombstone_and_a_local_one_is_refused(
    dana: Actor, alice: Actor
) -> None:
    do_delete_remote_actor(dana)
    assert not Actor.objects.filter(uri=dana.uri).exists()
    assert Tombstone.objects.filter(uri=dana.uri).exists()
    with pytest.raises(ValueError, match="Only a remote account"):
        do_delete_remote_actor(alice)
    assert Actor.objects.filter(pk=alice.pk).exists()


@pytest.mark.parametrize(
    ("actor_id", "username"),
    [
        ("https://relay.example/actor", "actor"),
        ("https://bridge.example/ap/did:plc:5hx2kq7tw3", "did_plc_5hx2kq7tw3"),
        ("https://bridge.example/ap/users/Zo%C3%AB-K./", "Zo_K"),
        ("https://solo.example/", "solo_example"),
        ("https://odd.example/%F0%9F%90%99", "actor"),
        (f"https://long.example/{'x' * 40}", "x" * 30),
    ],
)
def test_a_username_is_derived_from_the_last_segment_of_the_id(actor_id: str, username: str) -> None:
    assert derived_username(actor_id) == username


@pytest.mark.django_db
def test_actors_without_username_get_a_stable_name_unique_on_their_domain() -> None:
    relay = load_activitypub("relay/actor")
    first = do_store_actor_document(relay)
    assert first.username == "actor"
    other_id = "https://relay.example/v2/actor"
    second_document = {
        **relay,
        "id": other_id,
        "publicKey": {**relay["publicKey"], "id": f"{other_id}#main-key", "owner": other_id},
    }
    second = do_store_actor_document(second_document)
    assert second.username.startswith("actor_") and len(second.username) == 14
    # Fetched again, each keeps its name; the suffix comes from the id alone.
    assert do_store_actor_document(second_document).username == second.username
    assert do_store_actor_document(relay).username == "actor"
    assert Actor.objects.filter(domain="relay.example").count() == 2


@pytest.mark.django_db
def test_an_actor_that_later_publishes_a_username_takes_it() -> None:
    relay = load_activitypub("relay/actor")
    do_store_actor_document(relay)
    assert do_store_actor_document({**relay, "preferredUsername": "relay"}).username == "relay"
