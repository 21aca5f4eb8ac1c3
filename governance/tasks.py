"""Governance's Celery tasks: thin wrappers that take ids and call actions."""

from __future__ import annotations

from celery import shared_task

from governance.actions.closing import do_close_due_proposals
from governance.actions.moderation import do_lapse_emergency_actions
from governance.actions.notices import do_notify_moderation_action, do_send_closing_reminders


@shared_task(name="governance.tasks.close_due_proposals")
def close_due_proposals() -> int:
    """Close every proposal whose time is up, and lapse unratified emergency actions."""
    closed = do_close_due_proposals()
    lapsed = do_lapse_emergency_actions()
    do_send_closing_reminders()
    return len(closed) + len(lapsed)


@shared_task(name="governance.tasks.notify_moderation_action")
def notify_moderation_action(action_id: int) -> None:
    """Tell the affected member about a moderation action and the rule it enforces."""
    do_notify_moderation_action(action_id)
