"""Read positions shared between a member's apps."""

from __future__ import annotations

from django.db import transaction
from django.db.models import F

from federation.models import Actor
from timeline.errors import RequestRefused
from timeline.models import Marker, Notification


def check_save_marker(timeline: str, last_read_id: str) -> str:
    """Return the last read id, refusing an unknown timeline or an id that is not a number."""
    if timeline not in Marker.Timeline.values:
        raise RequestRefused(f"Timeline must be one of {', '.join(Marker.Timeline.values)}.")
    last_read_id = last_read_id.strip()
    if not last_read_id.isdigit() or len(last_read_id) > 30:
        raise RequestRefused("Last read id must be an id.")
    return last_read_id


def do_save_marker(actor: Actor, timeline: str, last_read_id: str) -> Marker:
    """Move a timeline's read position; each change increments its version.

    Moving the notifications marker also marks the notifications up to it as
    read, so that the unread count agrees with what every app shows.
    """
    last_read_id = check_save_marker(timeline, last_read_id)
    with transaction.atomic():
        marker, created = Marker.objects.select_for_update().get_or_create(
            account=actor, timeline=timeline, defaults={"last_read_id": last_read_id}
        )
        if not created and marker.last_read_id != last_read_id:
            Marker.objects.filter(pk=marker.pk).update(last_read_id=last_read_id, version=F("version") + 1)
            marker.refresh_from_db()
        if timeline == Marker.Timeline.NOTIFICATIONS:
            Notification.objects.filter(recipient=actor, read=False, pk__lte=int(last_read_id)).update(read=True)
    return marker


def do_advance_marker(actor: Actor, timeline: str, shown_id: int) -> Marker:
    """Move a timeline's read position forward to an id the member was shown, never back.

    Another app may already have read further; moving its marker back would
    show notifications it marked read as unread again there.
    """
    with transaction.atomic():
        current = Marker.objects.select_for_update().filter(account=actor, timeline=timeline).first()
        last_read_id = shown_id
        if current is not None and current.last_read_id.isdigit():
            last_read_id = max(shown_id, int(current.last_read_id))
        return do_save_marker(actor, timeline, str(last_read_id))
