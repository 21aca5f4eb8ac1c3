"""Endorsements: accounts a member features on their profile (Mastodon's account pins)."""

from __future__ import annotations

from dataclasses import dataclass

from federation.models import Actor
from timeline.errors import ValidationFailed
from timeline.models import Endorsement, Follow


@dataclass(frozen=True)
class EndorsementDraft:
    """A checked endorsement: the actor follows the target."""

    account: Actor
    target: Actor


def check_endorse(actor: Actor, target: Actor) -> EndorsementDraft:
    """Refuse to endorse oneself or an account the actor does not follow (an accepted follow)."""
    if actor.pk == target.pk:
        raise ValidationFailed("You cannot endorse yourself.")
    if not Follow.objects.filter(follower=actor, target=target, state=Follow.State.ACCEPTED).exists():
        raise ValidationFailed("You must be already following the person you want to endorse.")
    return EndorsementDraft(account=actor, target=target)


def do_endorse(draft: EndorsementDraft) -> Endorsement:
    """Feature an account on the actor's profile; endorsing twice keeps one endorsement."""
    endorsement, _ = Endorsement.objects.get_or_create(account=draft.account, target=draft.target)
    return endorsement


def do_unendorse(actor: Actor, target: Actor) -> None:
    """Stop featuring an account, if featured."""
    Endorsement.objects.filter(account=actor, target=target).delete()
