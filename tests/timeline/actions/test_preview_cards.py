"""Preview cards fetched from a real web server on loopback: what is read, what is refused, what is reused."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings
from pytest_django.fixtures import Settings as SettingsWrapper

from federation.models import Actor
from tests.factories.federation import RemoteActorFactory
from tests.factories.timeline import StatusFactory
from tests.file_server import FileServer, file_server
from tests.timeline.media_files import image_bytes, png_claiming
from timeline.actions.preview_cards import do_fetch_preview_card
from timeline.actions.statuses import check_create_status, check_edit_status, do_create_status, do_edit_status
from timeline.entities.statuses import status_entity
from timeline.models import Mention, PreviewCard, Status

pytestmark = pytest.mark.django_db

OG_PAGE = """<!doctype html><html lang="en"><head>
<title>Plain title</title>
<meta property="og:title" content="Tomatoes &amp; you">
<meta property="og:description" content="  How to grow
  tomatoes on a balcony. ">
<meta property="og:image" content="/tomato.png">
<meta property="og:site_name" content="Garden Weekly">
<meta property="article:published_time" content="2026-11-02T10:00:00Z">
<meta name="author" content="Ada Gardener">
</head><body><p>Text</p></body></html>"""


@pytest.fixture(scope="module")
def site() -> Iterator[FileServer]:
    """Serve the pages and images of these tests from loopback, for the whole module."""
    with file_server() as server:
        server.serve("/garden", OG_PAGE.encode(), "text/html; charset=utf-8")
        server.serve("/tomato.png", image_bytes(1200, 630), "image/png")
        server.serve("/data.json", b'{"title": "not a page"}', "application/json")
        server.serve(
            "/bomb",
            b'<html><head><meta property="og:title" content="Bomb"><meta property="og:image" content="/bomb.png">',
            "text/html",
        )
        server.serve("/bomb.png", png_claiming(30_000, 30_000), "image/png")
        server.serve(
            "/huge",
            b'<html><head><meta property="og:title" content="Huge"><meta property="og:image" content="/huge.png">',
            "text/html",
        )
        server.serve("/huge.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * (8 * 1024 * 1024 + 1), "image/png")
        server.serve("/other", b"<html><head><title>Another page</title></head></html>", "text/html")
        server.serve(
            "/video",
            b'<html><head><title>A video</title><link rel="alternate" type="application/json+oembed" '
            b'href="/oembed.json"></head></html>',
            "text/html",
        )
        server.serve(
            "/oembed.json",
            b'{"type": "video", "title": "A video", "provider_name": "Tube", "width": 480, "height": 270,'
            b' "html": "<iframe src=\\"https://127.0.0.1/embed/1\\" width=\\"480\\"></iframe><script>x()</script>"}',
            "application/json",
        )
        yield server


@pytest.fixture(autouse=True)
def _loopback_allowed(settings: SettingsWrapper) -> None:
    settings.MUTUALS_ALLOW_LOOPBACK_FEDERATION = True


def files_under(folder: str) -> list[Path]:
    root = Path(django_settings.MEDIA_ROOT) / folder
    return [path for path in root.rglob("*") if path.is_file()] if root.exists() else []


def linked(author: Actor, html: str) -> Status:
    return StatusFactory.create(account=author, content=html)


def card_of(status: Status) -> dict[str, Any] | None:
    status.refresh_from_db()
    card: dict[str, Any] | None = status_entity(status, None)["card"]
    return card


def test_a_posted_link_gets_its_card_once_the_task_ran(
    alice: Actor, site: FileServer, django_capture_on_commit_callbacks: Any
) -> None:
    """Posting queues the card after commit; the card reads OpenGraph and stores the image processed here."""
    with django_capture_on_commit_callbacks(execute=True):
        status = do_create_status(alice, check_create_status(alice, text=f"Look: {site.url('/garden')}"))
    card = card_of(status)
    assert card is not None
    assert card["url"] == site.url("/garden")
    assert card["title"] == "Tomatoes & you"
    assert card["description"] == "How to grow tomatoes on a balcony."
    assert card["type"] == "link"
    assert card["provider_name"] == "Garden Weekly"
    assert card["author_name"] == "Ada Gardener"
    assert card["language"] == "en"
    assert card["published_at"] == "2026-11-02T10:00:00.000Z"
    assert card["html"] == ""
    # The image is a preview-sized copy here, never the page's own URL.
    assert card["image"].startswith("https://localhost:8000/media/cards/")
    assert card["width"] * card["height"] <= 640 * 360
    assert card["width"] / card["height"] == pytest.approx(1200 / 630, rel=0.02)
    assert card["blurhash"]
    assert PreviewCard.objects.get().image_remote_url == site.url("/tomato.png")


def test_mentions_hashtags_and_attachments_are_skipped_and_cards_are_shared(site: FileServer) -> None:
    author = RemoteActorFactory.create()
    mentioned = RemoteActorFactory.create(url=site.url("/@someone"))
    first = linked(
        author,
        f'<p><a href="{site.url("/@someone")}">@someone</a> <a class="mention hashtag" href="{site.url("/tags/x")}">'
        f'#x</a> <a rel="tag" href="{site.url("/tags/y")}">#y</a> <a href="{site.url("/garden")}">garden</a></p>',
    )
    Mention.objects.create(status=first, account=mentioned)
    do_fetch_preview_card(first.pk)
    assert card_of(first) is not None
    asked = len(site.requested)
    second = linked(author, f'<p><a href="{site.url("/garden")}">same page</a></p>')
    do_fetch_preview_card(second.pk)
    # A card fetched recently is reused: no request, one row for both statuses.
    assert len(site.requested) == asked
    second.refresh_from_db()
    first.refresh_from_db()
    assert second.preview_card_id == first.preview_card_id
    assert PreviewCard.objects.count() == 1


@pytest.mark.parametrize(
    "link",
    ["https://10.0.0.7/internal", "http://192.168.1.1/router", "https://[::ffff:127.0.0.1]/x", "ftp://127.0.0.1/f"],
)
def test_a_private_address_gets_no_card_and_no_request(
    alice: Actor, site: FileServer, settings: SettingsWrapper, link: str
) -> None:
    settings.MUTUALS_ALLOW_LOOPBACK_FEDERATION = False
    status = linked(alice, f'<p><a href="{link}">{link}</a> <a href="{site.url("/garden")}">x</a></p>')
    asked = len(site.requested)
    assert do_fetch_preview_card(status.pk) is None
    assert card_of(status) is None
    assert PreviewCard.objects.count() == 0
    assert files_under("cards") == []
    assert len(site.requested) == asked


def test_a_loopback_link_is_refused_unless_loopback_federation_is_allowed(
    alice: Actor, site: FileServer, settings: SettingsWrapper
) -> None:
    settings.MUTUALS_ALLOW_LOOPBACK_FEDERATION = False
    status = linked(alice, f'<p><a href="{site.url("/garden")}">garden</a></p>')
    asked = len(site.requested)
    assert do_fetch_preview_card(status.pk) is None
    assert PreviewCard.objects.count() == 0
    assert len(site.requested) == asked


def test_a_non_html_answer_is_ignored(alice: Actor, site: FileServer) -> None:
    for path in ("/data.json", "/tomato.png", "/missing"):
        status = linked(alice, f'<p><a href="{site.url(path)}">x</a></p>')
        assert do_fetch_preview_card(status.pk) is None
        assert card_of(status) is None
    assert PreviewCard.objects.count() == 0
    assert files_under("cards") == []


@pytest.mark.parametrize("page", ["/bomb", "/huge"])
def test_an_oversized_preview_image_is_refused(alice: Actor, site: FileServer, page: str) -> None:
    """An image too large to fetch or to decode is not stored; the card keeps its text alone."""
    status = linked(alice, f'<p><a href="{site.url(page)}">x</a></p>')
    do_fetch_preview_card(status.pk)
    card = card_of(status)
    assert card is not None
    assert card["image"] is None
    assert card["blurhash"] is None
    assert (card["width"], card["height"]) == (0, 0)
    assert PreviewCard.objects.get().image_remote_url == ""
    assert files_under("cards") == []


def test_an_edit_re_resolves_the_card(alice: Actor, site: FileServer, django_capture_on_commit_callbacks: Any) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        status = do_create_status(alice, check_create_status(alice, text=f"see {site.url('/garden')}"))
    assert card_of(status) is not None
    with django_capture_on_commit_callbacks(execute=True):
        do_edit_status(alice, status, check_edit_status(alice, status, text=f"rather {site.url('/other')}"))
    card = card_of(status)
    assert card is not None
    assert card["title"] == "Another page"
    with django_capture_on_commit_callbacks(execute=True):
        do_edit_status(alice, status, check_edit_status(alice, status, text="no link now"))
    assert card_of(status) is None


def test_oembed_players_are_kept_only_for_allowed_providers(
    alice: Actor, site: FileServer, settings: SettingsWrapper
) -> None:
    first = linked(alice, f'<p><a href="{site.url("/video")}">x</a></p>')
    do_fetch_preview_card(first.pk)
    card = card_of(first)
    assert card is not None
    assert (card["type"], card["html"], card["provider_name"]) == ("link", "", "Tube")

    settings.MUTUALS_OEMBED_PROVIDERS = ["127.0.0.1"]
    PreviewCard.objects.all().delete()
    second = linked(alice, f'<p><a href="{site.url("/video")}">x</a></p>')
    do_fetch_preview_card(second.pk)
    card = card_of(second)
    assert card is not None
    assert card["type"] == "video"
    assert (card["width"], card["height"]) == (480, 270)
    assert card["html"].startswith('<iframe src="https://127.0.0.1/embed/1"')
    assert "sandbox=" in card["html"]
    assert "<script" not in card["html"] and "x()" not in card["html"]
