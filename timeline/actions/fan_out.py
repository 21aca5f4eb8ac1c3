"""Place statuses in the home timelines of their local audience."""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from config.queueing import enqueue_on_commit
from federation.models import Actor
from timeline.actions.conversations import do_record_direct_status
from timeline.models import Block, Follow, Mention, Status, TimelineEntry, Visibility
from timeline.streaming.events import stream_home_updates_on_commit

BATCH_SIZE = 1000


def fan_out_on_commit(status_id: int) -> None:
    """Queue the fan-out of a status once the current transaction commits."""
    enqueue_on_commit("timeline.tasks.fan_out_status", status_id)


def _local_followers(status: Status) -> QuerySet[Follow, int]:
    return Follow.objects.filter(
        target_id=status.account_id, state=Follow.State.ACCEPTED, follower__domain=""
    ).values_list("follower_id", flat=True)


def _without_blockers(status: Status, audience: set[int]) -> set[int]:
    if audience:
        # Whoever blocks the author does not see the author's statuses.
        blockers = Block.objects.filter(target_id=status.account_id, account_id__in=audience)
        audience.difference_update(blockers.values_list("account_id", flat=True))
    return audience


def local_audience_ids(status: Status) -> set[int]:
    """Return the ids of local actors whose home timeline should show the status.

    Silently mentioned accounts (given a status they were not tagged in)
    get it only if they follow its author, as on Mastodon: delivering a
    post to someone's inbox is not enough to enter their home timeline.
    """
    audience: set[int] = set()
    if status.account.is_local:
        audience.add(status.account_id)
    local_mentions = Mention.objects.filter(status=status, account__domain="")
    audience.update(local_mentions.filter(silent=False).values_list("account_id", flat=True))
    silent = local_mentions.filter(silent=True).values_list("account_id", flat=True)
    if status.visibility == Visibility.LOCAL:
        # A local-only status reaches every account on this server, followers or not.
        audience.update(Actor.objects.filter(domain="", user__isnull=False).values_list("pk", flat=True))
    elif status.visibility in (Visibility.DIRECT, Visibility.LIMITED):
        audience.update(_local_followers(status).filter(follower_id__in=silent))
    else:
        audience.update(_local_followers(status))
    return _without_blockers(status, audience)


def _write_entries(status: Status, owners: list[int]) -> None:
    for start in range(0, len(owners), BATCH_SIZE):
        TimelineEntry.objects.bulk_create(
            [TimelineEntry(owner_id=owner, status_id=status.id) for owner in owners[start : start + BATCH_SIZE]],
            ignore_conflicts=True,
        )


def do_place_in_home_timelines(status: Status, account_ids: list[int]) -> list[int]:
    """Add a status already fanned out to the home timelines of some more local accounts; return theirs.

    For accounts just given the status (silent mentions): those who follow
    its author, do not block it, and do not have it yet.
    """
    candidates = set(_local_followers(status).filter(follower_id__in=account_ids))
    candidates.difference_update(
        TimelineEntry.objects.filter(status=status, owner_id__in=candidates).values_list("owner_id", flat=True)
    )
    owners = sorted(_without_blockers(status, candidates))
    if owners:
        with transaction.atomic():
            _write_entries(status, owners)
            stream_home_updates_on_commit(status.id, owners)
    return owners


def do_fan_out_status(status_id: int) -> int:
    """Write the status into its audience's home timelines; return how many entries.

    Idempotent: a status already fanned out is left alone, and entries that
    exist are not written twice, so a re-run after a crash is safe.
    """
    status = Status.objects.select_related("account").filter(id=status_id).first()
    if status is None or status.fanned_out_at is not None:
        return 0
    owners = sorted(local_audience_ids(status))
    with transaction.atomic():
        _write_entries(status, owners)
        do_record_direct_status(status)
        status.fanned_out_at = timezone.now()
        status.save(update_fields=["fanned_out_at"])
        stream_home_updates_on_commit(status.id, owners)
    return len(owners)


def pending_fan_outs(min_age: timedelta) -> QuerySet[Status]:
    """Return statuses created at least `min_age` ago whose fan-out never finished."""
    return Status.objects.filter(fanned_out_at__isnull=True, created_at__lte=timezone.now() - min_age)
