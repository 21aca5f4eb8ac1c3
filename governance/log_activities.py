"""Public transparency-log entries as ActivityStreams: a Note by the instance actor, and the Create that publishes it.

Peers follow the instance actor to receive these. Mastodon-family servers
show the Note as a post in their users' home timelines; software that knows
the log reads the entry itself, hash and chain link included, from the
`mutualsLogEntry` property.
"""

from __future__ import annotations

from typing import Any

from django.utils.html import escape

from federation.activitypub.context import ACTIVITYSTREAMS, EXTENSIONS, PUBLIC, SECURITY
from federation.renderers import iso8601
from federation.uris import instance_actor_uri, instance_followers_uri, transparency_log_uri
from governance.models import LogEntry, LogVisibility


def log_entry_data(entry: LogEntry) -> dict[str, Any]:
    """Return a log entry with everything needed to check its hash (its JSON form everywhere)."""
    return {
        "sequence": entry.sequence,
        "kind": entry.kind,
        "visibility": entry.visibility,
        "summary": entry.summary,
        "data": entry.data,
        "created_at": entry.created_at.isoformat(),
        "previous_hash": entry.previous_hash,
        "entry_hash": entry.entry_hash,
    }


def log_context() -> list[Any]:
    """Return Mastodon's @context with the log entry's extension term declared inline."""
    term = {"@id": f"{transparency_log_uri()}#logEntry", "@type": "@json"}
    return [ACTIVITYSTREAMS, SECURITY, {**EXTENSIONS, "mutualsLogEntry": term}]


def log_entry_uri(entry: LogEntry) -> str:
    """Return the id (and page) of one log entry."""
    return f"{transparency_log_uri()}/{entry.sequence}"


def log_entry_note(entry: LogEntry) -> dict[str, Any]:
    """Return a public log entry as a public Note attributed to the instance actor (without @context)."""
    if entry.visibility != LogVisibility.PUBLIC:
        raise ValueError("Only public log entries are published.")
    url = log_entry_uri(entry)
    content = (
        f"<p>{escape(entry.summary)}</p>"
        f"<p>{escape(entry.get_kind_display())} · #{entry.sequence} · "
        f'<a href="{escape(url)}">{escape(url)}</a></p>'
    )
    return {
        "id": url,
        "type": "Note",
        "attributedTo": instance_actor_uri(),
        "content": content,
        "published": iso8601(entry.created_at),
        "url": url,
        "to": [PUBLIC],
        "cc": [instance_followers_uri()],
        "sensitive": False,
        "tag": [],
        "mutualsLogEntry": log_entry_data(entry),
    }


def log_entry_create(entry: LogEntry) -> dict[str, Any]:
    """Return the Create activity that publishes a public log entry to the instance actor's followers."""
    note = log_entry_note(entry)
    return {
        "@context": log_context(),
        "id": f"{note['id']}/activity",
        "type": "Create",
        "actor": instance_actor_uri(),
        "published": note["published"],
        "to": note["to"],
        "cc": note["cc"],
        "object": note,
    }
