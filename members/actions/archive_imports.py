"""Read posts from a Mastodon or Mutuals archive and keep them as back-dated, unfederated statuses.

The archive is untrusted: sizes are checked from its directory and again
while reading (a lying header cannot inflate past the limit), and names
inside it are only ever looked up in its own table of contents. Media is
stored under names the server chooses; nothing from the archive names a file
on disk. Imported statuses are marked as fanned out and never get
deliveries: other servers saw them at their first home.
"""

from __future__ import annotations

import mimetypes
import secrets
import zipfile
from datetime import datetime
from html import unescape
from pathlib import Path
from typing import IO, Any

from django.core.files.base import ContentFile, File
from django.core.files.storage import default_storage
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.html import strip_tags

from config.json_input import JsonInputError, parse_json
from federation.activitypub.context import PUBLIC_ALIASES
from federation.models import Actor
from federation.sanitising import sanitise_html
from federation.uris import status_uri, status_url
from members.actions.import_lines import record_line
from members.errors import MemberRefused
from members.models import DataImport, DataImportLine
from timeline.ids import snowflake_id
from timeline.models import MediaAttachment, Status, Visibility

Outcome = DataImportLine.Outcome

MAX_ARCHIVE_BYTES = 4 * 1024**3
MAX_OUTBOX_BYTES = 256 * 1024**2
MAX_MEDIA_BYTES = 100 * 1024**2
MAX_ENTRIES = 250_000
MAX_TOTAL_UNCOMPRESSED = 16 * 1024**3
# Text compresses well, media does not; more than this means a zip bomb.
MAX_RATIO = 200
MAX_ATTACHMENTS = 4
NOTE_TYPES = ("Note", "Question", "Article", "Page")
MEDIA_EXTENSIONS = {
    "image/jpeg": ".jpg",
    "image/png": ".png",
    "image/gif": ".gif",
    "image/webp": ".webp",
    "image/avif": ".avif",
    "video/mp4": ".mp4",
    "video/webm": ".webm",
    "video/quicktime": ".mov",
    "audio/mpeg": ".mp3",
    "audio/ogg": ".ogg",
    "audio/wav": ".wav",
    "audio/flac": ".flac",
}


def _read_entry(archive: zipfile.ZipFile, info: zipfile.ZipInfo, limit: int) -> bytes:
    """Read one entry, never more than `limit` bytes whatever its header claims."""
    if info.file_size > limit:
        raise MemberRefused(f"{info.filename} is larger than {limit // (1024 * 1024)} MB.")
    with archive.open(info) as entry:
        data = entry.read(limit + 1)
    if len(data) > limit:
        raise MemberRefused(f"{info.filename} is larger than {limit // (1024 * 1024)} MB.")
    return data


def _checked_archive(source: IO[bytes]) -> zipfile.ZipFile:
    try:
        archive = zipfile.ZipFile(source)
    except (zipfile.BadZipFile, OSError):
        raise MemberRefused("The file is not a ZIP archive.") from None
    entries = archive.infolist()
    if len(entries) > MAX_ENTRIES:
        raise MemberRefused(f"The archive holds more than {MAX_ENTRIES} files.")
    if sum(info.file_size for info in entries) > MAX_TOTAL_UNCOMPRESSED:
        raise MemberRefused("The archive would unpack to more than 16 GB.")
    for info in entries:
        if info.file_size > 1024 * 1024 and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            raise MemberRefused(f"{info.filename} is compressed suspiciously well; the archive is refused.")
    return archive


def _outbox_items(archive: zipfile.ZipFile) -> list[Any]:
    try:
        info = archive.getinfo("outbox.json")
    except KeyError:
        raise MemberRefused("The archive has no outbox.json.") from None
    try:
        document = parse_json(_read_entry(archive, info, MAX_OUTBOX_BYTES), max_bytes=MAX_OUTBOX_BYTES)
    except (JsonInputError, zipfile.BadZipFile) as exc:
        raise MemberRefused(f"outbox.json cannot be read: {exc}.") from None
    items = document.get("orderedItems") if isinstance(document, dict) else None
    if not isinstance(items, list):
        raise MemberRefused("outbox.json is not an OrderedCollection.")
    return items


def check_archive(upload: File[bytes]) -> int:
    """Refuse an archive that is too large, not a ZIP, a zip bomb or without an outbox; return its item count."""
    if upload.size is not None and upload.size > MAX_ARCHIVE_BYTES:
        raise MemberRefused("The archive is larger than 4 GB.")
    if upload.file is None:
        raise MemberRefused("data must be a file.")
    upload.seek(0)
    with _checked_archive(upload.file) as archive:
        total = len(_outbox_items(archive))
    upload.seek(0)
    if total == 0:
        raise MemberRefused("The archive holds no posts.")
    return total


def _audience(value: Any) -> set[str]:
    if isinstance(value, str):
        return {value}
    return {str(item) for item in value} if isinstance(value, list) else set()


def visibility_of(note: dict[str, Any]) -> Visibility:
    """Return the visibility a post had, from its addressing (and Mutuals' local-only mark)."""
    to, cc = _audience(note.get("to")), _audience(note.get("cc"))
    if note.get("localOnly") is True:
        return Visibility.LOCAL
    if to & PUBLIC_ALIASES:
        return Visibility.PUBLIC
    if cc & PUBLIC_ALIASES:
        return Visibility.UNLISTED
    if any(address.endswith("/followers") for address in to | cc):
        return Visibility.PRIVATE
    return Visibility.DIRECT


def _published(note: dict[str, Any]) -> datetime:
    moment = parse_datetime(str(note.get("published") or ""))
    now = timezone.now()
    if moment is None or timezone.is_naive(moment):
        return now
    return min(moment, now)


def _language(note: dict[str, Any]) -> str:
    content_map = note.get("contentMap")
    if isinstance(content_map, dict) and content_map:
        return str(next(iter(content_map)))[:16]
    return str(note.get("language") or "")[:16]


def _read_media(archive: zipfile.ZipFile, item: dict[str, Any]) -> tuple[str, str, bytes]:
    """Return the media type, the extension to store under and the bytes of one attachment."""
    name = str(item.get("url") or "").lstrip("/")
    try:
        info = archive.getinfo(name)
    except KeyError:
        raise MemberRefused(f"{name or 'an attachment'} is not in the archive.") from None
    media_type = str(item.get("mediaType") or mimetypes.guess_type(name)[0] or "")
    extension = MEDIA_EXTENSIONS.get(media_type)
    if extension is None:
        raise MemberRefused(f"{media_type or 'this kind of file'} is not accepted as media.")
    return media_type, extension, _read_entry(archive, info, MAX_MEDIA_BYTES)


def _store_media(
    actor: Actor, status: Status, position: int, item: dict[str, Any], media: tuple[str, str, bytes]
) -> MediaAttachment:
    """Store one attachment under a name chosen here."""
    media_type, extension, data = media
    stored = default_storage.save(f"media/original/{secrets.token_hex(16)}{extension}", ContentFile(data))
    family = media_type.split("/", 1)[0]
    return MediaAttachment.objects.create(
        account=actor,
        status=status,
        type=family if family in ("image", "video", "audio") else MediaAttachment.Type.UNKNOWN,
        state=MediaAttachment.State.READY,
        file=stored,
        content_type=media_type,
        file_size=len(data),
        description=str(item.get("name") or "")[:1500],
        blurhash=str(item.get("blurhash") or "")[:100],
        position=position,
    )


def _import_note(archive: zipfile.ZipFile, actor: Actor, note: dict[str, Any]) -> str:
    content = sanitise_html(str(note.get("content") or ""))
    published = _published(note)
    if Status.objects.filter(account=actor, created_at=published, content=content).exists():
        return Outcome.UNCHANGED
    attachments = [item for item in note.get("attachment") or [] if isinstance(item, dict)][:MAX_ATTACHMENTS]
    # Every attachment is read and checked before anything is stored.
    files = [_read_media(archive, item) for item in attachments]
    status_id = snowflake_id(published)
    status = Status.objects.create(
        id=status_id,
        account=actor,
        uri=status_uri(actor.username, status_id),
        url=status_url(actor.username, status_id),
        text=unescape(strip_tags(content.replace("</p><p>", "\n\n").replace("<br>", "\n"))),
        content=content,
        spoiler_text=str(note.get("summary") or "")[:500],
        sensitive=bool(note.get("sensitive")),
        visibility=visibility_of(note),
        language=_language(note),
        local=True,
        created_at=published,
        # Never fanned out or delivered: the post is history, not news.
        fanned_out_at=timezone.now(),
    )
    # The MediaAttachment rows, linked to the status, are what entities and Notes read.
    for position, (item, media) in enumerate(zip(attachments, files, strict=True)):
        _store_media(actor, status, position, item, media)
    return Outcome.IMPORTED


def import_posts(data_import: DataImport, actor: Actor, path: Path) -> None:
    """Import each Create of the archive's outbox, oldest first, recording what became of each item."""
    with path.open("rb") as source, _checked_archive(source) as archive:
        items = _outbox_items(archive)
        for number, item in reversed(list(enumerate(items, start=1))):
            kind = item.get("type") if isinstance(item, dict) else None
            note = item.get("object") if isinstance(item, dict) else None
            label = str(note.get("id") if isinstance(note, dict) else item.get("id") if isinstance(item, dict) else "")
            if kind != "Create" or not isinstance(note, dict) or note.get("type") not in NOTE_TYPES:
                record_line(data_import, number, label, Outcome.SKIPPED, "Only posts are imported, not boosts.")
                continue
            try:
                outcome = _import_note(archive, actor, note)
            except MemberRefused as exc:
                record_line(data_import, number, label, Outcome.FAILED, str(exc))
                continue
            record_line(data_import, number, label, outcome)
