"""Follow, unfollow, and answer follow requests, between local and remote actors alike.

A follow of a remote actor stays pending until its server sends Accept; a
follow of a local actor is accepted at once unless the account is locked.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import Q

from federation import renderers
from federation.actions.outbox import publish_to_actor
from federation.models import Actor
from timeline.actions.notifications import do_notify, do_withdraw_notification
from timeline.activitypub.renderers import accept_for_follow, follow_for_follow, reject_for_follow, undo_for_follow
from timeline.errors import FollowRefused
from timeline.models import Block, Endorsement, Follow, ListAccount, Notification


def check_follow(follower: Actor, target: Actor) -> None:
    """Refuse a follow of oneself, or between actors where either blocks the other."""
    if follower.pk == target.pk:
        raise FollowRefused("You can't follow yourself.", status=403)
    # Both directions in one query: who blocks whom decides the message.
    blockers = set(
        Block.objects.filter(Q(account=target, target=follower) | Q(account=follower, target=target)).values_list(
            "account_id", flat=True
        )
    )
    if target.pk in blockers:
        raise FollowRefused("This account has blocked you.", status=403)
    if follower.pk in blockers:
        raise FollowRefused("Unblock this account before following it.", status=403)
    if target.moved_to_id is not None and follower.is_local:
        raise FollowRefused("This account has moved; follow its new account instead.", status=403)


def do_follow(follower: Actor, target: Actor, *, uri: str = "") -> Follow:
    """Follow an actor; return the follow, pending until accepted.

    For a local follower of a remote actor, the Follow is delivered after
    commit; for a remote follower (an inbox Follow) of an unlocked local
    actor, the Accept is.
    """
    check_follow(follower, target)
    with transaction.atomic():
        follow = Follow.objects.select_for_update().filter(follower=follower, target=target).first()
        if follow is not None:
            if uri and follow.uri != uri and not follower.is_local:
                # A remote server re-sent the follow under a new id: answer that id.
                follow.uri = uri
                follow.save(update_fields=["uri"])
            if follow.state == Follow.State.PENDING and target.is_local and not target.locked:
                # A request made while the account was locked, repeated now that it is not.
                follow.state = Follow.State.ACCEPTED
                follow.save(update_fields=["state"])
                do_withdraw_notification(target, follower, Notification.Type.FOLLOW_REQUEST)
                do_notify(target, follower, Notification.Type.FOLLOW)
            if follow.state == Follow.State.ACCEPTED and target.is_local and not follower.is_local:
                publish_to_actor(target, follower, accept_for_follow(follow))
            return follow
        accepted = target.is_local and not target.locked
        follow = Follow.objects.create(
            follower=follower,
            target=target,
            state=Follow.State.ACCEPTED if accepted else Follow.State.PENDING,
            uri=uri or renderers.new_activity_id(follower, "follows"),
        )
        if target.is_local:
            do_notify(target, follower, Notification.Type.FOLLOW if accepted else Notification.Type.FOLLOW_REQUEST)
            if accepted:
                publish_to_actor(target, follower, accept_for_follow(follow))
        else:
            publish_to_actor(follower, target, follow_for_follow(follow))
    return follow


def do_unfollow(follower: Actor, target: Actor) -> None:
    """Stop following an actor (or withdraw a request); remote targets get an Undo."""
    with transaction.atomic():
        follow = Follow.objects.select_related("follower", "target").filter(follower=follower, target=target).first()
        if follow is None:
            return
        if not target.is_local and follower.is_local:
            publish_to_actor(follower, target, undo_for_follow(follow))
        follow.delete()
        # Lists hold followed accounts only, so an unfollowed account leaves the follower's lists.
        ListAccount.objects.filter(list__account=follower, account=target).delete()
        # Only followed accounts are endorsed, as on Mastodon.
        Endorsement.objects.filter(account=follower, target=target).delete()
        do_withdraw_notification(target, follower, Notification.Type.FOLLOW)
        do_withdraw_notification(target, follower, Notification.Type.FOLLOW_REQUEST)


def check_answer_follow_request(target: Actor, follower: Actor) -> Follow:
    """Return the pending follow request of `follower` to `target`, or refuse."""
    follow = Follow.objects.filter(follower=follower, target=target, state=Follow.State.PENDING).first()
    if follow is None:
        raise FollowRefused("There is no pending follow request from this account.", status=404)
    return follow


def do_accept_follow_request(target: Actor, follower: Actor) -> Follow:
    """Accept a pending request; a remote follower's server is sent Accept.

    Called with a remote `target` when its server sent Accept for a local follower.
    """
    with transaction.atomic():
        follow = check_answer_follow_request(target, follower)
        follow.state = Follow.State.ACCEPTED
        follow.save(update_fields=["state"])
        if target.is_local:
            do_withdraw_notification(target, follower, Notification.Type.FOLLOW_REQUEST)
            do_notify(target, follower, Notification.Type.FOLLOW)
            publish_to_actor(target, follower, accept_for_follow(follow))
    return follow


def do_reject_follow_request(target: Actor, follower: Actor) -> None:
    """Refuse a pending request (or, from a remote server, a follow it will not honour)."""
    with transaction.atomic():
        follow = Follow.objects.filter(follower=follower, target=target).first()
        if follow is None:
            return
        if target.is_local:
            publish_to_actor(target, follower, reject_for_follow(follow))
            do_withdraw_notification(target, follower, Notification.Type.FOLLOW_REQUEST)
        follow.delete()


def do_remove_follower(actor: Actor, follower: Actor) -> None:
    """Make an actor stop following a local actor; a remote follower's server is sent Reject."""
    do_reject_follow_request(actor, follower)
