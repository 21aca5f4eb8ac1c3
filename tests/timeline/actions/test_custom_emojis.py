"""Local custom emoji added and removed, and other servers' emoji kept and fetched."""

from __future__ import annotations

import io
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from PIL import Image

from federation.activitypub import Emoji, Note
from federation.models import Actor, DomainPolicy
from federation.transport import Response
from tests.factories.federation import RemoteActorFactory
from tests.timeline.media_files import image_bytes
from timeline.actions.custom_emojis import (
    check_create_custom_emoji,
    check_remove_custom_emoji,
    do_create_custom_emoji,
    do_remove_custom_emoji,
    do_store_remote_emojis,
)
from timeline.actions.remote_statuses import do_store_remote_status
from timeline.errors import EmojiRefused
from timeline.models import CustomEmoji


def _add(shortcode: str, data: bytes | None = None) -> CustomEmoji:
    data = data or image_bytes(32, 32)
    return do_create_custom_emoji(check_create_custom_emoji(shortcode, io.BytesIO(data), size=len(data)))


def _animated_gif() -> bytes:
    frames = [Image.new("RGB", (16, 16), colour) for colour in ("red", "blue")]
    out = io.BytesIO()
    frames[0].save(out, "GIF", save_all=True, append_images=frames[1:], duration=100, loop=0)
    return out.getvalue()


def _files(root: Path) -> list[Path]:
    return [path for path in (root / "emoji").rglob("*") if path.is_file()] if (root / "emoji").exists() else []


@pytest.mark.django_db
def test_an_added_emoji_is_a_png_with_a_still_image() -> None:
    emoji = _add(":blobcat:", image_bytes(600, 300))
    assert emoji.shortcode == "blobcat"
    assert emoji.domain is None
    assert emoji.content_type == "image/png"
    with Image.open(emoji.image.path) as stored:
        # Shrunk to fit 256x256, never enlarged.
        assert stored.size == (256, 128)


@pytest.mark.django_db
def test_an_animated_gif_stays_animated_and_gets_a_still_png() -> None:
    emoji = _add("party", _animated_gif())
    assert emoji.content_type == "image/gif"
    with Image.open(emoji.image.path) as stored:
        assert getattr(stored, "n_frames", 1) == 2
    with Image.open(emoji.static_image.path) as still:
        assert still.format == "PNG"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("shortcode", "data", "message"),
    [
        ("a", image_bytes(16, 16), "2 to 64 letters"),
        ("has space", image_bytes(16, 16), "2 to 64 letters"),
        ("dash-ed", image_bytes(16, 16), "2 to 64 letters"),
        ("big", image_bytes(16, 16) + b"\0" * (256 * 1024), "less than 256 KB"),
        ("text", b"not an image at all, only words", "PNG, GIF or WebP"),
        ("jpeg", image_bytes(16, 16, fmt="JPEG"), "PNG, GIF or WebP"),
        ("huge", image_bytes(2000, 1000), "too large"),
    ],
)
def test_bad_emoji_are_refused_and_nothing_is_stored(tmp_path: Path, shortcode: str, data: bytes, message: str) -> None:
    with pytest.raises(EmojiRefused, match=message):
        check_create_custom_emoji(shortcode, io.BytesIO(data), size=len(data))
    assert not CustomEmoji.objects.exists()
    assert _files(tmp_path / "media") == []


@pytest.mark.django_db
def test_a_taken_shortcode_is_refused(tmp_path: Path) -> None:
    first = _add("blobcat")
    stored = _files(tmp_path / "media")
    with pytest.raises(EmojiRefused, match="taken"):
        _add("blobcat")
    assert list(CustomEmoji.objects.values_list("pk", flat=True)) == [first.pk]
    assert _files(tmp_path / "media") == stored


@pytest.mark.django_db(transaction=True)
def test_a_removed_emoji_takes_its_files_with_it(tmp_path: Path) -> None:
    emoji = _add("blobcat")
    assert len(_files(tmp_path / "media")) == 2
    do_remove_custom_emoji(check_remove_custom_emoji("blobcat"))
    assert not CustomEmoji.objects.exists()
    assert _files(tmp_path / "media") == []
    with pytest.raises(EmojiRefused, match="no custom emoji"):
        check_remove_custom_emoji(emoji.shortcode)


@pytest.fixture
def served_images(monkeypatch: pytest.MonkeyPatch) -> dict[str, bytes]:
    """Serve emoji images at URLs of other servers (the only fetch these tests make)."""
    served: dict[str, bytes] = {}

    def get(url: str, **kwargs: object) -> Response:  # the unsigned GET of public files
        body = served.get(url)
        return Response(url=url, status=200 if body else 404, body=body or b"", content_type="image/png")

    monkeypatch.setattr("timeline.actions.remote_media.public_get", get)
    return served


def _note(author: Actor, content: str, tags: list[Emoji]) -> Note:
    return Note(
        id=f"{author.uri}/statuses/1",
        attributed_to=author.uri,
        content=content,
        to=["https://www.w3.org/ns/activitystreams#Public"],
        published="2026-12-01T10:00:00Z",
        tag=tags,
    )


@pytest.mark.django_db(transaction=True)
def test_a_remote_note_s_emoji_are_kept_per_domain_and_fetched(served_images: dict[str, bytes]) -> None:
    author = RemoteActorFactory.create(domain="social.example")
    url = "https://social.example/emoji/blobcat.png"
    served_images[url] = image_bytes(32, 32)
    _add("blobcat")
    tag = Emoji(name=":blobcat:", icon_url=url, id="https://social.example/emojis/1")
    do_store_remote_status(author, _note(author, "<p>hi :blobcat:</p>", [tag]))
    remote = CustomEmoji.objects.get(domain="social.example")
    assert (remote.shortcode, remote.image_remote_url) == ("blobcat", url)
    # The task ran after commit (eagerly here) and stored the image here.
    assert remote.image.name.startswith("emoji/")
    assert CustomEmoji.objects.filter(shortcode="blobcat").count() == 2


@pytest.mark.django_db(transaction=True)
def test_a_remote_emoji_that_is_not_an_image_stays_unshown(served_images: dict[str, bytes]) -> None:
    url = "https://social.example/emoji/evil.png"
    served_images[url] = b"<html>not an image</html>"
    do_store_remote_emojis("social.example", [Emoji(name=":evil:", icon_url=url)])
    assert CustomEmoji.objects.get(shortcode="evil").image.name == ""


@pytest.mark.django_db(transaction=True)
def test_an_unfetched_remote_emoji_is_tried_again_an_hour_later_when_named_again(
    served_images: dict[str, bytes],
) -> None:
    url = "https://social.example/emoji/late.png"
    tag = Emoji(name=":late:", icon_url=url)
    do_store_remote_emojis("social.example", [tag])
    served_images[url] = image_bytes(16, 16)
    do_store_remote_emojis("social.example", [tag])
    assert CustomEmoji.objects.get(shortcode="late").image.name == ""
    CustomEmoji.objects.filter(shortcode="late").update(updated_at=timezone.now() - timedelta(hours=2))
    do_store_remote_emojis("social.example", [tag])
    assert CustomEmoji.objects.get(shortcode="late").image.name.startswith("emoji/")


@pytest.mark.django_db
def test_remote_emoji_with_bad_shortcodes_or_from_a_media_rejecting_domain_are_not_kept() -> None:
    DomainPolicy.objects.create(
        domain="nomedia.example", severity="noop", reject_media=True, authorised_by="Proposal #1"
    )
    do_store_remote_emojis("social.example", [Emoji(name=":no good:", icon_url="https://social.example/a.png")])
    do_store_remote_emojis("nomedia.example", [Emoji(name=":fine:", icon_url="https://nomedia.example/a.png")])
    assert not CustomEmoji.objects.exists()
