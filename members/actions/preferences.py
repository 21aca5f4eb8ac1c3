"""A member's preferences: the posting defaults apps start a new post with, the web app's language and time zone."""

from __future__ import annotations

import re
import zoneinfo
from dataclasses import dataclass
from functools import cache

from django.conf import settings

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


@dataclass(frozen=True)
class InterfaceLanguage:
    """A checked interface language: a code from `settings.LANGUAGES`, or empty to follow the browser."""

    code: str


def interface_language_codes() -> tuple[str, ...]:
    """Return the codes of the languages the web app is offered in."""
    return tuple(code for code, _name in settings.LANGUAGES)


def check_interface_language(language: str) -> InterfaceLanguage:
    """Refuse a language the web app is not offered in; empty means follow the browser."""
    code = language.strip().lower()
    if code and code not in interface_language_codes():
        raise MemberRefused(
            f"The web app is not offered in {language.strip()!r}; choose one of "
            f"{', '.join(interface_language_codes())}, or none to follow your browser."
        )
    return InterfaceLanguage(code=code)


def do_set_interface_language(user: User, language: InterfaceLanguage) -> User:
    """Store the member's checked interface language."""
    user.interface_language = language.code
    user.save(update_fields=["interface_language"])
    return user


# The areas of the IANA database whose zones are places; the rest (US/Eastern, EST5EDT, Etc/GMT+5) are kept for
# compatibility and still accepted, but not offered in the list.
TIME_ZONE_AREAS = (
    "Africa",
    "America",
    "Antarctica",
    "Arctic",
    "Asia",
    "Atlantic",
    "Australia",
    "Europe",
    "Indian",
    "Pacific",
)


@dataclass(frozen=True)
class TimeZone:
    """A checked time zone: an IANA name this server knows, or empty for none (UTC)."""

    name: str


@cache
def time_zone_names() -> frozenset[str]:
    """Return every IANA time zone name this server's time zone database holds."""
    return frozenset(zoneinfo.available_timezones())


def offered_time_zones() -> list[str]:
    """Return the zones a member chooses from, sorted: every place's zone and UTC."""
    return sorted(name for name in time_zone_names() if name == "UTC" or name.split("/", 1)[0] in TIME_ZONE_AREAS)


def check_time_zone(name: str) -> TimeZone:
    """Refuse a name that is not an IANA time zone this server knows; empty means none (UTC)."""
    name = name.strip()
    if name and name not in time_zone_names():
        raise MemberRefused(
            f"{name!r} is not a time zone this server knows; choose a place such as Europe/Paris, or none for UTC."
        )
    return TimeZone(name=name)


def do_set_time_zone(user: User, zone: TimeZone) -> User:
    """Store the member's checked time zone."""
    user.time_zone = zone.name
    user.save(update_fields=["time_zone"])
    return user
