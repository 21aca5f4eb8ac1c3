"""How exports, imports and the data inventory appear in the co-op API and the pages."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from federation.uris import base_url
from members.models import DataExport, DataImport


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def export_download_name(export: DataExport) -> str:
    """Return the file name offered when the archive is saved."""
    return f"archive-{export.requested_at:%Y%m%d%H%M%S}-{export.pk}.zip"


def export_etag(export: DataExport) -> str:
    """Return an entity tag that changes whenever the archive's file does."""
    return f'"{export.pk}-{export.size}-{export.file_name[:12]}"'


def export_entity(export: DataExport) -> dict[str, Any]:
    """Return an export: its state, progress and, once ready, where to download it until when."""
    ready = export.state == DataExport.State.READY
    return {
        "id": str(export.pk),
        "state": export.state,
        "phase": export.phase,
        "progress": export.progress,
        "size": export.size if ready else None,
        "requested_at": _iso(export.requested_at),
        "finished_at": _iso(export.finished_at),
        "expires_at": _iso(export.expires_at) if ready else None,
        "download_url": f"{base_url()}{reverse('members:coop_export_download', args=[export.pk])}" if ready else None,
        "error": export.error or None,
    }


def import_entity(data_import: DataImport, *, lines: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """Return an import with its counts and, when asked, its per-line report."""
    entity: dict[str, Any] = {
        "id": str(data_import.pk),
        "type": data_import.kind,
        "mode": data_import.mode,
        "state": data_import.state,
        "progress": data_import.progress,
        "total": data_import.total,
        "processed": data_import.processed,
        "succeeded": data_import.succeeded,
        "failed": data_import.failed,
        "error": data_import.error or None,
        "created_at": _iso(data_import.created_at),
        "finished_at": _iso(data_import.finished_at),
    }
    if lines is not None:
        entity["lines"] = lines
    return entity
