"""Filters v2: keywords and statuses a member hides or is warned about, in chosen contexts."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from federation.models import Actor
from timeline.errors import ValidationFailed
from timeline.models import Filter, FilterKeyword, FilterStatus, Status
from timeline.streaming.events import stream_filters_changed_on_commit

CONTEXTS = ("home", "notifications", "public", "thread", "account")
MAX_TITLE_CHARACTERS = 200
MAX_KEYWORD_CHARACTERS = 200


@dataclass(frozen=True)
class KeywordChange:
    """A keyword to add (no id), change (id) or remove (id and destroy)."""

    keyword: str = ""
    whole_word: bool = True
    keyword_id: int | None = None
    destroy: bool = False


@dataclass(frozen=True)
class FilterDraft:
    """A filter's checked settings; `expires_at` is None for never."""

    title: str
    context: list[str]
    filter_action: str
    expires_at: datetime | None
    keywords: list[KeywordChange] = field(default_factory=list)


def check_keyword(keyword: str) -> str:
    """Return the keyword stripped, refusing a blank or too long one."""
    keyword = keyword.strip()
    if not keyword:
        raise ValidationFailed("Keyword can't be blank.")
    if len(keyword) > MAX_KEYWORD_CHARACTERS:
        raise ValidationFailed(f"Keyword is too long (the limit is {MAX_KEYWORD_CHARACTERS} characters).")
    return keyword


def check_filter(
    *,
    title: str,
    context: Sequence[str],
    filter_action: str = Filter.Action.WARN,
    expires_in: int | None = None,
    keywords: Sequence[KeywordChange] = (),
) -> FilterDraft:
    """Validate a filter's title, contexts, action, lifetime and keyword changes."""
    title = title.strip()
    if not title:
        raise ValidationFailed("Title can't be blank.")
    if len(title) > MAX_TITLE_CHARACTERS:
        raise ValidationFailed(f"Title is too long (the limit is {MAX_TITLE_CHARACTERS} characters).")
    contexts = list(dict.fromkeys(context))
    if not contexts or any(item not in CONTEXTS for item in contexts):
        raise ValidationFailed(f"Context must be one or more of {', '.join(CONTEXTS)}.")
    if filter_action not in Filter.Action.values:
        raise ValidationFailed(f"Filter action must be one of {', '.join(Filter.Action.values)}.")
    if expires_in is not None and expires_in <= 0:
        raise ValidationFailed("Expires in must be a positive number of seconds.")
    checked = [
        change if change.destroy else KeywordChange(check_keyword(change.keyword), change.whole_word, change.keyword_id)
        for change in keywords
    ]
    expires_at = timezone.now() + timedelta(seconds=expires_in) if expires_in else None
    return FilterDraft(title, contexts, filter_action, expires_at, checked)


def _apply_keywords(the_filter: Filter, changes: Sequence[KeywordChange]) -> None:
    for change in changes:
        if change.keyword_id is None:
            if not change.destroy:
                FilterKeyword.objects.create(filter=the_filter, keyword=change.keyword, whole_word=change.whole_word)
            continue
        existing = FilterKeyword.objects.filter(filter=the_filter, pk=change.keyword_id)
        if change.destroy:
            existing.delete()
        else:
            existing.update(keyword=change.keyword, whole_word=change.whole_word)


def do_create_filter(owner: Actor, draft: FilterDraft) -> Filter:
    """Create a filter with its keywords."""
    with transaction.atomic():
        the_filter = Filter.objects.create(
            account=owner,
            title=draft.title,
            context=draft.context,
            filter_action=draft.filter_action,
            expires_at=draft.expires_at,
        )
        _apply_keywords(the_filter, draft.keywords)
        stream_filters_changed_on_commit(owner.pk)
    return the_filter


def do_update_filter(the_filter: Filter, draft: FilterDraft, *, keep_expiry: bool = False) -> Filter:
    """Change a filter's settings and apply its keyword changes; `keep_expiry` leaves the expiry as it was."""
    with transaction.atomic():
        the_filter.title = draft.title
        the_filter.context = draft.context
        the_filter.filter_action = draft.filter_action
        if not keep_expiry:
            the_filter.expires_at = draft.expires_at
        the_filter.save(update_fields=["title", "context", "filter_action", "expires_at"])
        _apply_keywords(the_filter, draft.keywords)
        stream_filters_changed_on_commit(the_filter.account_id)
    return the_filter


def do_delete_filter(the_filter: Filter) -> None:
    """Delete a filter with its keywords and statuses."""
    with transaction.atomic():
        the_filter.delete()
        stream_filters_changed_on_commit(the_filter.account_id)


def do_add_filter_keyword(the_filter: Filter, keyword: str, whole_word: bool) -> FilterKeyword:
    """Add a keyword to a filter."""
    with transaction.atomic():
        item = FilterKeyword.objects.create(filter=the_filter, keyword=check_keyword(keyword), whole_word=whole_word)
        stream_filters_changed_on_commit(the_filter.account_id)
    return item


def do_update_filter_keyword(item: FilterKeyword, keyword: str, whole_word: bool) -> FilterKeyword:
    """Change a filter keyword."""
    item.keyword = check_keyword(keyword)
    item.whole_word = whole_word
    with transaction.atomic():
        item.save(update_fields=["keyword", "whole_word"])
        stream_filters_changed_on_commit(item.filter.account_id)
    return item


def do_add_filter_status(the_filter: Filter, status: Status) -> FilterStatus:
    """Make a filter match one status; refuse a status the filter already holds, as Mastodon does."""
    if FilterStatus.objects.filter(filter=the_filter, status=status).exists():
        raise ValidationFailed("Status has already been taken.")
    with transaction.atomic():
        item = FilterStatus.objects.create(filter=the_filter, status=status)
        stream_filters_changed_on_commit(the_filter.account_id)
    return item


def do_delete_filter_keyword(item: FilterKeyword) -> None:
    """Remove a keyword from its filter."""
    with transaction.atomic():
        item.delete()
        stream_filters_changed_on_commit(item.filter.account_id)


def do_remove_filter_status(item: FilterStatus) -> None:
    """Stop a filter matching one status."""
    with transaction.atomic():
        item.delete()
        stream_filters_changed_on_commit(item.filter.account_id)
