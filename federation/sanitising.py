"""Sanitise HTML from other servers to the elements and classes Mastodon keeps."""

from __future__ import annotations

import re

import nh3

_TAGS = {
    "p", "br", "span", "a", "del", "s", "pre", "code", "em", "strong", "b", "i", "u",
    "ul", "ol", "li", "blockquote", "h1", "h2", "h3", "h4", "h5", "h6", "sub", "sup",
}  # fmt: skip
_ATTRIBUTES = {
    "a": {"href", "class", "translate"},
    "span": {"class", "translate"},
    "ol": {"start", "reversed"},
    "li": {"value"},
}
_URL_SCHEMES = {"http", "https", "dat", "dweb", "ipfs", "ipns", "ssb", "gopher", "xmpp", "magnet", "gemini"}
# Microformats and the classes Mastodon uses for mentions, hashtags and link shortening.
_KEPT_CLASS = re.compile(r"^(h|p|u|dt|e)-\S+$|^(mention|hashtag|ellipsis|invisible)$")


def _filter_attribute(element: str, attribute: str, value: str) -> str | None:
    if attribute != "class":
        return value
    kept = [name for name in value.split() if _KEPT_CLASS.match(name)]
    return " ".join(kept) or None


def sanitise_html(html: str) -> str:
    """Return remote HTML with only Mastodon's allowed elements, attributes, classes and URL schemes."""
    return nh3.clean(
        html,
        tags=_TAGS,
        attributes=_ATTRIBUTES,
        url_schemes=_URL_SCHEMES,
        link_rel="nofollow noopener noreferrer",
        attribute_filter=_filter_attribute,
        strip_comments=True,
    )
