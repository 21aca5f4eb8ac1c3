"""Add and remove the co-op's custom emoji, each change written to the transparency log.

Officers (moderators and administrators) do it from their page or with
`manage.py customemoji`; the assembly does it with a `custom_emoji`
proposal, enacted when it passes. All three reach the same actions here,
which call the timeline's emoji actions and log the change in the same
transaction.
"""

from __future__ import annotations

import hashlib
from typing import Any

from django.db import transaction

from governance.access import is_moderator
from governance.actions.log import do_append_log_entry
from governance.errors import GovernanceRefused
from governance.models import LogEntry, LogVisibility
from members.models import Role, User
from members.selectors import user_has_role
from timeline.actions.custom_emojis import CustomEmojiDraft, do_create_custom_emoji, do_remove_custom_emoji
from timeline.models import CustomEmoji


def check_manage_custom_emojis(user: User | None) -> User:
    """Return the user if a moderator or administrator (the officers who curate emoji), else refuse."""
    if user is None or not is_moderator(user):
        raise GovernanceRefused("Only moderators and administrators can manage custom emoji.")
    return user


def _log(summary: str, data: dict[str, Any]) -> int:
    return do_append_log_entry(
        LogEntry.Kind.CUSTOM_EMOJI, visibility=LogVisibility.PUBLIC, summary=summary, data=data
    ).sequence


def do_add_custom_emoji(
    draft: CustomEmojiDraft, *, authority: str, data: dict[str, Any] | None = None
) -> tuple[CustomEmoji, int]:
    """Store a checked local emoji and log it, naming who decided; return it and its log entry's sequence."""
    with transaction.atomic():
        emoji = do_create_custom_emoji(draft)
        sequence = _log(
            f"Custom emoji :{emoji.shortcode}: added by {authority}",
            {
                "action": "add",
                "shortcode": emoji.shortcode,
                "category": emoji.category,
                "image_sha256": hashlib.sha256(draft.image.content).hexdigest(),
                "authority": authority,
                **(data or {}),
            },
        )
    return emoji, sequence


def do_retire_custom_emoji(emoji: CustomEmoji, *, authority: str, data: dict[str, Any] | None = None) -> int:
    """Remove a local emoji and log it, naming who decided; return the log entry's sequence."""
    with transaction.atomic():
        shortcode = emoji.shortcode
        do_remove_custom_emoji(emoji)
        return _log(
            f"Custom emoji :{shortcode}: removed by {authority}",
            {"action": "remove", "shortcode": shortcode, "authority": authority, **(data or {})},
        )


def officer_authority(user: User) -> str:
    """Return how the log names an officer's change: by role, never by name (officers act for the co-op)."""
    return "an administrator" if user.is_superuser or user_has_role(user, Role.ADMIN) else "a moderator"
