"""Change a member's public profile: name, note, fields, images and account flags."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import IO

from django.core.files.base import ContentFile
from django.db import transaction

from federation.actions.outbox import publish_actor_update
from federation.models import Actor
from members.actions.preferences import PostingDefaults, do_set_posting_defaults
from members.errors import MemberRefused
from timeline.imaging import EXTENSIONS, MediaRejected, process_profile_image, sniff_content_type
from timeline.rendering import render_plain_text

MAX_DISPLAY_NAME_CHARACTERS = 30
MAX_NOTE_CHARACTERS = 500
MAX_FIELDS = 4
MAX_FIELD_CHARACTERS = 255
PROFILE_IMAGE_SIZE_LIMIT = 8 * 1024 * 1024
AVATAR_SIZE = (400, 400)
HEADER_SIZE = (1500, 500)
_IMAGE_TYPES = ("image/jpeg", "image/png", "image/gif", "image/webp")


class ProfileRefused(MemberRefused):
    """The profile change cannot be made as asked; the message says why, for the member."""


@dataclass(frozen=True)
class ProcessedProfileImage:
    """An avatar or header, re-encoded and cropped, ready to store."""

    content: bytes
    content_type: str


@dataclass(frozen=True)
class ProfileChange:
    """A checked profile change; None leaves a value as it is."""

    display_name: str | None = None
    note: str | None = None
    fields: list[dict[str, str]] | None = None
    locked: bool | None = None
    bot: bool | None = None
    discoverable: bool | None = None
    avatar: ProcessedProfileImage | None = None
    header: ProcessedProfileImage | None = None


def _check_image(
    label: str, source: IO[bytes] | None, size: int, shape: tuple[int, int]
) -> ProcessedProfileImage | None:
    if source is None:
        return None
    if size <= 0:
        raise ProfileRefused(f"{label} can't be blank")
    if size > PROFILE_IMAGE_SIZE_LIMIT:
        raise ProfileRefused(f"{label} must be less than {PROFILE_IMAGE_SIZE_LIMIT // (1024 * 1024)} MB")
    source.seek(0)
    if sniff_content_type(source.read(64)) not in _IMAGE_TYPES:
        raise ProfileRefused(f"{label} must be a JPEG, PNG, GIF or WebP image")
    try:
        content, content_type = process_profile_image(source, size=shape)
    except MediaRejected as exc:
        raise ProfileRefused(f"{label}: {exc}") from None
    return ProcessedProfileImage(content=content, content_type=content_type)


def _check_fields(fields: list[tuple[str, str]] | None) -> list[dict[str, str]] | None:
    if fields is None:
        return None
    if len(fields) > MAX_FIELDS:
        raise ProfileRefused(f"A profile has at most {MAX_FIELDS} fields")
    checked = []
    for raw_name, raw_value in fields:
        name, value = raw_name.strip(), raw_value.strip()
        if not name and not value:
            continue
        if len(name) > MAX_FIELD_CHARACTERS or len(value) > MAX_FIELD_CHARACTERS:
            raise ProfileRefused(f"Field names and values are at most {MAX_FIELD_CHARACTERS} characters")
        checked.append({"name": name, "value": value})
    return checked


def check_update_profile(
    actor: Actor,
    *,
    display_name: str | None = None,
    note: str | None = None,
    fields: list[tuple[str, str]] | None = None,
    locked: bool | None = None,
    bot: bool | None = None,
    discoverable: bool | None = None,
    avatar: tuple[IO[bytes], int] | None = None,
    header: tuple[IO[bytes], int] | None = None,
) -> ProfileChange:
    """Validate a member's profile change, raising ProfileRefused with the first reason found.

    Images are decoded and re-encoded here, before anything is stored, so
    a refused image leaves the profile as it was.
    """
    if not actor.is_local or actor.user is None or not actor.user.is_active:
        raise ProfileRefused("Only active accounts on this server can change their profile")
    if display_name is not None and len(display_name.strip()) > MAX_DISPLAY_NAME_CHARACTERS:
        raise ProfileRefused(f"Display name is too long (the limit is {MAX_DISPLAY_NAME_CHARACTERS} characters)")
    if note is not None and len(note.strip()) > MAX_NOTE_CHARACTERS:
        raise ProfileRefused(f"Note is too long (the limit is {MAX_NOTE_CHARACTERS} characters)")
    checked_fields = _check_fields(fields)
    return ProfileChange(
        display_name=display_name.strip() if display_name is not None else None,
        note=note.strip() if note is not None else None,
        fields=checked_fields,
        locked=locked,
        bot=bot,
        discoverable=discoverable,
        avatar=_check_image("Avatar", *avatar, AVATAR_SIZE) if avatar is not None else None,
        header=_check_image("Header", *header, HEADER_SIZE) if header is not None else None,
    )


def _image_name(image: ProcessedProfileImage) -> str:
    return f"{secrets.token_hex(16)}.{EXTENSIONS[image.content_type]}"


def do_update_profile(actor: Actor, change: ProfileChange, defaults: PostingDefaults | None = None) -> Actor:
    """Store a checked profile change, and the owner's posting defaults if given; followers' servers receive an Update.

    The profile page and `update_credentials` change both at once, so both
    are stored in one transaction: neither is kept without the other.
    """
    with transaction.atomic():
        if defaults is not None and actor.user is not None:
            do_set_posting_defaults(actor.user, defaults)
        locked_actor = Actor.objects.select_for_update().get(pk=actor.pk)
        replaced = []
        if change.display_name is not None:
            locked_actor.display_name = change.display_name
        if change.note is not None:
            locked_actor.summary = render_plain_text(change.note)
        if change.fields is not None:
            locked_actor.fields = change.fields
        for name in ("locked", "bot", "discoverable"):
            value = getattr(change, name)
            if value is not None:
                setattr(locked_actor, name, value)
        for name in ("avatar", "header"):
            image: ProcessedProfileImage | None = getattr(change, name)
            if image is not None:
                field = getattr(locked_actor, name)
                if field:
                    replaced.append(field.name)
                field.save(_image_name(image), ContentFile(image.content), save=False)
        locked_actor.save()
        publish_actor_update(locked_actor)
        storage = locked_actor.avatar.storage
        # Files of replaced images go once the new ones are committed.
        transaction.on_commit(lambda: [storage.delete(old) for old in replaced])
    return locked_actor
