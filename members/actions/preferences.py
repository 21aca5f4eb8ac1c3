"""A member's posting defaults: the visibility, sensitivity and language apps start a new post with."""

from __future__ import annotations

import re
from dataclasses import dataclass

from members.errors import MemberRefused
from members.models import User

# Mastodon's choices for a default; local-only posts are chosen per post.
DEFAULT_VISIBILITIES = ("public", "unlisted", "private", "direct")
LANGUAGE_CODE = re.compile(r"^[a-z]{2,3}$")


@dataclass(frozen=True)
class PostingDefaults:
    """Checked posting defaults; None leaves a default as it is."""

    visibility: str | None = None
    sensitive: bool | None = None
    language: str | None = None


def check_posting_defaults(
    *, visibility: str | None = None, sensitive: bool | None = None, language: str | None = None
) -> PostingDefaults:
    """Refuse an unknown visibility or something that is not an ISO 639 language code."""
    if visibility is not None and visibility not in DEFAULT_VISIBILITIES:
        raise MemberRefused(f"Default visibility must be one of {', '.join(DEFAULT_VISIBILITIES)}.")
    if language is not None:
        language = language.strip().lower()
        if language and not LANGUAGE_CODE.match(language):
            raise MemberRefused("Default language must be an ISO 639 code such as en or fr, or empty.")
    return PostingDefaults(visibility=visibility, sensitive=sensitive, language=language)


def do_set_posting_defaults(user: User, defaults: PostingDefaults) -> User:
    """Store checked posting defaults."""
    changed = []
    if defaults.visibility is not None:
        user.default_visibility = defaults.visibility
        changed.append("default_visibility")
    if defaults.sensitive is not None:
        user.default_sensitive = defaults.sensitive
        changed.append("default_sensitive")
    if defaults.language is not None:
        user.default_language = defaults.language
        changed.append("default_language")
    if changed:
        user.save(update_fields=changed)
    return user
