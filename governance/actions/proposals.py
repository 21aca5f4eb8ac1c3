"""Open proposals (freezing their electorate and rules) and discuss them."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from governance.actions.log import do_append_log_entry
from governance.actions.proposal_polls import post_proposal_poll_on_commit
from governance.ballot_keys import new_sealed_tracker_key
from governance.errors import ProposalRefused
from governance.log_headlines import proposal_opened_summary
from governance.models import Elector, LogEntry, ModerationAction, Proposal, ProposalComment, ProposalKind
from governance.payloads import ProposalPayload, TextPayload, check_payload
from governance.rules import opening_rules
from governance.tally.methods import BINARY_METHODS, MAX_OPTIONS, MIN_OPTIONS, DecisionMethod, fixed_options
from governance.tally.outcome import ThresholdBasis
from members.eligibility import eligible_voter_ids, is_eligible_voter
from members.models import User
from members.selectors import bylaws_in_force

MAX_OPEN_DAYS = 90
MAX_TITLE = 200
MAX_BODY = 20000
MAX_COMMENT = 5000


@dataclass(frozen=True)
class ProposalDraft:
    """A proposal that passed its checks and may be opened."""

    kind: ProposalKind
    title: str
    body: str
    payload: ProposalPayload
    method: DecisionMethod
    options: list[str]
    secret: bool
    hide_results: bool
    closes_at: datetime | None
    ratifies: list[int]
    # One payload per option when the method picks among options that each change something.
    option_payloads: tuple[ProposalPayload, ...] = ()
    threshold_basis: ThresholdBasis = ThresholdBasis.VOTES_CAST


def electorate_hash(voter_ids: list[int]) -> str:
    """Return the published hash of an electorate: SHA-256 of its sorted ids, comma-separated."""
    return hashlib.sha256(",".join(str(voter) for voter in sorted(voter_ids)).encode()).hexdigest()


def _check_options(method: str, options: list[str] | None) -> list[str]:
    """Return the options of a proposal: fixed by the method, or written by the proposer."""
    fixed = fixed_options(method)
    if fixed is not None:
        if options and list(options) != list(fixed):
            raise ProposalRefused(f"This method's options are fixed: {', '.join(fixed)}.")
        return list(fixed)
    else:
        clean_options = [option.strip() for option in options or [] if isinstance(option, str)]
        if not MIN_OPTIONS <= len(clean_options) <= MAX_OPTIONS or not all(clean_options):
            raise ProposalRefused(f"Give between {MIN_OPTIONS} and {MAX_OPTIONS} options, none blank.")
        if len(set(clean_options)) != len(clean_options):
            raise ProposalRefused("Options must differ from each other.")
    return clean_options


def check_create_proposal(
    author: User,
    *,
    kind: str,
    title: str,
    body: str = "",
    payload: Any = None,
    method: str = DecisionMethod.CONSENT,
    options: list[str] | None = None,
    secret: bool = False,
    hide_results: bool = False,
    closes_at: datetime | None = None,
    ratifies: list[int] | None = None,
    option_payloads: list[Any] | None = None,
    threshold_basis: str = ThresholdBasis.VOTES_CAST,
) -> ProposalDraft:
    """Validate a new proposal from a member, raising ProposalRefused with the reason.

    Decided by consent or yes/no, a proposal carries one `payload`. Decided
    by a method that picks among options, a proposal of a kind other than
    text carries `option_payloads` instead: one payload of its kind per
    option, and the winning option's payload is enacted.
    """
    now = timezone.now()
    if not author.is_active or not is_eligible_voter(author.pk, now):
        raise ProposalRefused("Only members in good standing can make proposals.")
    title = title.strip()
    if not title:
        raise ProposalRefused("title can't be blank.")
    if len(title) > MAX_TITLE or len(body) > MAX_BODY:
        raise ProposalRefused(f"The title is limited to {MAX_TITLE} characters and the text to {MAX_BODY}.")
    if method not in DecisionMethod.values:
        raise ProposalRefused(f"method must be one of {', '.join(DecisionMethod.values)}.")
    clean_options = _check_options(method, options)
    clean_payload, clean_option_payloads = _check_payloads(kind, method, payload, option_payloads, len(clean_options))
    if threshold_basis not in ThresholdBasis.values:
        raise ProposalRefused(f"threshold_basis must be one of {', '.join(ThresholdBasis.values)}.")
    rules = opening_rules(kind, bylaws_in_force(now))
    if closes_at is not None:
        if closes_at < now + timedelta(days=rules.min_open_days):
            raise ProposalRefused(f"The bylaws require this proposal to stay open at least {rules.min_open_days} days.")
        if closes_at > now + timedelta(days=MAX_OPEN_DAYS):
            raise ProposalRefused(f"A proposal stays open at most {MAX_OPEN_DAYS} days.")
    ratify_ids = sorted(set(ratifies or []))
    if ratify_ids:
        found = ModerationAction.objects.filter(
            pk__in=ratify_ids, emergency=True, state=ModerationAction.State.ACTIVE
        ).count()
        if found != len(ratify_ids):
            raise ProposalRefused("ratifies must list emergency actions that are still awaiting ratification.")
    return ProposalDraft(
        kind=ProposalKind(kind),
        title=title,
        body=body.strip(),
        payload=clean_payload,
        method=DecisionMethod(method),
        options=clean_options,
        secret=secret,
        hide_results=hide_results,
        closes_at=closes_at,
        ratifies=ratify_ids,
        option_payloads=clean_option_payloads,
        threshold_basis=ThresholdBasis(threshold_basis),
    )


def _check_payloads(
    kind: str, method: str, payload: Any, option_payloads: list[Any] | None, option_count: int
) -> tuple[ProposalPayload, tuple[ProposalPayload, ...]]:
    """Return the proposal's payload and its options' payloads, checked for its kind and method."""
    if method in BINARY_METHODS or kind == ProposalKind.TEXT:
        if option_payloads:
            raise ProposalRefused("Only a method that picks among options carries a payload per option.")
        return check_payload(kind, payload), ()
    if payload:
        raise ProposalRefused("A method that picks among options carries a payload per option, not one payload.")
    if not isinstance(option_payloads, list) or len(option_payloads) != option_count:
        raise ProposalRefused("Give one payload for each option: the winning option's is enacted.")
    checked = []
    for number, option_payload in enumerate(option_payloads, start=1):
        try:
            checked.append(check_payload(kind, option_payload))
        except ProposalRefused as exc:
            raise ProposalRefused(f"Option {number}: {exc.message}") from exc
    # The proposal itself stores no payload: its options carry the changes.
    return TextPayload(), tuple(checked)


def do_open_proposal(author: User, draft: ProposalDraft, *, opened_at: datetime | None = None) -> Proposal:
    """Open a checked proposal: freeze the rules and the electorate, and log it."""
    now = opened_at or timezone.now()
    bylaws = bylaws_in_force(now)
    rules = opening_rules(draft.kind, bylaws)
    closes_at = max(draft.closes_at or now, now + timedelta(days=rules.min_open_days))
    voter_ids = sorted(set(eligible_voter_ids(now)))
    key_id, sealed_key = new_sealed_tracker_key()
    with transaction.atomic():
        proposal = Proposal.objects.create(
            kind=draft.kind,
            title=draft.title,
            body=draft.body,
            payload=draft.payload.to_json(),
            option_payloads=[option.to_json() for option in draft.option_payloads],
            threshold_basis=draft.threshold_basis,
            method=draft.method,
            options=draft.options,
            secret=draft.secret,
            hide_results=draft.hide_results,
            author=author,
            opened_at=now,
            closes_at=closes_at,
            bylaws_version=rules.bylaws_version_id,
            min_open_days=rules.min_open_days,
            quorum=rules.quorum,
            pass_threshold=rules.pass_threshold,
            block_override=rules.block_override,
            electorate_size=len(voter_ids),
            electorate_hash=electorate_hash(voter_ids),
            tracker_key=sealed_key,
            tracker_key_id=key_id,
        )
        Elector.objects.bulk_create([Elector(proposal=proposal, user_id=voter) for voter in voter_ids], batch_size=5000)
        if draft.ratifies:
            proposal.ratifies.set(draft.ratifies)
        do_append_log_entry(
            LogEntry.Kind.PROPOSAL_OPENED,
            summary=proposal_opened_summary(proposal.pk, proposal.title),
            data={
                "proposal": proposal.pk,
                "kind": proposal.kind,
                "payload": proposal.payload,
                "preview": draft.payload.preview(),
                "option_payloads": proposal.option_payloads,
                "option_previews": [option.preview() for option in draft.option_payloads],
                "threshold_basis": proposal.threshold_basis,
                "method": proposal.method,
                "options": proposal.options,
                "closes_at": closes_at.isoformat(),
                "bylaws_version": rules.bylaws_version_id,
                "quorum": str(rules.quorum),
                "pass_threshold": str(rules.pass_threshold),
                "block_override": str(rules.block_override),
                "electorate_size": proposal.electorate_size,
                "electorate_hash": proposal.electorate_hash,
                "ratifies": draft.ratifies,
            },
        )
        post_proposal_poll_on_commit(proposal)
    return proposal


@dataclass(frozen=True)
class CommentDraft:
    """A reply in a proposal's discussion that passed its checks; `text` is stripped."""

    author: User
    proposal: Proposal
    text: str
    in_reply_to_id: int | None


def check_add_comment(author: User, proposal: Proposal, text: str, in_reply_to_id: int | None = None) -> CommentDraft:
    """Validate a reply in a proposal's discussion: members only, plain text."""
    if not author.is_active or not is_eligible_voter(author.pk, timezone.now()):
        raise ProposalRefused("Only members in good standing can take part in the discussion.")
    text = text.strip()
    if not text:
        raise ProposalRefused("text can't be blank.")
    if len(text) > MAX_COMMENT:
        raise ProposalRefused(f"A reply is limited to {MAX_COMMENT} characters.")
    if in_reply_to_id is not None and not ProposalComment.objects.filter(pk=in_reply_to_id, proposal=proposal).exists():
        raise ProposalRefused("The reply must answer a comment on the same proposal.")
    return CommentDraft(author, proposal, text, in_reply_to_id)


def do_add_comment(draft: CommentDraft) -> ProposalComment:
    """Add a checked reply to a proposal's discussion."""
    return ProposalComment.objects.create(
        proposal=draft.proposal,
        author=draft.author,
        text=draft.text,
        in_reply_to_id=draft.in_reply_to_id,
        created_at=timezone.now(),
    )
