"""Handler for Flag: remote reports become moderation reports."""

from __future__ import annotations

from federation.activitypub import Flag
from federation.inbox.registry import IgnoredActivity, handles
from federation.models import Actor
from federation.selectors import policy_for_domain
from governance.actions.reports import do_file_report
from governance.models import Report
from timeline.models import Status

MAX_FLAG_COMMENT = 1000


@handles(Flag)
def flag(actor: Actor, activity: Flag) -> None:
    """File a report from a remote server's Flag about a local account and some of its statuses.

    The reporter recorded is the sending actor: Mastodon sends Flags from
    its instance actor, so the reporting person stays anonymous.
    """
    policy = policy_for_domain(actor.domain)
    if policy is not None and policy.reject_reports:
        raise IgnoredActivity("Reports from this domain are rejected.")
    object_ids = list(activity.object_ids)
    targets = list(Actor.objects.filter(uri__in=object_ids, domain=""))
    if len(targets) != 1:
        raise IgnoredActivity("A Flag must name exactly one account of this server.")
    target = targets[0]
    statuses = list(Status.objects.filter(uri__in=object_ids, account=target))
    comment = activity.content[:MAX_FLAG_COMMENT]
    do_file_report(
        actor,
        target,
        statuses,
        comment,
        Report.Category.OTHER,
        [],
        forwarded_from=actor.domain,
        uri=activity.id,
    )
