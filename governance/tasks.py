"""Governance's Celery tasks: thin wrappers that take ids and call actions."""

from __future__ import annotations

from datetime import timedelta

from celery import shared_task

from governance.actions.blocklists import do_import_blocklists
from governance.actions.closing import do_close_due_proposals
from governance.actions.moderation import do_lapse_emergency_actions
from governance.actions.notices import do_notify_moderation_action, do_send_closing_reminders
from governance.actions.proposal_polls import do_post_proposal_poll, proposals_missing_polls


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


@shared_task(name="governance.tasks.post_proposal_poll")
def post_proposal_poll(proposal_id: int) -> None:
    """Post an open proposal's poll to the members."""
    do_post_proposal_poll(proposal_id)


@shared_task(name="governance.tasks.requeue_missing_proposal_polls")
def requeue_missing_proposal_polls(min_age_seconds: int = 60) -> int:
    """Queue the poll of every open proposal whose poll was never posted."""
    missing = list(proposals_missing_polls(timedelta(seconds=min_age_seconds)).values_list("pk", flat=True))
    for proposal_id in missing:
        post_proposal_poll.delay(proposal_id)
    return len(missing)


@shared_task(name="governance.tasks.import_blocklists")
def import_blocklists() -> int:
    """Apply the blocks listed by the sources of every blocklist mandate in force; return how many were new."""
    return sum(len(result.created) + len(result.changed) for result in do_import_blocklists())
