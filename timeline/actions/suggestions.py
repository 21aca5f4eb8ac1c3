"""Follow suggestions a member dismissed."""

from __future__ import annotations

from federation.models import Actor
from timeline.models import SuggestionDismissal


def do_dismiss_suggestion(actor: Actor, target: Actor) -> None:
    """Never suggest the target to the actor again; dismissing twice keeps one dismissal."""
    SuggestionDismissal.objects.get_or_create(account=actor, target=target)
