"""Receive activities: verify, check their origin, store them once, and process them later.

The HTTP view only hands the raw request here. Verification happens before
anything is stored; processing happens in a worker, from the stored rows,
in batches.
"""

from __future__ import annotations

import logging
import time
from collections import defaultdict
from collections.abc import Collection, Iterator, Mapping, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, replace
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone

from config.json_input import JsonInputError, parse_json
from config.queueing import enqueue_on_commit
from federation.actions.deliveries import host_is_unavailable, record_host_success
from federation.actions.remote_actors import actor_by_key_id, actor_for_key_id, fetch_actor, fetch_document
from federation.activitypub import TYPES, Activity, Note, Person, Typed, host_of, id_of
from federation.errors import ActivityRefused, RemoteActorUnavailable
from federation.inbox import (
    IgnoredActivity,
    Received,
    dispatch,
    dispatch_batch,
    dispatch_to_new_recipients,
    is_supported,
    read_activity,
    takes_batches,
)
from federation.inbox.registry import (
    BATCH_WRAPPERS_AROUND_TRANSACTION,
    BATCH_WRAPPERS_IN_TRANSACTION,
    BatchWrapper,
)
from federation.models import Actor, InboxItem, InboxRecipient
from federation.selectors import is_actor_suspended, is_domain_suspended, suspended_actor_uris
from federation.signatures import (
    MessageSignature,
    SignatureError,
    SignatureParams,
    parse_message_signature,
    parse_signature_header,
    verify_message_signature,
    verify_request,
)

logger = logging.getLogger(__name__)

PROCESS_TASK = "federation.tasks.process_inbox_items"
MAX_BODY_BYTES = 256 * 1024
MAX_PROCESSING_ATTEMPTS = 5
# Items one processing task takes: its own and, up to this many in all, the oldest others waiting.
PROCESSING_BATCH = 100
# A batch starts no new item after this many seconds and commits, so that
# slow handlers (fetching the parents of replies, say) hold its locks briefly.
BATCH_SECONDS = 1.0
# Activities after which their actor is loaded again: it may have changed or gone.
ACTOR_CHANGING_TYPES = frozenset({"Delete", "Move", "Update"})
NOT_PENDING = "not pending"
# Signing actors by key id, read once per few seconds per process (`_known_signer`).
SIGNER_CACHE_SECONDS = 5.0
SIGNER_CACHE_SIZE = 1000
_signers: dict[str, tuple[float, Actor]] = {}


@dataclass(frozen=True)
class InboxRequest:
    """The parts of an inbox POST that verification needs; header names lower-case."""

    method: str
    path: str
    headers: Mapping[str, str]
    body: bytes


@dataclass(frozen=True)
class VerifiedActivity:
    """An activity whose signature and origin were checked, with the actor that sent it.

    `recipient` is the local account whose personal inbox it was posted to
    (None for the shared inbox and the instance actor's).
    """

    actor: Actor
    activity: dict[str, Any]
    recipient: Actor | None = None


def _parse(body: bytes) -> dict[str, Any]:
    if len(body) > MAX_BODY_BYTES:
        raise ActivityRefused(f"The activity is larger than {MAX_BODY_BYTES} bytes.", 413)
    try:
        activity = parse_json(body, max_bytes=MAX_BODY_BYTES)
    except JsonInputError as exc:
        raise ActivityRefused(str(exc)) from None
    if not isinstance(activity, dict):
        raise ActivityRefused("The body must be a JSON object.")
    if not is_supported(activity.get("type")):
        raise ActivityRefused(f"Activity type {activity.get('type')!r} is not supported.", 422)
    if not isinstance(activity.get("id"), str) or not host_of(activity["id"]):
        raise ActivityRefused("The activity has no id.")
    if id_of(activity.get("actor")) is None:
        raise ActivityRefused("The activity has no actor.")
    return activity


def _registered_as(kind: Any, cls: type[Typed]) -> bool:
    """Return whether a document's `type` is exactly one string, naming `cls` or one of its subclasses."""
    registered = TYPES.get(kind) if isinstance(kind, str) else None
    return registered is not None and issubclass(registered, cls)


def check_origin(actor: Actor, activity: dict[str, Any]) -> None:
    """Refuse an activity, or an embedded object, that claims to come from another host or author.

    Announce objects and objects that name this server's own ids are only
    referred to by id and fetched or looked up, never trusted as embedded.
    """
    own_host = host_of(actor.uri)
    if host_of(activity["id"]) != own_host:
        raise ActivityRefused("The activity id is not on the actor's host.", 403)
    kind = activity["type"]
    obj = activity.get("object")
    object_id = id_of(obj)
    if kind in ("Create", "Update"):
        if not isinstance(obj, dict) or object_id is None:
            raise ActivityRefused(f"{kind} must embed its object.")
        if host_of(object_id) != own_host:
            raise ActivityRefused("The object id is not on the actor's host.", 403)
        if _registered_as(obj.get("type"), Note) and id_of(obj.get("attributedTo")) != actor.uri:
            raise ActivityRefused("The object is attributed to another actor.", 403)
        if _registered_as(obj.get("type"), Person) and object_id != actor.uri:
            raise ActivityRefused("An actor can only update itself.", 403)
    elif kind in ("Delete", "Move"):
        if object_id is None or host_of(object_id) != own_host:
            raise ActivityRefused("The object id is not on the actor's host.", 403)
    elif kind == "Undo":
        if not isinstance(obj, dict) and object_id is None:
            raise ActivityRefused("Undo must name the activity it undoes.")
        if isinstance(obj, dict) and id_of(obj.get("actor")) not in (None, actor.uri):
            raise ActivityRefused("An actor can only undo its own activities.", 403)
        if object_id is not None and host_of(object_id) != own_host:
            raise ActivityRefused("The undone activity is not on the actor's host.", 403)


def _parse_signature(headers: Mapping[str, str]) -> SignatureParams | MessageSignature:
    """Read the request's signature: RFC 9421 when it has Signature-Input, else draft-cavage."""
    if headers.get("signature-input"):
        return parse_message_signature(headers.get("signature-input"), headers.get("signature"))
    return parse_signature_header(headers.get("signature"))


def _verify(signer: Actor, params: SignatureParams | MessageSignature, request: InboxRequest) -> None:
    if isinstance(params, MessageSignature):
        # The URI the sender signed: this server's scheme, the Host it addressed, the path.
        target_uri = f"{settings.MUTUALS_SCHEME}://{request.headers.get('host', '')}{request.path}"
        verify_message_signature(
            params,
            method=request.method,
            target_uri=target_uri,
            headers=request.headers,
            body=request.body,
            public_key_pem=signer.public_key_pem,
        )
        return
    verify_request(
        params,
        method=request.method,
        path=request.path,
        headers=request.headers,
        body=request.body,
        public_key_pem=signer.public_key_pem,
    )


def _known_signer(key_id: str) -> Actor | None:
    """Return the known actor owning a key id, kept for a few seconds in this process.

    A busy peer signs every activity with the same key; reading its actor
    once per request was a database round trip per activity. A key that
    changed meanwhile fails to verify, which drops it here and fetches the
    actor again, as for any rotated key.
    """
    now = time.monotonic()
    cached = _signers.get(key_id)
    if cached is not None and now - cached[0] < SIGNER_CACHE_SECONDS:
        return cached[1]
    signer = actor_by_key_id(key_id)
    if signer is not None:
        if len(_signers) >= SIGNER_CACHE_SIZE:
            _signers.clear()
        _signers[key_id] = (now, signer)
    return signer


# What a suspended account may still send, as Mastodon allows it: taking back what it did
# (Delete, Undo), refusing a follow (Reject) and changing its own profile (Update).
ALLOWED_WHILE_SUSPENDED = frozenset({"Delete", "Reject", "Undo", "Update"})
SUSPENDED_ACCOUNT_REFUSAL = "This server does not accept activities from your account."


def _refuse_suspended_account(actor_uri: str, activity_type: str) -> None:
    """Refuse a remote account a moderation action suspended, before any signature work, as for its domain.

    What a suspended account may still send (ALLOWED_WHILE_SUSPENDED) passes.
    """
    if activity_type not in ALLOWED_WHILE_SUSPENDED and is_actor_suspended(actor_uri):
        raise ActivityRefused(SUSPENDED_ACCOUNT_REFUSAL, 403)


def _check_key_host(key_id: str, key_owner_uri: str, actor_uri: str, *, forwardable: bool) -> None:
    """Refuse a key of another host than the actor's, unless the activity may be forwarded from a domain allowed."""
    if key_owner_uri == actor_uri or host_of(key_id) == host_of(actor_uri):
        return
    if not forwardable:
        raise ActivityRefused("The signing key does not belong to the activity's actor.", 401)
    if is_domain_suspended(host_of(key_id)):
        raise ActivityRefused("This server does not accept activities from your domain.", 403)


def check_inbox_request(request: InboxRequest) -> VerifiedActivity | None:
    """Verify an inbox POST; return None for a Delete from an actor never seen (accepted, nothing to do).

    Raise ActivityRefused with the HTTP status to answer otherwise.
    """
    activity = _parse(request.body)
    actor_uri = str(id_of(activity["actor"]))
    if is_domain_suspended(host_of(actor_uri)):
        raise ActivityRefused("This server does not accept activities from your domain.", 403)
    _refuse_suspended_account(actor_uri, activity["type"])
    try:
        params = _parse_signature(request.headers)
    except SignatureError as exc:
        raise ActivityRefused(str(exc), 401) from exc
    forwardable = activity["type"] in FORWARDABLE_TYPES
    _check_key_host(params.key_id, params.key_owner_uri, actor_uri, forwardable=forwardable)
    signer = _known_signer(params.key_id)
    if signer is None and activity["type"] == "Delete":
        # Large servers send Deletes for accounts this server never saw;
        # fetching each would turn a Delete storm into a fetch storm.
        return None
    try:
        if signer is None:
            signer = actor_for_key_id(params.key_id)
        try:
            _verify(signer, params, request)
        except SignatureError as first_failure:
            if signer.is_local or "date" in str(first_failure).lower() or "digest" in str(first_failure).lower():
                raise
            _signers.pop(params.key_id, None)
            # Keys rotate: fetch the actor once more and try again.
            try:
                signer = actor_for_key_id(params.key_id, refresh=True)
            except RemoteActorUnavailable:
                raise first_failure from None
            _verify(signer, params, request)
    except SignatureError as exc:
        raise ActivityRefused(str(exc), 401) from exc
    except RemoteActorUnavailable as exc:
        raise ActivityRefused(f"The signing actor cannot be fetched: {exc}", 401) from exc
    if signer.is_local:
        raise ActivityRefused("Activities of this server's own actors are not accepted from outside.", 403)
    if signer.uri != actor_uri:
        if not forwardable:
            raise ActivityRefused("The signing key does not belong to the activity's actor.", 401)
        signer, activity = _origin_copy(activity, actor_uri)
    check_origin(signer, activity)
    return VerifiedActivity(actor=signer, activity=activity)


# Activities another server may forward (a reply sent on to the followers of the thread's author).
FORWARDABLE_TYPES = frozenset({"Create"})


def _origin_copy(activity: dict[str, Any], actor_uri: str) -> tuple[Actor, dict[str, Any]]:
    """Return the author and the activity, its object replaced by the copy its origin serves.

    A forwarded Create is signed by the server that passed it on, not by
    its author, and this server verifies no Linked Data signatures: the
    embedded object is not trusted. Its id must be on the author's host;
    it is fetched from there with a signed GET (`fetch_document`: the
    destination and origin checks of every fetch), and refused if the origin
    serves nothing under that id, or a copy attributed to another actor.
    Nothing is stored before the origin's copy is known to match.
    """
    object_id = id_of(activity.get("object"))
    author_host = host_of(actor_uri)
    if author_host == settings.MUTUALS_DOMAIN.lower():
        raise ActivityRefused("Activities of this server's own actors are not accepted from outside.", 403)
    if object_id is None or host_of(object_id) != author_host or host_of(activity["id"]) != author_host:
        raise ActivityRefused("A forwarded activity and its object must be on its actor's host.", 403)
    try:
        document = fetch_document(object_id)
    except RemoteActorUnavailable as exc:
        raise ActivityRefused(f"The forwarded object cannot be fetched from its origin: {exc}", 401) from exc
    if document.get("id") != object_id or not _registered_as(document.get("type"), Note):
        raise ActivityRefused("The origin does not serve the forwarded object.", 403)
    if id_of(document.get("attributedTo")) != actor_uri:
        raise ActivityRefused("The origin's copy of the forwarded object is attributed to another actor.", 403)
    try:
        author = fetch_actor(actor_uri)
    except RemoteActorUnavailable as exc:
        raise ActivityRefused(f"The forwarded activity's actor cannot be fetched: {exc}", 401) from exc
    if author.is_local:
        raise ActivityRefused("Activities of this server's own actors are not accepted from outside.", 403)
    return author, {**activity, "object": document}


def _new_item(verified: VerifiedActivity) -> InboxItem:
    activity = verified.activity
    return InboxItem(
        activity_id=activity["id"][:500],
        activity_type=activity["type"],
        actor_uri=verified.actor.uri,
        body=activity,
    )


def _insert_once(verified: VerifiedActivity) -> InboxItem | None:
    """Store one activity and queue its processing; for a duplicate, record a new personal inbox only."""
    item = _new_item(verified)
    try:
        with transaction.atomic():
            item.save(force_insert=True)
            if verified.recipient is not None:
                InboxRecipient.objects.create(item=item, account=verified.recipient)
            enqueue_on_commit(PROCESS_TASK, [item.pk])
    except IntegrityError:
        if verified.recipient is not None:
            _record_another_recipient(item.activity_id, verified.actor, verified.recipient)
        return None
    return item


def _record_another_recipient(activity_id: str, sender: Actor, recipient: Actor) -> None:
    """Record that a stored activity reached one more personal inbox, and queue the item for it."""
    item = InboxItem.objects.filter(activity_id=activity_id, actor_uri=sender.uri).first()
    if item is None:
        return
    try:
        with transaction.atomic():
            InboxRecipient.objects.create(item=item, account=recipient)
            # Still pending, the item's own processing takes the new account along;
            # otherwise processing it again serves that account alone.
            enqueue_on_commit(PROCESS_TASK, [item.pk])
    except IntegrityError:
        # The same personal inbox again: nothing new.
        return


def _stored_activity_ids(activity_ids: set[str]) -> set[str]:
    return set(InboxItem.objects.filter(activity_id__in=activity_ids).values_list("activity_id", flat=True))


def do_store_inbox_item(verified: VerifiedActivity, recipient: Actor | None = None) -> InboxItem | None:
    """Store a verified activity once and queue its processing; return None for a duplicate.

    `recipient` is the local account whose personal inbox the activity was
    posted to (None for the shared inbox). A duplicate that reaches a
    personal inbox not recorded yet is recorded, and processed again for
    that account alone; any other duplicate changes nothing.
    """
    if recipient is not None:
        verified = replace(verified, recipient=recipient)
    return do_store_inbox_items([verified])[0]


def do_store_inbox_items(activities: Sequence[VerifiedActivity]) -> list[InboxItem | None]:
    """Store verified activities once each and queue their processing in one task.

    Return each activity's stored item, or None where it was a duplicate
    (a redelivery, or the same activity sent to several personal inboxes:
    each personal inbox is recorded with the one stored item). The new rows
    are written with one INSERT in one transaction, which is what lets the
    inbox store the activities of concurrent requests together.
    """
    items = [_new_item(verified) for verified in activities]
    fresh: dict[str, InboxItem] = {}
    later: list[VerifiedActivity] = []
    try:
        with transaction.atomic():
            seen = _stored_activity_ids({item.activity_id for item in items})
            for verified, item in zip(activities, items, strict=True):
                if item.activity_id in seen:
                    later.append(verified)
                else:
                    # The same activity twice in one batch is stored once, with the recipients of both.
                    fresh.setdefault(item.activity_id, item)
            stored = InboxItem.objects.bulk_create(list(fresh.values()))
            recipients = {
                (fresh[item.activity_id].pk, verified.recipient.pk)
                for verified, item in zip(activities, items, strict=True)
                if verified.recipient is not None and item.activity_id in fresh
            }
            InboxRecipient.objects.bulk_create(
                [InboxRecipient(item_id=item_id, account_id=account_id) for item_id, account_id in recipients]
            )
            if stored:
                enqueue_on_commit(PROCESS_TASK, [item.pk for item in stored])
    except IntegrityError:
        # A concurrent request stored one of them meanwhile: one at a time, then.
        stored = []
        later = []
        for verified in activities:
            inserted = _insert_once(verified)
            if inserted is not None:
                stored.append(inserted)
    for verified in later:
        if verified.recipient is not None:
            _record_another_recipient(verified.activity["id"][:500], verified.actor, verified.recipient)
    for domain in sorted({verified.actor.domain for verified in activities}):
        if host_is_unavailable(domain):
            # A host that talks to this server again is available again.
            record_host_success(domain)
    # Each stored item is returned for the first activity that carried it, None for the others.
    kept = {item.activity_id: item for item in stored}
    return [kept.pop(item.activity_id, None) for item in items]


def _pending(queryset: QuerySet[InboxItem], own: Collection[int], extra: int) -> list[InboxItem]:
    received = queryset.filter(state=InboxItem.State.RECEIVED)
    items = list(received.filter(id__in=own)) if own else []
    if extra > 0:
        items += list(received.filter(attempts=0).exclude(id__in=own).order_by("id")[:extra])
    return sorted(items, key=lambda item: item.pk)


def _claim(own: Collection[int], extra: int) -> list[InboxItem]:
    """Lock the received items among `own` and up to `extra` of the oldest others never tried; oldest first.

    Locked rows are skipped, so two workers never take the same item. On
    SQLite, which has no row locks, a write transaction excludes every
    other, and the state is read once the lock is held, so an item
    processed meanwhile is not taken either. Items tried once already are
    left to their own tasks and to recovery, so a peer that was down gets
    its retry after a while rather than at once.
    """
    # NO KEY: the claim changes no key, so rows that refer to an item need not wait for its batch.
    return _pending(InboxItem.objects.select_for_update(skip_locked=True, no_key=True), own, extra)


def _activity(item: InboxItem, read: dict[int, Activity | IgnoredActivity]) -> Activity:
    """Return the item's activity as its typed class, read once per batch; raise IgnoredActivity if it cannot be."""
    if item.pk not in read:
        try:
            read[item.pk] = read_activity(item.body)
        except IgnoredActivity as exc:
            read[item.pk] = exc
    activity = read[item.pk]
    if isinstance(activity, IgnoredActivity):
        raise activity
    return activity


def _run_handler(
    item: InboxItem, actor: Actor | None, recipients: list[Actor], read: dict[int, Activity | IgnoredActivity]
) -> None:
    """Run the item's handler in a savepoint and record the outcome on the item (not saved)."""
    try:
        if actor is None:
            raise IgnoredActivity("The actor is gone.")
        activity = _activity(item, read)
        with transaction.atomic():
            dispatch(actor, activity, recipients)
        item.state = InboxItem.State.PROCESSED
    except IgnoredActivity as exc:
        item.state = InboxItem.State.IGNORED
        item.error = str(exc)[:2000]
    except (RemoteActorUnavailable, ValueError) as exc:
        # A missing remote object or a refused action: retry a few times (the
        # peer may be briefly down), then keep the row as failed for inspection.
        item.attempts += 1
        item.error = str(exc)[:2000]
        if item.attempts >= MAX_PROCESSING_ATTEMPTS or not isinstance(exc, RemoteActorUnavailable):
            item.state = InboxItem.State.FAILED
        logger.info("inbox item %s (%s) not processed: %s", item.pk, item.activity_type, exc)
    except Exception as exc:
        # A fault in one handler must not stop the other items of the batch:
        # it counts as an attempt, retried like an unreachable peer's.
        logger.exception("inbox item %s (%s) failed", item.pk, item.activity_type)
        _count_failed_attempt(item, exc)


def _run_batch_handler(kind: str, run: list[InboxItem], received: list[Received]) -> list[InboxItem]:
    """Run the batch handler on a run of items of one type in a savepoint; return those it left, oldest first.

    Should it fail, its savepoint is rolled back and every item of the run
    is left, to be handled one at a time: one bad activity then fails alone.
    """
    try:
        with transaction.atomic():
            outcomes = dispatch_batch(kind, received)
    except Exception:
        logger.warning(
            "a run of %s %s items failed together; handling them one at a time", len(run), kind, exc_info=True
        )
        return run
    for position, outcome in outcomes.items():
        item = run[position]
        if outcome is None:
            item.state = InboxItem.State.PROCESSED
        else:
            item.state = InboxItem.State.IGNORED
            item.error = str(outcome)[:2000]
    return [item for position, item in enumerate(run) if position not in outcomes]


def _count_failed_attempt(item: InboxItem, exc: Exception) -> None:
    item.attempts += 1
    item.error = f"{type(exc).__name__}: {exc}"[:2000]
    if item.attempts >= MAX_PROCESSING_ATTEMPTS:
        item.state = InboxItem.State.FAILED


def _record(items: list[InboxItem]) -> None:
    """Save the outcomes of processed items: the successes in one UPDATE, the rest in another."""
    done = [item.pk for item in items if item.state == InboxItem.State.PROCESSED]
    if done:
        InboxItem.objects.filter(id__in=done).update(state=InboxItem.State.PROCESSED, processed_at=timezone.now())
    others = [item for item in items if item.state != InboxItem.State.PROCESSED]
    if others:
        InboxItem.objects.bulk_update(others, ["state", "error", "attempts", "processed_at"])


def _actor(actors: dict[str, Actor | None], uri: str) -> Actor | None:
    """Return the actor with this URI from the batch's actors, loading it if it is not there (yet, or again)."""
    if uri not in actors:
        actors[uri] = Actor.objects.filter(uri=uri).first()
    return actors[uri]


def _next_run(items: list[InboxItem], start: int, actors: dict[str, Actor | None]) -> list[InboxItem]:
    """Return the items from `start` on that are handled together.

    A run is one item, or consecutive items of one type with a batch
    handler, each with a known actor.
    """
    first = items[start]
    if not takes_batches(first.activity_type) or _actor(actors, first.actor_uri) is None:
        return [first]
    run = [first]
    for item in items[start + 1 :]:
        if item.activity_type != first.activity_type or _actor(actors, item.actor_uri) is None:
            break
        run.append(item)
    return run


def _received(
    run: list[InboxItem],
    actors: dict[str, Actor | None],
    waiting: dict[int, list[InboxRecipient]],
    read: dict[int, Activity | IgnoredActivity],
) -> list[Received] | None:
    """Return a run's items as its batch handler takes them; None if they are to be handled one at a time.

    A run with an activity that cannot be read is handled one at a time,
    so that the item is ignored on its own.
    """
    if not takes_batches(run[0].activity_type):
        return None
    received = []
    for item in run:
        actor = actors[item.actor_uri]
        if actor is None:
            return None
        try:
            activity = _activity(item, read)
        except IgnoredActivity:
            return None
        received.append(Received(actor, activity, [row.account for row in waiting[item.pk]]))
    return received


@contextmanager
def _wrapped(wrappers: Sequence[BatchWrapper]) -> Iterator[None]:
    """Enter every registered wrapper around a batch, first registered outermost."""
    with ExitStack() as stack:
        for wrapper in wrappers:
            stack.enter_context(wrapper())
        yield


def _process_batch(own: Collection[int], extra: int) -> dict[int, str]:
    """Claim items, run their handlers and record the outcomes in one transaction; return the states of those done.

    Handlers run oldest first until BATCH_SECONDS have passed; items not
    reached are released at commit, for the next batch to claim. A run of
    consecutive items of a type with a batch handler goes to it first, in
    one savepoint; what it leaves is handled one item at a time. The
    wrappers the apps registered to run in the transaction wrap the
    handlers (the timeline fans out the statuses they store together, so
    they reach home timelines with the commit that records them).
    """
    with transaction.atomic():
        with _wrapped(BATCH_WRAPPERS_IN_TRANSACTION):
            items = _claim(own, extra)
            if not items:
                return {}
            deadline = time.monotonic() + BATCH_SECONDS
            waiting: dict[int, list[InboxRecipient]] = defaultdict(list)
            for row in InboxRecipient.objects.filter(item__in=items, handled_at__isnull=True).select_related("account"):
                waiting[row.item_id].append(row)
            actors: dict[str, Actor | None] = dict.fromkeys({item.actor_uri for item in items})
            actors.update((actor.uri, actor) for actor in Actor.objects.filter(uri__in=actors.keys()))
            # Items accepted before their account's suspension took effect are not done either; they
            # come first, so that the rest stay in order after them.
            done = _ignore_suspended_accounts(items)
            items = done + [item for item in items if item not in done]
            # Each stored activity is read into its typed class once, when first needed.
            read: dict[int, Activity | IgnoredActivity] = {}
            while len(done) < len(items):
                if done and time.monotonic() > deadline:
                    break
                run = _next_run(items, len(done), actors)
                received = _received(run, actors, waiting, read)
                left = run if received is None else _run_batch_handler(run[0].activity_type, run, received)
                for item in left:
                    recipients = [row.account for row in waiting[item.pk]]
                    _run_handler(item, _actor(actors, item.actor_uri), recipients, read)
                    if item.activity_type in ACTOR_CHANGING_TYPES:
                        # The actor may have changed or gone: load it again for its next activity.
                        del actors[item.actor_uri]
                now = timezone.now()
                for item in run:
                    item.processed_at = now
                done += run
            # Claimed for other tasks and not reached: those tasks may have found them held here and
            # ended, so each released item gets a task again rather than waiting for recovery.
            released = [item.pk for item in items[len(done) :] if item.pk not in own]
            if released:
                enqueue_on_commit(PROCESS_TASK, released)
        _record(done)
        # Ignored or failed items have nothing to give anyone; a retry keeps the accounts waiting.
        handled = [row.pk for item in done if item.state != InboxItem.State.RECEIVED for row in waiting[item.pk]]
        InboxRecipient.objects.filter(pk__in=handled).update(handled_at=timezone.now())
    return {item.pk: item.state for item in done}


def _ignore_suspended_accounts(items: list[InboxItem]) -> list[InboxItem]:
    """Mark ignored, and return, the items from accounts now suspended that they may no longer send."""
    suspended = suspended_actor_uris()
    if not suspended:
        return []
    now = timezone.now()
    refused = []
    for item in items:
        if item.activity_type not in ALLOWED_WHILE_SUSPENDED and item.actor_uri in suspended:
            item.state = InboxItem.State.IGNORED
            item.error = SUSPENDED_ACCOUNT_REFUSAL
            item.processed_at = now
            refused.append(item)
    return refused


def _process_alone(item_id: int) -> dict[int, str]:
    """Process one item in a transaction of its own; if even that fails, count a failed attempt."""
    try:
        return _process_batch({item_id}, 0)
    except Exception as exc:
        logger.exception("inbox item %s could not be processed in a transaction of its own", item_id)
        with transaction.atomic():
            item = InboxItem.objects.select_for_update().filter(id=item_id, state=InboxItem.State.RECEIVED).first()
            if item is None:
                return {}
            _count_failed_attempt(item, exc)
            item.processed_at = timezone.now()
            item.save(update_fields=["state", "error", "attempts", "processed_at"])
        return {item_id: item.state}


def do_process_inbox_item(item_id: int) -> str:
    """Run the handler of a stored activity once; return the item's resulting state."""
    return do_process_inbox_items([item_id], limit=1)[item_id]


def do_process_inbox_items(item_ids: Collection[int], *, limit: int = PROCESSING_BATCH) -> dict[int, str]:
    """Run the handlers of the received items among the ids and, up to `limit` items in all, of the oldest others.

    Return the resulting state of each item processed, and "not pending"
    for ids that were not (done already, or being processed elsewhere).

    One task per accepted activity would pay a broker round trip and a few
    transactions each; a task that finds a burst waiting takes a batch of
    it instead, and the later tasks of the burst find their items done.
    Each handler runs in a savepoint, so a failure undoes its own item
    only; a batch commits as a whole, at least every BATCH_SECONDS. Should
    the batch fail as a whole (a constraint checked only at commit, say),
    its items are processed again one per transaction, and one that fails
    even alone counts a failed attempt, so one bad item cannot hold back
    the others.
    """
    outcomes = dict.fromkeys(item_ids, NOT_PENDING)
    own = set(item_ids)
    extra = max(0, limit - len(own))
    while own or extra > 0:
        try:
            # What the batch commits is announced together (new statuses reach open streams at once).
            with _wrapped(BATCH_WRAPPERS_AROUND_TRANSACTION):
                done = _process_batch(own, extra)
        except Exception:
            logger.exception("inbox batch failed; processing its items one at a time")
            done = {}
            for item in _pending(InboxItem.objects.all(), own, extra):
                done.update(_process_alone(item.pk))
        if not done:
            break
        for item_id, state in done.items():
            outcomes[item_id] = state
            if item_id in own:
                own.discard(item_id)
            else:
                extra -= 1
    # Most items another batch processed have nobody waiting: one query finds those that do, and only
    # they are locked and served. A recipient recorded after this query queues its item again.
    waiting = set(
        InboxRecipient.objects.filter(item_id__in=own, handled_at__isnull=True).values_list("item_id", flat=True)
    )
    for item_id in own:
        outcomes[item_id] = _serve_waiting_recipients(item_id) if item_id in waiting else NOT_PENDING
    return outcomes


def _serve_waiting_recipients(item_id: int) -> str:
    """Give the accounts whose personal inboxes an activity reached after it was processed what it gives them.

    The item row is locked (waiting for a batch that holds it), so a
    personal inbox recorded meanwhile is served either by this run or by
    the next. Return the item's state, or "not pending" when nobody waited.
    """
    with transaction.atomic():
        # NO KEY: a web process recording another personal inbox (a row referring to this one) need not wait.
        item = InboxItem.objects.select_for_update(no_key=True).filter(id=item_id).first()
        if item is None or item.state == InboxItem.State.RECEIVED:
            # Gone, or still to be processed by its own task, which takes the accounts along.
            return NOT_PENDING
        waiting = list(InboxRecipient.objects.filter(item=item, handled_at__isnull=True).select_related("account"))
        if not waiting:
            return NOT_PENDING
        actor = Actor.objects.filter(uri=item.actor_uri).first()
        if item.state == InboxItem.State.PROCESSED and actor is not None:
            try:
                activity = read_activity(item.body)
                with transaction.atomic():
                    dispatch_to_new_recipients(actor, activity, [row.account for row in waiting])
            except (IgnoredActivity, RemoteActorUnavailable, ValueError) as exc:
                # The status may be gone since; the item itself was processed, so it stays as it is.
                logger.info("inbox item %s (%s) not given to more accounts: %s", item.pk, item.activity_type, exc)
        InboxRecipient.objects.filter(pk__in=[row.pk for row in waiting]).update(handled_at=timezone.now())
        return str(item.state)


def unprocessed_inbox_items(min_age: timedelta) -> list[int]:
    """Return ids of stored activities received at least `min_age` ago and not yet processed.

    An item handled before a later personal inbox was recorded counts as
    unprocessed until that account has been served (or found to be owed
    nothing, when the item was ignored or failed).
    """
    cutoff = timezone.now() - min_age
    pending = InboxItem.objects.filter(state=InboxItem.State.RECEIVED, received_at__lte=cutoff)
    ids = list(pending.order_by("received_at").values_list("id", flat=True)[:5000])
    waiting = InboxRecipient.objects.filter(handled_at__isnull=True, received_at__lte=cutoff).exclude(
        item__state=InboxItem.State.RECEIVED
    )
    ids.extend(sorted(set(waiting.values_list("item_id", flat=True)[:5000])))
    return ids
