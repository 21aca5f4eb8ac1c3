"""Mastodon's Filter, FilterKeyword, FilterStatus and FilterResult entities (filters v2) and the v1 Filter."""

from __future__ import annotations

from typing import Any

from config.api.timestamps import iso_with_millis
from timeline.models import Filter, FilterKeyword, FilterStatus


def filter_keyword_entity(keyword: FilterKeyword) -> dict[str, Any]:
    """Return a FilterKeyword entity."""
    return {"id": str(keyword.pk), "keyword": keyword.keyword, "whole_word": keyword.whole_word}


def filter_status_entity(item: FilterStatus) -> dict[str, Any]:
    """Return a FilterStatus entity."""
    return {"id": str(item.pk), "status_id": str(item.status_id)}


def filter_entity(the_filter: Filter) -> dict[str, Any]:
    """Return a Filter entity with its keywords and statuses (prefetch them for lists)."""
    return {
        "id": str(the_filter.pk),
        "title": the_filter.title,
        "context": list(the_filter.context),
        "expires_at": iso_with_millis(the_filter.expires_at) if the_filter.expires_at else None,
        "filter_action": the_filter.filter_action,
        "keywords": [filter_keyword_entity(keyword) for keyword in the_filter.keywords.all()],
        "statuses": [filter_status_entity(item) for item in the_filter.statuses.all()],
    }


def filter_result_entity(
    the_filter: Filter, keyword_matches: list[str] | None, status_matches: list[str] | None
) -> dict[str, Any]:
    """Return a FilterResult entity: the filter and what in the status matched it."""
    return {
        "filter": filter_entity(the_filter),
        "keyword_matches": keyword_matches,
        "status_matches": status_matches,
    }


def v1_filter_entity(keyword: FilterKeyword) -> dict[str, Any]:
    """Return the v1 Filter entity of one keyword, as Mastodon still serves v1 filters from v2 ones."""
    the_filter = keyword.filter
    return {
        "id": str(keyword.pk),
        "phrase": keyword.keyword,
        "context": list(the_filter.context),
        "whole_word": keyword.whole_word,
        "expires_at": iso_with_millis(the_filter.expires_at) if the_filter.expires_at else None,
        "irreversible": the_filter.filter_action == Filter.Action.HIDE,
    }
