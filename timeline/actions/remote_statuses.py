"""Store, update and delete statuses that other servers publish."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from django.db import transaction
from django.db.models import BigIntegerField, Value
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from federation.activitypub.incoming import NoteDocument, is_public
from federation.models import Actor, Tombstone
from federation.sanitising import sanitise_html
from federation.selectors import policy_for_domain
from timeline.actions.fan_out import do_place_in_home_timelines, fan_out_on_commit
from timeline.actions.media import MAX_ATTACHMENTS, MAX_DESCRIPTION_CHARACTERS
from timeline.actions.notifications import do_notify
from timeline.actions.status_history import do_record_original_version, do_record_status_version
from timeline.ids import snowflake_id
from timeline.imaging import MAX_IMAGE_SIDE, media_kind
from timeline.models import Follow, MediaAttachment, Mention, Notification, Poll, Status, Tag, Visibility
from timeline.streaming.events import (
    stream_status_created_on_commit,
    stream_status_deleted_on_commit,
    stream_status_updated_on_commit,
)

# What a remote attachment may be: a plain image, video or audio type, and a URL of reasonable length.
_MEDIA_TYPE = re.compile(r"(image|video|audio)/[a-z0-9][a-z0-9.+-]{0,60}")
_BLURHASH = re.compile(r"[0-9A-Za-z#$%*+,\-.:;=?@\[\]^_{|}~]{6,100}")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
MAX_REMOTE_URL = 2000


def visibility_from_addressing(note: NoteDocument, author: Actor) -> Visibility:
    """Return a status's visibility from its to and cc, as Mastodon decides it."""
    if is_public(note.to):
        return Visibility.PUBLIC
    if is_public(note.cc):
        return Visibility.UNLISTED
    if author.followers_uri and author.followers_uri in note.audience:
        return Visibility.PRIVATE
    return Visibility.DIRECT


def _moment(value: str) -> datetime:
    parsed = parse_datetime(value) if value else None
    now = timezone.now()
    if parsed is None:
        return now
    if timezone.is_naive(parsed):
        parsed = parsed.replace(tzinfo=UTC)
    # A clock far ahead must not put the status above everything else.
    return min(parsed, now + timedelta(minutes=5))


def _clean_text(value: str) -> str:
    # Alt text is shown as plain text; control characters other than newlines are dropped.
    return _CONTROL.sub("", value).strip()[:MAX_DESCRIPTION_CHARACTERS]


def _dimension(value: int | None) -> int | None:
    return value if value is not None and 0 < value <= MAX_IMAGE_SIDE else None


def _remote_media(note: NoteDocument, author: Actor) -> list[MediaAttachment]:
    """Return unsaved rows referencing a remote status's files (never downloaded), at most four."""
    if not note.attachments:
        return []
    policy = policy_for_domain(author.domain)
    if policy is not None and policy.reject_media:
        return []
    kept: list[MediaAttachment] = []
    for item in note.attachments:
        if len(kept) == MAX_ATTACHMENTS:
            break
        media_type = item.media_type.lower()
        if not _MEDIA_TYPE.fullmatch(media_type) or len(item.url) > MAX_REMOTE_URL:
            continue
        width, height = _dimension(item.width), _dimension(item.height)
        meta: dict[str, object] = {}
        if width is not None and height is not None:
            size = {"width": width, "height": height, "size": f"{width}x{height}", "aspect": width / height}
            meta = {"original": size, "small": size}
        kept.append(
            MediaAttachment(
                account=author,
                type=media_kind(media_type),
                state=MediaAttachment.State.READY,
                content_type=media_type,
                remote_url=item.url,
                description=_clean_text(item.description),
                blurhash=item.blurhash if _BLURHASH.fullmatch(item.blurhash) else "",
                meta=meta,
                position=len(kept),
            )
        )
    return kept


def _store_remote_media(status: Status, note: NoteDocument, author: Actor, *, new: bool = False) -> None:
    """Replace a remote status's attachment rows by the ones its latest version lists."""
    if not new:
        status.media.all().delete()
    media = _remote_media(note, author)
    for item in media:
        item.status = status
    MediaAttachment.objects.bulk_create(media)


def _may_notify(author: Actor, recipient: Actor) -> bool:
    policy = policy_for_domain(author.domain)
    if policy is None or policy.severity != policy.Severity.SILENCE:
        return True
    # A limited server reaches only those who chose to follow its accounts.
    return Follow.objects.filter(follower=recipient, target=author, state=Follow.State.ACCEPTED).exists()


def _tagged_accounts(note: NoteDocument) -> list[Actor]:
    return list(Actor.objects.filter(uri__in=note.mentions)) if note.mentions else []


def _apply_tags(status: Status, note: NoteDocument, *, new: bool = False) -> None:
    tags = [Tag.objects.get_or_create(name=name)[0] for name in note.hashtags if name]
    if new:
        # A status just created has no tags to compare with.
        if tags:
            status.tags.add(*tags)
    else:
        status.tags.set(tags)


def _apply_edited_mentions(status: Status, mentioned: list[Actor]) -> None:
    # Silent mentions stay: they record who was given the status, not what its text tags.
    status.mentions.filter(silent=False).exclude(account__in=mentioned).delete()
    for actor in mentioned:
        status.mentions.update_or_create(account=actor, defaults={"silent": False})


def _silently_mentioned(
    note: NoteDocument, author: Actor, visibility: Visibility, tagged: list[Actor], recipients: Sequence[Actor]
) -> list[Actor]:
    """Return the accounts a status is given to without tagging them, as Mastodon decides.

    Those are the known accounts its to and cc name, and the owners of the
    personal inboxes it was delivered to. Public and unlisted statuses are
    readable by everyone, so for them there is no one to add: GoToSocial,
    without a shared inbox, delivers each post to every follower's inbox.
    """
    if visibility in (Visibility.PUBLIC, Visibility.UNLISTED):
        return []
    addressed = [uri for uri in note.audience if not is_public([uri])]
    candidates = [*Actor.objects.filter(uri__in=addressed).order_by("pk"), *recipients]
    skipped = {author.pk, *(actor.pk for actor in tagged)}
    chosen: list[Actor] = []
    for actor in candidates:
        if actor.pk not in skipped:
            skipped.add(actor.pk)
            chosen.append(actor)
    return chosen


def _apply_poll(status: Status, note: NoteDocument) -> None:
    if not note.poll_options:
        return
    names = [name for name, _ in note.poll_options]
    counts = [count for _, count in note.poll_options]
    expires_at = parse_datetime(note.poll_end_time) if note.poll_end_time else None
    Poll.objects.update_or_create(
        status=status,
        defaults={
            "options": names,
            "votes": counts,
            "multiple": note.poll_multiple,
            "voters_count": note.voters_count if note.voters_count is not None else max(counts, default=0),
            "expires_at": expires_at,
        },
    )


# Status ids are snowflakes, never 0: it stands for a tombstone in _stored_or_deleted.
DELETED = 0


def _stored_or_deleted(uri: str) -> list[int]:
    """Return the id of the status stored under this URI, or DELETED if the URI has a tombstone; one query."""
    deleted = Tombstone.objects.filter(uri=uri).annotate(deleted=Value(DELETED, output_field=BigIntegerField()))
    stored = Status.objects.filter(uri=uri).values_list("id", flat=True)
    return list(stored.union(deleted.values_list("deleted", flat=True), all=True))


def do_store_remote_status(
    author: Actor,
    note: NoteDocument,
    *,
    in_reply_to: Status | None = None,
    recipients: Sequence[Actor] = (),
) -> Status | None:
    """Store a remote author's status, once; return None if its id was deleted before.

    `recipients` are the local accounts whose personal inboxes it was
    delivered to. Known accounts it addresses without tagging them, and
    those recipients, get silent mentions (unless it is public or
    unlisted), and a status that would be a direct message to its tagged
    accounts alone becomes limited, as on Mastodon. A status stored before
    is given to recipients it did not have yet (`do_add_status_recipients`).

    The caller has checked that the note's id is on the author's host and
    that the author is its `attributedTo`.
    """
    found = _stored_or_deleted(note.id)
    if DELETED in found:
        return None
    existing = Status.objects.filter(id__in=found).first() if found else None
    if existing is not None:
        if recipients and existing.account_id == author.pk:
            do_add_status_recipients(existing, recipients)
        return existing
    created_at = _moment(note.published)
    tagged = _tagged_accounts(note)
    visibility = visibility_from_addressing(note, author)
    silent = _silently_mentioned(note, author, visibility, tagged, recipients)
    if silent and visibility == Visibility.DIRECT:
        visibility = Visibility.LIMITED
    # Inside a caller's transaction (the inbox runs each activity in a savepoint) a failure here
    # undoes the caller's block whole, which is what a savepoint of its own would lead to anyway.
    with transaction.atomic(savepoint=False):
        status = Status.objects.create(
            id=snowflake_id(created_at),
            account=author,
            uri=note.id,
            url=note.url or note.id,
            content=sanitise_html(note.content),
            spoiler_text=note.summary[:500],
            sensitive=note.sensitive or bool(note.summary),
            visibility=visibility,
            language=note.language,
            in_reply_to=in_reply_to,
            local=False,
            created_at=created_at,
        )
        _store_remote_media(status, note, author, new=True)
        Mention.objects.bulk_create(
            [Mention(status=status, account=actor) for actor in tagged]
            + [Mention(status=status, account=actor, silent=True) for actor in silent]
        )
        _apply_tags(status, note, new=True)
        # Silent mentions notify no one: nothing in the status names them.
        for actor in tagged:
            if _may_notify(author, actor):
                do_notify(actor, author, Notification.Type.MENTION, status)
        _apply_poll(status, note)
        fan_out_on_commit(status.id)
        stream_status_created_on_commit(status.id)
    return status


def do_add_status_recipients(status: Status, recipients: Sequence[Actor]) -> list[Actor]:
    """Give a stored remote status to local accounts whose personal inboxes it reached later; return those added.

    Each gets a silent mention unless already mentioned, a direct status
    becomes limited, and those who follow the author find it in their home
    timeline, as Mastodon does when a post it has reaches one more inbox.
    Public and unlisted statuses need no one added.
    """
    if status.local or status.reblog_of_id is not None or status.visibility in (Visibility.PUBLIC, Visibility.UNLISTED):
        return []
    with transaction.atomic():
        known = set(Mention.objects.filter(status=status).values_list("account_id", flat=True))
        known.add(status.account_id)
        added = [actor for actor in dict.fromkeys(recipients) if actor.pk not in known]
        if not added:
            return []
        Mention.objects.bulk_create(
            [Mention(status=status, account=actor, silent=True) for actor in added], ignore_conflicts=True
        )
        if status.visibility == Visibility.DIRECT:
            status.visibility = Visibility.LIMITED
            status.save(update_fields=["visibility"])
        if status.fanned_out_at is not None:
            # A fan-out still to come reads the new mentions itself.
            do_place_in_home_timelines(status, [actor.pk for actor in added if actor.is_local])
    return added


def do_update_remote_status(author: Actor, note: NoteDocument) -> Status | None:
    """Apply a remote edit to a stored status; boosters are notified. Unknown statuses are ignored."""
    status = Status.objects.filter(uri=note.id, account=author).first()
    if status is None:
        return None
    with transaction.atomic():
        do_record_original_version(status)
        status.content = sanitise_html(note.content)
        status.spoiler_text = note.summary[:500]
        status.sensitive = note.sensitive or bool(note.summary)
        status.edited_at = _moment(note.updated) if note.updated else timezone.now()
        status.save(update_fields=["content", "spoiler_text", "sensitive", "edited_at"])
        _store_remote_media(status, note, author)
        _apply_edited_mentions(status, _tagged_accounts(note))
        _apply_tags(status, note)
        _apply_poll(status, note)
        do_record_status_version(status, status.edited_at)
        stream_status_updated_on_commit(status.id)
        for reblog in Status.objects.filter(reblog_of=status).select_related("account"):
            do_notify(reblog.account, author, Notification.Type.UPDATE, status)
    return status


def do_delete_remote_status(author: Actor, uri: str) -> bool:
    """Delete a remote author's status (or boost) and keep a tombstone, whether or not it was stored.

    Return whether a stored status was deleted.
    """
    with transaction.atomic():
        Tombstone.objects.get_or_create(uri=uri)
        # References to the remote files go with the status (a local upload would be kept for redrafting).
        MediaAttachment.objects.filter(status__uri=uri, status__account=author).delete()
        for status in Status.objects.filter(uri=uri, account=author):
            stream_status_deleted_on_commit(status)
        deleted, _ = Status.objects.filter(uri=uri, account=author).delete()
    return deleted > 0
