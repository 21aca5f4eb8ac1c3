"""Post statuses: the one way a status comes into being, from any interface."""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import DatabaseError, IntegrityError, transaction
from django.db.models import Q, Subquery
from django.utils import timezone

from federation.models import Actor, Tombstone
from federation.uris import status_uri, status_url
from timeline.access import TAG_NAME_PATTERN, can_view_status
from timeline.actions.fan_out import do_place_in_authors_home, fan_out_on_commit
from timeline.actions.media import MediaEdit, check_status_media, do_attach_media, do_update_media
from timeline.actions.notifications import do_notify
from timeline.actions.preview_cards import fetch_preview_card_on_commit
from timeline.actions.remote_statuses import do_delete_remote_status
from timeline.actions.status_history import do_record_original_version, do_record_status_version
from timeline.activitypub.outbox import publish_status_activity
from timeline.activitypub.renderers import create_for_status, delete_for_status, undo_for_reblog, update_for_status
from timeline.errors import StatusRefused
from timeline.ids import snowflake_id
from timeline.imaging import MediaRejected
from timeline.models import (
    POSTING_VISIBILITIES,
    IdempotencyKey,
    MediaAttachment,
    Notification,
    Poll,
    ScheduledStatus,
    Status,
    Tag,
    Visibility,
)
from timeline.rendering import render_plain_text
from timeline.restrictions import is_account_restricted, posting_refusal
from timeline.streaming.events import (
    stream_status_created_on_commit,
    stream_status_deleted_on_commit,
    stream_status_updated_on_commit,
)

MAX_STATUS_CHARACTERS = 500
MAX_SPOILER_CHARACTERS = 500
MAX_POLL_OPTIONS = 4
MAX_POLL_OPTION_CHARACTERS = 50
MIN_POLL_SECONDS = 300
MAX_POLL_SECONDS = 2_629_746
MAX_IDEMPOTENCY_KEY_CHARACTERS = 200
# Mastodon remembers an Idempotency-Key for an hour; a key older than that is free again.
IDEMPOTENCY_WINDOW = timedelta(hours=1)
# Expired keys removed after each keyed post: more than expire between two posts, so they never pile up.
IDEMPOTENCY_PRUNE_BATCH = 500
_MENTION = re.compile(r"(?<![\w/])@([a-z0-9_]+(?:[a-z0-9_.-]*[a-z0-9_])?)(?:@([a-z0-9.-]+(?::\d+)?))?", re.IGNORECASE)
_HASHTAG = re.compile(rf"(?<![\w/#])#({TAG_NAME_PATTERN})")
# Mastodon counts every link as 23 characters, whatever its length.
URL_CHARACTERS = 23
_URL = re.compile(r"(?<![\w@/])https?://[^\s<>\"]+", re.IGNORECASE)

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class StatusDraft:
    """A status that passed its checks and may be stored."""

    text: str
    visibility: Visibility
    spoiler_text: str
    sensitive: bool
    language: str
    in_reply_to: Status | None = None
    poll_options: list[str] = field(default_factory=list)
    poll_multiple: bool = False
    poll_expires_in: int = 0
    poll_expires_at: datetime | None = None
    # None keeps an edited status's attachments as they are.
    media: list[MediaAttachment] | None = None
    # The client's Idempotency-Key: the post claims it in its own transaction.
    idempotency_key: str | None = None


class IdempotencyKeyTaken(Exception):
    """Another post with the same Idempotency-Key committed first; nothing of this one was stored."""

    def __init__(self, key: str) -> None:
        super().__init__(f"Idempotency-Key {key!r} was used by another post")
        self.key = key


def check_idempotency_key(raw: str) -> str | None:
    """Return the client's Idempotency-Key without surrounding blanks (None if there is none), or refuse it.

    A key longer than what is stored is refused rather than cut short: two
    different long keys would otherwise stand for the same post.
    """
    key = raw.strip()
    if not key:
        return None
    if len(key) > MAX_IDEMPOTENCY_KEY_CHARACTERS:
        raise StatusRefused(f"Idempotency-Key is too long (the limit is {MAX_IDEMPOTENCY_KEY_CHARACTERS} characters).")
    if not key.isprintable():
        raise StatusRefused("Idempotency-Key may contain only printable characters.")
    return key


def earlier_post_for_key(author: Actor, key: str) -> IdempotencyKey | None:
    """Return the author's unexpired record of this key with the status or scheduled status it made, if any."""
    return (
        IdempotencyKey.objects.select_related("status__account", "scheduled_status")
        .filter(account=author, key=key, created_at__gte=timezone.now() - IDEMPOTENCY_WINDOW)
        .first()
    )


def do_claim_idempotency_key(
    author: Actor, key: str, *, status_id: int | None = None, scheduled: ScheduledStatus | None = None
) -> None:
    """Record the key for this post inside its transaction, or raise IdempotencyKeyTaken.

    The unique (account, key) constraint decides between concurrent posts:
    PostgreSQL holds the second insert until the first transaction ends, then
    refuses it; SQLite's writers take turns, so the second finds the row. The
    insert runs in a savepoint so the caller's transaction stays usable.
    """
    now = timezone.now()
    # An expired key is free again: its old row gives way to this post's.
    IdempotencyKey.objects.filter(account=author, key=key, created_at__lt=now - IDEMPOTENCY_WINDOW).delete()
    try:
        with transaction.atomic():
            IdempotencyKey.objects.create(
                account=author, key=key, status_id=status_id, scheduled_status=scheduled, created_at=now
            )
    except IntegrityError:
        raise IdempotencyKeyTaken(key) from None
    transaction.on_commit(_prune_after_commit)


def _prune_after_commit() -> None:
    try:
        prune_idempotency_keys()
    except DatabaseError as exc:
        # Pruning is housekeeping: the next keyed post does it if this one could not.
        logger.info("expired Idempotency-Keys left for later: %s", exc)


def prune_idempotency_keys() -> int:
    """Delete a batch of expired Idempotency-Keys, oldest first; return how many went."""
    expired = IdempotencyKey.objects.filter(created_at__lt=timezone.now() - IDEMPOTENCY_WINDOW).order_by("created_at")
    deleted, _ = IdempotencyKey.objects.filter(pk__in=Subquery(expired.values("pk")[:IDEMPOTENCY_PRUNE_BATCH])).delete()
    return deleted


def _check_poll(poll_options: list[str], expires_in: int) -> list[str]:
    options = [option.strip() for option in poll_options]
    if not options:
        return []
    if not 2 <= len(options) <= MAX_POLL_OPTIONS:
        raise StatusRefused(f"A poll needs between 2 and {MAX_POLL_OPTIONS} options.")
    if any(not option or len(option) > MAX_POLL_OPTION_CHARACTERS for option in options):
        raise StatusRefused(f"Poll options must be 1 to {MAX_POLL_OPTION_CHARACTERS} characters long.")
    if len(set(options)) != len(options):
        raise StatusRefused("Poll options must differ from one another.")
    if not MIN_POLL_SECONDS <= expires_in <= MAX_POLL_SECONDS:
        raise StatusRefused("A poll must run between 5 minutes and a month.")
    return options


def _check_media(
    author: Actor, media_ids: Sequence[str] | None, editing: Status | None
) -> tuple[list[MediaAttachment] | None, bool]:
    """Return the checked uploads (None: keep an edited status's own) and whether the status will have media."""
    if media_ids is None:
        return None, editing is not None and editing.media.exists()
    try:
        media = check_status_media(author, media_ids, status=editing)
    except MediaRejected as exc:
        raise StatusRefused(str(exc)) from None
    return media, bool(media)


def check_create_status(
    author: Actor,
    *,
    text: str,
    visibility: str = Visibility.PUBLIC,
    spoiler_text: str = "",
    sensitive: bool = False,
    language: str = "",
    in_reply_to_id: int | None = None,
    poll_options: list[str] | None = None,
    poll_multiple: bool = False,
    poll_expires_in: int = 86_400,
    media_ids: Sequence[str] | None = None,
    editing: Status | None = None,
    idempotency_key: str = "",
) -> StatusDraft:
    """Validate a local member's new status, raising StatusRefused with the reason.

    `media_ids` name the author's ready, unattached uploads (at most four);
    `editing` is the status being edited, whose own attachments may stay;
    `idempotency_key` is the client's Idempotency-Key header, if it sent one.
    """
    key = check_idempotency_key(idempotency_key)
    if not author.is_local or author.user is None:
        raise StatusRefused("Only accounts on this server can post here.")
    if not author.user.is_active:
        raise StatusRefused("This account is not active and cannot post.")
    if is_account_restricted(author.pk, limited=False):
        raise StatusRefused("This account is suspended by the co-op's moderators and cannot post.")
    if (refusal := posting_refusal(author)) is not None:
        raise StatusRefused(refusal)
    text = text.strip()
    media, has_media = _check_media(author, media_ids, editing)
    if not text and not has_media:
        raise StatusRefused("Text can't be blank.")
    if len(spoiler_text) > MAX_SPOILER_CHARACTERS:
        raise StatusRefused(f"Content warning is too long (the limit is {MAX_SPOILER_CHARACTERS}).")
    if (length := countable_length(text, spoiler_text.strip())) > MAX_STATUS_CHARACTERS:
        raise StatusRefused(f"Text is too long ({length} characters; the limit is {MAX_STATUS_CHARACTERS}).")
    if visibility not in POSTING_VISIBILITIES:
        raise StatusRefused(f"Visibility must be one of {', '.join(POSTING_VISIBILITIES)}.")
    if language and (len(language) > 16 or not language.replace("-", "").isalnum()):
        raise StatusRefused("Language must be an ISO 639 code such as en or pt-BR.")
    parent = None
    if in_reply_to_id is not None:
        parent = Status.objects.select_related("account").filter(id=in_reply_to_id).first()
        if parent is None or not can_view_status(author, parent):
            raise StatusRefused("The status you reply to does not exist or is not visible to you.")
    options = _check_poll(poll_options or [], poll_expires_in)
    if options and media:
        raise StatusRefused("A status cannot have both a poll and media attachments.")
    return StatusDraft(
        text=text,
        visibility=Visibility(visibility),
        spoiler_text=spoiler_text.strip(),
        sensitive=sensitive or bool(spoiler_text.strip()),
        language=language,
        in_reply_to=parent,
        poll_options=options,
        poll_multiple=poll_multiple,
        poll_expires_in=poll_expires_in,
        media=media,
        idempotency_key=key,
    )


def countable_length(text: str, spoiler_text: str = "") -> int:
    """Return a status's length as Mastodon counts it against the limit.

    A link counts as 23 characters and a remote mention as its local part
    (`@user@server` as `@user`), and the content warning counts with the text,
    as Mastodon's status length validator and its compose counter do.
    """
    countable = _MENTION.sub(lambda match: f"@{match.group(1)}", _URL.sub("x" * URL_CHARACTERS, text))
    return len(countable) + len(spoiler_text)


def mentioned_actors(text: str) -> list[Actor]:
    """Return the known actors a text mentions as @user (local) or @user@domain."""
    found: list[Actor] = []
    for username, domain in _MENTION.findall(text):
        local = not domain or domain.lower() == settings.MUTUALS_DOMAIN.lower()
        query = Q(username__iexact=username) & (Q(domain="", user__isnull=False) if local else Q(domain__iexact=domain))
        actor = Actor.objects.filter(query).first()
        if actor is not None and actor not in found:
            found.append(actor)
    return found


def _set_mentions_and_tags(status: Status, text: str) -> list[Actor]:
    mentioned = mentioned_actors(text)
    parent = status.in_reply_to
    if parent is not None and parent.account_id != status.account_id and parent.account not in mentioned:
        mentioned.append(parent.account)
    status.mentions.all().delete()
    for actor in mentioned:
        status.mentions.create(account=actor)
    names = {name.lower() for name in _HASHTAG.findall(text)}
    status.tags.set([Tag.objects.get_or_create(name=name)[0] for name in sorted(names)])
    return mentioned


def _publish(status: Status, activity: dict[str, Any]) -> None:
    # A local-only status never leaves this server, nor do its edits and deletion.
    if status.visibility != Visibility.LOCAL:
        publish_status_activity(status, activity)


def do_create_status(author: Actor, draft: StatusDraft, *, created_at: datetime | None = None) -> Status:
    """Store a checked status and, after commit, fan it out to its audience.

    A draft with an Idempotency-Key claims it first, in the same transaction,
    and raises IdempotencyKeyTaken (storing nothing) if another post has it.
    """
    created_at = created_at or timezone.now()
    status_id = snowflake_id(created_at)
    with transaction.atomic():
        if draft.idempotency_key is not None:
            # Foreign keys are checked at commit, so the key can name the status
            # before it exists; claiming it first has a concurrent twin wait here.
            do_claim_idempotency_key(author, draft.idempotency_key, status_id=status_id)
        status = Status.objects.create(
            id=status_id,
            account=author,
            uri=status_uri(author.username, status_id),
            url=status_url(author.username, status_id),
            text=draft.text,
            content=render_plain_text(draft.text),
            spoiler_text=draft.spoiler_text,
            sensitive=draft.sensitive,
            visibility=draft.visibility,
            language=draft.language,
            in_reply_to=draft.in_reply_to,
            local=True,
            created_at=created_at,
        )
        if draft.poll_options:
            Poll.objects.create(
                status=status,
                options=draft.poll_options,
                votes=[0] * len(draft.poll_options),
                multiple=draft.poll_multiple,
                expires_at=draft.poll_expires_at or created_at + timedelta(seconds=draft.poll_expires_in),
            )
        if draft.media:
            do_attach_media(status, draft.media)
        for actor in _set_mentions_and_tags(status, draft.text):
            do_notify(actor, author, Notification.Type.MENTION, status)
        _publish(status, create_for_status(status))
        do_place_in_authors_home(status)
        fan_out_on_commit(status.id)
        stream_status_created_on_commit(status.id)
        if "<a" in status.content:
            # Only a status with a link has a card to fetch.
            fetch_preview_card_on_commit(status.id)
    return status


def check_edit_status(
    actor: Actor,
    status: Status,
    *,
    text: str,
    spoiler_text: str = "",
    sensitive: bool = False,
    language: str = "",
    media_ids: Sequence[str] | None = None,
) -> StatusDraft:
    """Validate an edit of one's own status, raising StatusRefused with the reason."""
    if status.account_id != actor.pk or status.reblog_of_id is not None:
        # Mastodon forbids editing another's status (403); one's own boost is merely invalid.
        raise StatusRefused(
            "You can only edit your own statuses.", status=403 if status.account_id != actor.pk else 422
        )
    return check_create_status(
        actor,
        text=text,
        visibility=status.visibility,
        spoiler_text=spoiler_text,
        sensitive=sensitive,
        language=language,
        media_ids=media_ids,
        editing=status,
    )


def do_edit_status(
    actor: Actor, status: Status, draft: StatusDraft, *, media_edits: Sequence[MediaEdit] = ()
) -> Status:
    """Replace a status's text, warnings and media (with their descriptions); followers' servers receive Update."""
    with transaction.atomic():
        do_record_original_version(status)
        status.text = draft.text
        status.content = render_plain_text(draft.text)
        status.spoiler_text = draft.spoiler_text
        status.sensitive = draft.sensitive
        status.language = draft.language or status.language
        status.edited_at = timezone.now()
        status.save(update_fields=["text", "content", "spoiler_text", "sensitive", "language", "edited_at"])
        do_record_status_version(status, status.edited_at)
        _set_mentions_and_tags(status, draft.text)
        if draft.media is not None:
            do_attach_media(status, draft.media)
        for edit in media_edits:
            do_update_media(edit.media, description=edit.description, focus=edit.focus)
        _publish(status, update_for_status(status))
        stream_status_updated_on_commit(status.id)
        # An edit may change or remove the link the card previews.
        fetch_preview_card_on_commit(status.id)
        for reblog in Status.objects.filter(reblog_of=status).select_related("account"):
            do_notify(reblog.account, actor, Notification.Type.UPDATE, status)
    return status


def check_delete_status(actor: Actor, status: Status) -> None:
    """Refuse to delete someone else's status."""
    if status.account_id != actor.pk:
        raise StatusRefused("You can only delete your own statuses.", status=403)


def do_delete_status(actor: Actor, status: Status) -> None:
    """Delete a status, its boosts and its place in timelines; its audience's servers receive Delete.

    A tombstone keeps the id so the status is never imported again.
    """
    check_delete_status(actor, status)
    _delete_local_status(status)


def _delete_local_status(status: Status) -> None:
    with transaction.atomic():
        if status.reblog_of_id is not None:
            _publish(status, undo_for_reblog(status))
        else:
            _publish(status, delete_for_status(status))
        Tombstone.objects.get_or_create(uri=status.uri)
        stream_status_deleted_on_commit(status)
        status.delete()


def do_remove_status(status: Status, *, authority: str) -> None:
    """Delete a status on a moderator's or an assembly's authority rather than its author's.

    A local status goes as its author's deletion would: its audience's
    servers receive Delete (signed by the author, as Mastodon signs a
    moderator's removal) and streams drop it. A remote one is only removed
    here, as when its server deletes it, since its server decides for its
    own copies; the tombstone keeps it from being fetched again.
    """
    logger.info("Removing status %s: %s", status.pk, authority)
    if status.account.is_local:
        _delete_local_status(status)
    else:
        do_delete_remote_status(status.account, status.uri)


def do_set_status_sensitive(status: Status, *, sensitive: bool) -> Status:
    """Mark a status sensitive (or not) on a moderator's authority; its audience's servers receive Update."""
    with transaction.atomic():
        status.sensitive = sensitive
        status.save(update_fields=["sensitive"])
        _publish(status, update_for_status(status))
        stream_status_updated_on_commit(status.id)
        # An edit may change or remove the link the card previews.
        fetch_preview_card_on_commit(status.id)
    return status
