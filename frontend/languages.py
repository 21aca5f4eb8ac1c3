"""The languages a member may tag a post with in the web app's compose form."""

from __future__ import annotations

from django.conf.locale import LANG_INFO

# A short list, as Mastodon's composer offers the most used ones first:
# the interface's languages, then widely written ones. Names come from
# Django's locale table (kept with each release) rather than a copy here.
COMMON_LANGUAGES = (
    "en", "fr", "es", "de", "it", "pt", "nl", "ca", "eu", "gl", "pl", "sv", "da", "nb", "fi",
    "cs", "el", "ro", "hu", "tr", "uk", "ru", "ar", "he", "hi", "ja", "ko", "eo", "cy", "ga", "br",
)  # fmt: skip


def language_name(code: str) -> str:
    """Return a language's own name for itself (its native name), or the code when Django does not know it."""
    info = LANG_INFO.get(code.lower())
    return str(info["name_local"]) if info else code


def language_choices(default: str) -> list[tuple[str, str]]:
    """Return the compose form's language choices: the member's default posting language first, then the list."""
    codes = [default] if default else []
    codes += [code for code in COMMON_LANGUAGES if code not in codes]
    return [(code, f"{language_name(code)} ({code})") for code in codes]
