"""Put open proposals to the members as local-only polls, so any Mastodon app can vote on them."""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import timedelta

from django.db import transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone

from config.queueing import enqueue_on_commit
from federation.actions.instance_actor import instance_actor
from federation.models import Actor
from federation.uris import base_url
from governance.actions.ballots import check_cast_ballot, do_cast_ballot
from governance.errors import BallotRefused
from governance.models import Proposal, ProposalPoll
from governance.selectors import proposal_poll_view
from governance.tally.methods import DecisionMethod
from timeline.actions.statuses import StatusDraft, do_create_status
from timeline.models import Visibility
from timeline.poll_claims import PollClaim

# Methods whose ballot is one option, or a set of options, as a Mastodon poll answers.
POLL_METHODS = frozenset(
    {DecisionMethod.CONSENT, DecisionMethod.YES_NO, DecisionMethod.SINGLE_CHOICE, DecisionMethod.APPROVAL}
)


def post_proposal_poll_on_commit(proposal: Proposal) -> None:
    """Queue the proposal's poll once the transaction that opened it commits, if its method maps to a poll."""
    if proposal.method in POLL_METHODS:
        enqueue_on_commit("governance.tasks.post_proposal_poll", proposal.pk)


def proposal_poll_text(proposal: Proposal) -> str:
    """Return the text of the status that carries a proposal's poll."""
    page = base_url() + reverse("governance:proposal", kwargs={"proposal_id": proposal.pk})
    secrecy = " Ballots are secret." if proposal.secret else ""
    hidden = " Results stay hidden until it closes." if proposal.hide_results else ""
    return (
        f"Proposal #{proposal.pk}: {proposal.title}\n\n"
        f"Members in its electorate can vote in this poll until {proposal.closes_at:%Y-%m-%d %H:%M} UTC; "
        f"voting again replaces the earlier ballot.{secrecy}{hidden}\n{page}"
    )


def do_post_proposal_poll(proposal_id: int) -> ProposalPoll | None:
    """Post the local-only status with the proposal's poll and link the two; return the link.

    The status comes from the instance's own account: the poll speaks for the
    co-op rather than for the proposer, stays up if the proposer's account is
    later restricted, and lets the proposer vote in it like anyone else.
    Idempotent: a proposal that already has its poll, is closed or is decided
    by a method no poll can express is left alone.
    """
    author = instance_actor()
    with transaction.atomic():
        proposal = Proposal.objects.select_for_update().filter(pk=proposal_id).first()
        if proposal is None or proposal.method not in POLL_METHODS:
            return None
        existing = ProposalPoll.objects.filter(proposal=proposal).first()
        if existing is not None or proposal.state != Proposal.State.OPEN or proposal.closes_at <= timezone.now():
            return existing
        draft = StatusDraft(
            text=proposal_poll_text(proposal),
            visibility=Visibility.LOCAL,
            spoiler_text="",
            sensitive=False,
            language="",
            poll_options=[str(option) for option in proposal.options],
            poll_multiple=proposal.method == DecisionMethod.APPROVAL,
            poll_expires_at=proposal.closes_at,
        )
        status = do_create_status(author, draft)
        return ProposalPoll.objects.create(proposal=proposal, poll=status.poll)


def proposals_missing_polls(min_age: timedelta) -> QuerySet[Proposal]:
    """Return open proposals, opened at least `min_age` ago, whose poll was never posted."""
    now = timezone.now()
    return Proposal.objects.filter(
        state=Proposal.State.OPEN,
        method__in=POLL_METHODS,
        poll_link__isnull=True,
        opened_at__lte=now - min_age,
        closes_at__gt=now,
    )


def check_poll_ballot(proposal: Proposal, voter: Actor, choices: list[int]) -> Callable[[], object]:
    """Validate a vote in the proposal's poll as a ballot; return the step that casts it.

    The vote is recorded as a ballot on the proposal, never as a vote in the
    poll itself, so secret ballots and hidden results stay as the proposal
    requires.
    """
    if voter.user is None:
        raise BallotRefused("Only members in good standing can vote.")
    choice = check_cast_ballot(voter.user, proposal, choices)
    return functools.partial(do_cast_ballot, voter.user, proposal.pk, choice)


def claim_proposal_polls(poll_ids: list[int]) -> dict[int, PollClaim]:
    """Return the claims of the polls among these that put proposals to the members (timeline asks through them)."""
    links = ProposalPoll.objects.select_related("proposal").filter(poll_id__in=poll_ids)
    return {
        link.poll_id: PollClaim(
            refusal="This poll is a proposal's ballot; vote through the assembly.",
            check_vote=functools.partial(check_poll_ballot, link.proposal),
            view_for=functools.partial(proposal_poll_view, link.proposal),
        )
        for link in links
    }
