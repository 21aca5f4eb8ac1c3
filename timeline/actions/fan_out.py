"""Place statuses in the home timelines of their local audience."""

from __future__ import annotations

import contextlib
import threading
from collections import Counter, defaultdict
from collections.abc import Collection, Iterable, Iterator, Sequence
from datetime import timedelta

from django.db import connection, transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from config.queueing import enqueue_on_commit
from federation.models import Actor
from timeline.actions.conversations import do_record_direct_status
from timeline.models import Block, Follow, Mention, Status, TagFollow, TimelineEntry, Visibility
from timeline.restrictions import restricted_account_ids
from timeline.streaming.events import stream_home_updates_on_commit

BATCH_SIZE = 1000
# The fields of statuses and their authors that a fan-out reads.
FAN_OUT_FIELDS = ("id", "account_id", "visibility", "reblog_of_id", "account__domain")
FAN_OUT_TASK = "timeline.tasks.fan_out_status"
# As in Mastodon's home feeds, a boost of a status that a home timeline shows among its newest
# entries, as itself or boosted, is not added to it, nor is a status shown boosted there: reading
# the same post twice in a row is noise. Further down the timeline it may come round again.
RECENT_ENTRIES = 40
# Owners per query when looking for what their home timelines show (well within SQLite's and
# PostgreSQL's limits on parameters).
OWNERS_PER_QUERY = 10_000
_collecting = threading.local()


def do_place_in_authors_home(status: Status) -> None:
    """Put a local author's new status in their own home timeline now, in the caller's transaction.

    The fan-out task writes everyone else's entries after commit; the
    author's own is written at once, so a client reading home straight after
    posting finds the post there (the fan-out skips the existing entry). A
    boost of a status their home already shows near its top is left out, as
    for everyone else.
    """
    audience = {status.id: {status.account_id}}
    if status.reblog_of_id is not None:
        # A new status of the author's own has no boost yet: only a boost needs looking into.
        _leave_out_recently_shown([status], audience)
    if audience[status.id]:
        TimelineEntry.objects.create(owner_id=status.account_id, status_id=status.id)


def fan_out_on_commit(status_id: int) -> None:
    """Queue the fan-out of a status once the current transaction commits.

    Inside `fan_outs_collected()` the status is handed to the block's owner
    instead, which fans out all the statuses it collected together.
    """
    collected: list[int] | None = getattr(_collecting, "status_ids", None)
    if collected is not None:
        collected.append(status_id)
        return
    enqueue_on_commit(FAN_OUT_TASK, status_id)


@contextlib.contextmanager
def fan_outs_collected() -> Iterator[list[int]]:
    """Collect, in this thread, the statuses whose fan-out is asked for inside the block.

    The caller fans them out with `do_fan_out_statuses` before its
    transaction commits. Ids of statuses whose savepoint was rolled back are
    not found then and are skipped; should the caller never get that far,
    recovery (`pending_fan_outs`) finds the statuses that were stored.
    """
    outer = getattr(_collecting, "status_ids", None)
    collected: list[int] = []
    _collecting.status_ids = collected
    try:
        yield collected
    finally:
        _collecting.status_ids = outer


def _by_key(pairs: Iterable[tuple[int, int]]) -> defaultdict[int, set[int]]:
    grouped: defaultdict[int, set[int]] = defaultdict(set)
    for key, value in pairs:
        grouped[key].add(value)
    return grouped


def local_audiences(statuses: Sequence[Status]) -> dict[int, set[int]]:
    """Return, for each status (its account loaded), the local actors whose home timeline should show it.

    The author if local, mentioned local accounts, accepted local followers
    (every local account for a local-only status) and local followers of a
    public status's hashtags (`tag_follower_audiences`), less those who
    block the author; a few queries whatever the number of statuses. A
    direct or limited status reaches no follower but those silently
    mentioned (given a status they were not tagged in): as on Mastodon,
    delivering a post to someone's inbox is not enough to enter their home
    timeline unless they follow its author.
    """
    ids = [status.id for status in statuses]
    mentions = Mention.objects.filter(status_id__in=ids, account__domain="")
    mentioned = _by_key(mentions.filter(silent=False).values_list("status_id", "account_id"))
    silent = _by_key(mentions.filter(silent=True).values_list("status_id", "account_id"))
    to_followers = {
        status.account_id
        for status in statuses
        if status.visibility not in (Visibility.LOCAL, Visibility.DIRECT, Visibility.LIMITED) or silent[status.id]
    }
    followers = _by_key(
        Follow.objects.filter(target_id__in=to_followers, state=Follow.State.ACCEPTED, follower__domain="").values_list(
            "target_id", "follower_id"
        )
    )
    everyone: set[int] = set()
    if any(status.visibility == Visibility.LOCAL for status in statuses):
        # A local-only status reaches every account on this server, followers or not.
        everyone = set(Actor.objects.filter(domain="", user__isnull=False).values_list("pk", flat=True))
    audiences: dict[int, set[int]] = {}
    for status in statuses:
        audience = set(mentioned[status.id])
        if status.account.is_local:
            audience.add(status.account_id)
        if status.visibility == Visibility.LOCAL:
            audience.update(everyone)
        elif status.visibility in (Visibility.DIRECT, Visibility.LIMITED):
            audience.update(followers[status.account_id] & silent[status.id])
        else:
            audience.update(followers[status.account_id])
        audiences[status.id] = audience
    for status_id, owners in tag_follower_audiences(statuses).items():
        audiences[status_id].update(owners)
    authors = {status.account_id for status in statuses if audiences[status.id]}
    # Whoever blocks the author does not see the author's statuses.
    blockers = _by_key(Block.objects.filter(target_id__in=authors).values_list("target_id", "account_id"))
    for status in statuses:
        audiences[status.id].difference_update(blockers[status.account_id])
    return audiences


def tag_follower_audiences(statuses: Sequence[Status]) -> dict[int, set[int]]:
    """Return, for each public status with hashtags, the local accounts following one of its hashtags.

    As on Mastodon, only public statuses (not unlisted ones, which stay out
    of hashtag timelines too), never boosts, and not from accounts the co-op
    limited or suspended; the accounts the author blocks are left out here,
    those blocking the author by the caller, and mutes when the home
    timeline is read.
    """
    candidates = {
        status.id: status.account_id
        for status in statuses
        if status.visibility == Visibility.PUBLIC and status.reblog_of_id is None
    }
    if not candidates:
        return {}
    tagged = Status.tags.through.objects.filter(status_id__in=candidates)
    follows = TagFollow.objects.filter(
        tag_id__in=tagged.values("tag_id"), account__domain="", account__user__isnull=False
    ).values_list("tag_id", "account_id")
    followers_of_tag = _by_key(follows)
    if not followers_of_tag:
        return {}
    excluded_authors = set(
        Actor.objects.filter(pk__in=set(candidates.values()))
        .filter(pk__in=restricted_account_ids())
        .values_list("pk", flat=True)
    )
    blocked = _by_key(
        Block.objects.filter(account_id__in=set(candidates.values())).values_list("account_id", "target_id")
    )
    audiences: dict[int, set[int]] = defaultdict(set)
    for status_id, tag_id in tagged.values_list("status_id", "tag_id"):
        author = candidates[status_id]
        if author in excluded_authors:
            continue
        audiences[status_id].update(followers_of_tag[tag_id] - blocked[author] - {author})
    return audiences


def _shown_recently(
    owners: Collection[int], boosted: Collection[int], plain: Collection[int], skip: Collection[int]
) -> defaultdict[int, set[int]]:
    """Return, for each owner, the statuses their home timeline shows among its newest entries.

    Only what may block a status being fanned out: the `boosted` statuses
    themselves or any boost of them, and boosts of the `plain` ones, each
    reported as the status boosted. Entries of the statuses in `skip` (those
    being fanned out, which may already have some) do not count. One query
    for the statuses, then, if any, one per `OWNERS_PER_QUERY` owners,
    whatever the number of statuses.
    """
    shown: defaultdict[int, set[int]] = defaultdict(set)
    originals = {*boosted, *plain}
    if not owners or not originals:
        return shown
    # Read first, and alone: usually there are none (a new post has no boost), and a short list of
    # ids leads the planner to the entries by status rather than through every owner's entries.
    candidates = list(
        Status.objects.filter(Q(id__in=boosted) | Q(reblog_of_id__in=originals))
        .exclude(id__in=skip)
        .values_list("id", flat=True)
    )
    if not candidates:
        return shown
    # An entry is among the newest while fewer than RECENT_ENTRIES of its owner's entries are newer:
    # the index on (owner, status) answers that by reading at most that many.
    crowded_out = TimelineEntry.objects.filter(owner_id=OuterRef("owner_id"), status_id__gt=OuterRef("status_id"))
    crowded_out = crowded_out[RECENT_ENTRIES - 1 : RECENT_ENTRIES]
    owner_ids = sorted(owners)
    for start in range(0, len(owner_ids), OWNERS_PER_QUERY):
        entries = TimelineEntry.objects.filter(owner_id__in=owner_ids[start : start + OWNERS_PER_QUERY])
        entries = entries.filter(status_id__in=candidates).exclude(Exists(crowded_out))
        for owner_id, status_id, reblog_of_id in entries.values_list("owner_id", "status_id", "status__reblog_of_id"):
            shown[owner_id].add(reblog_of_id or status_id)
    return shown


def _leave_out_recently_shown(statuses: Sequence[Status], audiences: dict[int, set[int]]) -> None:
    """Take out of each status's audience those whose home timeline already shows it near the top.

    A boost is left out where its status, or another boost of it, is among
    the owner's newest entries; a status where a boost of it is. Statuses
    are taken in id order, so of several in one batch showing the same
    status each owner gets the first.
    """
    owners: set[int] = set().union(*audiences.values())
    if not owners:
        return
    boosted = {status.reblog_of_id for status in statuses if status.reblog_of_id is not None}
    plain = {status.id for status in statuses if status.reblog_of_id is None}
    shown = _shown_recently(owners, boosted, plain, skip={status.id for status in statuses})
    shown_by_batch = Counter(status.reblog_of_id or status.id for status in statuses)
    for status in sorted(statuses, key=lambda status: status.id):
        original = status.reblog_of_id or status.id
        audience = audiences[status.id]
        if shown:
            audience.difference_update([owner for owner in audience if original in shown.get(owner, ())])
        if shown_by_batch[original] > 1:
            # Another status of this batch shows the same one: it is now in these owners' homes.
            for owner in audience:
                shown[owner].add(original)


def local_audience_ids(status: Status) -> set[int]:
    """Return the ids of local actors whose home timeline should show the status."""
    return local_audiences([status])[status.id]


def _local_followers(status: Status) -> QuerySet[Follow, int]:
    return Follow.objects.filter(
        target_id=status.account_id, state=Follow.State.ACCEPTED, follower__domain=""
    ).values_list("follower_id", flat=True)


def do_place_in_home_timelines(status: Status, account_ids: list[int]) -> list[int]:
    """Add a status already fanned out to the home timelines of some more local accounts; return theirs.

    For accounts just given the status (silent mentions): those who follow
    its author, do not block it, and do not have it yet.
    """
    candidates = set(_local_followers(status).filter(follower_id__in=account_ids))
    candidates.difference_update(
        TimelineEntry.objects.filter(status=status, owner_id__in=candidates).values_list("owner_id", flat=True)
    )
    if candidates:
        # Whoever blocks the author does not see the author's statuses.
        blockers = Block.objects.filter(target_id=status.account_id, account_id__in=candidates)
        candidates.difference_update(blockers.values_list("account_id", flat=True))
    owners = sorted(candidates)
    if owners:
        with transaction.atomic():
            TimelineEntry.objects.bulk_create(
                [TimelineEntry(owner_id=owner, status_id=status.id) for owner in owners], ignore_conflicts=True
            )
            stream_home_updates_on_commit(status.id, owners)
    return owners


def _write_entries(entries: list[tuple[int, int]]) -> None:
    """Write home-timeline entries (owner id, status id), skipping those that exist."""
    if connection.vendor == "postgresql":
        # Two arrays in one statement: a model instance per entry cost more than the database's work.
        table = TimelineEntry._meta.db_table
        for start in range(0, len(entries), BATCH_SIZE * 10):
            chunk = entries[start : start + BATCH_SIZE * 10]
            with connection.cursor() as cursor:
                cursor.execute(
                    f"INSERT INTO {table} (owner_id, status_id)"  # noqa: S608 - the table name is the model's own
                    " SELECT * FROM unnest(%s::bigint[], %s::bigint[]) ON CONFLICT DO NOTHING",
                    [[owner for owner, _ in chunk], [status for _, status in chunk]],
                )
        return
    rows = [TimelineEntry(owner_id=owner, status_id=status) for owner, status in entries]
    for start in range(0, len(rows), BATCH_SIZE):
        TimelineEntry.objects.bulk_create(rows[start : start + BATCH_SIZE], ignore_conflicts=True)


def do_fan_out_status(status_id: int) -> int:
    """Write the status into its audience's home timelines; return how many entries.

    Idempotent: a status already fanned out is left alone, and entries that
    exist are not written twice, so a re-run after a crash is safe.
    """
    return do_fan_out_statuses([status_id])


def do_fan_out_statuses(status_ids: Collection[int], *, max_entries: int | None = None) -> int:
    """Write statuses into their audiences' home timelines together; return how many entries.

    Idempotent as `do_fan_out_status` is; ids of missing statuses are
    skipped. With `max_entries`, statuses that would take the total beyond
    it are left to the fan-out task, queued after commit, so a caller in
    the middle of other work does not take on a large audience.
    """
    if not status_ids:
        return 0
    # Only what the audience and the conversations read: loading whole statuses and authors took
    # as long as writing their entries.
    pending = Status.objects.select_related("account").filter(id__in=status_ids, fanned_out_at__isnull=True)
    statuses = list(pending.only(*FAN_OUT_FIELDS).order_by("id"))
    if not statuses:
        return 0
    audiences = local_audiences(statuses)
    _leave_out_recently_shown(statuses, audiences)
    now = timezone.now()
    with transaction.atomic():
        written: list[tuple[Status, list[int]]] = []
        total = 0
        for status in statuses:
            owners = sorted(audiences[status.id])
            if max_entries is not None and total + len(owners) > max_entries:
                enqueue_on_commit(FAN_OUT_TASK, status.id)
                continue
            written.append((status, owners))
            total += len(owners)
        _write_entries([(owner, status.id) for status, owners in written for owner in owners])
        for status, owners in written:
            do_record_direct_status(status)
            stream_home_updates_on_commit(status.id, owners)
        Status.objects.filter(id__in=[status.id for status, _ in written]).update(fanned_out_at=now)
    return total


def pending_fan_outs(min_age: timedelta) -> QuerySet[Status]:
    """Return statuses created at least `min_age` ago whose fan-out never finished."""
    return Status.objects.filter(fanned_out_at__isnull=True, created_at__lte=timezone.now() - min_age)
