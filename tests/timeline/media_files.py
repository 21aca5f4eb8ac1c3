"""Files made on the spot for media tests: real images, crafted headers, video signatures."""

from __future__ import annotations

import io
import struct
import zlib

from PIL import Image


def image_bytes(
    width: int = 64, height: int = 48, *, fmt: str = "PNG", mode: str = "RGB", orientation: int | None = None
) -> bytes:
    """Return an encoded image with a gradient (so previews and blurhashes are not flat)."""
    across = Image.linear_gradient("L").rotate(90).resize((width, height))
    down = Image.linear_gradient("L").resize((width, height))
    bands = [across, down, Image.new("L", (width, height), 128)]
    if mode == "RGBA":
        bands.append(Image.new("L", (width, height), 200))
    image = Image.merge(mode, bands)
    out = io.BytesIO()
    if orientation is not None:
        exif = Image.Exif()
        exif[0x0112] = orientation  # Orientation
        exif[0x010F] = "SecretCam"  # Make
        image.save(out, fmt, exif=exif.tobytes())
    else:
        image.save(out, fmt)
    return out.getvalue()


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def png_claiming(width: int, height: int) -> bytes:
    """Return a tiny PNG whose header declares a huge canvas (a decompression bomb's shape)."""
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", zlib.compress(b"\x00" * 64))
        + _chunk(b"IEND", b"")
    )


def mp4_bytes(size: int = 2048) -> bytes:
    """Return bytes that begin like an MP4 file (an ftyp box), padded to `size`."""
    ftyp = struct.pack(">I", 24) + b"ftypisom" + struct.pack(">I", 512) + b"isomiso2"
    return ftyp + b"\x00" * (size - len(ftyp))
