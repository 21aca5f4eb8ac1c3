"""Deliver activities about local statuses to everyone the statuses reached.

Each function is called inside the transaction of the change it announces.
"""

from __future__ import annotations

from typing import Any

from federation.actions.deliveries import do_queue_activity
from federation.models import OutboundActivity
from federation.selectors import follower_inboxes, inboxes_for_actors
from timeline.models import Status, Visibility


def status_inboxes(status: Status) -> list[str]:
    """Return the inboxes a status reaches: its followers' (unless direct), mentioned and replied-to actors'."""
    reached = [mention.account for mention in status.mentions.select_related("account")]
    if status.in_reply_to is not None:
        reached.append(status.in_reply_to.account)
    if status.reblog_of is not None:
        reached.append(status.reblog_of.account)
    inboxes = set(inboxes_for_actors([actor for actor in reached if not actor.is_local]))
    if status.visibility != Visibility.DIRECT:
        inboxes.update(follower_inboxes(status.account))
    return sorted(inboxes)


def publish_status_activity(status: Status, activity: dict[str, Any]) -> OutboundActivity | None:
    """Deliver an activity about a local status to everyone the status reached."""
    if not status.account.is_local:
        return None
    return do_queue_activity(status.account, activity, status_inboxes(status))
