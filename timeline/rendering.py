"""Turn a member's plain text into the HTML a status carries."""

from __future__ import annotations

import re

from django.utils.html import escape

_URL = re.compile(r"https?://[^\s<>\"']+[^\s<>\"'.,;:!?)\]]")


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
