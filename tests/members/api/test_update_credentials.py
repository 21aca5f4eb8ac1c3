"""Editing one's profile through update_credentials; refusals change nothing and send nothing."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.test.client import encode_multipart
from PIL import Image
from pytest_django import DjangoCaptureOnCommitCallbacks as CaptureHooks

from federation.models import Actor, Delivery, OutboundActivity
from tests.clients import bearer_for
from tests.factories.federation import RemoteActorFactory
from tests.factories.timeline import FollowFactory
from tests.timeline.media_files import image_bytes, png_claiming

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse

pytestmark = pytest.mark.django_db

BOUNDARY = "ProfileBoundary"


def patch(actor: Actor, data: dict[str, object], *, scope: str = "read write follow") -> _MonkeyPatchedWSGIResponse:
    """Send update_credentials as multipart, as Mastodon clients do."""
    return Client().patch(
        "/api/v1/accounts/update_credentials",
        encode_multipart(BOUNDARY, data),
        content_type=f"multipart/form-data; boundary={BOUNDARY}",
        headers=bearer_for(actor, scope=scope),
    )


def profile_of(actor: Actor) -> tuple[object, ...]:
    """Return everything update_credentials may change, to compare before and after."""
    actor.refresh_from_db()
    return (
        actor.display_name,
        actor.summary,
        actor.fields,
        actor.locked,
        actor.bot,
        actor.discoverable,
        actor.avatar.name,
        actor.header.name,
    )


def test_update_profile_with_images_and_fields(alice: Actor) -> None:
    follower = RemoteActorFactory.create()
    FollowFactory.create(follower=follower, target=alice)
    response = patch(
        alice,
        {
            "display_name": "Alice Liddell",
            "note": "Curiouser & curiouser\nhttps://wonder.example",
            "locked": "true",
            "bot": "false",
            "discoverable": "false",
            "fields_attributes[0][name]": "Pronouns",
            "fields_attributes[0][value]": "she/her",
            "fields_attributes[1][name]": "Site",
            "fields_attributes[1][value]": "https://alice.example",
            "avatar": SimpleUploadedFile("me.png", image_bytes(800, 600, fmt="JPEG", orientation=6)),
            "header": SimpleUploadedFile("h.png", image_bytes(3000, 1200)),
        },
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["display_name"] == "Alice Liddell"
    assert body["locked"] is True and body["discoverable"] is False
    assert "Curiouser &amp; curiouser<br>" in body["note"] and 'href="https://wonder.example"' in body["note"]
    assert body["source"]["note"] == "Curiouser & curiouser\nhttps://wonder.example"
    assert [f["name"] for f in body["fields"]] == ["Pronouns", "Site"]
    assert 'href="https://alice.example"' in body["fields"][1]["value"]
    assert body["source"]["fields"][1]["value"] == "https://alice.example"
    assert body["avatar"] == body["avatar_static"] and "/media/avatars/" in body["avatar"]
    assert "me" not in Path(body["avatar"]).stem
    assert "/media/headers/" in body["header"]
    alice.refresh_from_db()
    with Image.open(Path(settings.MEDIA_ROOT) / alice.avatar.name) as avatar:
        assert avatar.size == (400, 400)
        assert not avatar.getexif()
    with Image.open(Path(settings.MEDIA_ROOT) / alice.header.name) as header:
        assert header.size == (1500, 500)
    # The actor document carries the images, and followers' servers are told.
    [update] = OutboundActivity.objects.filter(activity_type="Update")
    assert update.body["object"]["icon"]["url"] == body["avatar"]
    assert update.body["object"]["image"]["url"] == body["header"]
    assert update.body["object"]["manuallyApprovesFollowers"] is True
    assert Delivery.objects.filter(activity=update, inbox=follower.shared_inbox_uri).exists()
    assert Client().get(f"/api/v1/accounts/{alice.pk}").json()["avatar"] == body["avatar"]


def test_fields_from_json_and_defaults_for_missing_images(alice: Actor) -> None:
    response = Client().patch(
        "/api/v1/accounts/update_credentials",
        json.dumps({"fields_attributes": [{"name": "Coop", "value": "<b>member</b>"}], "bot": True}),
        content_type="application/json",
        headers=bearer_for(alice, "read write follow"),
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["bot"] is True
    assert body["fields"][0]["value"] == "&lt;b&gt;member&lt;/b&gt;"
    assert body["avatar"].endswith("/static/api/missing.png")
    assert body["header"].endswith("/static/api/missing-header.png")


def test_a_new_avatar_replaces_the_old_file(alice: Actor, django_capture_on_commit_callbacks: CaptureHooks) -> None:
    patch(alice, {"avatar": SimpleUploadedFile("a.png", image_bytes())})
    alice.refresh_from_db()
    first = Path(settings.MEDIA_ROOT) / alice.avatar.name
    assert first.exists()
    with django_capture_on_commit_callbacks(execute=True):
        patch(alice, {"avatar": SimpleUploadedFile("b.png", image_bytes(fmt="JPEG"))})
    alice.refresh_from_db()
    assert not first.exists()
    assert (Path(settings.MEDIA_ROOT) / alice.avatar.name).exists()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"display_name": "x" * 31}, "Display name is too long"),
        ({"note": "x" * 501}, "Note is too long"),
        (
            {f"fields_attributes[{i}][{part}]": f"{part}{i}" for i in range(5) for part in ("name", "value")},
            "at most 4 fields",
        ),
        ({"fields_attributes[0][name]": "n" * 256}, "at most 255 characters"),
        ({"avatar": SimpleUploadedFile("a.png", b"GIF89a but not really")}, "Avatar"),
        ({"avatar": SimpleUploadedFile("a.sh", b"#!/bin/sh\n")}, "must be a JPEG, PNG, GIF or WebP"),
        ({"header": SimpleUploadedFile("bomb.png", png_claiming(9000, 9000))}, "too large"),
        ({"locked": "perhaps"}, "locked must be true or false"),
        ({"source[privacy]": "friends"}, "Default visibility must be one of"),
        ({"source[language]": "English"}, "Default language must be"),
    ],
)
def test_refused_changes_change_nothing(alice: Actor, data: dict[str, object], message: str) -> None:
    FollowFactory.create(follower=RemoteActorFactory.create(), target=alice)
    before = profile_of(alice)
    response = patch(alice, {"display_name": "Changed", **data})
    assert response.status_code == 422, response.content
    assert message in response.json()["error"]
    assert profile_of(alice) == before
    assert not OutboundActivity.objects.exists()
    root = Path(settings.MEDIA_ROOT)
    assert not root.exists() or not any(path.is_file() for path in root.rglob("*"))


def test_a_read_token_cannot_change_the_profile(alice: Actor) -> None:
    before = profile_of(alice)
    assert patch(alice, {"display_name": "Nope"}, scope="read").status_code == 403
    assert profile_of(alice) == before


def test_posting_defaults_are_stored_and_used_when_a_post_leaves_them_out(alice: Actor) -> None:
    response = patch(alice, {"source[privacy]": "unlisted", "source[sensitive]": "true", "source[language]": "fr"})
    assert response.status_code == 200, response.content
    assert response.json()["source"]["privacy"] == "unlisted"
    assert response.json()["source"]["language"] == "fr"
    preferences = Client().get("/api/v1/preferences", headers=bearer_for(alice, "read write follow")).json()
    assert preferences["posting:default:visibility"] == "unlisted"
    assert preferences["posting:default:sensitive"] is True
    assert preferences["posting:default:language"] == "fr"
    posted = (
        Client().post("/api/v1/statuses", {"status": "bonjour"}, headers=bearer_for(alice, "read write follow")).json()
    )
    assert posted["visibility"] == "unlisted"
    assert posted["language"] == "fr"
    chosen = (
        Client()
        .post(
            "/api/v1/statuses",
            {"status": "hello", "visibility": "public", "language": "en"},
            headers=bearer_for(alice, "read write follow"),
        )
        .json()
    )
    assert chosen["visibility"] == "public"
    assert chosen["language"] == "en"
