"""Read what a status links to and what a linked page says about itself, from HTML alone (no I/O).

Both readers use the standard library's `html.parser`: they need only the
attributes of `<a>`, `<meta>`, `<link>` and `<html>` and the text of
`<title>`, which its tokenizer gives without building a tree, and no HTML
parser is among the project's dependencies (nh3 sanitises, it does not
report what it reads). A malformed page yields what could be read of it.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

MAX_TITLE = 300
MAX_DESCRIPTION = 1_000
OEMBED_TYPES = ("application/json+oembed", "text/json+oembed")


class _LinkReader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[tuple[str, set[str], set[str]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag != "a":
            return
        values = {name: value or "" for name, value in attrs}
        href = values.get("href", "").strip()
        if href:
            self.links.append((href, set(values.get("class", "").split()), set(values.get("rel", "").split())))


def first_link(content: str, *, skip: Collection[str] = (), local_host: str = "") -> str | None:
    """Return the first http(s) link of a status's HTML that is not a mention, a hashtag or a URL in `skip`.

    As on Mastodon, a link with the class `mention` or `hashtag` or the rel
    `tag` is skipped, and so are the URLs of the status's mentioned
    accounts and attachments, which the caller passes in `skip`, and links
    to this server itself (`local_host`): its pages are previewed as a
    visitor signed out sees them, a sign-in page for most.
    """
    reader = _LinkReader()
    reader.feed(content)
    reader.close()
    skipped = set(skip)
    for href, classes, rels in reader.links:
        if classes & {"mention", "hashtag"} or "tag" in rels or href in skipped:
            continue
        parts = urlsplit(href)
        if parts.scheme in ("http", "https") and not (local_host and parts.netloc.lower() == local_host.lower()):
            return href
    return None


@dataclass
class PageMeta:
    """What a page says about itself: OpenGraph and Twitter properties, its title, language and oEmbed link."""

    properties: dict[str, str] = field(default_factory=dict)
    title: str = ""
    language: str = ""
    oembed_url: str = ""

    def first(self, *names: str) -> str:
        """Return the first non-empty property among the names, or an empty string."""
        for name in names:
            value = self.properties.get(name, "").strip()
            if value:
                return value
        return ""


class _MetaReader(HTMLParser):
    def __init__(self, base: str) -> None:
        super().__init__(convert_charrefs=True)
        self.base = base
        self.meta = PageMeta()
        self._in_title = False
        self._title: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: (value or "") for name, value in attrs}
        if tag == "html" and not self.meta.language:
            self.meta.language = values.get("lang", "").strip()[:16]
        elif tag == "title" and not self._title:
            self._in_title = True
        elif tag == "meta":
            # OpenGraph names its keys `property`, Twitter and plain HTML `name`.
            key = (values.get("property") or values.get("name") or "").strip().lower()
            if key and key not in self.meta.properties:
                self.meta.properties[key] = values.get("content", "")
        elif tag == "link" and not self.meta.oembed_url:
            rels = values.get("rel", "").lower().split()
            if "alternate" in rels and values.get("type", "").lower() in OEMBED_TYPES and values.get("href"):
                self.meta.oembed_url = urljoin(self.base, values["href"].strip())

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self._in_title = False

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self._title.append(data)

    def close(self) -> None:
        super().close()
        self.meta.title = " ".join("".join(self._title).split())


def read_page_meta(html: str, base_url: str) -> PageMeta:
    """Return the OpenGraph, Twitter and oEmbed description of a page; relative URLs resolve against `base_url`."""
    reader = _MetaReader(base_url)
    reader.feed(html)
    reader.close()
    return reader.meta


def shorten(text: str, limit: int) -> str:
    """Return the text with its whitespace collapsed, cut to `limit` characters with an ellipsis."""
    collapsed = " ".join(text.split())
    return collapsed if len(collapsed) <= limit else collapsed[: limit - 1].rstrip() + "…"


class _IframeReader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.sources: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "iframe":
            self.sources.append(dict(attrs).get("src") or "")


def iframe_sources(html: str) -> list[str]:
    """Return the `src` of every iframe in the HTML, '' for an iframe without one."""
    reader = _IframeReader()
    reader.feed(html)
    reader.close()
    return reader.sources
