"""One line of an import: its row, its account and what became of it."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings

from federation.actions.remote_actors import resolve_account
from federation.errors import RemoteActorUnavailable
from federation.models import Actor
from members.models import DataImport, DataImportLine

Outcome = DataImportLine.Outcome


@dataclass(frozen=True)
class ImportRow:
    """One data row of an uploaded CSV, with its line number in the file."""

    line_number: int
    cells: list[str]

    @property
    def value(self) -> str:
        """Return the row as the report shows it."""
        return ",".join(self.cells)[:500]


def resolve_address(address: str) -> Actor:
    """Return the account an address names: local (with or without this server's domain) or remote."""
    handle = address.strip().lstrip("@")
    if "@" not in handle:
        username, domain = handle, ""
    else:
        username, _, domain = handle.rpartition("@")
    if domain.lower() in ("", str(settings.MUTUALS_DOMAIN).lower()):
        local = Actor.objects.filter(username__iexact=username, domain="", deleted_at__isnull=True).first()
        if local is None:
            raise RemoteActorUnavailable(f"There is no account {username} on this server.")
        return local
    return resolve_account(handle)


def record_line(data_import: DataImport, line_number: int, value: str, outcome: str, reason: str = "") -> None:
    """Store what became of one line and count it."""
    DataImportLine.objects.create(
        data_import=data_import, line_number=line_number, value=value[:500], outcome=outcome, reason=reason[:500]
    )
    data_import.processed += 1
    if outcome == Outcome.FAILED:
        data_import.failed += 1
    else:
        data_import.succeeded += 1
    if data_import.processed % 25 == 0:
        data_import.save(update_fields=["processed", "succeeded", "failed"])
