"""Remote statuses' attachments are referenced as MediaAttachment rows, within limits and sanitised."""

from __future__ import annotations

from typing import Any

import pytest

from federation.activitypub.incoming import parse_note
from tests.factories.federation import RemoteActorFactory
from timeline.actions.remote_statuses import do_store_remote_status, do_update_remote_status
from timeline.api.entities import status_entity
from timeline.models import MediaAttachment

pytestmark = pytest.mark.django_db

PUBLIC = "https://www.w3.org/ns/activitystreams#Public"


def note(author_uri: str, attachments: list[Any], suffix: str = "1") -> dict[str, Any]:
    return {
        "id": f"{author_uri}/statuses/{suffix}",
        "type": "Note",
        "attributedTo": author_uri,
        "content": "<p>Look</p>",
        "published": "2026-01-01T00:00:00Z",
        "to": [PUBLIC],
        "attachment": attachments,
    }


def document(n: int, **extra: Any) -> dict[str, Any]:
    return {"type": "Document", "mediaType": "image/jpeg", "url": f"https://files.example/{n}.jpg", **extra}


def test_attachments_are_referenced_not_downloaded() -> None:
    author = RemoteActorFactory.create()
    doc = note(
        author.uri,
        [
            document(1, name="A\x00 red\x07 tomato", blurhash="LEHV6nWB2yk8pyo0adR*.7kCMdnj", width=800, height=600),
            document(2, mediaType="application/x-msdownload"),
            document(3, mediaType="image/png; charset=evil"),
            document(4, blurhash="<script>", width=10**9, height=5),
            document(5, mediaType="video/mp4"),
            document(6, mediaType="audio/mpeg"),
            document(7),
        ],
    )
    status = do_store_remote_status(author, parse_note(doc))
    assert status is not None
    media = list(status.media.order_by("position"))
    # Unusable types are dropped, and at most four are kept, as Mastodon keeps.
    assert [m.remote_url for m in media] == [f"https://files.example/{n}.jpg" for n in (1, 4, 5, 6)]
    assert [m.type for m in media] == ["image", "image", "video", "audio"]
    assert all(m.file.name == "" and m.account_id == author.pk for m in media)
    assert media[0].description == "A red tomato"
    assert media[0].meta["original"]["aspect"] == 800 / 600
    assert media[1].blurhash == "" and media[1].meta == {}
    [first, *_] = status_entity(status, None)["media_attachments"]
    assert first["url"] == first["remote_url"] == "https://files.example/1.jpg"
    assert first["blurhash"] == "LEHV6nWB2yk8pyo0adR*.7kCMdnj"


def test_an_update_replaces_the_referenced_attachments() -> None:
    author = RemoteActorFactory.create()
    status = do_store_remote_status(author, parse_note(note(author.uri, [document(1), document(2)])))
    assert status is not None
    edited = note(author.uri, [document(3, name="new")])
    edited["updated"] = "2026-01-02T00:00:00Z"
    do_update_remote_status(author, parse_note(edited))
    assert list(MediaAttachment.objects.values_list("remote_url", "description")) == [
        ("https://files.example/3.jpg", "new")
    ]
