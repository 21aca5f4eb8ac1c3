"""No web page, API entity or streaming payload sends a member's client to a remote host for media.

Remote accounts' avatars and headers and remote statuses' attachments are
served by a real media host on loopback. Both before the files are copied
here and after, every URL a client would load points at this server; only
Mastodon's `remote_url` records the origin.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client
from pytest_django.fixtures import Settings as SettingsWrapper

from federation.activitypub import Note, parse_as
from federation.models import Actor
from tests.clients import bearer_for
from tests.factories.federation import RemoteActorFactory
from tests.factories.timeline import FollowFactory
from tests.file_server import FileServer, file_server
from tests.timeline.media_files import image_bytes
from timeline.actions.remote_media import do_cache_actor_images, do_cache_status_media
from timeline.actions.remote_statuses import do_store_remote_status
from timeline.models import Status

pytestmark = pytest.mark.django_db

PUBLIC = "https://www.w3.org/ns/activitystreams#Public"
# Entity keys that name the origin on purpose, as Mastodon's do.
ORIGIN_KEYS = frozenset({"remote_url", "uri", "url"})
URL_ATTRIBUTES = re.compile(r'(?:src|href|srcset|poster|content)="([^"]*)"')


@pytest.fixture(scope="module")
def media_host() -> Iterator[FileServer]:
    """Serve a remote server's media from loopback for the whole module."""
    with file_server() as server:
        server.serve("/avatar.png", image_bytes(200, 200), "image/png")
        server.serve("/header.png", image_bytes(900, 300), "image/png")
        server.serve("/cat.jpg", image_bytes(320, 240, fmt="JPEG"), "image/jpeg")
        server.serve("/dog.png", image_bytes(240, 320), "image/png")
        yield server


@pytest.fixture
def streamed(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """Record every streaming message as a listener on any stream would receive it."""
    messages: list[dict[str, Any]] = []

    def record(groups: list[str], message: Any, *, narrowed: bool = False) -> None:
        messages.append(message() if callable(message) else message)

    monkeypatch.setattr("timeline.streaming.events.send_event", record)
    monkeypatch.setattr("timeline.streaming.relay.groups_with_listeners", list)
    return messages


def store_remote_posts(dana: Actor, alice: Actor, media_host: FileServer) -> Status:
    note = {
        "id": f"{dana.uri}/statuses/1",
        "type": "Note",
        "attributedTo": dana.uri,
        "content": '<p><span class="h-card"><a class="u-url mention" href="https://localhost:8000/@alice">@alice</a>'
        "</span> look at these</p>",
        "to": [PUBLIC],
        "tag": [{"type": "Mention", "href": alice.uri, "name": "@alice"}],
        "attachment": [
            {"type": "Document", "mediaType": "image/jpeg", "url": media_host.url("/cat.jpg"), "name": "A cat"},
            {"type": "Document", "mediaType": "image/png", "url": media_host.url("/dog.png")},
        ],
    }
    status = do_store_remote_status(dana, parse_as(Note, note))
    assert status is not None
    return status


def leaks_in_json(value: Any, origin: str, key: str = "") -> list[str]:
    """Return every string in a JSON value that names the origin, outside the keys meant to name it."""
    if isinstance(value, dict):
        return [leak for name, item in value.items() for leak in leaks_in_json(item, origin, name)]
    if isinstance(value, list):
        return [leak for item in value for leak in leaks_in_json(item, origin, key)]
    if isinstance(value, str) and origin in value and key not in ORIGIN_KEYS:
        return [f"{key}: {value}"]
    return []


def leaks_everywhere(
    alice: Actor, dana: Actor, status: Status, streamed: list[dict[str, Any]], origin: str
) -> dict[str, list[str]]:
    web = Client()
    assert alice.user is not None
    web.force_login(alice.user)
    api = Client(headers=bearer_for(alice))
    found: dict[str, list[str]] = {}
    for page in ("/home", f"/statuses/{status.pk}", "/notifications", f"/accounts/{dana.pk}"):
        answer = web.get(page)
        assert answer.status_code == 200, page
        urls = URL_ATTRIBUTES.findall(answer.content.decode())
        if page != "/notifications":
            # The attachments are on the page, served from here.
            assert sum("/media_proxy/" in url or "/media/media/" in url for url in urls) >= 2, page
        found[page] = [url for url in urls if origin in url]
    for path in (
        "/api/v1/timelines/home",
        f"/api/v1/statuses/{status.pk}",
        f"/api/v1/statuses/{status.pk}/context",
        "/api/v1/notifications",
        f"/api/v1/accounts/{dana.pk}",
        f"/api/v1/accounts/{dana.pk}/statuses",
    ):
        answer = api.get(path)
        assert answer.status_code == 200, path
        found[path] = leaks_in_json(answer.json(), origin)
    found["streaming"] = [
        leak for message in streamed for leak in leaks_in_json(json.loads(message["payload"]), origin)
    ]
    return found


def test_no_media_url_points_to_a_remote_host_before_or_after_copying(
    alice: Actor,
    media_host: FileServer,
    settings: SettingsWrapper,
    streamed: list[dict[str, Any]],
    django_capture_on_commit_callbacks: Any,
) -> None:
    origin = f"127.0.0.1:{media_host.port}"
    dana = RemoteActorFactory.create(
        avatar_remote_url=media_host.url("/avatar.png"), header_remote_url=media_host.url("/header.png")
    )
    FollowFactory.create(follower=alice, target=dana)
    # The copying cannot reach the host yet (loopback refused): the files are only referenced.
    settings.MUTUALS_ALLOW_LOOPBACK_FEDERATION = False
    with django_capture_on_commit_callbacks(execute=True):
        status = store_remote_posts(dana, alice, media_host)
    assert streamed, "the new status and the mention were streamed"
    assert not any(status.media.values_list("file", flat=True))
    assert any(json.loads(message["payload"]).get("media_attachments") for message in streamed)
    found = leaks_everywhere(alice, dana, status, streamed, origin)
    assert found == {key: [] for key in found}

    settings.MUTUALS_ALLOW_LOOPBACK_FEDERATION = True
    assert do_cache_status_media(status.pk) == 2
    assert do_cache_actor_images(dana.pk) == ["avatar", "header"]
    streamed.clear()
    with django_capture_on_commit_callbacks(execute=True):
        store_remote_posts(dana, alice, media_host)  # stored before: nothing new is streamed
    found = leaks_everywhere(alice, dana, status, streamed, origin)
    assert found == {key: [] for key in found}
    # The origin is still recorded where Mastodon records it.
    media = json.loads(Client(headers=bearer_for(alice)).get(f"/api/v1/statuses/{status.pk}").content)
    assert [item["remote_url"] for item in media["media_attachments"]] == [
        media_host.url("/cat.jpg"),
        media_host.url("/dog.png"),
    ]
    assert all(item["url"].startswith("https://localhost:8000/media/") for item in media["media_attachments"])
