"""Upload, process, describe and attach media: the one way a file becomes an attachment."""

from __future__ import annotations

import math
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import IO, Any

from django.core.files import File
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from config.queueing import enqueue_on_commit
from federation.models import Actor
from timeline.imaging import (
    EXTENSIONS,
    MediaRejected,
    ProcessedImage,
    inspect_image,
    media_kind,
    process_image,
    size_limit,
    sniff_content_type,
)
from timeline.models import MediaAttachment, ScheduledStatus, Status

MAX_DESCRIPTION_CHARACTERS = 1500
MAX_ATTACHMENTS = 4
# Larger images are processed by a worker when the client allows it (v2).
SYNC_IMAGE_BYTES = 4 * 1024 * 1024
SYNC_IMAGE_PIXELS = 16_777_216
SNIFF_BYTES = 64


@dataclass(frozen=True)
class MediaDraft:
    """An upload that passed its checks: its real type, size and what the client said about it."""

    source: IO[bytes]
    content_type: str
    size: int
    pixels: int
    description: str
    focus: tuple[float, float]

    @property
    def kind(self) -> str:
        """Return Mastodon's attachment type for the upload."""
        return media_kind(self.content_type)


def parse_focus(raw: str) -> tuple[float, float]:
    """Return a focal point "x,y" (each from -1.0 to 1.0) as numbers, or refuse it."""
    parts = raw.split(",")
    if len(parts) != 2:
        raise MediaRejected("Focus must be two numbers between -1.0 and 1.0, as x,y.")
    try:
        x, y = float(parts[0]), float(parts[1])
    except ValueError:
        raise MediaRejected("Focus must be two numbers between -1.0 and 1.0, as x,y.") from None
    if not (math.isfinite(x) and math.isfinite(y) and -1.0 <= x <= 1.0 and -1.0 <= y <= 1.0):
        raise MediaRejected("Focus must be two numbers between -1.0 and 1.0, as x,y.")
    return x, y


def _check_description(description: str) -> str:
    if len(description) > MAX_DESCRIPTION_CHARACTERS:
        raise MediaRejected(f"Description is too long (the limit is {MAX_DESCRIPTION_CHARACTERS} characters).")
    return description.strip()


def check_upload_media(
    account: Actor, source: IO[bytes] | None, *, size: int, description: str = "", focus: str = ""
) -> MediaDraft:
    """Validate an upload from its bytes (never the client's type or name), raising MediaRejected."""
    if not account.is_local or account.user is None or not account.user.is_active:
        raise MediaRejected("Only active accounts on this server can upload media.")
    if source is None or size <= 0:
        raise MediaRejected("Validation failed: File can't be blank")
    source.seek(0)
    content_type = sniff_content_type(source.read(SNIFF_BYTES))
    if content_type is None:
        raise MediaRejected("Validation failed: File has contents that are not what they are reported to be")
    limit = size_limit(content_type)
    if size > limit:
        raise MediaRejected(f"Validation failed: File must be less than {limit // (1024 * 1024)} MB")
    pixels = 0
    if media_kind(content_type) == "image":
        header = inspect_image(source)
        if header.content_type != content_type:
            raise MediaRejected("Validation failed: File has contents that are not what they are reported to be")
        pixels = header.width * header.height
    source.seek(0)
    return MediaDraft(
        source=source,
        content_type=content_type,
        size=size,
        pixels=pixels,
        description=_check_description(description),
        focus=parse_focus(focus) if focus.strip() else (0.0, 0.0),
    )


def _stored_name(content_type: str) -> str:
    # Random names: a private status's files cannot be found by counting ids.
    return f"{secrets.token_hex(16)}.{EXTENSIONS.get(content_type, 'bin')}"


def _size_meta(width: int, height: int) -> dict[str, Any]:
    return {"width": width, "height": height, "size": f"{width}x{height}", "aspect": width / height}


def _apply_processed(media: MediaAttachment, processed: ProcessedImage) -> None:
    media.file.save(_stored_name(processed.content_type), ContentFile(processed.content), save=False)
    media.thumbnail.save(_stored_name(processed.small_content_type), ContentFile(processed.small), save=False)
    media.content_type = processed.content_type
    media.file_size = len(processed.content)
    media.blurhash = processed.blurhash
    media.meta = {
        "original": _size_meta(processed.width, processed.height),
        "small": _size_meta(processed.small_width, processed.small_height),
    }
    media.state = MediaAttachment.State.READY


def should_process_now(draft: MediaDraft, *, allow_deferred: bool) -> bool:
    """Return whether an upload is processed inside the request: always for v1, small images for v2."""
    if not allow_deferred:
        return True
    return draft.kind == "image" and draft.size <= SYNC_IMAGE_BYTES and draft.pixels <= SYNC_IMAGE_PIXELS


def do_create_media(account: Actor, draft: MediaDraft, *, allow_deferred: bool = False) -> MediaAttachment:
    """Store an upload; process it now, or queue its processing after commit if deferral is allowed.

    Images are decoded before anything is stored, so a file Pillow refuses
    leaves no row and no file behind.
    """
    media = MediaAttachment(
        account=account,
        type=draft.kind,
        content_type=draft.content_type,
        file_size=draft.size,
        description=draft.description,
        focus_x=draft.focus[0],
        focus_y=draft.focus[1],
    )
    process_now = should_process_now(draft, allow_deferred=allow_deferred)
    if draft.kind == "image" and process_now:
        _apply_processed(media, process_image(draft.source))
    else:
        draft.source.seek(0)
        media.file.save(_stored_name(draft.content_type), File(draft.source), save=False)
        if draft.kind != "image":
            # Video and audio are kept as uploaded (no transcoder here): a v1 upload is ready at once.
            media.state = MediaAttachment.State.READY if process_now else MediaAttachment.State.PROCESSING
    with transaction.atomic():
        media.save()
        if media.state == MediaAttachment.State.PROCESSING:
            enqueue_on_commit("timeline.tasks.process_media", media.pk)
    return media


def do_process_media(media_id: int) -> str:
    """Finish an upload left for a worker; return its state. Running twice does no harm."""
    media = MediaAttachment.objects.filter(pk=media_id).first()
    if media is None or media.state != MediaAttachment.State.PROCESSING:
        return media.state if media is not None else "missing"
    original_name = media.file.name
    if media.type == MediaAttachment.Type.IMAGE:
        try:
            with media.file.open("rb") as source:
                processed = process_image(source)
        except (MediaRejected, OSError):
            media.state = MediaAttachment.State.FAILED
            media.save(update_fields=["state"])
            media.file.delete(save=False)
            return media.state
        _apply_processed(media, processed)
        media.save()
        if original_name and original_name != media.file.name:
            media.file.storage.delete(original_name)
        return media.state
    with media.file.open("rb") as source:
        recognised = sniff_content_type(source.read(SNIFF_BYTES))
    media.state = MediaAttachment.State.READY if recognised == media.content_type else MediaAttachment.State.FAILED
    media.save(update_fields=["state"])
    return media.state


def pending_media(min_age: timedelta) -> QuerySet[MediaAttachment]:
    """Return uploads still waiting for a worker after `min_age` (their task was lost)."""
    return MediaAttachment.objects.filter(
        state=MediaAttachment.State.PROCESSING, created_at__lt=timezone.now() - min_age, remote_url=""
    )


def do_remove_unattached_media(older_than: timedelta) -> int:
    """Delete uploads never posted (or released by a deleted status) after `older_than`, files included."""
    # Uploads waiting for a scheduled status are kept until it is published or cancelled.
    held = {
        int(media_id)
        for ids in ScheduledStatus.objects.filter(published_status__isnull=True).values_list("media_ids", flat=True)
        for media_id in ids or []
    }
    stale = (
        MediaAttachment.objects.filter(status__isnull=True, remote_url="", created_at__lt=timezone.now() - older_than)
        .exclude(pk__in=held)
        .order_by("pk")[:500]
    )
    removed = 0
    for media in stale:
        for field in (media.file, media.thumbnail):
            if field:
                field.delete(save=False)
        media.delete()
        removed += 1
    return removed


def check_update_media(
    account: Actor, media: MediaAttachment, *, description: str | None, focus: str | None
) -> tuple[str | None, tuple[float, float] | None]:
    """Validate a change of an upload's description or focal point."""
    if media.account_id != account.pk:
        raise MediaRejected("This action is not allowed")
    return (
        _check_description(description) if description is not None else None,
        parse_focus(focus) if focus is not None and focus.strip() else None,
    )


def do_update_media(
    media: MediaAttachment, *, description: str | None, focus: tuple[float, float] | None
) -> MediaAttachment:
    """Store a checked description and focal point."""
    fields = []
    if description is not None:
        media.description = description
        fields.append("description")
    if focus is not None:
        media.focus_x, media.focus_y = focus
        fields += ["focus_x", "focus_y"]
    if fields:
        media.save(update_fields=fields)
    return media


def check_status_media(author: Actor, raw_ids: Sequence[str], *, status: Status | None = None) -> list[MediaAttachment]:
    """Return the uploads a status may carry, in the order given, or raise MediaRejected.

    Each must belong to the author, be ready, and be unattached (or already
    attached to the status being edited).
    """
    if not raw_ids:
        return []
    if len(raw_ids) > MAX_ATTACHMENTS:
        raise MediaRejected(f"Cannot attach more than {MAX_ATTACHMENTS} files")
    if any(not raw.strip().isdigit() for raw in raw_ids):
        raise MediaRejected("Media ids must be numbers")
    ids = list(dict.fromkeys(int(raw) for raw in raw_ids))
    found = {media.pk: media for media in MediaAttachment.objects.filter(pk__in=ids, account=author, remote_url="")}
    ordered = []
    for media_id in ids:
        media = found.get(media_id)
        if media is None or (media.status_id is not None and (status is None or media.status_id != status.pk)):
            raise MediaRejected("Media attachment not found or already used")
        if media.state != MediaAttachment.State.READY:
            raise MediaRejected("Media attachment is still being processed or failed to process")
        ordered.append(media)
    return ordered


@dataclass(frozen=True)
class MediaEdit:
    """A checked change of a posted attachment's description or focal point (sent with a status edit)."""

    media: MediaAttachment
    description: str | None
    focus: tuple[float, float] | None


def check_media_edits(attributes: Sequence[dict[str, str]], media: Sequence[MediaAttachment]) -> list[MediaEdit]:
    """Validate `media_attributes` of a status edit: each names one of the status's attachments after the edit."""
    by_id = {str(item.pk): item for item in media}
    edits = []
    for attribute in attributes:
        item = by_id.get(attribute.get("id", "").strip())
        if item is None:
            raise MediaRejected("media_attributes may only describe the status's own attachments")
        description = attribute.get("description")
        focus = attribute.get("focus")
        edits.append(
            MediaEdit(
                media=item,
                description=_check_description(description) if description is not None else None,
                focus=parse_focus(focus) if focus is not None and focus.strip() else None,
            )
        )
    return edits


def do_attach_media(status: Status, media: Sequence[MediaAttachment]) -> None:
    """Make `media` the attachments of a status, in order; uploads no longer listed are released."""
    keep = [item.pk for item in media]
    MediaAttachment.objects.filter(status=status).exclude(pk__in=keep).update(status=None, position=0)
    for position, item in enumerate(media):
        item.status = status
        item.position = position
        item.save(update_fields=["status", "position"])
