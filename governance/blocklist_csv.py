"""Read blocklists in the CSV format of Mastodon's domain block export.

Mastodon exports `#domain,#severity,#reject_media,#reject_reports,#public_comment,#obfuscate`
with one domain per row; other tools write the same columns without the `#`,
or a plain list of domains. Rows that cannot be applied (an obfuscated name
such as `ex*mple.com`, an unknown severity) are returned as problems with
their line number rather than stopping the whole list.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from federation.domains import DomainNameRefused, check_domain_name

# Mastodon's column order, used when a list has no header row.
COLUMNS = ("domain", "severity", "reject_media", "reject_reports", "public_comment", "obfuscate")
SEVERITIES = ("noop", "silence", "suspend")
MAX_CSV_CHARS = 1_000_000
PUBLIC_COMMENT_LIMIT = 1000


@dataclass(frozen=True)
class BlocklistEntry:
    """One domain's block as a list states it."""

    domain: str
    severity: str
    reject_media: bool = False
    reject_reports: bool = False
    public_comment: str = ""
    obfuscate: bool = False


@dataclass(frozen=True)
class BlocklistProblem:
    """A row that was not read, and why."""

    line: int
    reason: str


@dataclass(frozen=True)
class ParsedBlocklist:
    """The entries of a list, one per domain, and the rows left out."""

    entries: tuple[BlocklistEntry, ...]
    problems: tuple[BlocklistProblem, ...]


def severity_rank(severity: str) -> int:
    """Return how severe a domain severity is: noop < silence < suspend."""
    return SEVERITIES.index(severity) if severity in SEVERITIES else len(SEVERITIES)


def _flag(value: str) -> bool:
    return value.strip().lower() in ("true", "1", "yes")


def _header(row: list[str]) -> list[str] | None:
    names = [cell.strip().lstrip("#").strip().lower() for cell in row]
    return names if names and names[0] == "domain" else None


def parse_blocklist_csv(text: str) -> ParsedBlocklist:
    """Return the entries of a blocklist CSV; a domain listed twice keeps its most severe row."""
    rows = csv.reader(io.StringIO(text))
    columns: list[str] = list(COLUMNS)
    entries: dict[str, BlocklistEntry] = {}
    problems: list[BlocklistProblem] = []
    for line, row in enumerate(rows, start=1):
        if not row or not any(cell.strip() for cell in row):
            continue
        if line == 1 and (header := _header(row)) is not None:
            columns = header
            continue
        cells = dict(zip(columns, (cell.strip() for cell in row), strict=False))
        raw_domain = cells.get("domain", "")
        if "*" in raw_domain:
            problems.append(BlocklistProblem(line, f"{raw_domain} is obfuscated; the full name is needed."))
            continue
        try:
            domain = check_domain_name(raw_domain)
        except DomainNameRefused as exc:
            problems.append(BlocklistProblem(line, exc.message))
            continue
        # Mastodon treats a row without a severity as a suspension.
        severity = (cells.get("severity") or "suspend").lower()
        if severity not in SEVERITIES:
            problems.append(BlocklistProblem(line, f"{domain}: severity must be one of {', '.join(SEVERITIES)}."))
            continue
        entry = BlocklistEntry(
            domain=domain,
            severity=severity,
            reject_media=_flag(cells.get("reject_media", "")),
            reject_reports=_flag(cells.get("reject_reports", "")),
            public_comment=cells.get("public_comment", "")[:PUBLIC_COMMENT_LIMIT],
            obfuscate=_flag(cells.get("obfuscate", "")),
        )
        known = entries.get(domain)
        if known is None or severity_rank(entry.severity) > severity_rank(known.severity):
            entries[domain] = entry
    return ParsedBlocklist(entries=tuple(entries.values()), problems=tuple(problems))
