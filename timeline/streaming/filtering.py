"""Apply a viewer's filters to streamed statuses, as the timelines apply them to pages.

Each connection keeps its viewer's filters for a minute (or until a
`filters_changed` event), so a busy public stream does not query the
database per event for viewers who filter nothing.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field

from federation.models import Actor
from timeline.filtering import active_filters_for, filter_results_for_statuses, is_hidden
from timeline.models import Filter, Status

CACHE_SECONDS = 60.0
FILTERED_EVENTS = frozenset({"update", "status.update"})


def context_of(stream: tuple[str, ...]) -> str:
    """Return the filter context of a stream: home for user and list streams, public for the others."""
    name = stream[0] if stream else ""
    if name.startswith(("user", "list")):
        return "home"
    if name == "direct":
        return "thread"
    return "public"


@dataclass
class StreamFilters:
    """One connection's cached filters, by context."""

    actor: Actor | None
    loaded_at: float = 0.0
    by_context: dict[str, list[Filter]] = field(default_factory=dict)

    def invalidate(self) -> None:
        """Forget the cached filters (their owner changed them)."""
        self.by_context.clear()
        self.loaded_at = 0.0

    def may_filter(self, event: str, stream: tuple[str, ...]) -> bool:
        """Return whether the event might need filtering: False spares a database round trip per event."""
        if self.actor is None or event not in FILTERED_EVENTS:
            return False
        fresh = time.monotonic() - self.loaded_at <= CACHE_SECONDS
        cached = self.by_context.get(context_of(stream))
        return not (fresh and cached is not None and not cached)

    def filters_for(self, context: str) -> list[Filter]:
        """Return the viewer's active filters in the context, reloading them once a minute."""
        if self.actor is None:
            return []
        now = time.monotonic()
        if now - self.loaded_at > CACHE_SECONDS:
            self.by_context.clear()
            self.loaded_at = now
        if context not in self.by_context:
            self.by_context[context] = active_filters_for(self.actor, context)
        return self.by_context[context]


def filtered_payload(cache: StreamFilters, event: str, payload: str, stream: tuple[str, ...]) -> str | None:
    """Return the payload to send, with `filtered` results added, or None when a filter hides the status."""
    if event not in FILTERED_EVENTS or cache.actor is None or not payload:
        return payload
    context = context_of(stream)
    filters = cache.filters_for(context)
    if not filters:
        return payload
    entity = json.loads(payload)
    status = Status.objects.filter(pk=int(entity["id"])).first()
    if status is None:
        return payload
    results = filter_results_for_statuses(cache.actor, [status], context, filters=filters).get(status.pk, [])
    if not results:
        return payload
    if is_hidden(results):
        return None
    entity["filtered"] = results
    return json.dumps(entity)
