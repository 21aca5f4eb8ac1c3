"""Account moves: aliases, moving away, and followers following the new account.

Moving in: a member names their old accounts elsewhere as aliases
(`alsoKnownAs`, announced with an Update of the actor), so that the old
account's Move to here is accepted. Moving away: the new account elsewhere
must list this one as an alias (checked on a freshly fetched copy); then a
Move goes to the followers' servers, local followers follow the new account,
and the old profile names the new one. As on Mastodon, an account can move
again only 30 days after its last move.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from federation.actions.outbox import publish_actor_update, publish_to_followers
from federation.actions.remote_actors import fetch_actor, resolve_account
from federation.errors import RemoteActorUnavailable
from federation.models import Actor
from timeline.actions.follows import do_follow, do_unfollow
from timeline.actions.notifications import do_notify
from timeline.activitypub.renderers import move_for_account
from timeline.errors import FollowRefused, InteractionRefused
from timeline.models import Follow, Notification

MOVE_COOLDOWN = timedelta(days=30)
MAX_ALIASES = 10


def check_move_account(origin: Actor, target: Actor) -> None:
    """Refuse a move unless the new account names the old one in alsoKnownAs."""
    if origin.pk == target.pk:
        raise InteractionRefused("An account can't move to itself.")
    if origin.uri not in (target.also_known_as or []):
        raise InteractionRefused("The new account must list this account as an alias (alsoKnownAs) first.")


def _resolve(handle: str) -> Actor:
    """Return the account at a handle (on this server, or refreshed from its own)."""
    handle = handle.strip().lstrip("@")
    username, _, domain = handle.partition("@")
    if not domain or domain.lower() == settings.MUTUALS_DOMAIN.lower():
        local = Actor.objects.filter(domain="", username__iexact=username, deleted_at__isnull=True).first()
        if local is None or not username:
            raise InteractionRefused(f"The account {handle} cannot be found.")
        return local
    try:
        actor = resolve_account(handle)
        return fetch_actor(actor.uri, refresh=True)
    except RemoteActorUnavailable as exc:
        raise InteractionRefused(f"The account {handle} cannot be found: {exc}") from exc


def check_move_away(origin: Actor, target_handle: str, *, password: str) -> Actor:
    """Verify the password, the cooldown and the new account's alias; return the new account."""
    if origin.user is None or not password or not origin.user.check_password(password):
        raise InteractionRefused("The password is wrong.")
    if origin.moved_at is not None and timezone.now() - origin.moved_at < MOVE_COOLDOWN:
        next_move = origin.moved_at + MOVE_COOLDOWN
        raise InteractionRefused(f"This account moved recently; it can move again after {next_move:%Y-%m-%d}.")
    target = _resolve(target_handle)
    if target.deleted_at is not None:
        raise InteractionRefused("The new account has been deleted.")
    check_move_account(origin, target)
    return target


def do_move_account(origin: Actor, target: Actor) -> int:
    """Mark an account as moved and move its local followers; remote followers' servers get Move.

    Return how many local followers now follow the new account. Called both
    for a local member moving away and for a remote Move that passed its checks.
    """
    check_move_account(origin, target)
    with transaction.atomic():
        origin.moved_to = target
        origin.moved_at = timezone.now()
        origin.save(update_fields=["moved_to", "moved_at"])
        if origin.is_local:
            # The profile now names the new account; followers' servers get the Move itself.
            publish_to_followers(origin, move_for_account(origin, target))
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


def check_add_alias(actor: Actor, handle: str) -> Actor:
    """Return the account to add as an alias of a local one; refuse itself, duplicates and too many."""
    alias = _resolve(handle)
    if alias.pk == actor.pk:
        raise InteractionRefused("An account can't be an alias of itself.")
    if alias.uri in actor.also_known_as:
        raise InteractionRefused(f"{alias.acct} is already an alias.")
    if len(actor.also_known_as) >= MAX_ALIASES:
        raise InteractionRefused(f"An account can have at most {MAX_ALIASES} aliases.")
    return alias


def do_set_aliases(actor: Actor, uris: list[str]) -> list[str]:
    """Replace a local account's aliases and announce the change to its followers' servers."""
    with transaction.atomic():
        actor.also_known_as = list(dict.fromkeys(uris))
        actor.save(update_fields=["also_known_as"])
        publish_actor_update(actor)
    return list(actor.also_known_as)


def do_add_alias(actor: Actor, alias: Actor) -> list[str]:
    """Add a checked alias to a local account."""
    return do_set_aliases(actor, [*actor.also_known_as, alias.uri])


def do_remove_alias(actor: Actor, uri: str) -> list[str]:
    """Remove an alias; refuse one the account does not have."""
    if uri not in actor.also_known_as:
        raise InteractionRefused("That account is not an alias.")
    return do_set_aliases(actor, [alias for alias in actor.also_known_as if alias != uri])
