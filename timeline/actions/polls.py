"""Votes in polls: local members voting anywhere, remote voters in local polls."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from federation import renderers
from federation.actions.outbox import publish_to_actor
from federation.models import Actor
from timeline.access import can_view_status
from timeline.activitypub.renderers import create_for_vote
from timeline.errors import InteractionRefused
from timeline.models import Poll, PollVote, Status
from timeline.poll_claims import poll_claims


def check_vote(actor: Actor, status: Status, choices: list[int]) -> Poll:
    """Return the status's poll if the vote is valid, else refuse with the reason."""
    poll = Poll.objects.filter(status=status).first()
    if poll is None or not can_view_status(actor, status):
        raise InteractionRefused("This poll does not exist or is not visible to you.")
    if (claim := poll_claims([poll.pk]).get(poll.pk)) is not None:
        # A claimed poll's votes are its owner's to record (a proposal's are ballots), never the poll's.
        raise InteractionRefused(claim.refusal)
    if poll.expires_at is not None and poll.expires_at <= timezone.now():
        raise InteractionRefused("The poll has already ended.")
    if status.account_id == actor.pk:
        raise InteractionRefused("You can't vote in your own poll.")
    if not choices or any(not 0 <= choice < len(poll.options) for choice in choices):
        raise InteractionRefused("Choose one of the poll's options.")
    if len(set(choices)) != len(choices) or (len(choices) > 1 and not poll.multiple):
        raise InteractionRefused("This poll allows a single choice.")
    if PollVote.objects.filter(poll=poll, account=actor).exists():
        raise InteractionRefused("You have already voted in this poll.")
    return poll


def do_vote(actor: Actor, status: Status, choices: list[int], *, uri: str = "") -> list[PollVote]:
    """Record a vote; a remote poll's author is sent one Create(Note) per choice, as Mastodon sends them."""
    poll = check_vote(actor, status, choices)
    with transaction.atomic():
        votes = []
        for choice in choices:
            vote = PollVote.objects.create(
                poll=poll,
                account=actor,
                choice=choice,
                uri=uri or renderers.new_activity_id(actor, "votes"),
            )
            votes.append(vote)
        locked = Poll.objects.select_for_update().get(pk=poll.pk)
        counts = list(locked.votes)
        for choice in choices:
            counts[choice] += 1
        Poll.objects.filter(pk=poll.pk).update(votes=counts, voters_count=F("voters_count") + 1)
        for vote in votes:
            publish_to_actor(actor, status.account, create_for_vote(vote))
    return votes


@dataclass(frozen=True)
class CastVote:
    """A local account's checked vote: in the poll itself, or, for a claimed poll, the owner's step recording it."""

    actor: Actor
    poll: Poll
    choices: tuple[int, ...]
    record_claimed: Callable[[], object] | None = None


def check_cast_vote(actor: Actor, poll: Poll, choices: list[int]) -> CastVote:
    """Validate a local account's vote, raising a refusal with the reason.

    A claimed poll's vote is handed to the app that claims it, which checks
    it its own way (a proposal's checks a ballot); any other is checked as a
    vote in the poll.
    """
    claim = poll_claims([poll.pk]).get(poll.pk)
    if claim is not None:
        return CastVote(actor, poll, tuple(choices), record_claimed=claim.check_vote(actor, choices))
    check_vote(actor, poll.status, choices)
    return CastVote(actor, poll, tuple(choices))


def do_cast_vote(vote: CastVote) -> None:
    """Record a checked vote: through the claiming app for a claimed poll, else as votes in the poll."""
    if vote.record_claimed is not None:
        vote.record_claimed()
        return
    do_vote(vote.actor, vote.poll.status, list(vote.choices))


def do_record_remote_vote(actor: Actor, poll: Poll, choice: int, *, uri: str) -> bool:
    """Count a remote account's vote for one option of a local poll; return False if this vote was counted before.

    A remote server sends one Create(Note) per option chosen, so the
    voter is counted once, with their first option, as a local vote
    counts its voter once whatever its number of options. Refuse a second
    vote in a single-choice poll, and an option voted for already.
    """
    if not 0 <= choice < len(poll.options):
        raise InteractionRefused("Choose one of the poll's options.")
    with transaction.atomic():
        # The poll's row lock orders concurrent votes, so a voter's first option is counted once.
        locked = Poll.objects.select_for_update().get(pk=poll.pk)
        if PollVote.objects.filter(uri=uri).exists():
            return False
        voted_before = PollVote.objects.filter(poll=locked, account=actor).exists()
        if voted_before and not locked.multiple:
            raise InteractionRefused("The voter has already voted in this single-choice poll.")
        try:
            with transaction.atomic():
                PollVote.objects.create(poll=locked, account=actor, choice=choice, uri=uri)
        except IntegrityError as exc:
            # The same option again under another id.
            raise InteractionRefused("The vote was already counted.") from exc
        counts = list(locked.votes)
        counts[choice] += 1
        Poll.objects.filter(pk=locked.pk).update(
            votes=counts, voters_count=F("voters_count") + (0 if voted_before else 1)
        )
    return True


def choice_index(poll: Poll, name: str) -> int | None:
    """Return the index of the option with this name, or None."""
    try:
        return list(poll.options).index(name)
    except ValueError:
        return None
