"""Copy remote media here once, so that members' clients never contact the hosts it came from.

Remote attachments, avatars and headers (and any other remote image a
feature shows, through `fetch_remote_image`) are fetched in the background
through the federation transport (no internal addresses, bounded size and
time), checked by their bytes and processed exactly as uploads are
(`timeline.imaging`: metadata dropped, re-encoded, preview and blurhash),
then stored under names this server chooses. The remote URL is kept, so a
copy removed by `media_remove` is fetched again: an attachment when a
client asks for it through the media proxy URL, an avatar or header when
the actor is next stored. Until then the entities point at this server
only (the proxy URL, or the default avatar and header), as Mastodon does.
"""

from __future__ import annotations

import io
import logging
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Literal

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from config.queueing import enqueue_on_commit
from federation.activitypub import Person
from federation.models import Actor
from federation.selectors import policy_for_domain
from federation.transport import TransportError, UnsafeDestination, public_get
from timeline.errors import RemoteMediaUnavailable
from timeline.imaging import (
    EXTENSIONS,
    IMAGE_SIZE_LIMIT,
    IMAGE_TYPES,
    VIDEO_SIZE_LIMIT,
    MediaRejected,
    media_kind,
    process_image,
    process_profile_image,
    sniff_content_type,
)
from timeline.models import MediaAttachment

logger = logging.getLogger(__name__)

ImageKind = Literal["attachment", "avatar", "header", "card", "emoji"]

# Largest file fetched for each kind, in bytes; profile images as for members' own uploads.
SIZE_LIMITS: dict[str, int] = {
    "attachment": IMAGE_SIZE_LIMIT,
    "avatar": 8 * 1024 * 1024,
    "header": 8 * 1024 * 1024,
    "card": 8 * 1024 * 1024,
    # Mastodon refuses custom emoji above 256 KB.
    "emoji": 256 * 1024,
}
PROFILE_SHAPES: dict[str, tuple[int, int]] = {"avatar": (400, 400), "header": (1500, 500)}
FOLDERS: dict[str, str] = {
    "attachment": "media/original/",
    "avatar": "avatars/",
    "header": "headers/",
    "card": "cards/",
    "emoji": "emoji/",
}
SMALL_FOLDER = "media/small/"
ACCEPT_IMAGES = ", ".join(IMAGE_TYPES)


@dataclass(frozen=True)
class StoredImage:
    """A remote image, processed and saved in this server's storage.

    `name` is the storage name of the file to serve (for a card, the
    preview-sized copy; for an avatar or header, the cropped image);
    `small_name` is the preview of an attachment, empty for other kinds.
    """

    name: str
    content_type: str
    size: int
    width: int
    height: int
    blurhash: str
    small_name: str = ""
    small_width: int = 0
    small_height: int = 0


def _save(folder: str, content_type: str, content: bytes) -> str:
    # Random names: a private status's files cannot be found by counting ids.
    name = f"{folder}{secrets.token_hex(16)}.{EXTENSIONS.get(content_type, 'bin')}"
    return default_storage.save(name, ContentFile(content))


def fetch_remote_bytes(url: str, *, accept: str, limit: int) -> bytes:
    """Return what a public remote URL serves, at most `limit` bytes, or raise RemoteMediaUnavailable."""
    try:
        response = public_get(url, accept=accept, limit=limit)
    except (TransportError, UnsafeDestination) as exc:
        raise RemoteMediaUnavailable(f"{url} cannot be fetched: {exc}") from exc
    if response.status != 200:
        raise RemoteMediaUnavailable(f"{url} answered {response.status}.")
    return response.body


def store_image(content: bytes, kind: ImageKind) -> StoredImage:
    """Check, process and store an image's bytes as `kind`; raise MediaRejected if it is not acceptable."""
    source = io.BytesIO(content)
    if kind in PROFILE_SHAPES:
        encoded, content_type = process_profile_image(source, size=PROFILE_SHAPES[kind])
        processed = process_image(io.BytesIO(encoded))
        name = _save(FOLDERS[kind], content_type, encoded)
        return StoredImage(name, content_type, len(encoded), processed.width, processed.height, processed.blurhash)
    processed = process_image(source)
    if kind == "card":
        # A card shows its image small: only the preview is kept.
        name = _save(FOLDERS[kind], processed.small_content_type, processed.small)
        return StoredImage(
            name,
            processed.small_content_type,
            len(processed.small),
            processed.small_width,
            processed.small_height,
            processed.blurhash,
        )
    name = _save(FOLDERS[kind], processed.content_type, processed.content)
    small_name = _save(SMALL_FOLDER, processed.small_content_type, processed.small) if kind == "attachment" else ""
    return StoredImage(
        name,
        processed.content_type,
        len(processed.content),
        processed.width,
        processed.height,
        processed.blurhash,
        small_name=small_name,
        small_width=processed.small_width,
        small_height=processed.small_height,
    )


def fetch_remote_image(url: str, kind: ImageKind) -> StoredImage:
    """Fetch a remote image and store it processed as `kind` (attachment, avatar, header, card or emoji).

    Raise RemoteMediaUnavailable when the URL is refused, unreachable, not
    answered 200 or larger than the kind allows, and MediaRejected when the
    bytes are not an accepted image or its dimensions exceed the limits.
    Nothing is stored in either case. The caller records the returned names.
    """
    content = fetch_remote_bytes(url, accept=ACCEPT_IMAGES, limit=SIZE_LIMITS[kind])
    content_type = sniff_content_type(content[:64])
    if content_type not in IMAGE_TYPES:
        raise MediaRejected(f"{url} is not an image this server accepts.")
    return store_image(content, kind)


def delete_stored(*names: str) -> None:
    """Delete stored files by name, ignoring empty names."""
    for name in names:
        if name:
            default_storage.delete(name)


def media_rejected_from(domain: str) -> bool:
    """Return whether moderation rejects media from the domain (`reject_media`, or suspended): nothing is copied."""
    policy = policy_for_domain(domain)
    return policy is not None and (policy.reject_media or policy.is_suspended)


def _cache_attachment_file(media: MediaAttachment) -> None:
    """Fetch the remote file of an attachment and record the copy on the (unsaved) row."""
    declared = media_kind(media.content_type)
    if declared in {"image", "unknown"}:
        stored = fetch_remote_image(media.remote_url, "attachment")
        media.file.name = stored.name
        media.thumbnail.name = stored.small_name
        media.content_type = stored.content_type
        media.file_size = stored.size
        media.blurhash = stored.blurhash
        size = {"width": stored.width, "height": stored.height}
        small = {"width": stored.small_width, "height": stored.small_height}
        media.meta = {
            "original": {**size, "size": f"{stored.width}x{stored.height}", "aspect": stored.width / stored.height},
            "small": {
                **small,
                "size": f"{stored.small_width}x{stored.small_height}",
                "aspect": stored.small_width / stored.small_height,
            },
        }
        return
    # Video and audio are stored as they came (no transcoder), once their bytes show an accepted container.
    content = fetch_remote_bytes(media.remote_url, accept=media.content_type, limit=VIDEO_SIZE_LIMIT)
    sniffed = sniff_content_type(content[:64])
    if sniffed is None or media_kind(sniffed) != declared:
        raise MediaRejected(f"{media.remote_url} is not the {declared} file it was announced as.")
    media.file.name = _save(FOLDERS["attachment"], sniffed, content)
    media.content_type = sniffed
    media.file_size = len(content)


def do_cache_remote_attachment(media_id: int) -> bool:
    """Copy a remote attachment's file here unless already copied; return whether a copy exists afterwards.

    A failure is logged and leaves the row as it was: the attachment stays
    behind the media proxy URL, which tries again when a client asks.
    Nothing is fetched from a domain whose media moderation rejects.
    """
    media = MediaAttachment.objects.filter(pk=media_id).exclude(remote_url="").select_related("account").first()
    if media is None:
        return False
    if media.file:
        return True
    if media_rejected_from(media.account.domain):
        return False
    remote_url = media.remote_url
    try:
        _cache_attachment_file(media)
    except (RemoteMediaUnavailable, MediaRejected) as exc:
        logger.info("Remote attachment %s not cached: %s", media_id, exc)
        return False
    with transaction.atomic():
        current = MediaAttachment.objects.select_for_update().filter(pk=media_id).first()
        # The row was deleted, re-pointed by an edit or copied by another worker meanwhile: keep that.
        if current is None or current.remote_url != remote_url or current.file:
            delete_stored(media.file.name, media.thumbnail.name)
            return current is not None and bool(current.file)
        media.cached_at = timezone.now()
        media.save(update_fields=["file", "thumbnail", "content_type", "file_size", "blurhash", "meta", "cached_at"])
    return True


def do_cache_status_media(status_id: int) -> int:
    """Copy the not yet copied remote attachments of a status; return how many are copied now."""
    ids = (
        MediaAttachment.objects.filter(status_id=status_id, file="").exclude(remote_url="").values_list("pk", flat=True)
    )
    return sum(do_cache_remote_attachment(media_id) for media_id in list(ids))


def cache_status_media_on_commit(status_id: int) -> None:
    """Queue the copying of a remote status's attachments once the current transaction commits."""
    enqueue_on_commit("timeline.tasks.cache_status_media", status_id)


def do_cache_actor_images(actor_id: int) -> list[str]:
    """Copy a remote actor's avatar and header here where not yet copied; return the names of those copied.

    Each image is checked and cropped as members' own uploads are. A failure
    leaves the default image in the entities; the next time the actor is
    stored (an Update, the daily refresh) it is tried again. Nothing is
    fetched from a domain whose media moderation rejects.
    """
    actor = Actor.objects.filter(pk=actor_id).exclude(domain="").first()
    if actor is None or media_rejected_from(actor.domain):
        return []
    fetched: dict[str, tuple[str, StoredImage]] = {}
    for kind, remote_url, field in (
        ("avatar", actor.avatar_remote_url, actor.avatar),
        ("header", actor.header_remote_url, actor.header),
    ):
        if not remote_url or field:
            continue
        try:
            fetched[kind] = (remote_url, fetch_remote_image(remote_url, kind))  # type: ignore[arg-type]
        except (RemoteMediaUnavailable, MediaRejected) as exc:
            logger.info("The %s of %s was not cached: %s", kind, actor.uri, exc)
    if not fetched:
        return []
    copied: list[str] = []
    with transaction.atomic():
        current = Actor.objects.select_for_update().filter(pk=actor_id).first()
        for kind, (remote_url, stored) in fetched.items():
            still_wanted = (
                current is not None
                and getattr(current, f"{kind}_remote_url") == remote_url
                and not getattr(current, kind)
            )
            if not still_wanted:
                delete_stored(stored.name)
                continue
            getattr(current, kind).name = stored.name
            copied.append(kind)
        if current is not None and copied:
            current.images_cached_at = timezone.now()
            current.save(update_fields=[*copied, "images_cached_at"])
    return copied


def cache_actor_images_on_commit(actor: Actor, document: Person) -> None:
    """Queue the copying of a remote actor's images once the current transaction commits.

    Registered with federation as a reader of every stored actor document.
    """
    enqueue_on_commit("timeline.tasks.cache_actor_images", actor.pk)


@dataclass(frozen=True)
class RemovedMedia:
    """What `do_remove_cached_remote_media` removed."""

    attachments: int
    profiles: int


def do_remove_cached_remote_media(older_than: timedelta, *, prune_profiles: bool = False) -> RemovedMedia:
    """Delete the copies of remote attachments (and with `prune_profiles`, avatars and headers) older than this.

    The rows stay with their remote URLs: an attachment is fetched again
    when a client asks for it, an actor's images when the actor is next
    stored, as after Mastodon's `tootctl media remove`.
    """
    cutoff = timezone.now() - older_than
    attachments = 0
    stale = MediaAttachment.objects.exclude(remote_url="").exclude(file="").filter(cached_at__lt=cutoff)
    for media in stale.iterator(chunk_size=500):
        names = (media.file.name, media.thumbnail.name)
        updated = MediaAttachment.objects.filter(pk=media.pk, cached_at=media.cached_at).update(
            file="", thumbnail="", cached_at=None
        )
        if updated:
            delete_stored(*names)
            attachments += 1
    profiles = 0
    if prune_profiles:
        actors = Actor.objects.exclude(domain="").filter(images_cached_at__lt=cutoff)
        for actor in actors.iterator(chunk_size=500):
            names = (actor.avatar.name, actor.header.name)
            updated = Actor.objects.filter(pk=actor.pk, images_cached_at=actor.images_cached_at).update(
                avatar="", header="", images_cached_at=None
            )
            if updated:
                delete_stored(*names)
                profiles += 1
    return RemovedMedia(attachments=attachments, profiles=profiles)
