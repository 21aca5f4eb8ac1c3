"""Erase everything the timeline holds about a local account being deleted.

Called by `members.actions.deletion` inside the erasure's transaction: each
status's Delete (or a boost's Undo) is queued to every inbox that received
it, its id is kept as a tombstone, and then the account's statuses, media,
follows, blocks, mutes, lists, filters, bookmarks, favourites, votes,
markers and notifications are removed.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import Q

from federation.actions.deliveries import do_queue_activity
from federation.actions.erasure import inboxes_that_received
from federation.models import Actor, Tombstone
from timeline.activitypub.outbox import status_inboxes
from timeline.activitypub.renderers import delete_for_status, undo_for_reblog
from timeline.models import (
    AccountDomainBlock,
    Block,
    Bookmark,
    ConversationMute,
    Endorsement,
    Favourite,
    FeaturedTag,
    Filter,
    Follow,
    List,
    ListAccount,
    Marker,
    MediaAttachment,
    Mention,
    Mute,
    Notification,
    PollVote,
    ScheduledStatus,
    Status,
    SuggestionDismissal,
    TagFollow,
    TimelineEntry,
    Visibility,
)


def do_publish_status_deletes(actor: Actor) -> list[int]:
    """Queue a Delete for each of the account's statuses (Undo for boosts); return the outbound activity ids.

    Each goes to the status's current audience and to every inbox that
    received it, hosts that are down included so the receipt names them.
    """
    activity_ids: list[int] = []
    statuses = (
        Status.objects.filter(account=actor)
        .exclude(visibility=Visibility.LOCAL)
        .select_related("account", "reblog_of", "reblog_of__account", "in_reply_to__account")
        .order_by("id")
    )
    with transaction.atomic():
        for status in statuses.iterator(chunk_size=500):
            activity = undo_for_reblog(status) if status.reblog_of_id is not None else delete_for_status(status)
            inboxes = [*status_inboxes(status), *inboxes_that_received(actor, status.uri)]
            outbound = do_queue_activity(actor, activity, inboxes, include_unavailable=True)
            if outbound is not None:
                activity_ids.append(outbound.pk)
    return activity_ids


def do_erase_account_content(actor: Actor) -> list[str]:
    """Remove the account's statuses and everything personal the timeline holds; return media file names.

    Statuses leave tombstones so their ids are never imported again and
    their URLs answer 410 Gone. Remove the returned files after commit.
    """
    files: list[str] = []
    with transaction.atomic():
        for media in MediaAttachment.objects.filter(account=actor).only("file", "thumbnail"):
            files.extend(name for name in (media.file.name, media.thumbnail.name) if name)
        MediaAttachment.objects.filter(account=actor).delete()
        uris = list(Status.objects.filter(account=actor).values_list("uri", flat=True))
        Tombstone.objects.bulk_create([Tombstone(uri=uri) for uri in uris], ignore_conflicts=True)
        # Boosts of the account's statuses by others are removed with them (cascade).
        Status.objects.filter(account=actor).delete()
        Follow.objects.filter(Q(follower=actor) | Q(target=actor)).delete()
        Block.objects.filter(Q(account=actor) | Q(target=actor)).delete()
        Mute.objects.filter(Q(account=actor) | Q(target=actor)).delete()
        ListAccount.objects.filter(account=actor).delete()
        List.objects.filter(account=actor).delete()
        Filter.objects.filter(account=actor).delete()
        AccountDomainBlock.objects.filter(account=actor).delete()
        ConversationMute.objects.filter(account=actor).delete()
        Bookmark.objects.filter(account=actor).delete()
        TagFollow.objects.filter(account=actor).delete()
        FeaturedTag.objects.filter(account=actor).delete()
        Endorsement.objects.filter(Q(account=actor) | Q(target=actor)).delete()
        SuggestionDismissal.objects.filter(Q(account=actor) | Q(target=actor)).delete()
        Favourite.objects.filter(account=actor).delete()
        PollVote.objects.filter(account=actor).delete()
        Marker.objects.filter(account=actor).delete()
        ScheduledStatus.objects.filter(account=actor).delete()
        TimelineEntry.objects.filter(owner=actor).delete()
        Notification.objects.filter(Q(recipient=actor) | Q(from_account=actor)).delete()
        # Silent mentions only let the account read others' statuses; nothing in those statuses names it.
        Mention.objects.filter(account=actor, silent=True).delete()
    return files
