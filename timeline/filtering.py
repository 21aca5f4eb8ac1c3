"""Filters v2 applied to statuses: which of a member's filters match a status in a given context.

The client API's timelines, threads, profiles and notifications call
`filter_results_for_statuses` for a page; anything that handles one status
at a time (the streaming layer, for one) calls `filter_results_for`. Both
return Mastodon FilterResult entities. A status matched by a filter whose
action is `hide` is left out of the response (`without_hidden`); with
`warn` it is returned with the results in its `filtered` array.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import Q
from django.utils import timezone
from django.utils.html import strip_tags

from federation.models import Actor
from timeline.entities.filters import filter_result_entity
from timeline.models import Filter, FilterKeyword, Poll, Status

CONTEXTS = ("home", "notifications", "public", "thread", "account")
_WORD_AT_START = re.compile(r"^\w")
_WORD_AT_END = re.compile(r"\w$")
_BREAKS = re.compile(r"<br\s*/?>|</p>\s*<p[^>]*>", re.IGNORECASE)


def keyword_pattern(keyword: FilterKeyword) -> re.Pattern[str]:
    """Return the pattern of a keyword, case-insensitive.

    A whole-word keyword must stand at word boundaries, but only on the sides
    where it begins or ends with a word character, as Mastodon matches it: so
    `#tag` or `c++` still match where a boundary cannot exist.
    """
    escaped = re.escape(keyword.keyword)
    if not keyword.whole_word:
        return re.compile(escaped, re.IGNORECASE)
    start = r"\b" if _WORD_AT_START.search(keyword.keyword) else ""
    end = r"\b" if _WORD_AT_END.search(keyword.keyword) else ""
    return re.compile(f"{start}{escaped}{end}", re.IGNORECASE | re.MULTILINE)


@dataclass(frozen=True)
class _Rules:
    the_filter: Filter
    keywords: list[tuple[str, re.Pattern[str]]]
    status_ids: set[int]


def active_filters_for(account: Actor, context: str) -> list[Filter]:
    """Return the account's unexpired filters that apply in the context, with keywords and statuses loaded."""
    filters = (
        Filter.objects.filter(account=account)
        .filter(Q(expires_at__isnull=True) | Q(expires_at__gt=timezone.now()))
        .prefetch_related("keywords", "statuses")
        .order_by("pk")
    )
    return [the_filter for the_filter in filters if context in the_filter.context]


def _rules(filters: Sequence[Filter]) -> list[_Rules]:
    return [
        _Rules(
            the_filter,
            [(keyword.keyword, keyword_pattern(keyword)) for keyword in the_filter.keywords.all()],
            {item.status_id for item in the_filter.statuses.all()},
        )
        for the_filter in filters
    ]


def searchable_text(status: Status, poll_options: Sequence[str] = ()) -> str:
    """Return the text filters look at: the warning, the plain text, poll options and media descriptions."""
    body = status.text if status.local and status.text else strip_tags(_BREAKS.sub("\n", status.content))
    # Entities prefetch `media`, so reading descriptions here adds no query per status.
    descriptions = [media.description for media in status.media.all() if media.description]
    parts = [status.spoiler_text, body, "\n\n".join(poll_options), "\n\n".join(descriptions)]
    return "\n\n".join(part for part in parts if part)


def _poll_options(statuses: Sequence[Status]) -> dict[int, list[str]]:
    options: dict[int, list[str]] = {}
    for status_id, raw in Poll.objects.filter(status_id__in=[s.pk for s in statuses]).values_list(
        "status_id", "options"
    ):
        options[status_id] = [str(o.get("title", "")) if isinstance(o, dict) else str(o) for o in raw or []]
    return options


def filter_results_for_statuses(
    account: Actor | None, statuses: Sequence[Status], context: str, *, filters: Sequence[Filter] | None = None
) -> dict[int, list[dict[str, Any]]]:
    """Return, by status id, the FilterResult entities of the account's filters matching each status.

    A boost is matched by its original. The account's own statuses are never
    filtered. Statuses no filter matches are absent from the answer.
    """
    if account is None or not statuses:
        return {}
    rules = _rules(filters if filters is not None else active_filters_for(account, context))
    if not rules:
        return {}
    originals = {s.reblog_of_id for s in statuses if s.reblog_of_id is not None}
    loaded = {s.pk: s for s in statuses}
    loaded.update(Status.objects.in_bulk([pk for pk in originals if pk not in loaded]))
    options = _poll_options(list(loaded.values()))
    results: dict[int, list[dict[str, Any]]] = {}
    for status in statuses:
        proper = loaded.get(status.reblog_of_id, status) if status.reblog_of_id is not None else status
        if proper.account_id == account.pk:
            continue
        text = searchable_text(proper, options.get(proper.pk, []))
        matched = []
        for rule in rules:
            keyword_matches = [keyword for keyword, pattern in rule.keywords if pattern.search(text)]
            status_matches = [str(pk) for pk in (status.pk, proper.pk) if pk in rule.status_ids]
            if keyword_matches or status_matches:
                matched.append(
                    filter_result_entity(
                        rule.the_filter, keyword_matches or None, list(dict.fromkeys(status_matches)) or None
                    )
                )
        if matched:
            results[status.pk] = matched
    return results


def filter_results_for(account: Actor | None, status: Status, context: str) -> list[dict[str, Any]]:
    """Return the FilterResult entities of the account's filters that match one status in the context."""
    return filter_results_for_statuses(account, [status], context).get(status.pk, [])


def is_hidden(results: Sequence[dict[str, Any]]) -> bool:
    """Return whether any of these filter results hides the status rather than warning about it."""
    return any(result["filter"]["filter_action"] == Filter.Action.HIDE for result in results)


def without_hidden(entities: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Return the Status entities whose `filtered` results do not hide them."""
    return [entity for entity in entities if not is_hidden(entity.get("filtered") or [])]
