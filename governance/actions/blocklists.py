"""Blocklist mandates: adopting one, applying blocks under it, and importing its sources.

A mandate is the assembly's standing decision that blocks from named lists
may be applied up to a severity. A block applied under it cites the mandate,
not a rule, and is no emergency action. Applying the same block again changes
nothing and logs nothing, so a blocklist tool's second sync, and each daily
import, is a no-op unless a list changed.
"""

from __future__ import annotations

import calendar
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from federation.actions.domain_policies import check_set_domain_policy
from federation.actions.instance_actor import instance_actor
from federation.actions.remote_actors import fetch_document as fetch_activity_document
from federation.errors import DomainPolicyRefused, RemoteActorUnavailable
from federation.transport import TransportError, UnsafeDestination, signed_get
from governance.actions.log import do_append_log_entry
from governance.actions.moderation import (
    do_record_mandated_domain_policy,
    do_reverse_moderation_action,
    do_update_domain_action,
    domain_details,
)
from governance.blocklist_csv import MAX_CSV_CHARS, BlocklistEntry, parse_blocklist_csv, severity_rank
from governance.coop_blocklists import CoopLogUnreadable, read_coop_decisions
from governance.errors import ModerationRefused
from governance.models import BlocklistMandate, LogEntry, LogVisibility, ModerationAction, Proposal
from governance.payloads import BlocklistMandatePayload, BlocklistSource
from governance.selectors import blocklist_mandates_in_force, domain_actions_in_force
from members.models import User
from members.selectors import user_has_role

CSV_ACCEPT = "text/csv, text/plain;q=0.9, */*;q=0.1"
# Fields that make a block what it is; the private comment is a note beside it.
POLICY_FIELDS = ("severity", "reject_media", "reject_reports", "public_comment", "obfuscate")


class BlocklistUnavailable(Exception):
    """A blocklist source could not be fetched or read; the message says why."""


def add_months(moment: datetime, months: int) -> datetime:
    """Return the same day `months` later (the month's last day when it is shorter)."""
    month_index = moment.month - 1 + months
    year, month = moment.year + month_index // 12, month_index % 12 + 1
    return moment.replace(year=year, month=month, day=min(moment.day, calendar.monthrange(year, month)[1]))


def do_adopt_blocklist_mandate(
    proposal: Proposal, payload: BlocklistMandatePayload, *, now: datetime | None = None
) -> BlocklistMandate:
    """Record the mandate a passed proposal adopts; part of the enactment's transaction."""
    now = now or timezone.now()
    return BlocklistMandate.objects.create(
        proposal=proposal,
        sources=[source.to_json() for source in payload.sources],
        max_severity=payload.max_severity.value,
        role=payload.role.value,
        review_months=payload.review_months,
        adopted_at=now,
        review_due_at=add_months(now, payload.review_months),
    )


@dataclass(frozen=True)
class MandatedBlockDraft:
    """A domain block that a mandate in force covers, with the policy fields to set."""

    mandate_id: int
    authority: str
    domain: str
    details: dict[str, Any]


def _checked_details(domain: str, details: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    try:
        request = check_set_domain_policy(domain, authorised_by="blocklist mandate", **domain_details(**details))
    except (TypeError, ValueError) as exc:
        # DomainPolicyRefused and DomainNameRefused say what is wrong; a TypeError is an unknown field.
        message = exc.message if isinstance(exc, DomainPolicyRefused) else str(exc)
        raise ModerationRefused(message or "The domain policy is not valid.") from exc
    return request.domain, domain_details(
        severity=request.severity,
        reject_media=request.reject_media,
        reject_reports=request.reject_reports,
        public_comment=request.public_comment,
        private_comment=request.private_comment,
        obfuscate=request.obfuscate,
    )


def _covering_mandate(user: User, severity: str, *, now: datetime) -> BlocklistMandate:
    """Return the newest mandate in force that lets the user apply a block of this severity, or refuse saying why."""
    in_force = list(blocklist_mandates_in_force(now))
    if not in_force:
        raise ModerationRefused(
            f"No blocklist mandate in force covers severity {severity}; the assembly can adopt one "
            "(a blocklist_mandate proposal), or cite the rule this block enforces with rule_ids[]."
        )
    held = [mandate for mandate in in_force if user_has_role(user, mandate.role)]
    if not held:
        roles = sorted({mandate.role for mandate in in_force})
        raise ModerationRefused(
            f"The blocklist mandates in force let holders of the role {' or '.join(roles)} apply blocks; "
            "you hold none of them."
        )
    covering = [mandate for mandate in held if severity_rank(severity) <= severity_rank(mandate.max_severity)]
    if not covering:
        allowed = max((mandate.max_severity for mandate in held), key=severity_rank)
        raise ModerationRefused(
            f"No blocklist mandate in force covers severity {severity}: they allow at most {allowed}. "
            "Cite the rule this block enforces with rule_ids[], or ask the assembly."
        )
    return covering[0]


def check_apply_mandated_block(
    user: User, domain: str, details: dict[str, Any], *, now: datetime | None = None
) -> MandatedBlockDraft:
    """Validate a block a role holder applies under a mandate in force, raising ModerationRefused."""
    domain, clean = _checked_details(domain, details)
    mandate = _covering_mandate(user, clean["severity"], now=now or timezone.now())
    return MandatedBlockDraft(mandate_id=mandate.pk, authority=mandate.authority, domain=domain, details=clean)


def _same_block(current: dict[str, Any], wanted: dict[str, Any]) -> bool:
    """Return whether a block already says what is asked: an empty private comment asks for no change to it."""
    same_policy = all(current.get(name) == wanted[name] for name in POLICY_FIELDS)
    return same_policy and (
        not wanted["private_comment"] or current.get("private_comment") == wanted["private_comment"]
    )


@dataclass(frozen=True)
class MandatedBlockResult:
    """What applying a block did: the action that stands for it, and whether anything changed."""

    action: ModerationAction
    created: bool = False
    changed: bool = False


def do_apply_mandated_block(
    draft: MandatedBlockDraft, *, moderator: User | None, now: datetime | None = None
) -> MandatedBlockResult:
    """Apply a checked block citing its mandate; a block already in force as asked is left alone, unlogged.

    A domain with a different block in force is refused: a moderator changes
    it (`PUT`), as on Mastodon, and the assembly's own decisions stand.
    """
    with transaction.atomic():
        current = domain_actions_in_force().select_for_update().filter(target_domain=draft.domain).first()
        if current is not None:
            if _same_block(current.details, draft.details):
                return MandatedBlockResult(action=current)
            raise ModerationRefused(f"{draft.domain} already has a domain block (#{current.pk}); change it instead.")
        action = do_record_mandated_domain_policy(
            draft.domain,
            draft.details,
            mandate_id=draft.mandate_id,
            authority=draft.authority,
            moderator=moderator,
            now=now,
        )
    return MandatedBlockResult(action=action, created=True, changed=True)


def check_update_mandated_block(
    user: User, action: ModerationAction, details: dict[str, Any], *, now: datetime | None = None
) -> MandatedBlockDraft:
    """Validate a change to a block applied under a mandate: a mandate in force must cover the new severity."""
    if action.mandate_id is None or action.state not in (
        ModerationAction.State.ACTIVE,
        ModerationAction.State.RATIFIED,
    ):
        raise ModerationRefused("Only a block in force applied under a blocklist mandate can be changed this way.")
    domain, clean = _checked_details(action.target_domain, details)
    mandate = _covering_mandate(user, clean["severity"], now=now or timezone.now())
    return MandatedBlockDraft(mandate_id=mandate.pk, authority=mandate.authority, domain=domain, details=clean)


def do_update_mandated_block(
    draft: MandatedBlockDraft, action: ModerationAction, *, moderator: User | None
) -> MandatedBlockResult:
    """Change a block applied under a mandate; the same block again changes nothing and logs nothing."""
    if _same_block(action.details, draft.details):
        return MandatedBlockResult(action=action)
    details = dict(draft.details)
    if not details["private_comment"]:
        details["private_comment"] = action.details.get("private_comment", "")
    return MandatedBlockResult(action=do_update_domain_action(moderator, action, details), changed=True)


def fetch_blocklist_source(url: str) -> str:
    """Return the CSV text at a source's URL, fetched through federation's guarded transport.

    The request is signed as the instance actor, as every outbound fetch is;
    private addresses, oversize answers and slow servers are refused there.
    """
    signer = instance_actor()
    try:
        response = signed_get(
            url, key_id=signer.key_id, private_key_pem=signer.private_key_pem, accept=CSV_ACCEPT, limit=MAX_CSV_CHARS
        )
    except (TransportError, UnsafeDestination) as exc:
        raise BlocklistUnavailable(str(exc)) from exc
    if response.status != 200:
        raise BlocklistUnavailable(f"{url} answered {response.status}.")
    try:
        return response.body.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise BlocklistUnavailable(f"{url} did not answer with UTF-8 text.") from exc


@dataclass
class BlocklistImport:
    """What one import of a mandate's sources did."""

    mandate_id: int
    created: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    unchanged: int = 0
    # Domains with a block under another authority (a rule, another mandate, the assembly): left as they are.
    skipped: list[str] = field(default_factory=list)
    # Blocks this import had applied that no source lists any longer.
    lifted: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    # Whether a source could not be read: then nothing is lifted, since its silence proves nothing.
    unread_source: bool = False

    def to_json(self) -> dict[str, Any]:
        """Return the summary kept on the mandate."""
        return {
            "created": self.created,
            "changed": self.changed,
            "unchanged": self.unchanged,
            "skipped": self.skipped,
            "lifted": self.lifted,
            "problems": self.problems[:100],
        }


def _source_entries(
    source: BlocklistSource,
    fetch: Callable[[str], str],
    fetch_document: Callable[[str], dict[str, Any]],
    result: BlocklistImport,
) -> list[tuple[BlocklistEntry, str]]:
    """Return the blocks a source lists, each with where it comes from (the source, or a co-op's decision)."""
    if source.coop:
        try:
            log = read_coop_decisions(source.coop, fetch_document)
        except (CoopLogUnreadable, RemoteActorUnavailable) as exc:
            result.problems.append(f"{source.coop}: {exc}")
            result.unread_source = True
            return []
        result.problems.extend(log.problems)
        return [(decision.entry, decision.provenance) for decision in log.decisions]
    if source.url:
        try:
            text = fetch(source.url)
        except BlocklistUnavailable as exc:
            result.problems.append(f"{source.url}: {exc}")
            result.unread_source = True
            return []
    else:
        text = source.csv
    parsed = parse_blocklist_csv(text)
    result.problems.extend(f"{source.label}, line {problem.line}: {problem.reason}" for problem in parsed.problems)
    return [(entry, source.label) for entry in parsed.entries]


def _imported_details(entry: BlocklistEntry, mandate: BlocklistMandate, label: str) -> dict[str, Any]:
    """Return the policy an entry sets under the mandate, capped at the mandate's severity."""
    severity = entry.severity
    if severity_rank(severity) > severity_rank(mandate.max_severity):
        severity = mandate.max_severity
    return domain_details(
        severity=severity,
        reject_media=entry.reject_media,
        reject_reports=entry.reject_reports,
        public_comment=entry.public_comment,
        private_comment=f"From {label}, under {mandate.authority}",
        obfuscate=entry.obfuscate,
    )


def _import_entry(
    mandate: BlocklistMandate, domain: str, details: dict[str, Any], result: BlocklistImport, *, source: str
) -> None:
    with transaction.atomic():
        current = domain_actions_in_force().select_for_update().filter(target_domain=domain).first()
        if current is None:
            do_record_mandated_domain_policy(
                domain, details, mandate_id=mandate.pk, authority=mandate.authority, moderator=None, source=source
            )
            result.created.append(domain)
        elif current.mandate_id != mandate.pk:
            result.skipped.append(domain)
        elif all(current.details.get(name) == details[name] for name in POLICY_FIELDS):
            result.unchanged += 1
        else:
            do_update_domain_action(
                None, current, {**details, "private_comment": current.details.get("private_comment", "")}
            )
            result.changed.append(domain)


def _lift_unlisted(mandate: BlocklistMandate, listed: set[str], result: BlocklistImport, *, now: datetime) -> None:
    """Reverse the blocks the mandate's imports applied for domains no source lists any longer."""
    imported = domain_actions_in_force().filter(mandate=mandate, moderator__isnull=True)
    imported = imported.exclude(target_domain__in=listed)
    for action in imported.order_by("target_domain"):
        do_reverse_moderation_action(
            action, authority=f"No longer listed by the sources of {mandate.authority}", now=now
        )
        result.lifted.append(action.target_domain)


def do_import_blocklist(
    mandate: BlocklistMandate,
    *,
    fetch: Callable[[str], str] = fetch_blocklist_source,
    fetch_document: Callable[[str], dict[str, Any]] = fetch_activity_document,
    now: datetime | None = None,
) -> BlocklistImport:
    """Apply every block the mandate's sources list, citing the mandate; idempotent.

    Sources are fetched before anything is written, and each block is applied
    in its own transaction, so one bad row or unreachable list never undoes
    the rest. Severities above the mandate's are applied at its maximum (a
    list's suspension becomes a limit under a mandate to limit). Blocks set
    under another authority are left alone. A block an import applied under
    this mandate that no source lists any longer is lifted, logged as a
    reversal citing the mandate, but only when every source was read: an
    unreachable list lifts nothing. Blocks a role holder applied by hand
    under the mandate (a blocklist tool through the admin API) are that
    tool's to remove.
    """
    now = now or timezone.now()
    result = BlocklistImport(mandate_id=mandate.pk)
    if not blocklist_mandates_in_force(now).filter(pk=mandate.pk).exists():
        result.problems.append(
            f"{mandate.authority} is not in force (its review was due {mandate.review_due_at:%Y-%m-%d})."
        )
        return result
    wanted: dict[str, tuple[BlocklistEntry, str]] = {}
    for raw in mandate.sources:
        for entry, label in _source_entries(BlocklistSource.from_json(raw), fetch, fetch_document, result):
            known = wanted.get(entry.domain)
            if known is None or severity_rank(entry.severity) > severity_rank(known[0].severity):
                wanted[entry.domain] = (entry, label)
    for domain in sorted(wanted):
        entry, label = wanted[domain]
        try:
            _, details = _checked_details(domain, _imported_details(entry, mandate, label))
            _import_entry(mandate, domain, details, result, source=label)
        except ModerationRefused as exc:
            result.problems.append(f"{domain}: {exc.message}")
    if not result.unread_source:
        _lift_unlisted(mandate, set(wanted), result, now=now)
    mandate.last_imported_at = now
    mandate.last_import = result.to_json()
    mandate.save(update_fields=["last_imported_at", "last_import"])
    return result


def do_import_blocklists(
    *,
    fetch: Callable[[str], str] = fetch_blocklist_source,
    fetch_document: Callable[[str], dict[str, Any]] = fetch_activity_document,
    now: datetime | None = None,
) -> list[BlocklistImport]:
    """Import the sources of every mandate in force."""
    return [
        do_import_blocklist(mandate, fetch=fetch, fetch_document=fetch_document, now=now)
        for mandate in blocklist_mandates_in_force(now)
    ]


def log_blocklist_mandate(mandate: BlocklistMandate, payload: BlocklistMandatePayload, result_sequence: int) -> int:
    """Log a mandate's adoption, citing the proposal's closing entry; return the entry's sequence."""
    entry = do_append_log_entry(
        LogEntry.Kind.BLOCKLIST_MANDATE,
        visibility=LogVisibility.PUBLIC,
        summary=f"{mandate.authority} adopted: blocks up to {mandate.max_severity} from "
        + ", ".join(source.url or source.label for source in payload.sources)
        + f", applied by holders of the role {mandate.role}, review due {mandate.review_due_at:%Y-%m-%d}",
        data={
            "proposal": mandate.proposal_id,
            "result_entry": result_sequence,
            "mandate": mandate.pk,
            "sources": [source.url or source.coop or "adopted list" for source in payload.sources],
            "max_severity": mandate.max_severity,
            "role": mandate.role,
            "review_due_at": mandate.review_due_at.isoformat(),
        },
    )
    return entry.sequence
