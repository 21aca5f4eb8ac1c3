"""Recognising files from their bytes and turning images into stored files without metadata."""

from __future__ import annotations

import io

import blurhash
import pytest
from PIL import Image

from tests.timeline.media_files import image_bytes, mp4_bytes, png_claiming
from timeline.imaging import (
    MediaRejected,
    inspect_image,
    process_image,
    process_profile_image,
    sniff_content_type,
)


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        (image_bytes(fmt="JPEG")[:64], "image/jpeg"),
        (image_bytes(fmt="PNG")[:64], "image/png"),
        (image_bytes(fmt="GIF")[:64], "image/gif"),
        (image_bytes(fmt="WEBP")[:64], "image/webp"),
        (mp4_bytes()[:64], "video/mp4"),
        (b"\x00\x00\x00\x18ftypqt  " + b"\x00" * 40, "video/quicktime"),
        (b"\x00\x00\x00\x18ftypM4A " + b"\x00" * 40, "audio/mp4"),
        (b"\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01\x42\x82\x84webm", "video/webm"),
        (b"\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01\x42\x82\x88matroska", None),
        (b"ID3\x04\x00", "audio/mpeg"),
        (b"OggS\x00\x02", "audio/ogg"),
        (b"RIFF\x00\x00\x00\x00WAVEfmt ", "audio/wav"),
        (b"fLaC\x00\x00", "audio/flac"),
        (b"<svg xmlns='http://www.w3.org/2000/svg'/>", None),
        (b"%PDF-1.7", None),
        (b"MZ\x90\x00", None),
        (b"", None),
    ],
)
def test_types_come_from_leading_bytes(head: bytes, expected: str | None) -> None:
    assert sniff_content_type(head) == expected


def test_declared_dimensions_are_checked_before_decoding() -> None:
    with pytest.raises(MediaRejected, match="too large"):
        inspect_image(io.BytesIO(png_claiming(8000, 8000)))
    with pytest.raises(MediaRejected, match="too large"):
        inspect_image(io.BytesIO(png_claiming(20_000, 10)))
    header = inspect_image(io.BytesIO(png_claiming(7000, 4000)))
    assert (header.width, header.height) == (7000, 4000)


def test_processing_gives_a_decodable_blurhash_and_a_bounded_preview() -> None:
    processed = process_image(io.BytesIO(image_bytes(1280, 720)))
    assert (processed.width, processed.height) == (1280, 720)
    assert processed.small_width * processed.small_height <= 640 * 360
    assert len(processed.blurhash) == 36  # 4x4 components
    pixels = blurhash.decode(processed.blurhash, 4, 4)
    assert len(pixels) == 4 and len(pixels[0]) == 4
    with Image.open(io.BytesIO(processed.small)) as small:
        assert small.size == (processed.small_width, processed.small_height)


def test_comments_and_exif_are_not_kept() -> None:
    source = io.BytesIO()
    exif = Image.Exif()
    exif[0x8825] = {2: (51.0, 30.0, 0.0)}  # GPS latitude
    Image.new("RGB", (32, 16), "red").save(source, "JPEG", comment=b"private note", exif=exif.tobytes())
    processed = process_image(source)
    assert b"private note" not in processed.content
    with Image.open(io.BytesIO(processed.content)) as stored:
        assert not stored.getexif()
        assert "comment" not in stored.info


def test_cmyk_and_transparent_images_are_stored_in_modes_clients_read() -> None:
    cmyk = io.BytesIO()
    Image.new("CMYK", (20, 10), (0, 255, 255, 0)).save(cmyk, "JPEG")
    assert process_image(cmyk).content_type == "image/jpeg"
    transparent = process_image(io.BytesIO(image_bytes(20, 10, mode="RGBA")))
    assert transparent.content_type == "image/png" and transparent.small_content_type == "image/png"


def test_animated_gifs_keep_their_frames_and_still_gifs_become_png() -> None:
    frames = [Image.new("RGB", (16, 16), colour) for colour in ("red", "green", "blue")]
    animated = io.BytesIO()
    frames[0].save(animated, "GIF", save_all=True, append_images=frames[1:], duration=100, comment=b"private")
    processed = process_image(animated)
    assert processed.content_type == "image/gif"
    assert b"private" not in processed.content
    with Image.open(io.BytesIO(processed.content)) as stored:
        assert getattr(stored, "n_frames", 1) == 3
    assert process_image(io.BytesIO(image_bytes(fmt="GIF"))).content_type == "image/png"


def test_profile_images_are_cropped_to_shape_and_never_enlarged() -> None:
    content, content_type = process_profile_image(io.BytesIO(image_bytes(1000, 500, fmt="JPEG")), size=(400, 400))
    assert content_type == "image/jpeg"
    with Image.open(io.BytesIO(content)) as avatar:
        assert avatar.size == (400, 400)
    small, _ = process_profile_image(io.BytesIO(image_bytes(120, 60)), size=(400, 400))
    with Image.open(io.BytesIO(small)) as avatar:
        assert avatar.size == (60, 60)


def test_damaged_images_are_refused() -> None:
    with pytest.raises(MediaRejected):
        process_image(io.BytesIO(image_bytes()[:60] + b"\x00" * 40))
    with pytest.raises(MediaRejected, match="not an image"):
        process_image(io.BytesIO(b"GIF89a nonsense"))
