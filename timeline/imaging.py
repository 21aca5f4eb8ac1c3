"""Recognise uploaded files from their bytes and turn images into what is stored and served.

Nothing here trusts a client's content type or file name: the type comes
from the file's leading bytes, and an image is decoded only after its
declared dimensions passed the pixel limit (a small file can declare a
huge canvas: a decompression bomb). Images are re-encoded, which drops
EXIF and every other metadata block once the orientation it records has
been applied. Video and audio are recognised by their container signature
and stored as they are: this server has no transcoder.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass
from typing import IO

import blurhash
from PIL import Image, ImageOps, UnidentifiedImageError

from config.refusals import Refused

IMAGE_SIZE_LIMIT = 16 * 1024 * 1024
VIDEO_SIZE_LIMIT = 99 * 1024 * 1024
# Mastodon's limits: 7680x4320 for images, 3840x2160 for video.
IMAGE_MATRIX_LIMIT = 33_177_600
VIDEO_MATRIX_LIMIT = 8_294_400
MAX_IMAGE_SIDE = 16_384
# Frames of an animated image count towards the decoding work.
MAX_ANIMATION_PIXELS = 4 * IMAGE_MATRIX_LIMIT
# The preview ("small") is at most this many pixels, as in Mastodon.
SMALL_MATRIX = 640 * 360
BLURHASH_SAMPLE_SIDE = 32
BLURHASH_COMPONENTS = (4, 4)

IMAGE_TYPES = ("image/jpeg", "image/png", "image/gif", "image/webp")
VIDEO_TYPES = ("video/mp4", "video/webm", "video/quicktime")
AUDIO_TYPES = ("audio/mpeg", "audio/ogg", "audio/wav", "audio/flac", "audio/mp4")
SUPPORTED_TYPES = (*IMAGE_TYPES, *VIDEO_TYPES, *AUDIO_TYPES)
EXTENSIONS = {
    "image/jpeg": "jpg",
    "image/png": "png",
    "image/gif": "gif",
    "image/webp": "webp",
    "video/mp4": "mp4",
    "video/webm": "webm",
    "video/quicktime": "mov",
    "audio/mpeg": "mp3",
    "audio/ogg": "ogg",
    "audio/wav": "wav",
    "audio/flac": "flac",
    "audio/mp4": "m4a",
}
_PIL_FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png", "GIF": "image/gif", "WEBP": "image/webp"}
_AUDIO_BRANDS = (b"M4A ", b"M4B ")
_QUICKTIME_BRANDS = (b"qt  ",)


class MediaRejected(Refused):
    """The file cannot be accepted; the message says why, for the member."""


def _ftyp_type(head: bytes) -> str:
    brand = head[8:12]
    if brand in _AUDIO_BRANDS:
        return "audio/mp4"
    return "video/quicktime" if brand in _QUICKTIME_BRANDS else "video/mp4"


def _is_mpeg_audio(head: bytes) -> bool:
    # An ID3 tag, or an MPEG audio frame's sync word (eleven set bits).
    return head.startswith(b"ID3") or (len(head) > 1 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0)


_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
    (b"OggS", "audio/ogg"),
    (b"fLaC", "audio/flac"),
)
_RIFF_FORMATS = {b"WEBP": "image/webp", b"WAVE": "audio/wav"}


def sniff_content_type(head: bytes) -> str | None:
    """Return the media type the leading bytes of a file show, or None if it is none of the accepted ones."""
    for signature, content_type in _SIGNATURES:
        if head.startswith(signature):
            return content_type
    if head[:4] == b"RIFF":
        return _RIFF_FORMATS.get(head[8:12])
    if head[4:8] == b"ftyp":
        return _ftyp_type(head)
    if head.startswith(b"\x1a\x45\xdf\xa3"):
        # Matroska and WebM share the EBML header; only WebM's doctype is accepted.
        return "video/webm" if b"webm" in head[:64] else None
    return "audio/mpeg" if _is_mpeg_audio(head) else None


def media_kind(content_type: str) -> str:
    """Return Mastodon's attachment type for a media type: image, video, audio or unknown."""
    family = content_type.split("/", 1)[0]
    return family if family in ("image", "video", "audio") else "unknown"


def size_limit(content_type: str) -> int:
    """Return the largest accepted file of this type, in bytes."""
    return IMAGE_SIZE_LIMIT if media_kind(content_type) == "image" else VIDEO_SIZE_LIMIT


@dataclass(frozen=True)
class ImageHeader:
    """What an image declares about itself, read without decoding its pixels."""

    content_type: str
    width: int
    height: int
    frames: int


@dataclass(frozen=True)
class ProcessedImage:
    """An image ready to store: re-encoded without metadata, its preview and description of both."""

    content: bytes
    content_type: str
    width: int
    height: int
    small: bytes
    small_content_type: str
    small_width: int
    small_height: int
    blurhash: str


def _open(source: IO[bytes]) -> Image.Image:
    source.seek(0)
    with warnings.catch_warnings():
        # Pillow warns, then refuses, above its own pixel limit; the checks here come first.
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            return Image.open(source)
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise MediaRejected("The image is too large to be decoded safely.") from None
        except UnidentifiedImageError:
            raise MediaRejected("The file is not an image this server can read.") from None
        except (OSError, SyntaxError, ValueError):
            raise MediaRejected("The image is damaged or in an unsupported format.") from None


def inspect_image(source: IO[bytes], *, matrix_limit: int = IMAGE_MATRIX_LIMIT) -> ImageHeader:
    """Read an image's format and dimensions from its header and refuse what is too large to decode."""
    image = _open(source)
    content_type = _PIL_FORMATS.get(image.format or "")
    if content_type is None:
        raise MediaRejected("The file is not an image this server accepts.")
    width, height = image.size
    if width < 1 or height < 1:
        raise MediaRejected("The image has no pixels.")
    if width > MAX_IMAGE_SIDE or height > MAX_IMAGE_SIDE or width * height > matrix_limit:
        raise MediaRejected(f"The image is too large ({width}x{height}); at most {matrix_limit:,} pixels are accepted.")
    frames = int(getattr(image, "n_frames", 1) or 1)
    if frames * width * height > MAX_ANIMATION_PIXELS:
        raise MediaRejected("The animation has too many frames for its size.")
    return ImageHeader(content_type=content_type, width=width, height=height, frames=frames)


def _fit(width: int, height: int, matrix: int) -> tuple[int, int]:
    if width * height <= matrix:
        return width, height
    scale = (matrix / (width * height)) ** 0.5
    return max(1, int(width * scale)), max(1, int(height * scale))


def _has_alpha(image: Image.Image) -> bool:
    return image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info)


def _without_metadata(image: Image.Image) -> Image.Image:
    # Encoders write some metadata from `info` (JPEG and GIF comments, for one): start from none.
    clean = image.copy()
    clean.info = {}
    return clean


def _encode(image: Image.Image, content_type: str) -> bytes:
    out = io.BytesIO()
    icc = image.info.get("icc_profile")
    # The colour profile is kept: without it colours shift, and it says nothing about the person.
    extra = {"icc_profile": icc} if isinstance(icc, bytes) else {}
    image = _without_metadata(image)
    if content_type == "image/jpeg":
        image.convert("RGB").save(out, "JPEG", quality=90, optimize=True, **extra)
    elif content_type == "image/webp":
        image.save(out, "WEBP", quality=90, **extra)
    elif content_type == "image/gif":
        image.save(out, "GIF")
    else:
        image.save(out, "PNG", **extra)
    return out.getvalue()


def _normalised(image: Image.Image) -> Image.Image:
    """Return the pixels upright (EXIF orientation applied) in a mode every encoder accepts."""
    upright = ImageOps.exif_transpose(image)
    if upright.mode in ("CMYK", "YCbCr", "I", "I;16", "F"):
        return upright.convert("RGB")
    if upright.mode == "P" and not _has_alpha(upright):
        return upright.convert("RGB")
    if upright.mode in {"P", "LA"}:
        return upright.convert("RGBA")
    return upright


def _animated_gif(image: Image.Image) -> bytes:
    # Frames are copied into a new file, which keeps the animation and drops comments and extensions.
    frames = []
    durations = []
    for index in range(int(getattr(image, "n_frames", 1))):
        image.seek(index)
        frames.append(_without_metadata(image.convert("RGBA")))
        durations.append(int(image.info.get("duration", 100)))
    out = io.BytesIO()
    frames[0].save(
        out, "GIF", save_all=True, append_images=frames[1:], duration=durations, loop=image.info.get("loop", 0)
    )
    return out.getvalue()


def compute_blurhash(image: Image.Image) -> str:
    """Return the BlurHash of an image, computed on a small copy (the hash keeps only low frequencies)."""
    sample = image.convert("RGB")
    sample.thumbnail((BLURHASH_SAMPLE_SIDE, BLURHASH_SAMPLE_SIDE))
    width, height = sample.size
    data = sample.tobytes()
    rows = [[list(data[(y * width + x) * 3 : (y * width + x) * 3 + 3]) for x in range(width)] for y in range(height)]
    components_x, components_y = BLURHASH_COMPONENTS
    return str(blurhash.encode(rows, components_x=components_x, components_y=components_y))


def process_image(source: IO[bytes], *, matrix_limit: int = IMAGE_MATRIX_LIMIT) -> ProcessedImage:
    """Decode, check, re-encode without metadata, and make the preview and blurhash of an image."""
    header = inspect_image(source, matrix_limit=matrix_limit)
    image = _open(source)
    try:
        image.load()
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise MediaRejected("The image is damaged or in an unsupported format.") from None
    if header.content_type == "image/gif" and header.frames > 1:
        content = _animated_gif(image)
        image.seek(0)
        upright = image.convert("RGBA")
        content_type = "image/gif"
    else:
        upright = _normalised(image)
        # A still GIF becomes a PNG, as in Mastodon: smaller and without a palette limit.
        content_type = "image/png" if header.content_type == "image/gif" else header.content_type
        content = _encode(upright, content_type)
    width, height = upright.size
    small_width, small_height = _fit(width, height, SMALL_MATRIX)
    small_image = upright.resize((small_width, small_height), Image.Resampling.LANCZOS)
    small_type = "image/png" if _has_alpha(small_image) else "image/jpeg"
    return ProcessedImage(
        content=content,
        content_type=content_type,
        width=width,
        height=height,
        small=_encode(small_image, small_type),
        small_content_type=small_type,
        small_width=small_width,
        small_height=small_height,
        blurhash=compute_blurhash(upright),
    )


def process_profile_image(source: IO[bytes], *, size: tuple[int, int]) -> tuple[bytes, str]:
    """Return an avatar or header: cropped to the shape, at most `size`, re-encoded without metadata."""
    inspect_image(source)
    image = _open(source)
    try:
        image.load()
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise MediaRejected("The image is damaged or in an unsupported format.") from None
    upright = _normalised(image)
    target_width, target_height = size
    width, height = upright.size
    # Crop the centre to the target's shape, then shrink (never enlarge) to the target.
    scale = min(width / target_width, height / target_height)
    crop = (max(1, round(target_width * scale)), max(1, round(target_height * scale)))
    upright = ImageOps.fit(upright, crop)
    if crop[0] > target_width:
        upright = upright.resize((target_width, target_height), Image.Resampling.LANCZOS)
    content_type = "image/png" if _has_alpha(upright) else "image/jpeg"
    return _encode(upright, content_type), content_type


# Custom emoji: small pictures shown inline, so small limits (Mastodon's are 256 KB, local and remote).
EMOJI_SIZE_LIMIT = 256 * 1024
EMOJI_MAX_SIDE = 256
EMOJI_MATRIX_LIMIT = 1024 * 1024
EMOJI_TYPES = ("image/png", "image/gif", "image/webp")


@dataclass(frozen=True)
class ProcessedEmoji:
    """A custom emoji ready to store: a PNG or animated GIF, and a still PNG of its first frame."""

    content: bytes
    content_type: str
    static: bytes


def process_emoji_image(source: IO[bytes], *, size: int) -> ProcessedEmoji:
    """Check an emoji image (PNG, GIF or WebP, at most 256 KB and 1024x1024) and re-encode it.

    An animated GIF stays animated (its frames copied without metadata) and
    gets a still PNG of its first frame; anything else becomes a PNG, shrunk
    to fit 256x256 (never enlarged), which is also its still image.
    """
    if size <= 0:
        raise MediaRejected("The emoji image is empty.")
    if size > EMOJI_SIZE_LIMIT:
        raise MediaRejected(f"The emoji image must be less than {EMOJI_SIZE_LIMIT // 1024} KB.")
    source.seek(0)
    if sniff_content_type(source.read(64)) not in EMOJI_TYPES:
        raise MediaRejected("The emoji image must be a PNG, GIF or WebP file.")
    header = inspect_image(source, matrix_limit=EMOJI_MATRIX_LIMIT)
    image = _open(source)
    try:
        image.load()
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise MediaRejected("The image is damaged or in an unsupported format.") from None
    animated = header.content_type == "image/gif" and header.frames > 1
    fits = header.width <= EMOJI_MAX_SIDE and header.height <= EMOJI_MAX_SIDE
    if animated and fits:
        content = _animated_gif(image)
        image.seek(0)
        still = image.convert("RGBA")
        return ProcessedEmoji(content=content, content_type="image/gif", static=_encode(still, "image/png"))
    # A large animation is shown still: shrinking every frame would cost more than an emoji is worth.
    still = _normalised(image).convert("RGBA")
    still.thumbnail((EMOJI_MAX_SIDE, EMOJI_MAX_SIDE), Image.Resampling.LANCZOS)
    png = _encode(still, "image/png")
    return ProcessedEmoji(content=png, content_type="image/png", static=png)
