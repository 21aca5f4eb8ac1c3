"""The registry of inbox handlers, one per activity type, and of what wraps each batch of them.

Federation stores and verifies activities but acts on none itself: each app
registers the handlers of the activities it owns by importing its
`activitypub` handler modules in its `AppConfig.ready()`, which runs for
every app before any request is served or any task runs.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from typing import Any, TypeVar

from config.refusals import Refused
from federation.activitypub import Activity, MalformedDocument, parse
from federation.models import Actor

A = TypeVar("A", bound=Activity)
# Handlers take the activity as its own class (a Follow, an Undo); the registry keys them by its type.
Handler = Callable[[Actor, Any], None]
# A handler that also takes the local accounts whose personal inboxes the activity reached.
RecipientHandler = Callable[[Actor, Any, Sequence[Actor]], None]
HANDLERS: dict[str, Handler] = {}
RECIPIENT_HANDLERS: dict[str, RecipientHandler] = {}
# Handlers of activities whose object is their own actor (a profile Update, an account Delete).
SELF_HANDLERS: dict[str, Handler] = {}


class IgnoredActivity(Exception):
    """The activity is valid but has nothing to act on here (an unknown object, a duplicate)."""


def read_activity(document: Any) -> Activity:
    """Return a stored activity as its typed class; one that cannot be read is ignored, as a malformed object is.

    The inbox refused documents without an id, an actor or a supported
    type when they arrived; what else is malformed leaves nothing to act on.
    """
    try:
        activity = parse(document)
    except MalformedDocument as exc:
        raise IgnoredActivity(f"The activity cannot be read: {exc}") from exc
    if not isinstance(activity, Activity):
        raise IgnoredActivity(f"No handler for {getattr(activity, 'type', None)!r}.")
    return activity


@dataclass(frozen=True)
class Received:
    """An activity to process, with its actor and the local accounts whose personal inboxes it reached."""

    actor: Actor
    activity: Activity
    recipients: Sequence[Actor] = ()


# A handler that takes many activities of one type at once. It returns, by position, the outcome of
# each one it took (None when done, IgnoredActivity when there was nothing to act on); those it leaves
# out go to the type's own handler, one at a time, after it.
BatchHandler = Callable[[Sequence[Received]], dict[int, IgnoredActivity | None]]
BATCH_HANDLERS: dict[str, BatchHandler] = {}


def handles(*types: type[A]) -> Callable[[Callable[[Actor, A], None]], Callable[[Actor, A], None]]:
    """Register the decorated function as the handler of these activity types."""

    def register(handler: Callable[[Actor, A], None]) -> Callable[[Actor, A], None]:
        for kind in types:
            HANDLERS[kind.TYPE] = handler
        return handler

    return register


def handles_own_actor(*types: type[A]) -> Callable[[Callable[[Actor, A], None]], Callable[[Actor, A], None]]:
    """Register the decorated function as the handler of these types when their object is their own actor.

    An actor updating or deleting itself concerns its account, not any
    object it made; other activities of these types go to the type's
    handler.
    """

    def register(handler: Callable[[Actor, A], None]) -> Callable[[Actor, A], None]:
        for kind in types:
            SELF_HANDLERS[kind.TYPE] = handler
        return handler

    return register


def handles_with_recipients(
    *types: type[A],
) -> Callable[[Callable[[Actor, A, Sequence[Actor]], None]], Callable[[Actor, A, Sequence[Actor]], None]]:
    """Register the decorated function as the handler of these types, told which personal inboxes they reached.

    It is called again, with the new accounts only, when the activity
    reaches another personal inbox after it was processed.
    """

    def register(handler: Callable[[Actor, A, Sequence[Actor]], None]) -> Callable[[Actor, A, Sequence[Actor]], None]:
        for kind in types:
            RECIPIENT_HANDLERS[kind.TYPE] = handler
        return handler

    return register


def handles_in_batches(*types: type[Activity]) -> Callable[[BatchHandler], BatchHandler]:
    """Register the decorated function as the handler of runs of activities of these types.

    It must leave out whatever could depend on another activity of the
    same run, since those it takes are acted on before those it leaves.
    Each type also needs a handler of its own, for the activities left out.
    """

    def register(handler: BatchHandler) -> BatchHandler:
        for kind in types:
            BATCH_HANDLERS[kind.TYPE] = handler
        return handler

    return register


def takes_batches(kind: str) -> bool:
    """Return whether activities of this type can be handled many at a time."""
    return kind in BATCH_HANDLERS


def dispatch_batch(kind: str, received: Sequence[Received]) -> dict[int, IgnoredActivity | None]:
    """Run the batch handler of a type on activities of that type; return the outcomes of those it took."""
    return BATCH_HANDLERS[kind](received)


def is_supported(kind: object) -> bool:
    """Return whether some handler takes activities of this type."""
    return isinstance(kind, str) and (kind in HANDLERS or kind in RECIPIENT_HANDLERS or kind in SELF_HANDLERS)


def dispatch(actor: Actor, activity: Activity, recipients: Sequence[Actor] = ()) -> None:
    """Run the handler of the activity's type, raising IgnoredActivity for a type without one.

    `recipients` are the local accounts whose personal inboxes it reached
    (none when it came through the shared inbox). An action's refusal (a
    follow of an account that blocks the sender, a second vote) means there
    is nothing to do here, so it is recorded as ignored, for every handler.
    """
    with _refusals_ignored():
        kind = activity.TYPE
        self_handler = SELF_HANDLERS.get(kind)
        if self_handler is not None and activity.object_id == actor.uri:
            self_handler(actor, activity)
            return
        recipient_handler = RECIPIENT_HANDLERS.get(kind)
        if recipient_handler is not None:
            recipient_handler(actor, activity, recipients)
            return
        handler = HANDLERS.get(kind)
        if handler is None:
            raise IgnoredActivity(f"No handler for {activity.type!r}.")
        handler(actor, activity)


@contextmanager
def _refusals_ignored() -> Iterator[None]:
    try:
        yield
    except Refused as exc:
        raise IgnoredActivity(exc.message) from exc


def dispatch_to_new_recipients(actor: Actor, activity: Activity, recipients: Sequence[Actor]) -> None:
    """Tell the handler of an activity already processed that it reached more personal inboxes.

    Only handlers registered with `handles_with_recipients` have anything
    to do; for the others a second inbox changes nothing.
    """
    recipient_handler = RECIPIENT_HANDLERS.get(activity.TYPE)
    if recipient_handler is not None and recipients:
        with _refusals_ignored():
            recipient_handler(actor, activity, recipients)


# What wraps each batch of inbox items: a context manager entered around the
# batch's handlers inside its transaction (leaving it runs before the commit),
# or around the whole batch outside it (leaving it runs after the commit).
BatchWrapper = Callable[[], AbstractContextManager[None]]
BATCH_WRAPPERS_IN_TRANSACTION: list[BatchWrapper] = []
BATCH_WRAPPERS_AROUND_TRANSACTION: list[BatchWrapper] = []


def wrap_batches(wrapper: BatchWrapper, *, in_transaction: bool) -> None:
    """Enter the context manager the wrapper returns around every batch of inbox items.

    `in_transaction` wraps the handlers inside the batch's transaction, so
    leaving it writes with the batch (the timeline fans the statuses out);
    otherwise the whole batch, transaction and all, is wrapped, so leaving
    it acts on what committed (the timeline sends streaming events). The
    same wrapper registered twice is entered once.
    """
    wrappers = BATCH_WRAPPERS_IN_TRANSACTION if in_transaction else BATCH_WRAPPERS_AROUND_TRANSACTION
    if wrapper not in wrappers:
        wrappers.append(wrapper)
