"""Remote attachments, avatars and headers copied here from a real media host on loopback, and pruned again."""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command
from django.test import Client
from django.utils import timezone
from PIL import Image
from pytest_django.fixtures import Settings as SettingsWrapper

from federation.actions.remote_actors import do_delete_remote_actor, do_store_actor_document
from federation.activitypub import Note, parse_as
from federation.models import Actor, DomainPolicy
from tests.factories.federation import RemoteActorFactory
from tests.file_server import FileServer, file_server
from tests.timeline.media_files import image_bytes, mp4_bytes, png_claiming
from timeline.actions.remote_media import (
    do_cache_actor_images,
    do_cache_remote_attachment,
    do_cache_status_media,
    fetch_remote_image,
)
from timeline.actions.remote_statuses import do_delete_remote_status, do_store_remote_status, do_update_remote_status
from timeline.entities.accounts import account_entity
from timeline.entities.statuses import status_entity
from timeline.errors import RemoteMediaUnavailable
from timeline.imaging import MediaRejected
from timeline.models import MediaAttachment, Status

pytestmark = pytest.mark.django_db

PUBLIC = "https://www.w3.org/ns/activitystreams#Public"


@pytest.fixture(scope="module")
def host() -> Iterator[FileServer]:
    """Serve remote files from loopback for the whole module."""
    with file_server() as server:
        server.serve("/photo.jpg", image_bytes(800, 600, fmt="JPEG", orientation=6), "image/jpeg")
        server.serve("/avatar.png", image_bytes(1000, 800), "image/png")
        server.serve("/avatar2.png", image_bytes(500, 500), "image/png")
        server.serve("/header.png", image_bytes(3000, 1000), "image/png")
        server.serve("/clip.mp4", mp4_bytes(4096), "video/mp4")
        server.serve("/bomb.png", png_claiming(30_000, 30_000), "image/png")
        server.serve("/big.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 300_000, "image/png")
        server.serve("/page.html", b"<html>not an image</html>", "image/png")
        yield server


@pytest.fixture(autouse=True)
def _loopback_allowed(settings: SettingsWrapper) -> None:
    settings.MUTUALS_ALLOW_LOOPBACK_FEDERATION = True


def stored_files() -> list[Path]:
    root = Path(django_settings.MEDIA_ROOT)
    return [path for path in root.rglob("*") if path.is_file()] if root.exists() else []


def remote_status(author: Actor, *urls: tuple[str, str]) -> Status:
    note = {
        "id": f"{author.uri}/statuses/{len(urls)}{urls[0][0][-9:].replace('/', '-')}",
        "type": "Note",
        "attributedTo": author.uri,
        "content": "<p>Look</p>",
        "to": [PUBLIC],
        "attachment": [{"type": "Document", "mediaType": kind, "url": url} for url, kind in urls],
    }
    status = do_store_remote_status(author, parse_as(Note, note))
    assert status is not None
    return status


def test_remote_attachments_are_copied_after_commit_and_served_from_here(
    host: FileServer, django_capture_on_commit_callbacks: Any
) -> None:
    author = RemoteActorFactory.create()
    with django_capture_on_commit_callbacks(execute=True):
        status = remote_status(author, (host.url("/photo.jpg"), "image/jpeg"), (host.url("/clip.mp4"), "video/mp4"))
    photo, clip = status.media.order_by("position")
    assert photo.file and photo.thumbnail and photo.cached_at is not None
    # Processed as an upload: EXIF orientation applied (800x600 turned upright), metadata gone.
    assert (photo.meta["original"]["width"], photo.meta["original"]["height"]) == (600, 800)
    with photo.file.open("rb") as stored:
        assert not Image.open(io.BytesIO(stored.read())).getexif()
    assert photo.blurhash
    assert clip.file and clip.content_type == "video/mp4"
    [photo_entity, clip_entity] = status_entity(status, None)["media_attachments"]
    assert photo_entity["url"].startswith("https://localhost:8000/media/media/original/")
    assert photo_entity["preview_url"].startswith("https://localhost:8000/media/media/small/")
    assert photo_entity["remote_url"] == host.url("/photo.jpg")
    assert clip_entity["url"].startswith("https://localhost:8000/media/media/original/")


@pytest.mark.parametrize(
    ("path", "kind"),
    [
        ("/bomb.png", "image/png"),
        ("/page.html", "image/png"),
        ("/missing.png", "image/png"),
        ("/photo.jpg", "video/mp4"),
    ],
)
def test_refused_remote_files_store_nothing(host: FileServer, path: str, kind: str) -> None:
    """Too many pixels, not an image, a 404, or not the announced type: no file, the row unchanged."""
    status = remote_status(RemoteActorFactory.create(), (host.url(path), kind))
    media = status.media.get()
    before = MediaAttachment.objects.filter(pk=media.pk).values().get()
    assert do_cache_status_media(status.pk) == 0
    assert MediaAttachment.objects.filter(pk=media.pk).values().get() == before
    assert stored_files() == []
    assert status_entity(status, None)["media_attachments"][0]["url"].endswith(f"/media_proxy/{media.pk}/original")


def test_fetch_remote_image_refuses_oversize_and_private_addresses(host: FileServer, settings: SettingsWrapper) -> None:
    with pytest.raises(RemoteMediaUnavailable):
        fetch_remote_image(host.url("/big.png"), "emoji")  # larger than an emoji may be
    with pytest.raises(MediaRejected):
        fetch_remote_image(host.url("/bomb.png"), "card")
    settings.MUTUALS_ALLOW_LOOPBACK_FEDERATION = False
    asked = len(host.requested)
    for url in (host.url("/photo.jpg"), "https://10.1.2.3/a.png", "https://user:pw@files.example/a.png"):
        with pytest.raises(RemoteMediaUnavailable):
            fetch_remote_image(url, "attachment")
    assert len(host.requested) == asked
    assert stored_files() == []


def test_the_media_proxy_copies_on_demand_and_never_sends_clients_away(host: FileServer) -> None:
    status = remote_status(RemoteActorFactory.create(), (host.url("/photo.jpg"), "image/jpeg"))
    media = status.media.get()
    assert not media.file
    answer = Client().get(f"/media_proxy/{media.pk}/small")
    assert answer.status_code == 302
    media.refresh_from_db()
    assert answer["Location"] == media.thumbnail.url
    assert Client().get(f"/media_proxy/{media.pk}/original")["Location"] == media.file.url


def test_the_media_proxy_answers_404_for_what_it_cannot_serve(host: FileServer, alice: Actor) -> None:
    broken = remote_status(RemoteActorFactory.create(), (host.url("/missing.png"), "image/png")).media.get()
    upload = MediaAttachment.objects.create(account=alice, type="image", state="ready", file="media/original/x.png")
    for path in (
        f"/media_proxy/{broken.pk}/original",
        f"/media_proxy/{upload.pk}/original",
        f"/media_proxy/{broken.pk}/huge",
        "/media_proxy/nope/original",
    ):
        answer = Client().get(path)
        assert answer.status_code == 404, path
        assert "Location" not in answer
    broken.refresh_from_db()
    assert not broken.file and broken.cached_at is None


def actor_document(uri: str, icon: str, image: str) -> dict[str, Any]:
    return {
        "id": uri,
        "type": "Person",
        "preferredUsername": "dana",
        "inbox": f"{uri}/inbox",
        "outbox": f"{uri}/outbox",
        "publicKey": {"id": f"{uri}#main-key", "owner": uri, "publicKeyPem": "KEY"},
        "icon": {"type": "Image", "url": icon},
        "image": {"type": "Image", "url": image},
    }


def test_remote_avatars_and_headers_are_copied_and_replaced_when_they_change(
    host: FileServer, django_capture_on_commit_callbacks: Any
) -> None:
    uri = "https://social.example/users/dana"
    with django_capture_on_commit_callbacks(execute=True):
        dana = do_store_actor_document(actor_document(uri, host.url("/avatar.png"), host.url("/header.png")))
    dana.refresh_from_db()
    with dana.avatar.open("rb") as avatar:
        assert Image.open(io.BytesIO(avatar.read())).size == (400, 400)
    with dana.header.open("rb") as header:
        assert Image.open(io.BytesIO(header.read())).size == (1500, 500)
    body = account_entity(dana)
    assert body["avatar"].startswith("https://localhost:8000/media/avatars/")
    assert body["header"].startswith("https://localhost:8000/media/headers/")
    old_avatar = Path(dana.avatar.path)

    with django_capture_on_commit_callbacks(execute=True):
        do_store_actor_document(actor_document(uri, host.url("/avatar2.png"), host.url("/header.png")))
    dana.refresh_from_db()
    assert not old_avatar.exists()
    assert dana.avatar and dana.avatar_remote_url == host.url("/avatar2.png")
    assert dana.header  # unchanged URL: the copy stays


def test_an_avatar_not_copied_shows_the_default_never_the_remote_one(host: FileServer) -> None:
    dana = RemoteActorFactory.create(
        avatar_remote_url=host.url("/missing.png"), header_remote_url=host.url("/bomb.png")
    )
    assert do_cache_actor_images(dana.pk) == []
    dana.refresh_from_db()
    assert not dana.avatar and not dana.header and dana.images_cached_at is None
    body = account_entity(dana)
    assert body["avatar"].endswith("/static/api/missing.png")
    assert body["header"].endswith("/static/api/missing-header.png")


def test_media_remove_prunes_old_copies_and_keeps_the_rows(host: FileServer) -> None:
    old = remote_status(RemoteActorFactory.create(), (host.url("/photo.jpg"), "image/jpeg")).media.get()
    recent = remote_status(RemoteActorFactory.create(), (host.url("/clip.mp4"), "video/mp4")).media.get()
    assert do_cache_remote_attachment(old.pk) and do_cache_remote_attachment(recent.pk)
    dana = RemoteActorFactory.create(avatar_remote_url=host.url("/avatar.png"))
    assert do_cache_actor_images(dana.pk) == ["avatar"]
    long_ago = timezone.now() - timedelta(days=10)
    MediaAttachment.objects.filter(pk=old.pk).update(cached_at=long_ago)
    Actor.objects.filter(pk=dana.pk).update(images_cached_at=long_ago)
    old.refresh_from_db()
    old_files = [Path(old.file.path), Path(old.thumbnail.path)]

    out = io.StringIO()
    call_command("media_remove", "--days", "7", stdout=out)
    assert "Removed 1 cached remote attachments and 0 cached profiles" in out.getvalue()
    old.refresh_from_db()
    recent.refresh_from_db()
    assert not old.file and not old.thumbnail and old.cached_at is None
    assert old.remote_url == host.url("/photo.jpg")
    assert not any(path.exists() for path in old_files)
    assert recent.file and Path(recent.file.path).exists()
    dana.refresh_from_db()
    assert dana.avatar  # profiles are pruned only when asked

    call_command("media_remove", "--days", "7", "--prune-profiles", stdout=io.StringIO())
    dana.refresh_from_db()
    assert not dana.avatar and dana.avatar_remote_url == host.url("/avatar.png")
    # The pruned attachment comes back on demand.
    assert Client().get(f"/media_proxy/{old.pk}/original").status_code == 302


def test_copies_go_when_an_edit_replaces_the_attachments_or_the_status_is_deleted(
    host: FileServer, django_capture_on_commit_callbacks: Any
) -> None:
    author = RemoteActorFactory.create()
    with django_capture_on_commit_callbacks(execute=True):
        status = remote_status(author, (host.url("/photo.jpg"), "image/jpeg"))
    first_copies = [Path(path) for path in (status.media.get().file.path, status.media.get().thumbnail.path)]
    assert all(path.exists() for path in first_copies)
    edited = {
        "id": status.uri,
        "type": "Note",
        "attributedTo": author.uri,
        "content": "<p>Another one</p>",
        "to": [PUBLIC],
        "attachment": [{"type": "Document", "mediaType": "image/png", "url": host.url("/avatar.png")}],
    }
    with django_capture_on_commit_callbacks(execute=True):
        do_update_remote_status(author, parse_as(Note, edited))
    assert not any(path.exists() for path in first_copies)
    replacement = status.media.get()
    assert replacement.file and replacement.remote_url == host.url("/avatar.png")
    with django_capture_on_commit_callbacks(execute=True):
        assert do_delete_remote_status(author, status.uri)
    assert stored_files() == []


def test_a_deleted_remote_account_takes_its_copied_images_along(
    host: FileServer, django_capture_on_commit_callbacks: Any
) -> None:
    dana = RemoteActorFactory.create(
        avatar_remote_url=host.url("/avatar.png"), header_remote_url=host.url("/header.png")
    )
    assert do_cache_actor_images(dana.pk) == ["avatar", "header"]
    dana.refresh_from_db()
    assert len(stored_files()) == 2
    with django_capture_on_commit_callbacks(execute=True):
        do_delete_remote_actor(dana)
    assert stored_files() == []


def test_nothing_is_copied_from_a_domain_whose_media_moderation_rejects(host: FileServer) -> None:
    dana = RemoteActorFactory.create(domain="rejected.example", avatar_remote_url=host.url("/avatar.png"))
    status = remote_status(dana, (host.url("/photo.jpg"), "image/jpeg"))
    media = status.media.get()
    DomainPolicy.objects.create(domain="rejected.example", reject_media=True, authorised_by="test")
    asked = len(host.requested)
    assert do_cache_status_media(status.pk) == 0
    assert do_cache_actor_images(dana.pk) == []
    assert Client().get(f"/media_proxy/{media.pk}/original").status_code == 404
    assert len(host.requested) == asked
    assert stored_files() == []
