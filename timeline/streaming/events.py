"""Send streaming events after the transaction that caused them commits.

Actions call one `stream_*_on_commit` function; nothing is sent if the
transaction rolls back. Each event names the groups it goes to and, under
`exclude`, the local accounts that must not receive it (they block, mute
or domain-block its author, or the author blocks them); the consumers drop
it for those viewers. Statuses are rendered once per event, without a
viewer: a status just posted or edited has no viewer-specific state worth
the cost of rendering it once per recipient.

Who receives what follows the timelines: public and hashtag streams carry
what the public timelines would show; the user stream of each account
fan-out placed the status with; a list stream when the author is on the
list; the direct stream of each local participant of a direct message.
"""

from __future__ import annotations

import contextlib
import functools
import json
import logging
import threading
from collections import defaultdict
from collections.abc import Iterator
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from federation.models import Actor
from federation.selectors import domain_policies_in_force
from timeline.entities.accounts import account_entities
from timeline.entities.notifications import notification_entities
from timeline.entities.statuses import status_entities
from timeline.models import (
    AccountDomainBlock,
    Block,
    Follow,
    List,
    ListAccount,
    Mute,
    Notification,
    Status,
    TimelineEntry,
    Visibility,
)
from timeline.restrictions import is_account_restricted
from timeline.streaming import relay
from timeline.streaming.relay import send_event
from timeline.streaming.streams import (
    direct_group,
    hashtag_group,
    list_group,
    notification_group,
    public_group,
    user_group,
)

logger = logging.getLogger(__name__)


def _encode(entity: object) -> str:
    # Mastodon sends the payload as a JSON string inside the JSON message.
    return json.dumps(entity, separators=(",", ":"), ensure_ascii=False)


def _load(status_id: int) -> Status | None:
    return Status.objects.select_related("account").filter(id=status_id).first()


_offered = threading.local()

# What differs between an entity built for a viewer and one built for nobody: the viewer's own flags.
_VIEWER_FLAGS: dict[str, Any] = {"favourited": False, "reblogged": False, "bookmarked": False, "muted": False}


def offer_rendered_status(status_id: int, entity: dict[str, Any]) -> None:
    """Let the events sent when this transaction commits use an entity of a new status already built for its author.

    The author's entity of a status created in this transaction is the
    viewer-less one but for the author's own flags (a thread the author
    muted): nobody could favourite, boost, bookmark or vote on it before the
    commit, and no filter context applies. Rendering it again for the
    public streams would double the status's cost of posting. The offer
    lapses once the commit's hooks have run.
    """
    shared = {**entity, **_VIEWER_FLAGS, "filtered": []}
    if entity.get("poll") is not None:
        shared["poll"] = {**entity["poll"], "voted": False, "own_votes": []}
    _offered.statuses = {status_id: shared}
    transaction.on_commit(_withdraw_offer, robust=True)


def _withdraw_offer() -> None:
    _offered.statuses = {}


def _render(status: Status) -> dict[str, Any]:
    offered: dict[int, dict[str, Any]] = getattr(_offered, "statuses", {})
    if status.pk in offered:
        return offered[status.pk]
    return status_entities([status], None)[0]


def _message(event: str, payload: str, exclude: set[int] | None = None) -> dict[str, Any]:
    return {"type": "stream.event", "event": event, "payload": payload, "exclude": sorted(exclude or ())}


def _author_hidden_from_public(author: Actor) -> bool:
    if is_account_restricted(author.pk):
        return True
    if author.is_local:
        return False
    return any(
        policy.is_suspended and (author.domain == policy.domain or author.domain.endswith(f".{policy.domain}"))
        for policy in domain_policies_in_force()
    )


def excluded_viewers(authors: list[Actor]) -> set[int]:
    """Return the local accounts that must not receive statuses by these authors.

    Those who block or mute an author (mutes not expired), those the author
    blocks, and those who hide the author's whole domain.
    """
    ids = [author.pk for author in authors]
    excluded = set(Block.objects.filter(target_id__in=ids).values_list("account_id", flat=True))
    excluded.update(Block.objects.filter(account_id__in=ids, target__domain="").values_list("target_id", flat=True))
    live_mutes = Mute.objects.filter(target_id__in=ids).filter(
        Q(expires_at__isnull=True) | Q(expires_at__gt=timezone.now())
    )
    excluded.update(live_mutes.values_list("account_id", flat=True))
    domains = {author.domain for author in authors if not author.is_local}
    if domains:
        excluded.update(AccountDomainBlock.objects.filter(domain__in=domains).values_list("account_id", flat=True))
    return excluded


def _authors(status: Status) -> list[Actor]:
    authors = [status.account]
    if status.reblog_of_id is not None:
        original = Status.objects.select_related("account").filter(id=status.reblog_of_id).first()
        if original is not None:
            authors.append(original.account)
    return authors


def public_groups(status: Status) -> list[str]:
    """Return the public and hashtag groups a status goes to, none if the public timelines would not show it."""
    if status.visibility != Visibility.PUBLIC or status.reblog_of_id is not None:
        return []
    if _author_hidden_from_public(status.account):
        return []
    origin = "local" if status.local else "remote"
    groups = []
    # Replies to others stay in their threads, as on the public timelines; hashtags still carry them.
    if (
        status.in_reply_to_id is None
        or Status.objects.filter(id=status.in_reply_to_id, account_id=status.account_id).exists()
    ):
        names = ["public", f"public:{origin}"]
        if status.media.exists():
            names += ["public:media", f"public:{origin}:media"]
        groups += [public_group(name) for name in names]
    for name in status.tags.values_list("name", flat=True):
        groups.append(hashtag_group(name, local=False))
        if status.local:
            groups.append(hashtag_group(name, local=True))
    return groups


def _tag_names(status_ids: list[int]) -> dict[int, list[str]]:
    names: dict[int, list[str]] = defaultdict(list)
    rows = Status.tags.through.objects.filter(status_id__in=status_ids).values_list("status_id", "tag__name")
    for status_id, name in rows:
        names[status_id].append(name)
    return names


def _possible_public_groups(local: bool, tag_names: list[str]) -> list[str]:
    """Return every public and hashtag group a status, local or not, could go to."""
    origin = "local" if local else "remote"
    names = ["public", f"public:{origin}", "public:media", f"public:{origin}:media"]
    groups = [public_group(name) for name in names]
    for name in tag_names:
        groups += [hashtag_group(name, local=False), hashtag_group(name, local=True)]
    return groups


def _send_created(status_ids: list[int]) -> None:
    public = Status.objects.filter(id__in=status_ids, visibility=Visibility.PUBLIC, reblog_of__isnull=True)
    origins = dict(public.values_list("id", "local"))
    if not origins:
        return
    tags = _tag_names(list(origins))
    possible = {status_id: _possible_public_groups(local, tags[status_id]) for status_id, local in origins.items()}
    # Most statuses reach no open public stream: ask once for them all, and load and render only
    # those some listener could receive.
    listened = set(relay.groups_with_listeners(sorted({group for groups in possible.values() for group in groups})))
    heard = [status_id for status_id, groups in possible.items() if listened.intersection(groups)]
    if not heard:
        return
    for status in Status.objects.select_related("account").filter(id__in=heard).order_by("id"):
        send_event(
            [group for group in public_groups(status) if group in listened],
            functools.partial(_created_message, status),
            narrowed=True,
        )


def _created_message(status: Status) -> dict[str, Any]:
    return _message("update", _encode(_render(status)), excluded_viewers([status.account]))


def stream_status_created_on_commit(status_id: int) -> None:
    """Send a new status to the public and hashtag streams once the transaction commits."""
    _on_commit(_CREATED, status_id)


def _lists_for(status: Status, owner_ids: list[int]) -> dict[int, int]:
    """Return the lists of these owners that the status reaches, by id, with each list's owner."""
    if status.reblog_of_id is not None or not owner_ids:
        return {}
    entries = ListAccount.objects.filter(account_id=status.account_id, list__account_id__in=owner_ids)
    replied = None
    if status.in_reply_to_id is not None:
        replied = Status.objects.filter(id=status.in_reply_to_id).values_list("account_id", flat=True).first()
    lists: dict[int, int] = {}
    for entry in entries.select_related("list"):
        policy = entry.list.replies_policy
        # A reply to someone else reaches a list only as the list's replies policy says.
        if replied is None or replied == status.account_id:
            lists[entry.list_id] = entry.list.account_id
        elif policy == List.RepliesPolicy.LIST:
            if ListAccount.objects.filter(list_id=entry.list_id, account_id=replied).exists():
                lists[entry.list_id] = entry.list.account_id
        elif policy == List.RepliesPolicy.FOLLOWED and (
            replied == entry.list.account_id
            or Follow.objects.filter(
                follower_id=entry.list.account_id, target_id=replied, state=Follow.State.ACCEPTED
            ).exists()
        ):
            lists[entry.list_id] = entry.list.account_id
    return dict(sorted(lists.items()))


def _conversation(status: Status, entity: dict[str, Any], participants: list[Actor], viewer_id: int) -> str:

    root = status
    for _ in range(100):
        if root.in_reply_to_id is None:
            break
        parent = Status.objects.filter(id=root.in_reply_to_id).first()
        if parent is None:
            break
        root = parent
    others = [actor for actor in participants if actor.pk != viewer_id]
    return _encode(
        {
            "id": str(root.pk),
            "unread": viewer_id != status.account_id,
            "accounts": account_entities(others),
            "last_status": entity,
        }
    )


def _candidate_lists(author_ids: set[int], owner_ids: set[int]) -> dict[int, list[int]]:
    """Return, by author, the lists of these owners that have the author on them (replies policies not applied)."""
    lists: dict[int, list[int]] = defaultdict(list)
    entries = ListAccount.objects.filter(account_id__in=author_ids, list__account_id__in=owner_ids)
    for author_id, list_id in entries.values_list("account_id", "list_id"):
        lists[author_id].append(list_id)
    return lists


def _send_home(placements: list[tuple[int, list[int]]]) -> None:
    authors = dict(
        Status.objects.filter(id__in=[status_id for status_id, _ in placements]).values_list("id", "account_id")
    )
    placed = [(status_id, owners) for status_id, owners in placements if status_id in authors]
    if not placed:
        return
    lists = _candidate_lists(set(authors.values()), {owner for _, owners in placed for owner in owners})
    # One status can be placed twice in a batch (given to more recipients later): each placement
    # keeps its own owners.
    possible = [
        [user_group(owner) for owner in owners]
        + [direct_group(owner) for owner in owners]
        + [list_group(list_id) for list_id in lists[authors[status_id]]]
        for status_id, owners in placed
    ]
    # Most of the audience has no stream open: ask once for the whole batch, and load the statuses,
    # and read who must not receive each, only for the placements some listener could receive.
    listened = set(relay.groups_with_listeners(sorted({group for groups in possible for group in groups})))
    heard = [placement for placement, groups in zip(placed, possible, strict=True) if listened.intersection(groups)]
    if not heard:
        return
    statuses = Status.objects.select_related("account").in_bulk([status_id for status_id, _ in heard])
    for status_id, owners in heard:
        # Deleted since the first read: nothing to send.
        if status_id in statuses:
            _send_home_status(statuses[status_id], owners, listened)


def _send_home_status(status: Status, owner_ids: list[int], listened: set[str]) -> None:
    lists = _lists_for(status, owner_ids)
    direct = status.visibility == Visibility.DIRECT
    excluded = excluded_viewers(_authors(status))
    owners = [owner for owner in owner_ids if owner not in excluded]
    # Rendered at most once, and only if some stream below can receive it.
    entity = functools.cache(lambda: _render(status))
    update = functools.cache(lambda: _message("update", _encode(entity())))
    users = [user_group(owner) for owner in owners]
    send_event([group for group in users if group in listened], update, narrowed=True)
    kept = [list_group(list_id) for list_id, owner in lists.items() if owner not in excluded]
    send_event([group for group in kept if group in listened], update, narrowed=True)
    if direct:
        mentioned = list(Actor.objects.filter(mentioned_in__status=status).distinct())
        participants = [status.account, *(actor for actor in mentioned if actor.pk != status.account_id)]
        for actor in participants:
            if actor.is_local and actor.pk in owners and direct_group(actor.pk) in listened:
                conversation = _conversation(status, entity(), participants, actor.pk)
                send_event([direct_group(actor.pk)], _message("conversation", conversation), narrowed=True)


def stream_home_updates_on_commit(status_id: int, owner_ids: list[int]) -> None:
    """Send a status fan-out placed in these home timelines to their user, list and direct streams."""
    _on_commit(_HOME, (status_id, owner_ids))


_CREATED = "created"
_HOME = "home"
_batches = threading.local()


def _send(kind: str, items: list[Any]) -> None:
    if kind == _CREATED:
        _send_created(items)
    else:
        _send_home(items)


def _on_commit(kind: str, item: Any) -> None:
    def hook() -> None:
        batch: dict[str, list[Any]] | None = getattr(_batches, "current", None)
        if batch is None:
            _send(kind, [item])
        else:
            batch[kind].append(item)

    transaction.on_commit(hook, robust=True)


@contextlib.contextmanager
def events_batched() -> Iterator[None]:
    """Hold back the new-status events of what commits inside the block, and send them together when it ends.

    A worker that stores a hundred statuses in one transaction then asks
    Redis once which of their possible groups have a listener, instead of
    once per status. Only what committed is sent: hooks of a rolled-back
    savepoint or transaction never run. Nested blocks send at the outermost.
    """
    if getattr(_batches, "current", None) is not None:
        yield
        return
    batch: dict[str, list[Any]] = {_CREATED: [], _HOME: []}
    _batches.current = batch
    try:
        yield
    finally:
        _batches.current = None
        for kind, items in batch.items():
            if not items:
                continue
            try:
                _send(kind, items)
            except Exception:
                # As a robust on-commit hook would: what committed stays committed, and the stream misses it.
                logger.exception("sending %s streaming events failed", kind)


def _owners_of(status_id: int) -> list[int]:
    return list(TimelineEntry.objects.filter(status_id=status_id).values_list("owner_id", flat=True))


def _send_updated(status_id: int) -> None:
    status = _load(status_id)
    if status is None:
        return
    excluded = excluded_viewers(_authors(status))
    groups = [user_group(owner) for owner in _owners_of(status_id)] + public_groups(status)
    send_event(groups, lambda: _message("status.update", _encode(_render(status)), excluded))


def stream_status_updated_on_commit(status_id: int) -> None:
    """Send an edited status to the streams that showed it, once the transaction commits."""
    transaction.on_commit(lambda: _send_updated(status_id), robust=True)


def stream_status_deleted_on_commit(status: Status) -> None:
    """Tell the streams that showed a status it is gone; call before deleting it, inside the transaction.

    The payload is the bare id, as on Mastodon; the audience is read now,
    while the timeline entries still exist.
    """
    groups = [user_group(owner) for owner in _owners_of(status.pk)] + public_groups(status)
    message = _message("delete", str(status.pk))
    transaction.on_commit(lambda: send_event(groups, message), robust=True)


def _send_notification(notification_id: int) -> None:
    notification = (
        Notification.objects.select_related("recipient", "from_account", "status", "status__account")
        .filter(id=notification_id)
        .first()
    )
    if notification is None:
        return
    recipient = notification.recipient
    payload = _encode(notification_entities([notification], recipient)[0])
    send_event([user_group(recipient.pk), notification_group(recipient.pk)], _message("notification", payload))


def stream_notification_on_commit(notification_id: int) -> None:
    """Send a new notification to its recipient's user and notification streams once the transaction commits."""
    transaction.on_commit(lambda: _send_notification(notification_id), robust=True)


def stream_filters_changed_on_commit(actor_id: int) -> None:
    """Tell an account's user stream that its filters changed, so clients reload them."""
    message = _message("filters_changed", "")
    transaction.on_commit(lambda: send_event([user_group(actor_id)], message), robust=True)


def stream_to_local_accounts_on_commit(event: str, payload: object) -> None:
    """Send an event to the user stream of every active local account once the transaction commits.

    The co-op's announcements and their reactions go to everyone, as on
    Mastodon; a payload that is not a string is encoded as JSON once.
    """
    encoded = payload if isinstance(payload, str) else _encode(payload)

    def send() -> None:
        ids = Actor.objects.filter(domain="", user__is_active=True).values_list("pk", flat=True)
        send_event([user_group(actor_id) for actor_id in ids], _message(event, encoded))

    transaction.on_commit(send, robust=True)
