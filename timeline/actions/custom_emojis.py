"""Add and remove the co-op's custom emoji, and keep copies of other servers' emoji.

Local emoji are added and removed through the governance actions that log
them (an administrator's page, a command, or a proposal that passed); those
call the `check_*`/`do_*` pairs here. Remote emoji are read from the tags of
incoming notes and actor documents (`do_store_remote_emojis`), and their
images fetched by a task (`do_fetch_remote_emoji`).
"""

from __future__ import annotations

import io
import logging
import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import IO

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from config.queueing import enqueue_on_commit
from federation.activitypub import Emoji
from federation.selectors import policy_for_domain
from timeline.actions.remote_media import fetch_remote_bytes
from timeline.errors import EmojiRefused, RemoteMediaUnavailable
from timeline.imaging import EMOJI_SIZE_LIMIT, MediaRejected, ProcessedEmoji, process_emoji_image
from timeline.models import CustomEmoji

logger = logging.getLogger(__name__)

SHORTCODE = re.compile(r"^[a-zA-Z0-9_]{2,64}$")
MAX_CATEGORY_LENGTH = 64
# More emoji than this in one document are not kept: a post or profile needs far fewer.
MAX_REMOTE_EMOJIS_PER_DOCUMENT = 50
# A remote emoji whose image could not be fetched is tried again when a document names it, at most this often.
REFETCH_UNSHOWN_AFTER = timedelta(hours=1)


@dataclass(frozen=True)
class CustomEmojiDraft:
    """A local emoji that passed its checks: its shortcode, processed image and picker settings."""

    shortcode: str
    image: ProcessedEmoji
    category: str
    visible_in_picker: bool


def check_shortcode(shortcode: str) -> str:
    """Return the shortcode without surrounding colons, or refuse one that is not 2-64 letters, digits or _."""
    shortcode = shortcode.strip().strip(":")
    if not SHORTCODE.match(shortcode):
        raise EmojiRefused("A shortcode is 2 to 64 letters, digits or underscores.")
    return shortcode


def check_create_custom_emoji(
    shortcode: str, source: IO[bytes] | None, *, size: int, category: str = "", visible_in_picker: bool = True
) -> CustomEmojiDraft:
    """Refuse a bad or taken shortcode, a category too long, or an image that is not a small PNG, GIF or WebP."""
    shortcode = check_shortcode(shortcode)
    category = category.strip()
    if len(category) > MAX_CATEGORY_LENGTH:
        raise EmojiRefused(f"A category is at most {MAX_CATEGORY_LENGTH} characters.")
    if CustomEmoji.objects.filter(shortcode=shortcode, domain__isnull=True).exists():
        raise EmojiRefused(f"The shortcode :{shortcode}: is taken.")
    if source is None:
        raise EmojiRefused("An emoji needs an image.")
    try:
        image = process_emoji_image(source, size=size)
    except MediaRejected as exc:
        raise EmojiRefused(exc.message) from None
    return CustomEmojiDraft(shortcode=shortcode, image=image, category=category, visible_in_picker=visible_in_picker)


def _file_name(content_type: str) -> str:
    return f"{secrets.token_hex(12)}.{'gif' if content_type == 'image/gif' else 'png'}"


def _save_image(emoji: CustomEmoji, image: ProcessedEmoji) -> list[str]:
    """Store the image files of an emoji (not saving the row); return the names of the files they replace."""
    replaced = [name for name in (emoji.image.name, emoji.static_image.name) if name]
    emoji.image.save(_file_name(image.content_type), ContentFile(image.content), save=False)
    emoji.static_image.save(_file_name("image/png"), ContentFile(image.static), save=False)
    emoji.content_type = image.content_type
    return replaced


def _delete_files_on_commit(emoji: CustomEmoji, names: list[str]) -> None:
    storage = emoji.image.storage
    transaction.on_commit(lambda: [storage.delete(name) for name in names if name])


def do_create_custom_emoji(draft: CustomEmojiDraft) -> CustomEmoji:
    """Store a checked local emoji; a twin added meanwhile meets the unique constraint."""
    emoji = CustomEmoji(shortcode=draft.shortcode, category=draft.category, visible_in_picker=draft.visible_in_picker)
    _save_image(emoji, draft.image)
    try:
        with transaction.atomic():
            emoji.save()
    except IntegrityError:
        emoji.image.storage.delete(emoji.image.name)
        emoji.static_image.storage.delete(emoji.static_image.name)
        raise EmojiRefused(f"The shortcode :{draft.shortcode}: is taken.") from None
    return emoji


def check_remove_custom_emoji(shortcode: str) -> CustomEmoji:
    """Return the local emoji with this shortcode, or refuse an unknown one."""
    shortcode = check_shortcode(shortcode)
    emoji = CustomEmoji.objects.filter(shortcode=shortcode, domain__isnull=True).first()
    if emoji is None:
        raise EmojiRefused(f"There is no custom emoji :{shortcode}: on this server.")
    return emoji


def do_remove_custom_emoji(emoji: CustomEmoji) -> None:
    """Delete a local emoji and, after commit, its files; statuses that named it show the shortcode again."""
    with transaction.atomic():
        names = [emoji.image.name, emoji.static_image.name]
        emoji.delete()
        _delete_files_on_commit(emoji, names)


def _remote_shortcode(name: str) -> str | None:
    shortcode = name.strip().strip(":")
    return shortcode if SHORTCODE.match(shortcode) else None


def do_store_remote_emojis(domain: str, emojis: Sequence[Emoji]) -> None:
    """Record the emoji a remote document of `domain` carries, keyed by (shortcode, domain).

    New emoji, emoji whose image moved, and emoji whose image could not be
    fetched an hour or more ago have their image fetched after commit.
    Nothing is kept from a domain whose media the co-op rejects. Two
    queries when there are emoji, none when there are none.
    """
    wanted: dict[str, Emoji] = {}
    for emoji in emojis[:MAX_REMOTE_EMOJIS_PER_DOCUMENT]:
        shortcode = _remote_shortcode(emoji.name)
        if shortcode is not None and emoji.icon_url:
            wanted.setdefault(shortcode, emoji)
    if not wanted or not domain:
        return
    policy = policy_for_domain(domain)
    if policy is not None and policy.reject_media:
        return
    with transaction.atomic(savepoint=False):
        known = {row.shortcode: row for row in CustomEmoji.objects.filter(domain=domain, shortcode__in=list(wanted))}
        fresh = [
            CustomEmoji(shortcode=code, domain=domain, uri=emoji.id[:500], image_remote_url=emoji.icon_url[:2000])
            for code, emoji in wanted.items()
            if code not in known
        ]
        if fresh:
            CustomEmoji.objects.bulk_create(fresh, ignore_conflicts=True)
        retry_before = timezone.now() - REFETCH_UNSHOWN_AFTER
        moved = [
            row
            for code, row in known.items()
            if row.image_remote_url != wanted[code].icon_url[:2000] or (not row.image and row.updated_at < retry_before)
        ]
        for row in moved:
            row.image_remote_url = wanted[row.shortcode].icon_url[:2000]
            row.uri = wanted[row.shortcode].id[:500]
            # Saving moves `updated_at`, so an image that still fails is tried again an hour later at most.
            row.save(update_fields=["image_remote_url", "uri", "updated_at"])
        if fresh or moved:
            enqueue_on_commit("timeline.tasks.fetch_remote_emojis", domain, [row.shortcode for row in fresh + moved])


def do_fetch_remote_emoji(emoji_id: int) -> bool:
    """Download a remote emoji's image and store it processed; return whether it is now shown.

    A file that cannot be fetched or is not an acceptable emoji image leaves
    the emoji without an image (not shown), as Mastodon leaves it.
    """
    emoji = CustomEmoji.objects.filter(pk=emoji_id, domain__isnull=False).first()
    if emoji is None or not emoji.image_remote_url:
        return False
    url = emoji.image_remote_url
    try:
        content = fetch_remote_bytes(url, accept="image/*", limit=EMOJI_SIZE_LIMIT)
        image = process_emoji_image(io.BytesIO(content), size=len(content))
    except (RemoteMediaUnavailable, MediaRejected) as exc:
        logger.info("Emoji %s of %s not fetched: %s", emoji.shortcode, emoji.domain, exc)
        return False
    with transaction.atomic():
        locked = CustomEmoji.objects.select_for_update().filter(pk=emoji_id, image_remote_url=url).first()
        if locked is None:
            # Removed, or its image moved while this one was fetched: the later fetch stores it.
            return False
        replaced = _save_image(locked, image)
        locked.save(update_fields=["image", "static_image", "content_type", "updated_at"])
        _delete_files_on_commit(locked, replaced)
    return True
