"""The register as documents: CSV of holdings or of the journal, and share certificates."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from members.holdings import RegisterLine, register_as_of
from members.models import RegisterEntry, User

REGISTER_HEADER = ["holder", "email", "share_class", "quantity", "nominal_value", "currency", "nominal_total"]
JOURNAL_HEADER = [
    "sequence",
    "kind",
    "effective_date",
    "recorded_at",
    "share_class",
    "from",
    "to",
    "quantity",
    "price_per_share",
    "amount",
    "approved_by",
    "authorised_by",
    "reverses",
    "payout_due",
    "note",
    "previous_hash",
    "entry_hash",
]


def register_rows(lines: Iterable[RegisterLine]) -> list[list[str]]:
    """Return the register's lines as CSV rows (without the header)."""
    return [
        [
            line.user.username,
            line.user.email,
            line.share_class.name,
            str(line.quantity),
            f"{line.share_class.nominal_value:.2f}",
            line.share_class.currency,
            f"{line.nominal_total:.2f}",
        ]
        for line in lines
    ]


def register_csv(as_of: date | None = None) -> str:
    """Return the register of holdings on a date as CSV."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(REGISTER_HEADER)
    writer.writerows(register_rows(register_as_of(as_of)))
    return buffer.getvalue()


def journal_entries(as_of: date | None = None) -> list[RegisterEntry]:
    """Return the journal's entries effective by a date, in sequence order."""
    entries = RegisterEntry.objects.select_related("share_class", "from_user", "to_user", "approved_by", "reverses")
    if as_of is not None:
        entries = entries.filter(effective_date__lte=as_of)
    return list(entries.order_by("sequence"))


def journal_row(entry: RegisterEntry) -> list[str]:
    """Return one journal entry as a CSV row."""
    return [
        str(entry.sequence),
        entry.kind,
        entry.effective_date.isoformat(),
        entry.recorded_at.isoformat(),
        entry.share_class.name,
        entry.from_user.username if entry.from_user else "",
        entry.to_user.username if entry.to_user else "",
        str(entry.quantity),
        f"{entry.price_per_share:.2f}",
        f"{entry.amount:.2f}",
        entry.approved_by.username if entry.approved_by else "",
        entry.authorised_by,
        str(entry.reverses.sequence) if entry.reverses else "",
        entry.payout_due.isoformat() if entry.payout_due else "",
        entry.note,
        entry.previous_hash,
        entry.entry_hash,
    ]


def journal_csv(as_of: date | None = None) -> str:
    """Return the journal (every operation, with its hashes) effective by a date as CSV."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(JOURNAL_HEADER)
    writer.writerows(journal_row(entry) for entry in journal_entries(as_of))
    return buffer.getvalue()


@dataclass(frozen=True)
class Certificate:
    """What a share certificate states: the holder, each holding, and the entries it rests on."""

    holder: User
    as_of: date
    lines: list[RegisterLine]
    entries: list[RegisterEntry]

    @property
    def total_nominal(self) -> Decimal:
        """Return the nominal value of everything held."""
        return sum((line.nominal_total for line in self.lines), Decimal(0))

    @property
    def head_hash(self) -> str:
        """Return the hash of the register's last entry covered, which the certificate can be checked against."""
        return self.entries[-1].entry_hash if self.entries else ""


def certificate_for(holder: User, as_of: date) -> Certificate:
    """Return the certificate of a holder's shares on a date."""
    lines = [line for line in register_as_of(as_of) if line.user.pk == holder.pk]
    entries = journal_entries(as_of)
    return Certificate(holder=holder, as_of=as_of, lines=lines, entries=entries)


def holder_entries(holder: User, as_of: date | None = None) -> list[RegisterEntry]:
    """Return the journal entries naming a holder on either side."""
    return [entry for entry in journal_entries(as_of) if holder.pk in (entry.from_user_id, entry.to_user_id)]
