"""Handlers for Follow, Accept, Reject and Undo."""

from __future__ import annotations

from federation import activitypub as ap
from federation.actions.instance_actor import instance_actor
from federation.inbox.registry import IgnoredActivity, handles
from federation.models import Actor
from federation.selectors import is_domain_suspended
from federation.uris import instance_actor_uri
from timeline.actions.blocks import do_unblock
from timeline.actions.follows import do_accept_follow_request, do_follow, do_reject_follow_request, do_unfollow
from timeline.actions.interactions import do_unfavourite, do_unreblog
from timeline.models import Favourite, Follow, Status


def _local_actor(uri: str | None) -> Actor:
    if uri == instance_actor_uri():
        # A peer may follow the instance actor before anything here needed it.
        return instance_actor()
    actor = Actor.objects.filter(uri=uri, domain="").first() if uri else None
    if actor is None:
        raise IgnoredActivity(f"{uri} is not an actor on this server.")
    return actor


@handles(ap.Follow)
def follow(actor: Actor, activity: ap.Follow) -> None:
    """Record a remote follow of a local actor; unlocked accounts (and the instance actor) accept it at once.

    Following the instance actor subscribes a peer to the public
    transparency log.
    """
    target = _local_actor(activity.object_id)
    if is_domain_suspended(actor.domain):
        # The inbox refuses suspended domains already; a suspension enacted
        # while the Follow waited to be processed must not let it in either.
        raise IgnoredActivity("This server does not accept follows from your domain.")
    do_follow(actor, target, uri=activity.id)


def _follow_answered(actor: Actor, activity: ap.Accept | ap.Reject) -> Follow:
    """Find the local follow an Accept or Reject answers: by its id, else by its two actors."""
    follow_id = activity.object_id
    found = Follow.objects.filter(uri=follow_id, target=actor).first() if follow_id else None
    if found is None and isinstance(activity.object, ap.Activity) and activity.object.actor:
        follower_uri = activity.object.actor
        found = Follow.objects.filter(target=actor, follower__uri=follower_uri, follower__domain="").first()
    if found is None:
        raise IgnoredActivity("No follow of this actor is waiting for an answer.")
    return found


@handles(ap.Accept)
def accept(actor: Actor, activity: ap.Accept) -> None:
    """Mark a local actor's follow of the sender as accepted."""
    found = _follow_answered(actor, activity)
    if found.state == Follow.State.ACCEPTED:
        return
    do_accept_follow_request(actor, found.follower)


@handles(ap.Reject)
def reject(actor: Actor, activity: ap.Reject) -> None:
    """Drop a local actor's follow of the sender (refused, or the follower was removed)."""
    found = _follow_answered(actor, activity)
    do_reject_follow_request(actor, found.follower)


@handles(ap.Undo)
def undo(actor: Actor, activity: ap.Undo) -> None:
    """Undo a Follow, Like, Announce or Block the sender made earlier, embedded or referred to by id."""
    inner = activity.object
    # An embedded activity may come without an id (`ap.Activity.from_embedded_json`): none to look up then.
    inner_id = activity.object_id or None
    inner_object = inner.object_id if isinstance(inner, ap.Activity) else None
    if isinstance(inner, ap.Follow) or Follow.objects.filter(uri=inner_id, follower=actor).exists():
        target = Follow.objects.filter(follower=actor, uri=inner_id).values_list("target", flat=True).first()
        target_actor = Actor.objects.filter(pk=target).first() if target else None
        do_unfollow(actor, target_actor or _local_actor(inner_object))
        return
    if isinstance(inner, ap.Like) or Favourite.objects.filter(uri=inner_id, account=actor).exists():
        favourite = Favourite.objects.filter(account=actor, uri=inner_id).select_related("status").first()
        status = favourite.status if favourite else Status.objects.filter(uri=inner_object).first()
        if status is None:
            raise IgnoredActivity("The liked status is not here.")
        do_unfavourite(actor, status)
        return
    if isinstance(inner, ap.Announce) or Status.objects.filter(uri=inner_id, account=actor).exists():
        reblog = Status.objects.filter(uri=inner_id, account=actor, reblog_of__isnull=False).first()
        if reblog is None and inner_object:
            reblog = Status.objects.filter(account=actor, reblog_of__uri=inner_object).first()
        if reblog is None:
            raise IgnoredActivity("The boost is not here.")
        do_unreblog(actor, reblog)
        return
    if isinstance(inner, ap.Block):
        do_unblock(actor, _local_actor(inner_object))
        return
    raise IgnoredActivity(f"Nothing to undo for {inner_id}.")
