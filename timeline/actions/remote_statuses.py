"""Store, update and delete statuses that other servers publish."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from federation.activitypub.incoming import NoteDocument, is_public
from federation.models import Actor, Tombstone
from federation.sanitising import sanitise_html
from federation.selectors import policy_for_domain
from timeline.actions.fan_out import fan_out_on_commit
from timeline.actions.notifications import do_notify
from timeline.ids import snowflake_id
from timeline.models import Follow, Notification, Poll, Status, Tag, Visibility

MEDIA_TYPES = ("image/", "video/", "audio/")
MAX_ATTACHMENTS = 8


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


def _attachments(note: NoteDocument, author: Actor) -> list[dict[str, object]]:
    policy = policy_for_domain(author.domain)
    if policy is not None and policy.reject_media:
        return []
    kept: list[dict[str, object]] = []
    for item in note.attachments[:MAX_ATTACHMENTS]:
        if not item.media_type.startswith(MEDIA_TYPES):
            continue
        kept.append(
            {
                "type": "Document",
                "mediaType": item.media_type,
                "url": item.url,
                "name": item.description,
                "blurhash": item.blurhash,
                "width": item.width,
                "height": item.height,
            }
        )
    return kept


def _may_notify(author: Actor, recipient: Actor) -> bool:
    policy = policy_for_domain(author.domain)
    if policy is None or policy.severity != policy.Severity.SILENCE:
        return True
    # A limited server reaches only those who chose to follow its accounts.
    return Follow.objects.filter(follower=recipient, target=author, state=Follow.State.ACCEPTED).exists()


def _apply_mentions_and_tags(status: Status, note: NoteDocument) -> list[Actor]:
    mentioned = list(Actor.objects.filter(uri__in=note.mentions))
    status.mentions.all().delete()
    for actor in mentioned:
        status.mentions.create(account=actor)
    status.tags.set([Tag.objects.get_or_create(name=name)[0] for name in note.hashtags if name])
    return mentioned


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


def do_store_remote_status(author: Actor, note: NoteDocument, *, in_reply_to: Status | None = None) -> Status | None:
    """Store a remote author's status, once; return None if its id was deleted before.

    The caller has checked that the note's id is on the author's host and
    that the author is its `attributedTo`.
    """
    if Tombstone.objects.filter(uri=note.id).exists():
        return None
    existing = Status.objects.filter(uri=note.id).first()
    if existing is not None:
        return existing
    created_at = _moment(note.published)
    with transaction.atomic():
        status = Status.objects.create(
            id=snowflake_id(created_at),
            account=author,
            uri=note.id,
            url=note.url or note.id,
            content=sanitise_html(note.content),
            spoiler_text=note.summary[:500],
            sensitive=note.sensitive or bool(note.summary),
            visibility=visibility_from_addressing(note, author),
            language=note.language,
            in_reply_to=in_reply_to,
            attachments=_attachments(note, author),
            local=False,
            created_at=created_at,
        )
        for actor in _apply_mentions_and_tags(status, note):
            if _may_notify(author, actor):
                do_notify(actor, author, Notification.Type.MENTION, status)
        _apply_poll(status, note)
        fan_out_on_commit(status.id)
    return status


def do_update_remote_status(author: Actor, note: NoteDocument) -> Status | None:
    """Apply a remote edit to a stored status; boosters are notified. Unknown statuses are ignored."""
    status = Status.objects.filter(uri=note.id, account=author).first()
    if status is None:
        return None
    with transaction.atomic():
        status.content = sanitise_html(note.content)
        status.spoiler_text = note.summary[:500]
        status.sensitive = note.sensitive or bool(note.summary)
        status.attachments = _attachments(note, author)
        status.edited_at = _moment(note.updated) if note.updated else timezone.now()
        status.save(update_fields=["content", "spoiler_text", "sensitive", "attachments", "edited_at"])
        _apply_mentions_and_tags(status, note)
        _apply_poll(status, note)
        for reblog in Status.objects.filter(reblog_of=status).select_related("account"):
            do_notify(reblog.account, author, Notification.Type.UPDATE, status)
    return status


def do_delete_remote_status(author: Actor, uri: str) -> bool:
    """Delete a remote author's status (or boost) and keep a tombstone, whether or not it was stored.

    Return whether a stored status was deleted.
    """
    with transaction.atomic():
        Tombstone.objects.get_or_create(uri=uri)
        deleted, _ = Status.objects.filter(uri=uri, account=author).delete()
    return deleted > 0
