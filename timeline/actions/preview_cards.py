"""Preview cards: fetch what a status's first link describes, once per URL, and attach it to the status.

After a status is stored or edited (local or remote), a task reads its
first link that is not a mention, hashtag or attachment, as Mastodon does.
A card fetched less than two weeks ago is reused; otherwise the page is
fetched through the federation transport (no internal addresses, bounded
size and time), only an HTML answer is read, and its OpenGraph, Twitter
and oEmbed descriptions make the card. The preview image is copied here
and processed like an upload (`fetch_remote_image`). An oEmbed player's
HTML is kept only for the hosts in MUTUALS_OEMBED_PROVIDERS, reduced to an
iframe on such a host; any other card is a plain link or photo.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any
from urllib.parse import urljoin, urlsplit

import nh3
from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from config.json_input import JsonInputError, parse_json
from config.queueing import enqueue_on_commit
from federation.transport import TransportError, UnsafeDestination, check_fetchable_url, public_get
from timeline.actions.remote_media import delete_stored, fetch_remote_image
from timeline.errors import RemoteMediaUnavailable
from timeline.imaging import MAX_IMAGE_SIDE, MediaRejected
from timeline.link_previews import MAX_DESCRIPTION, MAX_TITLE, first_link, iframe_sources, read_page_meta, shorten
from timeline.models import MediaAttachment, Mention, PreviewCard, Status

logger = logging.getLogger(__name__)

REFETCH_AFTER = timedelta(days=14)
# The longest link a card is stored for (PreviewCard.url).
MAX_LINK = 2000
MAX_PAGE_BYTES = 2 * 1024 * 1024
MAX_OEMBED_BYTES = 64 * 1024
HTML_TYPES = ("text/html", "application/xhtml+xml")
ACCEPT_HTML = "text/html, application/xhtml+xml;q=0.9"
_IFRAME_SANDBOX = "allow-scripts allow-same-origin allow-popups allow-popups-to-escape-sandbox allow-presentation"


def fetch_preview_card_on_commit(status_id: int) -> None:
    """Queue the preview card of a status once the current transaction commits."""
    enqueue_on_commit("timeline.tasks.fetch_preview_card", status_id)


def link_of_status(status: Status) -> str | None:
    """Return the link a status's card previews: its first link not a mention, hashtag or attachment."""
    skip: set[str] = set()
    for url, uri in Mention.objects.filter(status=status).values_list("account__url", "account__uri"):
        skip.update((url, uri))
    skip.update(
        MediaAttachment.objects.filter(status=status).exclude(remote_url="").values_list("remote_url", flat=True)
    )
    link = first_link(status.content, skip=skip, local_host=settings.MUTUALS_DOMAIN)
    return link if link is not None and len(link) <= MAX_LINK else None


def _get(url: str, *, accept: str, limit: int) -> tuple[str, str, bytes] | None:
    """Return the final URL, content type and body of a 200 answer, or None for anything else."""
    try:
        response = public_get(url, accept=accept, limit=limit)
    except (TransportError, UnsafeDestination) as exc:
        logger.info("No preview of %s: %s", url, exc)
        return None
    if response.status != 200:
        return None
    return response.url, response.content_type.split(";", 1)[0].strip().lower(), response.body


def _charset(content_type: str) -> str:
    for part in content_type.split(";")[1:]:
        name, _, value = part.partition("=")
        if name.strip().lower() == "charset" and value.strip():
            return value.strip().strip('"')
    return "utf-8"


def _oembed(url: str) -> dict[str, Any]:
    answer = _get(url, accept="application/json", limit=MAX_OEMBED_BYTES)
    if answer is None:
        return {}
    try:
        document = parse_json(answer[2], max_bytes=MAX_OEMBED_BYTES)
    except JsonInputError:
        return {}
    return document if isinstance(document, dict) else {}


def _text(document: dict[str, Any], key: str) -> str:
    value = document.get(key)
    return value.strip() if isinstance(value, str) else ""


def _http_url(value: str, base: str) -> str:
    """Return the value resolved against the page's URL if it is an http(s) URL of reasonable length, else ''."""
    if not value:
        return ""
    resolved = urljoin(base, value)
    return resolved if urlsplit(resolved).scheme in ("http", "https") and len(resolved) <= 2000 else ""


def _dimension(value: Any) -> int:
    return value if isinstance(value, int) and 0 < value <= MAX_IMAGE_SIDE else 0


def allowed_embed_html(html: str, provider_url: str) -> str:
    """Return an oEmbed player reduced to sandboxed iframes on a trusted host, or '' if it is not trusted.

    A host is trusted when the operator lists it in MUTUALS_OEMBED_PROVIDERS
    (empty by default, so that no card embeds anything).
    """
    allowed = set(settings.MUTUALS_OEMBED_PROVIDERS)
    if not allowed or (urlsplit(provider_url).hostname or "") not in allowed:
        return ""
    cleaned = nh3.clean(
        html,
        tags={"iframe"},
        attributes={"iframe": {"src", "width", "height", "allowfullscreen", "title"}},
        set_tag_attribute_values={"iframe": {"sandbox": _IFRAME_SANDBOX}},
        url_schemes={"https"},
    )
    sources = iframe_sources(cleaned)
    if not sources or any((urlsplit(src).hostname or "") not in allowed for src in sources):
        return ""
    return cleaned


def _card_fields(link: str) -> tuple[dict[str, Any], str] | None:
    """Fetch a page and return the card's fields and the URL of its preview image, or None for no card."""
    answer = _get(link, accept=ACCEPT_HTML, limit=MAX_PAGE_BYTES)
    if answer is None:
        return None
    final_url, content_type, body = answer
    if content_type not in HTML_TYPES:
        return None
    try:
        page = body.decode(_charset(content_type), errors="replace")
    except LookupError:
        page = body.decode("utf-8", errors="replace")
    meta = read_page_meta(page, final_url)
    oembed = _oembed(meta.oembed_url) if meta.oembed_url else {}
    kind = _text(oembed, "type")
    provider_url = _http_url(_text(oembed, "provider_url"), final_url)
    html = allowed_embed_html(_text(oembed, "html"), meta.oembed_url) if kind in ("video", "rich") else ""
    card_type = PreviewCard.Type.LINK
    image = _http_url(meta.first("og:image", "og:image:url", "og:image:secure_url", "twitter:image"), final_url)
    embed_url = ""
    if kind == "photo" and _http_url(_text(oembed, "url"), final_url):
        card_type = PreviewCard.Type.PHOTO
        embed_url = _http_url(_text(oembed, "url"), final_url)
        image = image or embed_url
    elif html:
        card_type = PreviewCard.Type(kind)
    image = image or _http_url(_text(oembed, "thumbnail_url"), final_url)
    title = shorten(_text(oembed, "title") or meta.first("og:title", "twitter:title") or meta.title, MAX_TITLE)
    if not title and not html:
        return None
    published = parse_datetime(meta.first("article:published_time")) if meta.first("article:published_time") else None
    fields = {
        "title": title,
        "description": shorten(meta.first("og:description", "twitter:description", "description"), MAX_DESCRIPTION),
        "type": card_type,
        "author_name": shorten(_text(oembed, "author_name") or meta.first("author"), 200),
        "author_url": _http_url(_text(oembed, "author_url"), final_url),
        "provider_name": shorten(_text(oembed, "provider_name") or meta.first("og:site_name"), 200),
        "provider_url": provider_url,
        "html": html,
        "width": _dimension(oembed.get("width")) if html else 0,
        "height": _dimension(oembed.get("height")) if html else 0,
        "embed_url": embed_url,
        "language": (meta.first("og:locale").replace("_", "-")[:16] or meta.language),
        "published_at": published if published is not None and published.tzinfo is not None else None,
        "fetched_at": timezone.now(),
    }
    return fields, image


def _store_card(link: str) -> PreviewCard | None:
    """Fetch the page behind a link and store (or refresh) its card; return None when it gives none."""
    found = _card_fields(link)
    if found is None:
        return None
    fields, image_url = found
    stored = None
    if image_url:
        try:
            stored = fetch_remote_image(image_url, "card")
        except (RemoteMediaUnavailable, MediaRejected) as exc:
            logger.info("The preview image of %s was refused: %s", link, exc)
    fields |= {
        "image": stored.name if stored else "",
        "image_remote_url": image_url if stored else "",
        "blurhash": stored.blurhash if stored else "",
    }
    if stored and not fields["html"]:
        fields |= {"width": stored.width, "height": stored.height}
    try:
        return _save_card(link, fields)
    except IntegrityError:
        # Another worker stored the same link's card meanwhile: keep that one.
        delete_stored(fields["image"])
        return PreviewCard.objects.filter(url=link).first()


def _save_card(link: str, fields: dict[str, Any]) -> PreviewCard:
    with transaction.atomic():
        card = PreviewCard.objects.select_for_update().filter(url=link).first()
        replaced = card.image.name if card is not None and card.image else ""
        if card is None:
            card = PreviewCard.objects.create(url=link, **fields)
        else:
            for name, value in fields.items():
                setattr(card, name, value)
            card.save()
        if replaced:
            transaction.on_commit(lambda: delete_stored(replaced))
    return card


def do_fetch_preview_card(status_id: int) -> int | None:
    """Attach the card of a status's first link (fetched, or reused when recent); return the card's id.

    A status whose link is gone after an edit loses its card. A link this
    server must never request (`check_fetchable_url`) gets no card and no
    request; a link resolving to an internal address is refused by the
    transport before it connects.
    """
    status = Status.objects.filter(pk=status_id, reblog_of__isnull=True).first()
    if status is None:
        return None
    link = link_of_status(status)
    card: PreviewCard | None = None
    if link is not None:
        try:
            check_fetchable_url(link)
        except UnsafeDestination:
            link = None
    if link is not None:
        card = PreviewCard.objects.filter(url=link).first()
        if card is None or card.fetched_at < timezone.now() - REFETCH_AFTER:
            card = _store_card(link) or card
    card_id = card.pk if card is not None else None
    if status.preview_card_id != card_id:
        Status.objects.filter(pk=status_id).update(preview_card=card_id)
    return card_id
