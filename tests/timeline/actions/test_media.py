"""The media actions: processing left to a worker, its recovery, and the removal of unused uploads."""

from __future__ import annotations

import io
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone

from federation.models import Actor
from tests.factories.timeline import RemoteMediaFactory, StatusFactory
from tests.timeline.media_files import image_bytes
from timeline.actions import media as media_actions
from timeline.actions.media import (
    check_upload_media,
    do_create_media,
    do_process_media,
    do_remove_unattached_media,
    pending_media,
)
from timeline.models import MediaAttachment

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _defer_every_image(monkeypatch: pytest.MonkeyPatch) -> None:
    """Treat every image as large, so that v2 uploads wait for a worker."""
    monkeypatch.setattr(media_actions, "SYNC_IMAGE_BYTES", 10)


def deferred_upload(actor: Actor) -> MediaAttachment:
    content = image_bytes(3000, 2000, fmt="JPEG")
    draft = check_upload_media(actor, io.BytesIO(content), size=len(content))
    return do_create_media(actor, draft, allow_deferred=True)


def test_large_v2_images_wait_for_a_worker_and_processing_twice_is_harmless(alice: Actor) -> None:
    media = deferred_upload(alice)
    assert media.state == MediaAttachment.State.PROCESSING
    assert media.blurhash == "" and media.meta == {}
    assert do_process_media(media.pk) == MediaAttachment.State.READY
    media.refresh_from_db()
    assert media.meta["original"]["width"] == 3000 and media.blurhash
    name = media.file.name
    assert do_process_media(media.pk) == MediaAttachment.State.READY
    media.refresh_from_db()
    assert media.file.name == name


def test_lost_processing_is_found_again(alice: Actor) -> None:
    media = deferred_upload(alice)
    assert list(pending_media(timedelta(minutes=2))) == []
    MediaAttachment.objects.filter(pk=media.pk).update(created_at=timezone.now() - timedelta(minutes=5))
    assert list(pending_media(timedelta(minutes=2))) == [media]


def test_unused_uploads_are_removed_after_a_day_with_their_files(alice: Actor) -> None:
    content = image_bytes()
    old = do_create_media(alice, check_upload_media(alice, io.BytesIO(content), size=len(content)))
    fresh = do_create_media(alice, check_upload_media(alice, io.BytesIO(content), size=len(content)))
    posted = do_create_media(alice, check_upload_media(alice, io.BytesIO(content), size=len(content)))
    posted.status = StatusFactory.create(account=alice)
    posted.save(update_fields=["status"])
    remote = RemoteMediaFactory.create(account=alice)
    day_ago = timezone.now() - timedelta(hours=25)
    MediaAttachment.objects.filter(pk__in=[old.pk, posted.pk, remote.pk]).update(created_at=day_ago)
    old_file = Path(settings.MEDIA_ROOT) / old.file.name
    assert old_file.exists()
    assert do_remove_unattached_media(timedelta(hours=24)) == 1
    assert set(MediaAttachment.objects.values_list("pk", flat=True)) == {fresh.pk, posted.pk, remote.pk}
    assert not old_file.exists()
