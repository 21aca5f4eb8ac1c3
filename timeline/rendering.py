"""Turn a member's plain text into the HTML a status carries."""

from __future__ import annotations

import html
import re

from django.utils.html import escape

_URL = re.compile(r"https?://[^\s<>\"']+[^\s<>\"'.,;:!?)\]]")
_TAG = re.compile(r"<[^>]*>")


def _linkify(escaped: str) -> str:
    def link(match: re.Match[str]) -> str:
        href = match.group(0)
        return f'<a href="{href}" rel="nofollow noopener noreferrer" target="_blank">{href}</a>'

    return _URL.sub(link, escaped)


def render_plain_text(text: str) -> str:
    """Return HTML paragraphs for the text: escaped, links made clickable, line breaks kept."""
    paragraphs = [p for p in re.split(r"\n\s*\n", text.strip()) if p.strip()]
    rendered = []
    for paragraph in paragraphs:
        lines = [_linkify(escape(line)) for line in paragraph.strip().split("\n")]
        rendered.append("<p>" + "<br>".join(lines) + "</p>")
    return "".join(rendered)


def render_field_value(text: str) -> str:
    """Return a profile field's value as HTML: escaped, links made clickable, on one line."""
    return _linkify(escape(" ".join(text.split())))


def plain_text_of(rendered: str) -> str:
    """Return the text that `render_plain_text` turned into `rendered` (the editor shows the source)."""
    text = rendered.replace("</p><p>", "\n\n").replace("<br>", "\n")
    return html.unescape(_TAG.sub("", text))
