"""File reports (from members or remote Flags) and work the moderators' queue."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from federation.actions.instance_actor import instance_actor
from federation.actions.outbox import publish_to_actor
from federation.models import Actor
from federation.selectors import policy_for_domain
from governance.access import is_moderator
from governance.activitypub.renderers import flag_for_report
from governance.errors import ModerationRefused
from governance.models import Report, RuleVersion
from members.models import User
from timeline.models import Status

MAX_COMMENT = 1000
MAX_STATUSES = 50


@dataclass(frozen=True)
class CheckedReport:
    """A report that passed its checks."""

    category: str
    comment: str


def check_file_report(  # noqa: PLR0917 (the federation inbox calls it positionally, as Mastodon orders a report)
    reporter: Actor | None,
    target: Actor,
    statuses: list[Status],
    comment: str,
    category: str,
    rule_version_ids: list[int],
) -> CheckedReport:
    """Validate a report, raising ModerationRefused with the reason."""
    if reporter is not None and reporter.pk == target.pk:
        raise ModerationRefused("You cannot report yourself.")
    if category not in Report.Category.values:
        raise ModerationRefused(f"category must be one of {', '.join(Report.Category.values)}.")
    if len(comment) > MAX_COMMENT:
        raise ModerationRefused(f"The comment is limited to {MAX_COMMENT} characters.")
    if len(statuses) > MAX_STATUSES:
        raise ModerationRefused(f"A report can include at most {MAX_STATUSES} statuses.")
    if any(status.account_id != target.pk for status in statuses):
        raise ModerationRefused("Every reported status must be by the reported account.")
    if RuleVersion.objects.filter(pk__in=rule_version_ids).count() != len(set(rule_version_ids)):
        raise ModerationRefused("rule_ids must name rules of this server.")
    if category == Report.Category.VIOLATION and not rule_version_ids:
        raise ModerationRefused("Say which rule is broken.")
    return CheckedReport(category=category, comment=comment.strip())


def do_file_report(  # noqa: PLR0917 (the federation inbox calls it positionally, as Mastodon orders a report)
    reporter: Actor | None,
    target: Actor,
    statuses: list[Status],
    comment: str,
    category: str,
    rule_version_ids: list[int],
    forwarded_from: str = "",
    uri: str = "",
    *,
    forward: bool = False,
) -> Report:
    """Record a report for the moderators' queue; a Flag already recorded (same uri) is returned as is.

    With `forward`, a report about a remote account is also sent to its
    server as a Flag (see `may_forward_report`), after the commit.
    """
    checked = check_file_report(reporter, target, statuses, comment, category, rule_version_ids)
    forwarded = forward and may_forward_report(target)
    now = timezone.now()
    with transaction.atomic():
        if uri:
            existing = Report.objects.filter(uri=uri).first()
            if existing is not None:
                return existing
        report = Report.objects.create(
            reporter=reporter,
            target=target,
            comment=checked.comment,
            category=checked.category,
            forwarded_from=forwarded_from,
            forwarded=forwarded,
            uri=uri,
            reported_posts=[reported_post(status) for status in statuses],
            created_at=now,
            updated_at=now,
        )
        report.statuses.set(statuses)
        report.rule_versions.set(rule_version_ids)
        if forwarded:
            # The delivery rows commit with the report; the Flag leaves after the commit.
            signer = instance_actor()
            flag = flag_for_report(signer, target, [status.uri for status in statuses], checked.comment)
            publish_to_actor(signer, target, flag)
    return report


def reported_post(status: Status) -> dict[str, Any]:
    """Return what a report keeps of a post: enough to judge it after it is removed or deleted."""
    return {
        "id": status.pk,
        "uri": status.uri,
        "url": status.url or status.uri,
        "content": status.content,
        "spoiler_text": status.spoiler_text,
        "visibility": status.visibility,
        "author_id": status.account_id,
        "author": status.account.acct,
        "created_at": status.created_at.isoformat(),
    }


def may_forward_report(target: Actor) -> bool:
    """Return whether a report about this account may be sent to its server.

    Only remote accounts have a server to tell; a suspended domain hears
    nothing from this server, and a domain whose reports this server rejects
    is not sent reports either, as Mastodon does.
    """
    if target.is_local:
        return False
    policy = policy_for_domain(target.domain)
    return policy is None or not (policy.is_suspended or policy.reject_reports)


def _require_moderator(user: User) -> None:
    if not is_moderator(user):
        raise ModerationRefused("Only moderators can work the report queue.")


def do_assign_report(moderator: User, report: Report, *, assignee: User | None) -> Report:
    """Assign a report to a moderator (or to nobody)."""
    _require_moderator(moderator)
    if assignee is not None and not is_moderator(assignee):
        raise ModerationRefused("Reports can only be assigned to moderators.")
    report.assigned_to = assignee
    report.updated_at = timezone.now()
    report.save(update_fields=["assigned_to", "updated_at"])
    return report


def do_resolve_report(moderator: User, report: Report) -> Report:
    """Mark a report resolved."""
    _require_moderator(moderator)
    if report.state == Report.State.RESOLVED:
        raise ModerationRefused("This report is already resolved.")
    now = timezone.now()
    report.state = Report.State.RESOLVED
    report.resolved_by = moderator
    report.resolved_at = now
    report.updated_at = now
    report.save(update_fields=["state", "resolved_by", "resolved_at", "updated_at"])
    return report


def do_reopen_report(moderator: User, report: Report) -> Report:
    """Put a resolved report back in the queue."""
    _require_moderator(moderator)
    if report.state == Report.State.OPEN:
        raise ModerationRefused("This report is already open.")
    report.state = Report.State.OPEN
    report.resolved_by = None
    report.resolved_at = None
    report.updated_at = timezone.now()
    report.save(update_fields=["state", "resolved_by", "resolved_at", "updated_at"])
    return report
