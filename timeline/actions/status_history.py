"""The versions of edited statuses (Mastodon's status history)."""

from __future__ import annotations

from datetime import datetime

from timeline.models import Poll, Status, StatusEdit


def _poll_titles(status: Status) -> list[str]:
    poll = Poll.objects.filter(status=status).first()
    if poll is None:
        return []
    return [str(option.get("title", "")) if isinstance(option, dict) else str(option) for option in poll.options]


def do_record_status_version(status: Status, at: datetime) -> StatusEdit:
    """Store the status as it is now as the version of `at`."""
    return StatusEdit.objects.create(
        status=status,
        text=status.text,
        content=status.content,
        spoiler_text=status.spoiler_text,
        sensitive=status.sensitive,
        poll_options=_poll_titles(status),
        media_ids=[str(media_id) for media_id in status.media.order_by("position").values_list("id", flat=True)],
        created_at=at,
    )


def do_record_original_version(status: Status) -> None:
    """Before a status's first edit, store the version it was posted as, so history starts from it."""
    if not StatusEdit.objects.filter(status=status).exists():
        do_record_status_version(status, status.created_at)
