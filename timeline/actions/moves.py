"""Account moves: followers follow the new account and leave the old one."""

from __future__ import annotations

from django.db import transaction

from federation import renderers
from federation.actions.outbox import publish_to_followers
from federation.models import Actor
from timeline.actions.follows import do_follow, do_unfollow
from timeline.actions.notifications import do_notify
from timeline.errors import FollowRefused, InteractionRefused
from timeline.models import Follow, Notification


def check_move_account(origin: Actor, target: Actor) -> None:
    """Refuse a move unless the new account names the old one in alsoKnownAs."""
    if origin.pk == target.pk:
        raise InteractionRefused("An account can't move to itself.")
    if origin.uri not in (target.also_known_as or []):
        raise InteractionRefused("The new account must list this account as an alias (alsoKnownAs) first.")


def move_activity(origin: Actor, target: Actor) -> dict[str, object]:
    """Return the Move activity an account sends its followers."""
    return renderers.activity(
        "Move",
        origin,
        origin.uri,
        activity_id=renderers.new_activity_id(origin, "moves"),
        to=[origin.followers_uri],
        target=target.uri,
    )


def do_move_account(origin: Actor, target: Actor) -> int:
    """Mark an account as moved and move its local followers; remote followers' servers get Move.

    Return how many local followers now follow the new account. Called both
    for a local member moving away and for a remote Move that passed its checks.
    """
    check_move_account(origin, target)
    with transaction.atomic():
        origin.moved_to = target
        origin.save(update_fields=["moved_to"])
        if origin.is_local:
            publish_to_followers(origin, move_activity(origin, target))
        moved = 0
        followers = Actor.objects.filter(
            following_set__target=origin, following_set__state=Follow.State.ACCEPTED, domain=""
        )
        for follower in followers:
            if follower.pk == target.pk:
                continue
            do_unfollow(follower, origin)
            try:
                do_follow(follower, target)
            except FollowRefused:
                continue
            do_notify(follower, origin, Notification.Type.MOVE)
            moved += 1
    return moved
