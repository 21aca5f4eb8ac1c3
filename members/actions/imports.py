"""Members' imports: Mastodon's CSV exports, and posts from a Mastodon or Mutuals archive.

An upload is checked whole before anything is stored (a refused file
changes nothing), kept in private storage, and processed by a task that
records what became of every line. Accounts are resolved through the same
federation lookup as a search; follows and blocks go through the timeline's
actions, so remote servers are told as usual. Posts from an archive become
back-dated statuses that are never delivered.
"""

from __future__ import annotations

import csv
import io
import secrets
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.base import File
from django.db import transaction
from django.utils import timezone

from config.queueing import enqueue_on_commit
from federation.models import Actor
from members.actions import archive_imports, graph_imports
from members.actions.import_lines import ImportRow
from members.errors import MemberRefused
from members.models import DataImport, DataImportLine, User

Kind = DataImport.Kind
Outcome = DataImportLine.Outcome

MAX_CSV_BYTES = 5 * 1024 * 1024
# Mastodon refuses files above this many rows too.
MAX_CSV_ROWS = 20_000
HEADERS: dict[str, str] = {
    Kind.FOLLOWING: "account address",
    Kind.MUTES: "account address",
    Kind.BLOCKS: "account address",
    Kind.DOMAIN_BLOCKS: "#domain",
    Kind.BOOKMARKS: "#uri",
    Kind.LISTS: "list name",
}
COLUMNS: dict[str, int] = {Kind.LISTS: 2}
CSV_KINDS = tuple(HEADERS)


@dataclass(frozen=True)
class ImportPlan:
    """An upload that passed its checks: what to import, how, and the bytes to keep."""

    kind: str
    mode: str
    upload: File[bytes]
    suffix: str
    total: int


def imports_folder() -> Path:
    """Return the private folder holding uploads until they are processed."""
    folder = Path(settings.MUTUALS_PRIVATE_ROOT) / "imports"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def parse_csv(kind: str, content: bytes) -> list[ImportRow]:
    """Return the data rows of a Mastodon CSV, skipping its header; refuse a file that is not one."""
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise MemberRefused("The file is not UTF-8 text.") from None
    if "\x00" in text:
        raise MemberRefused("The file is not a CSV file.")
    try:
        lines = list(csv.reader(io.StringIO(text)))
    except csv.Error as exc:
        raise MemberRefused(f"The file is not a valid CSV file: {exc}.") from None
    rows: list[ImportRow] = []
    columns = COLUMNS.get(kind, 1)
    for number, raw in enumerate(lines, start=1):
        cells = [cell.strip() for cell in raw]
        if not any(cells):
            continue
        if number == 1 and cells[0].lower() == HEADERS[kind]:
            continue
        if len(cells) < columns:
            raise MemberRefused(f"Line {number} has {len(cells)} column(s); this import needs {columns}.")
        rows.append(ImportRow(number, cells))
    if not rows:
        raise MemberRefused("The file has no rows to import.")
    if len(rows) > MAX_CSV_ROWS:
        raise MemberRefused(f"The file has more than {MAX_CSV_ROWS} rows.")
    return rows


def check_start_import(user: User, kind: str, mode: str, upload: File[bytes] | None) -> ImportPlan:
    """Validate an upload (type, mode, size, format); refuse with the reason, storing nothing."""
    if not Actor.objects.filter(user=user).exists():
        raise MemberRefused("Only people with an account on this server can import data.")
    if kind not in Kind.values:
        raise MemberRefused(f"type must be one of: {', '.join(Kind.values)}.")
    if mode not in DataImport.Mode.values:
        raise MemberRefused("mode must be merge or overwrite.")
    if DataImport.objects.filter(user=user, state__in=[DataImport.State.QUEUED, DataImport.State.RUNNING]).exists():
        raise MemberRefused("An import is already in progress; wait for it to finish.")
    if upload is None:
        raise MemberRefused("data must be a file.")
    if kind == Kind.POSTS:
        if mode != DataImport.Mode.MERGE:
            raise MemberRefused("Posts from an archive can only be merged.")
        return ImportPlan(kind, mode, upload, ".zip", archive_imports.check_archive(upload))
    if upload.size is not None and upload.size > MAX_CSV_BYTES:
        raise MemberRefused(f"The file is larger than {MAX_CSV_BYTES // (1024 * 1024)} MB.")
    upload.seek(0)
    content = upload.read(MAX_CSV_BYTES + 1)
    if len(content) > MAX_CSV_BYTES:
        raise MemberRefused(f"The file is larger than {MAX_CSV_BYTES // (1024 * 1024)} MB.")
    upload.seek(0)
    return ImportPlan(kind, mode, upload, ".csv", len(parse_csv(kind, content)))


def do_start_import(user: User, plan: ImportPlan) -> DataImport:
    """Keep the upload in private storage and queue its processing after commit."""
    name = f"{secrets.token_hex(16)}{plan.suffix}"
    with (imports_folder() / name).open("wb") as out:
        plan.upload.seek(0)
        for chunk in plan.upload.chunks():
            out.write(chunk)
    with transaction.atomic():
        data_import = DataImport.objects.create(
            user=user,
            kind=plan.kind,
            mode=plan.mode,
            file_name=name,
            total=plan.total,
            created_at=timezone.now(),
        )
        enqueue_on_commit("members.tasks.process_data_import", data_import.pk)
    return data_import


def _claim(import_id: int) -> DataImport | None:
    with transaction.atomic():
        data_import = (
            DataImport.objects.select_for_update(of=("self",)).filter(pk=import_id).select_related("user").first()
        )
        if data_import is None or data_import.state != DataImport.State.QUEUED:
            return None
        data_import.state = DataImport.State.RUNNING
        data_import.save(update_fields=["state"])
    return data_import


def _finish(data_import: DataImport, *, error: str = "") -> None:
    data_import.state = DataImport.State.FAILED if error else DataImport.State.FINISHED
    data_import.error = error
    data_import.finished_at = timezone.now()
    data_import.save(update_fields=["state", "error", "finished_at", "processed", "succeeded", "failed"])
    (imports_folder() / data_import.file_name).unlink(missing_ok=True)


def do_process_import(import_id: int) -> DataImport | None:
    """Process a queued import line by line, recording each outcome; return None if not queued."""
    data_import = _claim(import_id)
    if data_import is None:
        return None
    path = imports_folder() / data_import.file_name
    actor = Actor.objects.get(user=data_import.user)
    try:
        if data_import.kind == Kind.POSTS:
            archive_imports.import_posts(data_import, actor, path)
        else:
            rows = parse_csv(data_import.kind, path.read_bytes())
            graph_imports.import_rows(data_import, actor, rows)
    except (MemberRefused, OSError, zipfile.BadZipFile) as exc:
        _finish(data_import, error=str(exc))
        return data_import
    _finish(data_import)
    return data_import


def report_lines(data_import: DataImport) -> Iterator[dict[str, Any]]:
    """Yield the per-line report of an import."""
    for line in data_import.lines.order_by("line_number", "id").iterator(chunk_size=500):
        yield {"line": line.line_number, "value": line.value, "outcome": line.outcome, "reason": line.reason}


def unfinished_imports(min_age: timedelta) -> list[int]:
    """Return ids of imports queued for longer than `min_age` (their task was lost)."""
    cutoff = timezone.now() - min_age
    return list(
        DataImport.objects.filter(state=DataImport.State.QUEUED, created_at__lte=cutoff).values_list("pk", flat=True)
    )
