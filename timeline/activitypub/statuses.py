"""Handlers for Create, Update and Delete of statuses (a Create may carry a vote in a local poll instead)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

from federation.actions.remote_actors import fetch_actor, fetch_document
from federation.activitypub import Create, Delete, MalformedDocument, Note, Object, Update, host_of, parse_as
from federation.errors import RemoteActorUnavailable
from federation.inbox.registry import IgnoredActivity, Received, handles, handles_in_batches, handles_with_recipients
from federation.models import Actor, Tombstone
from timeline.actions.remote_statuses import (
    IncomingStatus,
    do_add_status_recipients,
    do_delete_remote_status,
    do_store_remote_status,
    do_store_remote_statuses,
    do_update_remote_status,
)
from timeline.activitypub.polls import may_be_vote, record_vote
from timeline.models import Status

MAX_PARENT_DEPTH = 3


def _note(activity: Create | Update, refusal: str) -> Note:
    """Return the post an activity embeds; refuse anything else with `refusal`, formatted with its type.

    An embedded post that could not be read is only its id here.
    """
    match activity.object:
        case Note() as note:
            return note
        case Object(type=kind):
            raise IgnoredActivity(refusal.format(kind))
        case _:
            raise IgnoredActivity("The object cannot be read.")


def resolve_status(uri: str, *, depth: int = 0) -> Status | None:
    """Return the status with this id, fetching it (and up to three parents) if it is remote and unknown."""
    known = Status.objects.filter(uri=uri).first()
    if known is not None or depth > MAX_PARENT_DEPTH or Tombstone.objects.filter(uri=uri).exists():
        return known
    try:
        document = fetch_document(uri)
    except RemoteActorUnavailable:
        return None
    return store_fetched_status(document, depth=depth)


def store_fetched_status(document: dict[str, Any], *, depth: int = 0) -> Status | None:
    """Return the status a fetched, origin-checked document holds, storing it (and up to three parents) if new.

    Its author must be on the note's own host; a note that is not a post,
    a deleted one and one claiming a local author give None.
    """
    try:
        note = parse_as(Note, document)
        if host_of(note.id) != host_of(note.attributed_to):
            return None
        known = Status.objects.filter(uri=note.id).first()
        if known is not None or Tombstone.objects.filter(uri=note.id).exists():
            return known
        author = fetch_actor(note.attributed_to)
    except (RemoteActorUnavailable, MalformedDocument):
        return None
    if author.is_local:
        return None
    parent = resolve_status(note.in_reply_to, depth=depth + 1) if note.in_reply_to else None
    return do_store_remote_status(author, note, in_reply_to=parent)


@handles_with_recipients(Create)
def create(actor: Actor, activity: Create, recipients: Sequence[Actor]) -> None:
    """Store a new status (fetching the parent it replies to), or count a vote in a local poll.

    `recipients` own the personal inboxes it was delivered to: they are
    given the status even when its addressing names no one here (a server
    that hides its followers addresses followers-only posts to a collection
    this server cannot expand). A status already stored is given to them
    without being fetched or stored again.
    """
    note = _note(activity, "Objects of type {!r} are not stored.")
    if record_vote(actor, note):
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


def _new_statuses(received: Sequence[Received]) -> dict[int, IncomingStatus]:
    """Return, by position, the statuses that Creates bring and that need nothing fetched or counted first.

    Left out: objects that are not statuses or cannot be read, possible
    votes, replies to statuses not stored here (their parents are fetched
    one at a time), and notes that the run carries more than once.
    """
    notes: dict[int, Note] = {}
    for position, item in enumerate(received):
        match item.activity.object:
            case Note() as note if not may_be_vote(note):
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


@handles_in_batches(Create)
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


@handles(Update)
def update(actor: Actor, activity: Update) -> None:
    """Apply an edited status (a changed profile is the members app's: `members.activitypub.actors`)."""
    if do_update_remote_status(actor, _note(activity, "Updates of {!r} are not applied.")) is None:
        raise IgnoredActivity("The updated status is not here.")


@handles(Delete)
def delete(actor: Actor, activity: Delete) -> None:
    """Delete a status (referred to by id, or a Tombstone) and keep a tombstone so it does not come back.

    An account deleting itself is handled in `members.activitypub.actors`.
    """
    do_delete_remote_status(actor, activity.object_id)
