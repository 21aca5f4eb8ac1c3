"""Members' data exports: request one, build it in the background, let it expire after a week."""

from __future__ import annotations

import logging
import secrets
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from config.queueing import enqueue_on_commit
from federation.models import Actor
from federation.uris import base_url
from members.data_archive import write_archive
from members.errors import MemberRefused
from members.models import DataExport, User

logger = logging.getLogger(__name__)

EXPORT_LIFETIME = timedelta(days=7)
# A build that has not finished in this time is taken to have died with its worker.
STALE_BUILD = timedelta(hours=2)
UNFINISHED = (DataExport.State.QUEUED, DataExport.State.RUNNING)


def exports_folder() -> Path:
    """Return the private folder holding archives (created on first use)."""
    folder = Path(settings.MUTUALS_PRIVATE_ROOT) / "exports"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def export_path(export: DataExport) -> Path | None:
    """Return the archive's file, or None when there is none (not ready, or expired)."""
    if export.state != DataExport.State.READY or not export.file_name:
        return None
    path = exports_folder() / export.file_name
    return path if path.is_file() else None


def check_request_export(user: User) -> None:
    """Refuse a second export while one is being built, or a person without an account here."""
    if not Actor.objects.filter(user=user).exists():
        raise MemberRefused("Only people with an account on this server can export their data.")
    if DataExport.objects.filter(user=user, state__in=UNFINISHED).exists():
        raise MemberRefused("An archive of your data is already being prepared.")


def do_request_export(user: User) -> DataExport:
    """Record the request and queue the build after commit."""
    with transaction.atomic():
        export = DataExport.objects.create(user=user, requested_at=timezone.now())
        enqueue_on_commit("members.tasks.build_data_export", export.pk)
    return export


def _claim(export_id: int) -> DataExport | None:
    """Mark a queued export as running; return None if another worker has it or it is done."""
    with transaction.atomic():
        export = DataExport.objects.select_for_update(of=("self",)).filter(pk=export_id).select_related("user").first()
        if export is None:
            return None
        stale = export.started_at is not None and export.started_at < timezone.now() - STALE_BUILD
        if export.state != DataExport.State.QUEUED and not (export.state == DataExport.State.RUNNING and stale):
            return None
        export.state = DataExport.State.RUNNING
        export.started_at = timezone.now()
        export.phase, export.progress = "starting", 0
        export.save(update_fields=["state", "started_at", "phase", "progress"])
    return export


def _notify_ready(export: DataExport) -> None:
    user = export.user
    if not user.email:
        return
    link = f"{base_url()}/coop/data"
    body = (
        f"Hello {user.username},\n\nThe archive of your data is ready ({export.size} bytes). "
        f"Download it from {link} until {export.expires_at:%Y-%m-%d %H:%M} UTC; "
        "the download can be resumed if it is interrupted.\n"
    )
    send_mail("Your data archive is ready", body, None, [user.email])


def do_build_export(export_id: int) -> DataExport | None:
    """Build a queued export's archive, reporting progress on the row; notify the member when ready."""
    export = _claim(export_id)
    if export is None:
        return None
    actor = Actor.objects.get(user=export.user)
    name = f"{secrets.token_hex(16)}.zip"
    partial = exports_folder() / f"{name}.partial"
    last: list[tuple[str, int]] = [("", -1)]

    def report(phase: str, percent: int) -> None:
        if (phase, percent) != last[0]:
            last[0] = (phase, percent)
            DataExport.objects.filter(pk=export_id).update(phase=phase, progress=percent)

    try:
        size = write_archive(export.user, actor, partial, report)
        partial.rename(exports_folder() / name)
    except Exception as exc:
        partial.unlink(missing_ok=True)
        logger.exception("export %s failed", export_id)
        DataExport.objects.filter(pk=export_id).update(
            state=DataExport.State.FAILED, error=str(exc)[:500], finished_at=timezone.now()
        )
        raise
    now = timezone.now()
    with transaction.atomic():
        export.state, export.phase, export.progress = DataExport.State.READY, "done", 100
        export.file_name, export.size = name, size
        export.finished_at, export.expires_at = now, now + EXPORT_LIFETIME
        export.save(update_fields=["state", "phase", "progress", "file_name", "size", "finished_at", "expires_at"])
        transaction.on_commit(lambda: _notify_ready(export))
    return export


def do_expire_exports() -> int:
    """Delete archives past their week; return how many expired."""
    expired = 0
    due = DataExport.objects.filter(state=DataExport.State.READY, expires_at__lte=timezone.now())
    for export in due.iterator():
        if export.file_name:
            (exports_folder() / export.file_name).unlink(missing_ok=True)
        export.state, export.file_name = DataExport.State.EXPIRED, ""
        export.save(update_fields=["state", "file_name"])
        expired += 1
    return expired


def unfinished_exports(min_age: timedelta) -> list[int]:
    """Return ids of exports queued for longer than `min_age`, or whose build has gone stale."""
    now = timezone.now()
    queued = DataExport.objects.filter(state=DataExport.State.QUEUED, requested_at__lte=now - min_age)
    stale = DataExport.objects.filter(state=DataExport.State.RUNNING, started_at__lte=now - STALE_BUILD)
    return list(queued.values_list("pk", flat=True)) + list(stale.values_list("pk", flat=True))
