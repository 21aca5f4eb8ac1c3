"""Serve a private file with HTTP Range support, so a large download can be resumed."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import cast

from django.http import FileResponse, HttpRequest, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase

CHUNK = 256 * 1024
_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")


def _byte_range(header: str, size: int) -> tuple[int, int]:
    """Return (first, last) for a single byte range; raise ValueError if it cannot be satisfied."""
    match = _RANGE.match(header.replace(" ", ""))
    if match is None:
        raise ValueError(header)
    first_text, last_text = match.groups()
    if not first_text and not last_text:
        raise ValueError(header)
    if not first_text:
        # A suffix range: the last N bytes.
        length = int(last_text)
        if length == 0:
            raise ValueError(header)
        return max(0, size - length), size - 1
    first = int(first_text)
    last = min(int(last_text), size - 1) if last_text else size - 1
    if first >= size or first > last:
        raise ValueError(header)
    return first, last


def _read(path: Path, first: int, last: int) -> Iterator[bytes]:
    with path.open("rb") as source:
        source.seek(first)
        remaining = last - first + 1
        while remaining > 0:
            chunk = source.read(min(CHUNK, remaining))
            if not chunk:
                return
            remaining -= len(chunk)
            yield chunk


def ranged_file_response(
    request: HttpRequest, path: Path, *, download_name: str, content_type: str, etag: str
) -> HttpResponse:
    """Answer with the whole file (200), the requested part (206), or 416 for a range outside it."""
    size = path.stat().st_size
    header = request.headers.get("Range", "")
    if_range = request.headers.get("If-Range", "")
    # A resumed download whose file changed gets the whole new file, as RFC 9110 says.
    use_range = bool(header) and header.startswith("bytes=") and "," not in header and if_range in ("", etag)
    if use_range:
        try:
            first, last = _byte_range(header, size)
        except ValueError:
            refusal = HttpResponse(status=416)
            refusal["Content-Range"] = f"bytes */{size}"
            refusal["Accept-Ranges"] = "bytes"
            return refusal
        response: HttpResponseBase = StreamingHttpResponse(
            _read(path, first, last), status=206, content_type=content_type
        )
        response["Content-Range"] = f"bytes {first}-{last}/{size}"
        response["Content-Length"] = str(last - first + 1)
    else:
        response = FileResponse(path.open("rb"), content_type=content_type)
        response["Content-Length"] = str(size)
    response["Accept-Ranges"] = "bytes"
    response["ETag"] = etag
    response["Content-Disposition"] = f'attachment; filename="{download_name}"'
    response["Cache-Control"] = "private, no-store"
    # Streamed responses are not HttpResponse subclasses, but the view decorators are typed for it.
    return cast(HttpResponse, response)
