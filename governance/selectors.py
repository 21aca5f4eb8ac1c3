"""Read queries over the charter, rules, proposals, moderation and the log."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import cast

from django.conf import settings
from django.db import connection
from django.db.models import BooleanField, Count, Exists, OuterRef, QuerySet, Value
from django.utils import timezone

from federation.models import Actor
from governance.actions.ballots import tracker_for
from governance.actions.reports import reported_post
from governance.ballot_keys import unheld_key_ids
from governance.errors import RuleNotInForce
from governance.models import (
    Announcement,
    Ballot,
    BlocklistMandate,
    CharterVersion,
    Elector,
    InstanceSettings,
    LogEntry,
    LogVisibility,
    ModerationAction,
    Participation,
    Proposal,
    ProposalPoll,
    Report,
    RuleVersion,
)
from governance.tally.methods import Choice, count_ballots
from members.models import User
from members.models.membership import Role
from members.selectors import users_with_role
from timeline.models import Status
from timeline.poll_claims import ClaimedPollView

IN_FORCE = (ModerationAction.State.ACTIVE, ModerationAction.State.RATIFIED)


def current_charter() -> CharterVersion | None:
    """Return the charter version in force, if any has been adopted."""
    return CharterVersion.objects.order_by("-version").first()


def rules_in_force(at: datetime | None = None) -> list[RuleVersion]:
    """Return the version of every rule in effect now (or `at`) that is not retired, in rule order.

    A version counts from its `effective_at`, so the rules shown and cited
    are exactly the wordings enacted by then.
    """
    moment = at or timezone.now()
    latest: dict[int, RuleVersion] = {}
    versions = RuleVersion.objects.filter(effective_at__lte=moment).select_related("rule")
    for version in versions.order_by("rule__position", "version"):
        latest[version.rule_id] = version
    return [version for version in latest.values() if not version.retired]


def account_restriction(actor: Actor) -> str | None:
    """Return "suspend" or "limit" when a moderation action in force restricts the account, else None."""
    kinds = set(
        ModerationAction.objects.filter(
            target_account=actor,
            kind__in=[ModerationAction.Kind.LIMIT_ACCOUNT, ModerationAction.Kind.SUSPEND_ACCOUNT],
            state__in=IN_FORCE,
        ).values_list("kind", flat=True)
    )
    if ModerationAction.Kind.SUSPEND_ACCOUNT in kinds:
        return "suspend"
    return "limit" if ModerationAction.Kind.LIMIT_ACCOUNT in kinds else None


def restricted_account_ids(*, limited: bool = True) -> QuerySet[ModerationAction, int | None]:
    """Return, as a subquery, the ids of accounts suspended (and, with `limited`, limited) now."""
    kinds = [ModerationAction.Kind.SUSPEND_ACCOUNT]
    if limited:
        kinds.append(ModerationAction.Kind.LIMIT_ACCOUNT)
    return ModerationAction.objects.filter(
        kind__in=kinds, state__in=IN_FORCE, target_account__isnull=False
    ).values_list("target_account_id", flat=True)


def is_account_restricted(account_id: int, *, limited: bool = True) -> bool:
    """Return whether a suspension (and, with `limited`, a limit) in force names the account."""
    return restricted_account_ids(limited=limited).filter(target_account_id=account_id).exists()


def proposals_for_members(*, state: str | None = None) -> QuerySet[Proposal]:
    """Return proposals, newest first, optionally only open or closed ones."""
    queryset = Proposal.objects.select_related("author")
    if state in Proposal.State.values:
        queryset = queryset.filter(state=state)
    return queryset.order_by("-opened_at", "-pk")


@dataclass(frozen=True)
class PollProposal:
    """The proposal a poll puts to the members, and whether the viewer is in its electorate (frozen at opening)."""

    proposal: Proposal
    viewer_votes: bool


def proposals_for_polls(poll_ids: list[int], viewer_id: int | None) -> dict[int, PollProposal]:
    """Return, per poll among these that puts a proposal to the members, its proposal (one query).

    Whether the viewer (a user id) may cast a ballot is asked in the same
    query, so a timeline of ballot posts costs no query per post.
    """
    electorate = (
        Exists(Elector.objects.filter(proposal_id=OuterRef("proposal_id"), user_id=viewer_id))
        if viewer_id is not None
        else Value(False, output_field=BooleanField())
    )
    links = ProposalPoll.objects.select_related("proposal").filter(poll_id__in=poll_ids).annotate(votes=electorate)
    return {link.poll_id: PollProposal(proposal=link.proposal, viewer_votes=bool(link.votes)) for link in links}


def log_visibilities_for(*, member: bool, moderator: bool) -> list[str]:
    """Return the log visibilities a reader may see."""
    levels = [LogVisibility.PUBLIC.value]
    if member or moderator:
        levels.append(LogVisibility.MEMBERS.value)
    if moderator:
        levels.append(LogVisibility.MODERATORS.value)
    return levels


def log_entries_for(
    visibilities: list[str], *, after: int = 0, limit: int = 50, kinds: list[str] | None = None
) -> list[LogEntry]:
    """Return log entries the reader may see, oldest first, after a sequence number (only `kinds` if given)."""
    entries = LogEntry.objects.filter(visibility__in=visibilities, sequence__gt=after)
    if kinds:
        entries = entries.filter(kind__in=kinds)
    return list(entries.order_by("sequence")[:limit])


@dataclass(frozen=True)
class LogEntryLinks:
    """What a log entry points to: the vote that decided, the rules cited, the action, and entries about them."""

    proposal: Proposal | None
    rule_versions: list[RuleVersion]
    action: ModerationAction | None
    related: list[LogEntry]


def _id_in(data: dict[str, object], key: str) -> int | None:
    value = data.get(key)
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def log_entry_links(entry: LogEntry, visibilities: list[str]) -> LogEntryLinks:
    """Return the vote → rule → action links of a log entry, and the entries the reader may see about them.

    The vote is the proposal the entry names, or else the one that enacted
    or ratified its action.
    """
    data = entry.data if isinstance(entry.data, dict) else {}
    action_id = _id_in(data, "action")
    action = ModerationAction.objects.filter(pk=action_id).first() if action_id is not None else None
    proposal_id = _id_in(data, "proposal")
    if proposal_id is None and action is not None:
        proposal_id = action.proposal_id or action.ratifying_proposals.values_list("pk", flat=True).first()
    proposal = Proposal.objects.filter(pk=proposal_id).first() if proposal_id is not None else None
    version_ids = [value for value in data.get("rule_versions") or [] if isinstance(value, int)]
    if not version_ids and action is not None:
        version_ids = list(action.rule_versions.values_list("pk", flat=True))
    versions = list(RuleVersion.objects.filter(pk__in=version_ids).select_related("rule").order_by("rule__position"))
    related = LogEntry.objects.none()
    if action is not None:
        related |= LogEntry.objects.filter(data__action=action.pk)
    if proposal is not None:
        related |= LogEntry.objects.filter(data__proposal=proposal.pk)
    return LogEntryLinks(
        proposal=proposal,
        rule_versions=versions,
        action=action,
        related=list(related.filter(visibility__in=visibilities).exclude(pk=entry.pk).order_by("sequence")[:50]),
    )


def appeal_deciders(action: ModerationAction) -> list[User]:
    """Return who may decide an appeal against the action: every moderator but the one who took it."""
    holders = {user.pk: user for role in (Role.MODERATOR, Role.ADMIN) for user in users_with_role(role)}
    return [user for pk, user in sorted(holders.items()) if user.is_active and pk != action.moderator_id]


def domain_actions_in_force() -> QuerySet[ModerationAction]:
    """Return domain actions in force (emergency and enacted), newest first."""
    return ModerationAction.objects.filter(kind=ModerationAction.Kind.DOMAIN, state__in=IN_FORCE).order_by(
        "-created_at", "-pk"
    )


def blocklist_mandates_in_force(at: datetime | None = None) -> QuerySet[BlocklistMandate]:
    """Return the blocklist mandates whose review is not yet due, newest first."""
    return BlocklistMandate.objects.filter(
        adopted_at__lte=at or timezone.now(), review_due_at__gt=at or timezone.now()
    ).select_related("proposal")


@dataclass(frozen=True)
class ReportedPost:
    """A post a report names, as filed, and whether it is still here."""

    id: int
    url: str
    content: str
    spoiler_text: str
    author: str
    author_id: int | None
    created_at: datetime | None
    present: bool
    removed_by: int | None


def _datetime_or_none(value: object) -> datetime | None:
    try:
        return datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None


def reported_posts_of(report: Report) -> list[ReportedPost]:
    """Return the posts a report names, from what it kept when filed, marking those removed since.

    A report filed before posts were kept falls back to the posts still here.
    """
    kept = report.reported_posts or [reported_post(status) for status in report.statuses.select_related("account")]
    ids = [int(post["id"]) for post in kept]
    present = set(Status.objects.filter(pk__in=ids).values_list("pk", flat=True))
    removals = dict(
        ModerationAction.objects.filter(kind=ModerationAction.Kind.REMOVE_STATUS, target_status_id__in=ids)
        .order_by("created_at")
        .values_list("target_status_id", "pk")
    )
    return [
        ReportedPost(
            id=int(post["id"]),
            url=str(post.get("url", "")),
            content=str(post.get("content", "")),
            spoiler_text=str(post.get("spoiler_text", "")),
            author=str(post.get("author", "")),
            author_id=post.get("author_id"),
            created_at=_datetime_or_none(post.get("created_at")),
            present=int(post["id"]) in present,
            removed_by=removals.get(int(post["id"])),
        )
        for post in kept
    ]


def report_queue(*, state: str | None = None) -> QuerySet[Report]:
    """Return reports for the moderators' queue, newest first."""
    queryset = Report.objects.select_related("reporter", "target", "assigned_to")
    if state in Report.State.values:
        queryset = queryset.filter(state=state)
    return queryset.order_by("-created_at", "-pk")


def rule_versions_for_rule_ids(rule_ids: list[int]) -> list[RuleVersion]:
    """Return the versions in force of the given rules (the client API's rule ids).

    Raise RuleNotInForce naming any id that is not a rule in force.
    """
    in_force = {version.rule_id: version for version in rules_in_force()}
    missing = sorted(set(rule_ids) - set(in_force))
    if missing:
        raise RuleNotInForce(f"Rule(s) {', '.join(map(str, missing))} are not rules in force here.")
    return [in_force[rule_id] for rule_id in sorted(set(rule_ids))]


# One JSON document built by the database for all of a proposal's ballots:
# decoding it once is an order of magnitude faster than decoding a JSON
# value per row, which is what closing 100,000 ballots within 2 s needs.
BALLOT_ROWS_SQL = {
    "postgresql": (
        "SELECT coalesce(json_agg(json_build_array(tracker, choice) ORDER BY tracker COLLATE \"C\"), '[]')::text "
        "FROM governance_ballot WHERE proposal_id = %s"
    ),
    "sqlite": (
        "SELECT coalesce(json_group_array(json_array(tracker, json(choice))), '[]') "
        "FROM (SELECT tracker, choice FROM governance_ballot WHERE proposal_id = %s ORDER BY tracker)"
    ),
}


def ballot_rows(proposal: Proposal) -> list[tuple[str, Choice]]:
    """Return the (tracker, choice) pairs of a proposal's ballots, ordered by tracker."""
    sql = BALLOT_ROWS_SQL.get(connection.vendor)
    if sql is None:
        rows = Ballot.objects.filter(proposal=proposal).order_by("tracker").values_list("tracker", "choice")
        return [(tracker, choice) for tracker, choice in rows]
    with connection.cursor() as cursor:
        cursor.execute(sql, [proposal.pk])
        (document,) = cursor.fetchone()
    # Pairs arrive as two-item JSON arrays; they are used as pairs as they are.
    return cast(list[tuple[str, Choice]], json.loads(document))


@dataclass(frozen=True)
class BallotSummary:
    """What closing needs of the ballots: each distinct choice with its count, and their digest."""

    groups: list[tuple[Choice, int]]
    digest: str


# PostgreSQL groups the ballots and hashes them itself, so that closing never
# moves 100,000 ballots into Python. Each ballot is written as jsonb prints
# `[tracker, choice]`, which is also what Python's json.dumps writes for
# these values, so a recount from the published ballots gets the same digest.
BALLOT_GROUPS_SQL = "SELECT choice::text, count(*) FROM governance_ballot WHERE proposal_id = %s GROUP BY choice"
BALLOT_DIGEST_SQL = (
    "SELECT encode(sha256(convert_to(coalesce(string_agg(jsonb_build_array(tracker, choice)::text, E'\\n' "
    "ORDER BY tracker COLLATE \"C\"), ''), 'UTF8')), 'hex') FROM governance_ballot WHERE proposal_id = %s"
)


def ballot_summary_in_database(proposal: Proposal) -> BallotSummary | None:
    """Return the grouped ballots and their digest computed by the database, or None if it cannot."""
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute(BALLOT_GROUPS_SQL, [proposal.pk])
        groups = [(cast(Choice, json.loads(choice)), int(count)) for choice, count in cursor.fetchall()]
        cursor.execute(BALLOT_DIGEST_SQL, [proposal.pk])
        (digest,) = cursor.fetchone()
    return BallotSummary(groups=groups, digest=str(digest))


def _choices_as_list(choice: Choice) -> list[int]:
    return list(choice) if isinstance(choice, list) else [choice]


def proposal_poll_view(proposal: Proposal, viewer: Actor | None) -> ClaimedPollView:
    """Return how the proposal's poll shows to the viewer (None: anonymous).

    Counts appear once results are visible: always after close, before only
    when the proposal does not hide them. The viewer's own choice is found
    through their tracker, so it works for secret ballots too.
    """
    user = viewer.user if viewer is not None else None
    counts: list[int] | None = None
    closed = proposal.state == Proposal.State.CLOSED
    if closed and isinstance(proposal.tally, dict) and isinstance(proposal.tally.get("counts"), list):
        counts = [int(count) for count in proposal.tally["counts"]]
    elif not proposal.hide_results:
        choices = Ballot.objects.filter(proposal=proposal).values_list("choice", flat=True)
        counts = count_ballots(proposal.method, len(proposal.options), choices).counts
    own: list[int] | None = None
    if user is not None:
        ballot = Ballot.objects.filter(proposal=proposal, tracker=tracker_for(proposal, user.pk)).first()
        own = _choices_as_list(ballot.choice) if ballot is not None else []
    voters = Participation.objects.filter(proposal=proposal).count()
    return ClaimedPollView(counts=counts, voters=voters, own_choices=own)


def current_instance_settings() -> InstanceSettings:
    """Return the stored settings row, or an unsaved one holding no overrides."""
    return InstanceSettings.objects.filter(pk=1).first() or InstanceSettings(pk=1)


def instance_title() -> str:
    """Return the name the server shows: the administrators' choice, else the configured name."""
    return current_instance_settings().title or str(settings.MUTUALS_INSTANCE_NAME)


def instance_contact_email() -> str:
    """Return the contact address the server shows, else the configured one."""
    return current_instance_settings().contact_email or str(getattr(settings, "MUTUALS_CONTACT_EMAIL", ""))


def proposals_with_unheld_ballot_keys() -> dict[str, int]:
    """Return, per wrapping-key id whose secret is not held, how many proposals' tracker keys it sealed.

    Receipts of those proposals cannot be computed until the secret is
    back in SECRET_KEY_FALLBACKS (see `manage.py rotate_ballot_key`).
    """
    per_key = Proposal.objects.values("tracker_key_id").annotate(count=Count("id"))
    counts = {row["tracker_key_id"]: row["count"] for row in per_key}
    return {key_id: counts[key_id] for key_id in sorted(unheld_key_ids(set(counts)))}


def suspended_account_uris() -> list[str]:
    """Return the ids of the remote accounts a suspension in force names (federation reads it through a registry)."""
    return list(
        ModerationAction.objects.filter(
            kind=ModerationAction.Kind.SUSPEND_ACCOUNT, state__in=IN_FORCE, target_account__isnull=False
        ).values_list("target_account__uri", flat=True)
    )


def announcements_shown(at: datetime | None = None) -> QuerySet[Announcement]:
    """Return the announcements members see now: published, and not past their end; newest first."""
    moment = at or timezone.now()
    return (
        Announcement.objects.filter(published_at__lte=moment)
        .exclude(ends_at__lte=moment)
        .order_by("-published_at", "-id")
    )
