"""Receive activities: verify, check their origin, store them once, and process them later.

The HTTP view only hands the raw request here. Verification happens before
anything is stored; processing happens in a worker, from the stored row.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from config.queueing import enqueue_on_commit
from federation.actions.deliveries import host_is_unavailable, record_host_success
from federation.actions.remote_actors import actor_by_key_id, actor_for_key_id
from federation.activitypub.incoming import ACTOR_TYPES, STATUS_TYPES, host_of, id_of
from federation.errors import ActivityRefused, RemoteActorUnavailable
from federation.inbox import IgnoredActivity, dispatch, dispatch_to_new_recipients, is_supported
from federation.models import Actor, InboxItem, InboxRecipient
from federation.selectors import is_domain_suspended
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

MAX_BODY_BYTES = 256 * 1024
MAX_PROCESSING_ATTEMPTS = 5


@dataclass(frozen=True)
class InboxRequest:
    """The parts of an inbox POST that verification needs; header names lower-case."""

    method: str
    path: str
    headers: Mapping[str, str]
    body: bytes


@dataclass(frozen=True)
class VerifiedActivity:
    """An activity whose signature and origin were checked, with the actor that sent it."""

    actor: Actor
    activity: dict[str, Any]


def _parse(body: bytes) -> dict[str, Any]:
    if len(body) > MAX_BODY_BYTES:
        raise ActivityRefused(f"The activity is larger than {MAX_BODY_BYTES} bytes.", 413)
    try:
        activity = json.loads(body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise ActivityRefused("The body is not valid JSON.") from exc
    if not isinstance(activity, dict):
        raise ActivityRefused("The body must be a JSON object.")
    if not is_supported(activity.get("type")):
        raise ActivityRefused(f"Activity type {activity.get('type')!r} is not supported.", 422)
    if not isinstance(activity.get("id"), str) or not host_of(activity["id"]):
        raise ActivityRefused("The activity has no id.")
    if id_of(activity.get("actor")) is None:
        raise ActivityRefused("The activity has no actor.")
    return activity


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
        if obj.get("type") in STATUS_TYPES and id_of(obj.get("attributedTo")) != actor.uri:
            raise ActivityRefused("The object is attributed to another actor.", 403)
        if obj.get("type") in ACTOR_TYPES and object_id != actor.uri:
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


def check_inbox_request(request: InboxRequest) -> VerifiedActivity | None:
    """Verify an inbox POST; return None for a Delete from an actor never seen (accepted, nothing to do).

    Raise ActivityRefused with the HTTP status to answer otherwise.
    """
    activity = _parse(request.body)
    actor_uri = str(id_of(activity["actor"]))
    if is_domain_suspended(host_of(actor_uri)):
        raise ActivityRefused("This server does not accept activities from your domain.", 403)
    try:
        params = _parse_signature(request.headers)
    except SignatureError as exc:
        raise ActivityRefused(str(exc), 401) from exc
    if params.key_owner_uri != actor_uri and host_of(params.key_id) != host_of(actor_uri):
        raise ActivityRefused("The signing key does not belong to the activity's actor.", 401)
    signer = actor_by_key_id(params.key_id)
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
    if signer.uri != actor_uri:
        raise ActivityRefused("The signing key does not belong to the activity's actor.", 401)
    if signer.is_local:
        raise ActivityRefused("Activities of this server's own actors are not accepted from outside.", 403)
    check_origin(signer, activity)
    return VerifiedActivity(actor=signer, activity=activity)


def do_store_inbox_item(verified: VerifiedActivity, recipient: Actor | None = None) -> InboxItem | None:
    """Store a verified activity once and queue its processing; return None for a duplicate.

    `recipient` is the local account whose personal inbox the activity was
    posted to (None for the shared inbox). A duplicate that reaches a
    personal inbox not recorded yet is recorded, and processed again for
    that account alone; any other duplicate changes nothing.
    """
    activity = verified.activity
    try:
        with transaction.atomic():
            item = InboxItem.objects.create(
                activity_id=activity["id"][:500],
                activity_type=activity["type"],
                actor_uri=verified.actor.uri,
                body=activity,
            )
            if recipient is not None:
                InboxRecipient.objects.create(item=item, account=recipient)
            enqueue_on_commit("federation.tasks.process_inbox_item", item.id)
    except IntegrityError:
        if recipient is not None:
            _record_another_recipient(activity["id"][:500], verified.actor, recipient)
        return None
    if host_is_unavailable(verified.actor.domain):
        # A host that talks to this server again is available again.
        record_host_success(verified.actor.domain)
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
            enqueue_on_commit("federation.tasks.process_inbox_item", item.id)
    except IntegrityError:
        # The same personal inbox again: nothing new.
        return


def _run_handler(item: InboxItem, actor: Actor | None, recipients: list[Actor]) -> None:
    """Run the item's handler in a savepoint and record the outcome on the item (not saved)."""
    try:
        if actor is None:
            raise IgnoredActivity("The actor is gone.")
        with transaction.atomic():
            dispatch(actor, item.body, recipients)
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


def _serve_new_recipients(item: InboxItem, actor: Actor | None, recipients: list[Actor]) -> None:
    """Give accounts whose personal inboxes a processed activity reached later what it gives them."""
    if actor is None:
        return
    try:
        with transaction.atomic():
            dispatch_to_new_recipients(actor, item.body, recipients)
    except (IgnoredActivity, RemoteActorUnavailable, ValueError) as exc:
        # The status may be gone since; the item itself was processed, so it stays as it is.
        logger.info("inbox item %s (%s) not given to more accounts: %s", item.pk, item.activity_type, exc)


def do_process_inbox_item(item_id: int) -> str:
    """Run the handler of a stored activity once; return the item's resulting state.

    The item row is locked while it is processed, so two workers never run
    it at once, and a personal inbox recorded meanwhile is seen either by
    this run or by the next. An item already processed is run again only
    for personal inboxes recorded since, through the handler's recipient
    hook (a Create gives those accounts the status).
    """
    with transaction.atomic():
        # NO KEY: a web process recording another personal inbox (a row referring to this one) need not wait.
        item = InboxItem.objects.select_for_update(no_key=True).filter(id=item_id).first()
        if item is None:
            return "not pending"
        waiting = list(InboxRecipient.objects.filter(item=item, handled_at__isnull=True).select_related("account"))
        if item.state != InboxItem.State.RECEIVED and not waiting:
            return "not pending"
        actor = Actor.objects.filter(uri=item.actor_uri).first()
        recipients = [row.account for row in waiting]
        if item.state == InboxItem.State.RECEIVED:
            _run_handler(item, actor, recipients)
            item.processed_at = timezone.now()
            item.save(update_fields=["state", "error", "attempts", "processed_at"])
        elif item.state == InboxItem.State.PROCESSED:
            _serve_new_recipients(item, actor, recipients)
        if item.state != InboxItem.State.RECEIVED:
            # Ignored or failed items have nothing to give anyone; a retry keeps the accounts waiting.
            InboxRecipient.objects.filter(pk__in=[row.pk for row in waiting]).update(handled_at=timezone.now())
    return item.state


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
