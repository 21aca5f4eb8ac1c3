"""Uploading, reading and describing media through the client API; refusals store nothing."""

from __future__ import annotations

import io
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.test.client import MULTIPART_CONTENT, encode_multipart
from PIL import Image
from pytest_django import DjangoCaptureOnCommitCallbacks as CaptureHooks

from federation.models import Actor
from tests.clients import bearer_for
from tests.timeline.media_files import image_bytes, mp4_bytes, png_claiming
from timeline import imaging
from timeline.actions import media as media_actions
from timeline.models import MediaAttachment

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse

pytestmark = pytest.mark.django_db

ENTITY_KEYS = {
    "id",
    "type",
    "url",
    "preview_url",
    "remote_url",
    "preview_remote_url",
    "text_url",
    "meta",
    "description",
    "blurhash",
}


def stored_files() -> list[Path]:
    """Return every file under the media folder."""
    root = Path(settings.MEDIA_ROOT)
    return [path for path in root.rglob("*") if path.is_file()] if root.exists() else []


def upload(
    actor: Actor, content: bytes, *, version: int = 1, name: str = "holiday.png", extra: dict[str, str] | None = None
) -> _MonkeyPatchedWSGIResponse:
    """Post a file as a client does, with a name and type of the client's choosing."""
    data: dict[str, object] = {"file": SimpleUploadedFile(name, content, content_type="image/png"), **(extra or {})}
    return Client().post(f"/api/v{version}/media", data, headers=bearer_for(actor, "read write follow"))


def stored_image(url: str) -> Image.Image:
    """Open the stored file behind a media URL."""
    relative = url.split(settings.MEDIA_URL, 1)[1]
    return Image.open(Path(settings.MEDIA_ROOT) / relative)


def test_v1_upload_returns_the_processed_entity(alice: Actor) -> None:
    response = upload(alice, image_bytes(64, 48), extra={"description": "A gradient", "focus": "0.5,-0.25"})
    assert response.status_code == 200, response.content
    body = response.json()
    assert set(body) == ENTITY_KEYS
    media = MediaAttachment.objects.get()
    assert body["id"] == str(media.pk)
    assert body["type"] == "image"
    assert body["url"].startswith("https://") and body["url"].endswith(".png")
    assert "holiday" not in body["url"] and "holiday" not in media.file.name
    assert body["preview_url"] != body["url"]
    assert body["remote_url"] is None and body["text_url"] is None
    assert body["description"] == "A gradient"
    assert body["meta"]["original"] == {"width": 64, "height": 48, "size": "64x48", "aspect": 64 / 48}
    assert body["meta"]["small"]["width"] == 64
    assert body["meta"]["focus"] == {"x": 0.5, "y": -0.25}
    assert body["blurhash"] and len(body["blurhash"]) >= 6
    assert media.state == MediaAttachment.State.READY and media.status is None
    assert stored_image(body["url"]).size == (64, 48)


def test_large_images_get_a_small_preview(alice: Actor) -> None:
    body = upload(alice, image_bytes(1600, 900, fmt="JPEG"), name="big.jpg").json()
    small = body["meta"]["small"]
    assert small["width"] * small["height"] <= imaging.SMALL_MATRIX
    assert abs(small["aspect"] - 1600 / 900) < 0.01
    assert stored_image(body["preview_url"]).size == (small["width"], small["height"])


def test_exif_is_stripped_and_its_orientation_applied(alice: Actor) -> None:
    # Orientation 6: the camera was turned; the pixels must be turned upright.
    body = upload(alice, image_bytes(64, 48, fmt="JPEG", orientation=6), name="photo.jpg").json()
    assert body["meta"]["original"]["width"] == 48 and body["meta"]["original"]["height"] == 64
    stored = stored_image(body["url"])
    assert stored.size == (48, 64)
    assert not stored.getexif()
    assert b"SecretCam" not in MediaAttachment.objects.get().file.read()


def test_the_type_comes_from_the_bytes_not_the_client(alice: Actor) -> None:
    # Sent as image/png named .png, but a JPEG: stored and served as a JPEG.
    body = upload(alice, image_bytes(fmt="JPEG")).json()
    assert body["url"].endswith(".jpg")
    assert MediaAttachment.objects.get().content_type == "image/jpeg"


def test_v2_processes_small_images_at_once(alice: Actor) -> None:
    response = upload(alice, image_bytes(), version=2)
    assert response.status_code == 200
    assert response.json()["url"]


def test_v2_defers_large_images_to_a_worker(
    alice: Actor, monkeypatch: pytest.MonkeyPatch, django_capture_on_commit_callbacks: CaptureHooks
) -> None:
    monkeypatch.setattr(media_actions, "SYNC_IMAGE_BYTES", 10)
    with django_capture_on_commit_callbacks() as callbacks:
        response = upload(alice, image_bytes(), version=2)
    assert response.status_code == 202
    body = response.json()
    assert body["url"] is None and body["preview_url"] is None
    reading = Client().get(f"/api/v1/media/{body['id']}", headers=bearer_for(alice, "read write follow"))
    assert reading.status_code == 206 and reading.json()["url"] is None
    for callback in callbacks:
        callback()
    done = Client().get(f"/api/v1/media/{body['id']}", headers=bearer_for(alice, "read write follow"))
    assert done.status_code == 200
    assert done.json()["url"].endswith(".png")
    assert done.json()["blurhash"]
    # The unprocessed upload is gone; only the processed file and its preview remain.
    assert len(stored_files()) == 2


def test_video_is_stored_as_uploaded_after_a_worker_checks_it(
    alice: Actor, django_capture_on_commit_callbacks: CaptureHooks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(alice, mp4_bytes(), version=2, name="clip.png")
    assert response.status_code == 202
    media = MediaAttachment.objects.get()
    assert media.state == MediaAttachment.State.READY
    assert media.type == "video" and media.content_type == "video/mp4"
    assert media.file.name.endswith(".mp4")
    v1 = upload(alice, mp4_bytes(), version=1, name="clip.mp4")
    assert v1.status_code == 200
    assert v1.json()["type"] == "video" and v1.json()["url"].endswith(".mp4")


def test_a_failed_deferred_upload_reports_an_error(
    alice: Actor, monkeypatch: pytest.MonkeyPatch, django_capture_on_commit_callbacks: CaptureHooks
) -> None:
    monkeypatch.setattr(media_actions, "SYNC_IMAGE_BYTES", 10)
    # A PNG whose header is sound but whose pixel data is not: it fails only when decoded.
    broken = image_bytes()[:60] + b"\x00" * 40
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(alice, broken, version=2)
    assert response.status_code == 202
    media = MediaAttachment.objects.get()
    assert media.state == MediaAttachment.State.FAILED
    assert stored_files() == []
    assert Client().get(f"/api/v1/media/{media.pk}", headers=bearer_for(alice, "read write follow")).status_code == 422


@pytest.mark.parametrize(
    ("content", "fields", "message"),
    [
        (b"#!/bin/sh\necho not an image\n", {}, "not what they are reported to be"),
        (png_claiming(8000, 8000), {}, "too large"),
        (png_claiming(100_000, 100_000), {}, "too large"),
        (image_bytes(), {"description": "x" * 1501}, "Description is too long"),
        (image_bytes(), {"focus": "2,0"}, "Focus must be"),
        (image_bytes(), {"focus": "nan,0"}, "Focus must be"),
    ],
)
def test_refused_uploads_store_nothing(alice: Actor, content: bytes, fields: dict[str, str], message: str) -> None:
    response = upload(alice, content, extra=fields)
    assert response.status_code == 422
    assert message in response.json()["error"]
    assert not MediaAttachment.objects.exists()
    assert stored_files() == []


def test_files_over_the_size_limit_are_refused(alice: Actor, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(imaging, "IMAGE_SIZE_LIMIT", 1024 * 1024)
    response = upload(alice, image_bytes() + b"\x00" * 1024 * 1024)
    assert response.status_code == 422
    assert "File must be less than 1 MB" in response.json()["error"]
    assert not MediaAttachment.objects.exists()
    assert stored_files() == []


def test_a_missing_file_is_refused(alice: Actor) -> None:
    response = Client().post(
        "/api/v1/media", {"description": "nothing"}, headers=bearer_for(alice, "read write follow")
    )
    assert response.status_code == 422
    assert not MediaAttachment.objects.exists()


def test_a_read_token_cannot_upload(alice: Actor) -> None:
    response = Client().post(
        "/api/v1/media",
        {"file": SimpleUploadedFile("a.png", image_bytes())},
        headers=bearer_for(alice, scope="read"),
    )
    assert response.status_code == 403
    assert not MediaAttachment.objects.exists()


def _put(actor: Actor, media_id: object, data: dict[str, str]) -> _MonkeyPatchedWSGIResponse:
    body = encode_multipart("BoUnDaRy", data)
    return Client().put(
        f"/api/v1/media/{media_id}",
        body,
        content_type="multipart/form-data; boundary=BoUnDaRy",
        headers=bearer_for(actor, "read write follow"),
    )


def test_owner_describes_and_refocuses_an_unattached_upload(alice: Actor) -> None:
    media_id = upload(alice, image_bytes()).json()["id"]
    response = _put(alice, media_id, {"description": "A cat on a mat", "focus": "-0.5,0.75"})
    assert response.status_code == 200, response.content
    assert response.json()["description"] == "A cat on a mat"
    assert response.json()["meta"]["focus"] == {"x": -0.5, "y": 0.75}
    media = MediaAttachment.objects.get()
    assert (media.description, media.focus_x, media.focus_y) == ("A cat on a mat", -0.5, 0.75)
    json_put = Client().put(
        f"/api/v1/media/{media_id}",
        {"description": "JSON"},
        content_type="application/json",
        headers=bearer_for(alice, "read write follow"),
    )
    assert json_put.status_code == 200 and json_put.json()["description"] == "JSON"


def test_others_and_posted_uploads_cannot_be_read_or_changed(alice: Actor, bob: Actor) -> None:
    media_id = upload(alice, image_bytes(), extra={"description": "Mine"}).json()["id"]
    assert Client().get(f"/api/v1/media/{media_id}", headers=bearer_for(bob, "read write follow")).status_code == 404
    assert _put(bob, media_id, {"description": "Stolen"}).status_code == 404
    assert MediaAttachment.objects.get().description == "Mine"
    posted = Client().post(
        "/api/v1/statuses",
        {"status": "With a picture", "media_ids[]": [media_id]},
        headers=bearer_for(alice, "read write follow"),
    )
    assert posted.status_code == 200
    assert _put(alice, media_id, {"description": "Later"}).status_code == 404
    assert MediaAttachment.objects.get().description == "Mine"


def test_a_bad_focus_on_update_changes_nothing(alice: Actor) -> None:
    media_id = upload(alice, image_bytes(), extra={"description": "Kept"}).json()["id"]
    response = _put(alice, media_id, {"description": "Changed", "focus": "0.1"})
    assert response.status_code == 422
    assert MediaAttachment.objects.get().description == "Kept"


def test_multipart_put_after_token_check_is_read(alice: Actor) -> None:
    media_id = upload(alice, image_bytes()).json()["id"]
    body = encode_multipart("XyZ", {"description": "from multipart", "thumbnail": io.BytesIO(b"ignored")})
    response = Client().put(
        f"/api/v1/media/{media_id}",
        body,
        content_type=MULTIPART_CONTENT.replace("BoUnDaRyStRiNg", "XyZ"),
        headers=bearer_for(alice, "read write follow"),
    )
    assert response.status_code == 200, response.content
    assert response.json()["description"] == "from multipart"
