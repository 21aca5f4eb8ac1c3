"""Handlers for Create, Update, Delete and Announce: statuses, profiles and poll votes."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

from django.db import IntegrityError

from federation.actions.remote_actors import do_store_actor_document, fetch_actor, fetch_document
from federation.activitypub.incoming import (
    ACTOR_TYPES,
    STATUS_TYPES,
    MalformedDocument,
    NoteDocument,
    host_of,
    id_of,
    parse_note,
)
from federation.errors import RemoteActorUnavailable
from federation.inbox.registry import IgnoredActivity, Received, handles, handles_in_batches, handles_with_recipients
from federation.models import Actor, Tombstone
from timeline.actions.interactions import do_reblog
from timeline.actions.polls import choice_index
from timeline.actions.remote_statuses import (
    IncomingStatus,
    do_add_status_recipients,
    do_delete_remote_status,
    do_store_remote_status,
    do_store_remote_statuses,
    do_update_remote_status,
    visibility_from_addressing,
)
from timeline.errors import InteractionRefused
from timeline.models import Poll, PollVote, Status, Visibility

MAX_PARENT_DEPTH = 3


def _parse(obj: Any) -> NoteDocument:
    try:
        return parse_note(obj)
    except MalformedDocument as exc:
        raise IgnoredActivity(f"The object cannot be read: {exc}") from exc


def resolve_status(uri: str, *, depth: int = 0) -> Status | None:
    """Return the status with this id, fetching it (and up to three parents) if it is remote and unknown."""
    known = Status.objects.filter(uri=uri).first()
    if known is not None or depth > MAX_PARENT_DEPTH or Tombstone.objects.filter(uri=uri).exists():
        return known
    try:
        document = fetch_document(uri)
        note = parse_note(document)
        if host_of(note.id) != host_of(note.attributed_to):
            return None
        author = fetch_actor(note.attributed_to)
    except (RemoteActorUnavailable, MalformedDocument):
        return None
    if author.is_local:
        return None
    parent = resolve_status(note.in_reply_to, depth=depth + 1) if note.in_reply_to else None
    return do_store_remote_status(author, note, in_reply_to=parent)


def _record_vote(actor: Actor, note: NoteDocument) -> bool:
    """Record a remote vote in a local poll; return False if the note is not a vote."""
    if not note.name or note.content or not note.in_reply_to:
        return False
    poll = Poll.objects.filter(status__uri=note.in_reply_to, status__local=True).select_related("status").first()
    if poll is None:
        return False
    choice = choice_index(poll, note.name)
    if choice is None:
        raise IgnoredActivity(f"{note.name!r} is not an option of the poll.")
    if PollVote.objects.filter(uri=note.id).exists():
        return True
    if not poll.multiple and PollVote.objects.filter(poll=poll, account=actor).exists():
        raise IgnoredActivity("The voter has already voted in this single-choice poll.")
    try:
        PollVote.objects.create(poll=poll, account=actor, choice=choice, uri=note.id)
    except IntegrityError as exc:
        raise IgnoredActivity("The vote was already counted.") from exc
    votes = list(Poll.objects.select_for_update().get(pk=poll.pk).votes)
    votes[choice] += 1
    voters = PollVote.objects.filter(poll=poll).values("account").distinct().count()
    Poll.objects.filter(pk=poll.pk).update(votes=votes, voters_count=voters)
    return True


@handles_with_recipients("Create")
def create(actor: Actor, activity: dict[str, Any], recipients: Sequence[Actor]) -> None:
    """Store a new status (fetching the parent it replies to), or count a vote in a local poll.

    `recipients` own the personal inboxes it was delivered to: they are
    given the status even when its addressing names no one here (a server
    that hides its followers addresses followers-only posts to a collection
    this server cannot expand). A status already stored is given to them
    without being fetched or stored again.
    """
    obj = activity["object"]
    if obj.get("type") not in STATUS_TYPES:
        raise IgnoredActivity(f"Objects of type {obj.get('type')!r} are not stored.")
    note = _parse(obj)
    if _record_vote(actor, note):
        return
    parent = None
    if note.in_reply_to:
        # A status stored before is not worth fetching its parent for; without a parent to
        # resolve, do_store_remote_status tells a stored status from a new one itself.
        existing = Status.objects.filter(uri=note.id, account=actor).first()
        if existing is not None:
            do_add_status_recipients(existing, recipients)
            return
        parent = resolve_status(note.in_reply_to)
    if do_store_remote_status(actor, note, in_reply_to=parent, recipients=recipients) is None:
        raise IgnoredActivity("The status was deleted before it arrived.")


def _may_be_vote(note: NoteDocument) -> bool:
    # The shape of a vote in a poll (`_record_vote`): a name, no content, a reply.
    return bool(note.name and not note.content and note.in_reply_to)


def _new_statuses(received: Sequence[Received]) -> dict[int, IncomingStatus]:
    """Return, by position, the statuses that Creates bring and that need nothing fetched or counted first.

    Left out: objects that are not statuses or cannot be read, possible
    votes, replies to statuses not stored here (their parents are fetched
    one at a time), and notes that the run carries more than once.
    """
    notes: dict[int, NoteDocument] = {}
    for position, item in enumerate(received):
        obj = item.activity.get("object")
        if not isinstance(obj, dict) or obj.get("type") not in STATUS_TYPES:
            continue
        try:
            note = parse_note(obj)
        except MalformedDocument:
            continue
        if not _may_be_vote(note):
            notes[position] = note
    repeated = {uri for uri, count in Counter(note.id for note in notes.values()).items() if count > 1}
    replied_to = {note.in_reply_to for note in notes.values() if note.in_reply_to}
    parents = {status.uri: status for status in Status.objects.filter(uri__in=replied_to)} if replied_to else {}
    taken: dict[int, IncomingStatus] = {}
    for position, note in notes.items():
        parent = parents.get(note.in_reply_to) if note.in_reply_to else None
        if note.id in repeated or (note.in_reply_to and parent is None):
            continue
        item = received[position]
        taken[position] = IncomingStatus(author=item.actor, note=note, in_reply_to=parent, recipients=item.recipients)
    return taken


@handles_in_batches("Create")
def create_many(received: Sequence[Received]) -> dict[int, IgnoredActivity | None]:
    """Store the statuses of many Creates together, a few queries for them all; leave the rest to `create`.

    Those left out (`_new_statuses`) are what `create` handles with
    queries or fetches of its own: votes, replies to unknown statuses,
    objects of other types. Whatever is taken here could not depend on them.
    """
    taken = _new_statuses(received)
    stored = do_store_remote_statuses(list(taken.values()))
    return {
        position: None if status is not None else IgnoredActivity("The status was deleted before it arrived.")
        for position, status in zip(taken, stored, strict=True)
    }


@handles("Update")
def update(actor: Actor, activity: dict[str, Any]) -> None:
    """Apply an edited status or a changed profile."""
    obj = activity["object"]
    if obj.get("type") in ACTOR_TYPES:
        do_store_actor_document(obj)
        return
    if obj.get("type") not in STATUS_TYPES:
        raise IgnoredActivity(f"Updates of {obj.get('type')!r} are not applied.")
    if do_update_remote_status(actor, _parse(obj)) is None:
        raise IgnoredActivity("The updated status is not here.")


@handles("Delete")
def delete(actor: Actor, activity: dict[str, Any]) -> None:
    """Delete a status (or the whole account) and keep tombstones so neither comes back."""
    object_id = id_of(activity.get("object"))
    if object_id is None:
        raise IgnoredActivity("The Delete names no object.")
    if object_id == actor.uri:
        Tombstone.objects.get_or_create(uri=actor.uri)
        actor.delete()
        return
    do_delete_remote_status(actor, object_id)


@handles("Announce")
def announce(actor: Actor, activity: dict[str, Any]) -> None:
    """Store a boost; the boosted status is looked up or fetched from its own server, never trusted embedded."""
    object_id = id_of(activity.get("object"))
    if object_id is None:
        raise IgnoredActivity("The Announce names no object.")
    status = resolve_status(object_id)
    if status is None:
        raise IgnoredActivity("The boosted status cannot be fetched.")
    to = [str(id_of(item)) for item in (activity.get("to") or []) if id_of(item)]
    cc = [str(id_of(item)) for item in (activity.get("cc") or []) if id_of(item)]
    shape = NoteDocument(
        id=activity["id"], type="Note", attributed_to=actor.uri, content="", published="", to=to, cc=cc
    )
    visibility = visibility_from_addressing(shape, actor)
    if visibility == Visibility.DIRECT:
        visibility = Visibility.PRIVATE
    try:
        do_reblog(actor, status, visibility, uri=activity["id"])
    except InteractionRefused as exc:
        raise IgnoredActivity(str(exc)) from exc
