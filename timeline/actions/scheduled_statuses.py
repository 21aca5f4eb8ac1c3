"""Scheduled statuses: posts stored now and published by the normal posting action later."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from federation.models import Actor
from timeline.actions.statuses import StatusDraft, check_create_status, do_claim_idempotency_key, do_create_status
from timeline.errors import StatusRefused, ValidationFailed
from timeline.models import ScheduledStatus, Status

logger = logging.getLogger(__name__)

# Mastodon refuses a schedule less than five minutes ahead.
MIN_SCHEDULE_AHEAD = timedelta(minutes=5)


def check_scheduled_at(scheduled_at: datetime) -> datetime:
    """Refuse a publication time less than five minutes ahead."""
    if scheduled_at < timezone.now() + MIN_SCHEDULE_AHEAD:
        raise ValidationFailed(
            "The scheduled date must be in the future (at least 5 minutes ahead).", field="Scheduled at"
        )
    return scheduled_at


def draft_from_params(author: Actor, params: dict[str, Any]) -> StatusDraft:
    """Check stored parameters again as a new status, raising StatusRefused if they no longer pass."""
    poll = params.get("poll") or {}
    return check_create_status(
        author,
        text=str(params.get("text") or ""),
        visibility=str(params.get("visibility") or "public"),
        spoiler_text=str(params.get("spoiler_text") or ""),
        sensitive=bool(params.get("sensitive")),
        language=str(params.get("language") or ""),
        in_reply_to_id=int(params["in_reply_to_id"]) if params.get("in_reply_to_id") else None,
        poll_options=[str(option) for option in poll.get("options", [])],
        poll_multiple=bool(poll.get("multiple")),
        poll_expires_in=int(poll.get("expires_in") or 86_400),
        media_ids=[str(media_id) for media_id in params.get("media_ids") or []] or None,
    )


def params_from_draft(draft: StatusDraft) -> dict[str, Any]:
    """Return the parameters to store for a checked draft, in Mastodon's ScheduledStatus params shape."""
    return {
        "text": draft.text,
        "visibility": str(draft.visibility),
        "spoiler_text": draft.spoiler_text or None,
        "sensitive": draft.sensitive,
        "language": draft.language or None,
        "in_reply_to_id": str(draft.in_reply_to.pk) if draft.in_reply_to is not None else None,
        "media_ids": [str(media.pk) for media in draft.media] if draft.media else None,
        "poll": {
            "options": draft.poll_options,
            "multiple": draft.poll_multiple,
            "expires_in": str(draft.poll_expires_in),
            "hide_totals": False,
        }
        if draft.poll_options
        else None,
    }


def do_schedule_status(author: Actor, draft: StatusDraft, scheduled_at: datetime) -> ScheduledStatus:
    """Store a checked status to be published at `scheduled_at`, claiming the draft's Idempotency-Key with it."""
    scheduled_at = check_scheduled_at(scheduled_at)
    with transaction.atomic():
        scheduled = ScheduledStatus.objects.create(
            account=author,
            scheduled_at=scheduled_at,
            params=params_from_draft(draft),
            media_ids=[media.pk for media in draft.media or []],
        )
        if draft.idempotency_key is not None:
            do_claim_idempotency_key(author, draft.idempotency_key, scheduled=scheduled)
    return scheduled


def do_reschedule_status(scheduled: ScheduledStatus, scheduled_at: datetime) -> ScheduledStatus:
    """Move a scheduled status to another time."""
    scheduled.scheduled_at = check_scheduled_at(scheduled_at)
    scheduled.save(update_fields=["scheduled_at"])
    return scheduled


def do_cancel_scheduled_status(scheduled: ScheduledStatus) -> None:
    """Delete a scheduled status before it is published."""
    ScheduledStatus.objects.filter(pk=scheduled.pk, published_status__isnull=True).delete()


def due_scheduled_statuses() -> QuerySet[ScheduledStatus]:
    """Return scheduled statuses whose time has come and that are not yet published."""
    return ScheduledStatus.objects.filter(published_status__isnull=True, scheduled_at__lte=timezone.now())


def do_publish_scheduled_status(scheduled_id: int) -> Status | None:
    """Publish a due scheduled status through the posting action, once.

    The row is locked and marked published in the same transaction as the
    post, so a repeated or concurrent run publishes nothing more. A status
    that no longer passes the posting checks (its author left, the replied-to
    status vanished) is dropped, as Mastodon drops it.
    """
    with transaction.atomic():
        scheduled = (
            ScheduledStatus.objects.select_for_update(of=("self",))
            .select_related("account__user")
            .filter(pk=scheduled_id, published_status__isnull=True, scheduled_at__lte=timezone.now())
            .first()
        )
        if scheduled is None:
            return None
        try:
            draft = draft_from_params(scheduled.account, scheduled.params)
        except StatusRefused as exc:
            logger.info("scheduled status %s dropped: %s", scheduled_id, exc)
            scheduled.delete()
            return None
        status = do_create_status(scheduled.account, draft)
        scheduled.published_status = status
        scheduled.save(update_fields=["published_status"])
    return status
