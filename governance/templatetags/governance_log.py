"""The `log_headline` filter: a log entry's summary in the reader's language (see `governance.log_headlines`)."""

from __future__ import annotations

from django import template

from governance.log_headlines import log_entry_headline
from governance.models import LogEntry

register = template.Library()


@register.filter
def log_headline(entry: LogEntry) -> str:
    """Return the entry's summary in the reader's language where it can be said again, else as stored."""
    return log_entry_headline(entry)
