"""Store, update and delete statuses that other servers publish."""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.db import transaction
from django.db.models import BigIntegerField, Value
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from federation.activitypub import Article, Document, Emoji, Note, Page, Question, is_public
from federation.models import Actor, Tombstone
from federation.sanitising import sanitise_html
from federation.selectors import policy_for_domain
from timeline.actions.custom_emojis import do_store_remote_emojis
from timeline.actions.fan_out import do_place_in_home_timelines, fan_out_on_commit
from timeline.actions.media import MAX_ATTACHMENTS, MAX_DESCRIPTION_CHARACTERS
from timeline.actions.notifications import do_notify
from timeline.actions.preview_cards import fetch_preview_card_on_commit
from timeline.actions.remote_media import cache_status_media_on_commit, delete_stored
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


def visibility_from_addressing(to: Sequence[str], cc: Sequence[str], author: Actor) -> Visibility:
    """Return a status's (or a boost's) visibility from its to and cc, as Mastodon decides it."""
    if is_public(to):
        return Visibility.PUBLIC
    if is_public(cc):
        return Visibility.UNLISTED
    if author.followers_uri and (author.followers_uri in to or author.followers_uri in cc):
        return Visibility.PRIVATE
    return Visibility.DIRECT


# What a Note says, as stored here: absent texts are empty, an article's title heads its text.


def _content(note: Note) -> str:
    if isinstance(note, Article | Page) and note.name:
        # Mastodon shows an article's title above its text.
        return f"<p><strong>{note.name}</strong></p>{note.content}"
    return note.content


def _spoiler(note: Note) -> str:
    return (note.summary or "")[:500]


def _mentioned_uris(note: Note) -> list[str]:
    return [mention.href for mention in note.mentions]


def _hashtag_names(note: Note) -> list[str]:
    return list(dict.fromkeys(hashtag.tag for hashtag in note.hashtags))[:30]


def _poll_options(note: Note) -> Sequence[tuple[str, int]]:
    # Only a Question is a poll: choices on another type are not shown.
    return note.poll_options if isinstance(note, Question) else ()


def _parsed_moment(value: str) -> datetime | None:
    """Return a peer's timestamp, or None if it is missing or no real moment (a 45th of a 13th month)."""
    try:
        return parse_datetime(value) if value else None
    except ValueError:
        return None


def _moment(value: str) -> datetime:
    parsed = _parsed_moment(value)
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


def _rejects_media(domain: str) -> bool:
    policy = policy_for_domain(domain)
    return policy is not None and policy.reject_media


def _remote_media(note: Note, author: Actor) -> list[MediaAttachment]:
    """Return unsaved rows referencing a remote status's files (never downloaded), at most four.

    The caller has checked that the author's domain policy does not reject media.
    """
    kept: list[MediaAttachment] = []
    for item in note.attachment:
        if len(kept) == MAX_ATTACHMENTS:
            break
        if not isinstance(item, Document):
            continue
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
                description=_clean_text(item.name or ""),
                blurhash=item.blurhash if _BLURHASH.fullmatch(item.blurhash) else "",
                meta=meta,
                position=len(kept),
            )
        )
    return kept


def _replace_remote_media(status: Status, note: Note, author: Actor) -> None:
    """Replace an edited remote status's attachment rows by the ones its latest version lists."""
    copies = [name for pair in status.media.values_list("file", "thumbnail") for name in pair if name]
    status.media.all().delete()
    if copies:
        transaction.on_commit(lambda: delete_stored(*copies))
    media = _remote_media(note, author) if note.attachment and not _rejects_media(author.domain) else []
    for item in media:
        item.status = status
    MediaAttachment.objects.bulk_create(media)


def _fetch_links_on_commit(status: Status, *, has_media: bool, edited: bool = False) -> None:
    """Queue the copying of a remote status's attachments and the fetch of its link's card after commit.

    A new status without any link queues no card; an edit always does, as
    it may have removed the link its card previewed.
    """
    if has_media:
        cache_status_media_on_commit(status.id)
    if edited or "<a" in status.content:
        fetch_preview_card_on_commit(status.id)


def _may_notify(author: Actor, recipient: Actor) -> bool:
    policy = policy_for_domain(author.domain)
    if policy is None or policy.severity != policy.Severity.SILENCE:
        return True
    # A limited server reaches only those who chose to follow its accounts.
    return Follow.objects.filter(follower=recipient, target=author, state=Follow.State.ACCEPTED).exists()


def _tagged_accounts(note: Note) -> list[Actor]:
    uris = _mentioned_uris(note)
    return list(Actor.objects.filter(uri__in=uris)) if uris else []


def _apply_tags(status: Status, note: Note) -> None:
    status.tags.set([Tag.objects.get_or_create(name=name)[0] for name in _hashtag_names(note) if name])


def _tags_named(names: set[str]) -> dict[str, Tag]:
    """Return the tags with these names by name, creating those that do not exist yet; two or three queries."""
    if not names:
        return {}
    tags = {tag.name: tag for tag in Tag.objects.filter(name__in=names)}
    missing = names - tags.keys()
    if missing:
        # Another process may create the same tag meanwhile: whichever insert wins, both read it back.
        Tag.objects.bulk_create([Tag(name=name) for name in sorted(missing)], ignore_conflicts=True)
        tags.update((tag.name, tag) for tag in Tag.objects.filter(name__in=missing))
    return tags


def _apply_edited_mentions(status: Status, mentioned: list[Actor]) -> None:
    # Silent mentions stay: they record who was given the status, not what its text tags.
    status.mentions.filter(silent=False).exclude(account__in=mentioned).delete()
    for actor in mentioned:
        status.mentions.update_or_create(account=actor, defaults={"silent": False})


def _silently_mentioned(
    addressed: list[Actor], author: Actor, visibility: Visibility, tagged: list[Actor], recipients: Sequence[Actor]
) -> list[Actor]:
    """Return the accounts a status is given to without tagging them, as Mastodon decides.

    Those are the known accounts its to and cc name (`addressed`, in the
    order of their ids), and the owners of the personal inboxes it was
    delivered to. Public and unlisted statuses are readable by everyone, so
    for them there is no one to add: GoToSocial, without a shared inbox,
    delivers each post to every follower's inbox.
    """
    if visibility in (Visibility.PUBLIC, Visibility.UNLISTED):
        return []
    skipped = {author.pk, *(actor.pk for actor in tagged)}
    chosen: list[Actor] = []
    for actor in [*addressed, *recipients]:
        if actor.pk not in skipped:
            skipped.add(actor.pk)
            chosen.append(actor)
    return chosen


def _new_poll(status: Status, note: Note) -> Poll:
    options = _poll_options(note)
    counts = [count for _, count in options]
    return Poll(
        status=status,
        options=[name for name, _ in options],
        votes=counts,
        multiple=note.poll_multiple,
        # A count a peer gets wrong (negative) is read as a missing one.
        voters_count=note.voters_count if note.voters_count is not None and note.voters_count >= 0 else max(0, *counts),
        expires_at=_parsed_moment(note.end_time or ""),
    )


def _apply_poll(status: Status, note: Note) -> None:
    if not _poll_options(note):
        return
    poll = _new_poll(status, note)
    fields = ("options", "votes", "multiple", "voters_count", "expires_at")
    Poll.objects.update_or_create(status=status, defaults={name: getattr(poll, name) for name in fields})


# Status ids are snowflakes, never 0: it stands for a tombstone in _stored_or_deleted.
DELETED = 0


def _stored_or_deleted(uris: Collection[str]) -> dict[str, int]:
    """Return, by URI, the id of the status stored under it, or DELETED where it has a tombstone; one query."""
    deleted = Tombstone.objects.filter(uri__in=uris).annotate(deleted=Value(DELETED, output_field=BigIntegerField()))
    stored = Status.objects.filter(uri__in=uris).values_list("uri", "id")
    found: dict[str, int] = {}
    for uri, status_id in stored.union(deleted.values_list("uri", "deleted"), all=True):
        # A tombstone wins over a copy stored before the deletion was known.
        if found.get(uri) != DELETED:
            found[uri] = status_id
    return found


@dataclass(frozen=True)
class IncomingStatus:
    """A remote status to store: its author, its note, the stored status it replies to, and who received it.

    `recipients` are the local accounts whose personal inboxes it was
    delivered to. The note's id is on the author's host and the author is
    its `attributedTo`: the caller has checked both.
    """

    author: Actor
    note: Note
    in_reply_to: Status | None = None
    recipients: Sequence[Actor] = ()


def _known_actors(incoming: Sequence[IncomingStatus], visibilities: Sequence[Visibility]) -> dict[str, Actor]:
    """Return the known actors the statuses tag, and those the non-public ones address; one query at most."""
    uris = {uri for item in incoming for uri in _mentioned_uris(item.note)}
    for item, visibility in zip(incoming, visibilities, strict=True):
        if visibility not in (Visibility.PUBLIC, Visibility.UNLISTED):
            uris.update(uri for uri in item.note.audience if not is_public([uri]))
    return {actor.uri: actor for actor in Actor.objects.filter(uri__in=uris)} if uris else {}


def _new_status(item: IncomingStatus, visibility: Visibility) -> Status:
    note = item.note
    created_at = _moment(note.published)
    return Status(
        id=snowflake_id(created_at),
        account=item.author,
        uri=note.id,
        url=note.url or note.id,
        content=sanitise_html(_content(note)),
        spoiler_text=_spoiler(note),
        sensitive=note.sensitive or bool(note.summary),
        visibility=visibility,
        language=note.language or "",
        in_reply_to=item.in_reply_to,
        local=False,
        created_at=created_at,
    )


def _store_new_statuses(incoming: Sequence[IncomingStatus]) -> list[Status]:
    """Store statuses not stored before, with their attachments, mentions, tags and polls; a few queries in all."""
    if not incoming:
        return []
    visibilities = [visibility_from_addressing(item.note.to, item.note.cc, item.author) for item in incoming]
    known = _known_actors(incoming, visibilities)
    statuses: list[Status] = []
    mentions: list[Mention] = []
    notified: list[tuple[Actor, Status]] = []
    for item, addressing in zip(incoming, visibilities, strict=True):
        tagged = [known[uri] for uri in dict.fromkeys(_mentioned_uris(item.note)) if uri in known]
        addressed = sorted(
            {known[uri].pk: known[uri] for uri in item.note.audience if uri in known}.values(),
            key=lambda actor: actor.pk,
        )
        silent = _silently_mentioned(addressed, item.author, addressing, tagged, item.recipients)
        # Given to accounts it does not tag: limited, as on Mastodon, rather than a direct message.
        visibility = Visibility.LIMITED if silent and addressing == Visibility.DIRECT else addressing
        status = _new_status(item, visibility)
        statuses.append(status)
        mentions += [Mention(status=status, account=actor) for actor in tagged]
        mentions += [Mention(status=status, account=actor, silent=True) for actor in silent]
        # Silent mentions notify no one: nothing in the status names them.
        notified += [(actor, status) for actor in tagged]
    media: list[MediaAttachment] = []
    # Domain policies are read once per domain: inside a transaction nothing caches them.
    rejecting = {
        domain: _rejects_media(domain) for domain in {item.author.domain for item in incoming if item.note.attachment}
    }
    for item, status in zip(incoming, statuses, strict=True):
        if not item.note.attachment or rejecting[item.author.domain]:
            continue
        for attachment in _remote_media(item.note, item.author):
            attachment.status = status
            media.append(attachment)
    tags = _tags_named({name for item in incoming for name in _hashtag_names(item.note) if name})
    status_tags = [
        Status.tags.through(status_id=status.id, tag_id=tags[name].pk)
        for item, status in zip(incoming, statuses, strict=True)
        for name in _hashtag_names(item.note)
        if name
    ]
    polls = [
        _new_poll(status, item.note)
        for item, status in zip(incoming, statuses, strict=True)
        if _poll_options(item.note)
    ]
    # Inside a caller's transaction (the inbox runs its activities in savepoints) a failure here
    # undoes the caller's block whole, which is what a savepoint of its own would lead to anyway.
    with transaction.atomic(savepoint=False):
        Status.objects.bulk_create(statuses)
        # Empty lists are skipped: a plain note costs its status's insert alone.
        if media:
            MediaAttachment.objects.bulk_create(media)
        if mentions:
            Mention.objects.bulk_create(mentions)
        if status_tags:
            Status.tags.through.objects.bulk_create(status_tags)
        if polls:
            Poll.objects.bulk_create(polls)
        _store_emojis_of([(item.author, item.note) for item in incoming])
        for actor, status in notified:
            if _may_notify(status.account, actor):
                do_notify(actor, status.account, Notification.Type.MENTION, status)
        with_media = {attachment.status.id for attachment in media if attachment.status is not None}
        for status in statuses:
            fan_out_on_commit(status.id)
            stream_status_created_on_commit(status.id)
            _fetch_links_on_commit(status, has_media=status.id in with_media)
    return statuses


def _store_emojis_of(notes: Sequence[tuple[Actor, Note]]) -> None:
    """Keep the custom emoji the notes tag, per author's server (no query for notes without any)."""
    by_domain: dict[str, list[Emoji]] = {}
    for author, note in notes:
        by_domain.setdefault(author.domain, []).extend(note.emojis)
    for domain, emojis in by_domain.items():
        if emojis:
            do_store_remote_emojis(domain, emojis)


def do_store_remote_statuses(incoming: Sequence[IncomingStatus]) -> list[Status | None]:
    """Store remote statuses, each once, with a few queries for them all; return each one's status.

    The result is None for a status whose id was deleted before it arrived.
    Known accounts a status addresses without tagging them, and the owners
    of the personal inboxes it reached, get silent mentions (unless it is
    public or unlisted), and a status that would be a direct message to
    its tagged accounts alone becomes limited, as on Mastodon. A status
    stored before is returned as it is, given to recipients it did not
    have yet (`do_add_status_recipients`). Each note id may appear once.
    """
    uris = [item.note.id for item in incoming]
    if len(set(uris)) != len(uris):
        raise ValueError("Each note may be stored once per call.")
    found = _stored_or_deleted(uris)
    stored = Status.objects.in_bulk([status_id for status_id in found.values() if status_id != DELETED])
    fresh = iter(_store_new_statuses([item for item in incoming if item.note.id not in found]))
    results: list[Status | None] = []
    for item in incoming:
        status_id = found.get(item.note.id)
        if status_id is None:
            results.append(next(fresh))
        elif status_id == DELETED:
            results.append(None)
        else:
            existing = stored[status_id]
            if item.recipients and existing.account_id == item.author.pk:
                do_add_status_recipients(existing, item.recipients)
            results.append(existing)
    return results


def do_store_remote_status(
    author: Actor,
    note: Note,
    *,
    in_reply_to: Status | None = None,
    recipients: Sequence[Actor] = (),
) -> Status | None:
    """Store a remote author's status, once; return None if its id was deleted before.

    `do_store_remote_statuses` says what is stored and for whom.
    """
    incoming = IncomingStatus(author=author, note=note, in_reply_to=in_reply_to, recipients=recipients)
    return do_store_remote_statuses([incoming])[0]


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


def do_update_remote_status(author: Actor, note: Note) -> Status | None:
    """Apply a remote edit to a stored status; boosters are notified. Unknown statuses are ignored."""
    status = Status.objects.filter(uri=note.id, account=author).first()
    if status is None:
        return None
    with transaction.atomic():
        do_record_original_version(status)
        status.content = sanitise_html(_content(note))
        status.spoiler_text = _spoiler(note)
        status.sensitive = note.sensitive or bool(note.summary)
        status.edited_at = _moment(note.updated) if note.updated else timezone.now()
        status.save(update_fields=["content", "spoiler_text", "sensitive", "edited_at"])
        _replace_remote_media(status, note, author)
        _apply_edited_mentions(status, _tagged_accounts(note))
        _apply_tags(status, note)
        _apply_poll(status, note)
        _store_emojis_of([(author, note)])
        do_record_status_version(status, status.edited_at)
        stream_status_updated_on_commit(status.id)
        _fetch_links_on_commit(status, has_media=status.media.exists(), edited=True)
        for reblog in Status.objects.filter(reblog_of=status).select_related("account"):
            do_notify(reblog.account, author, Notification.Type.UPDATE, status)
    return status


def do_delete_remote_status(author: Actor, uri: str) -> bool:
    """Delete a remote author's status (or boost) and keep a tombstone, whether or not it was stored.

    Return whether a stored status was deleted.
    """
    with transaction.atomic():
        Tombstone.objects.get_or_create(uri=uri)
        # The attachments and their copies here go with the status (a local upload would be kept for redrafting).
        attached = MediaAttachment.objects.filter(status__uri=uri, status__account=author)
        copies = [name for pair in attached.values_list("file", "thumbnail") for name in pair if name]
        attached.delete()
        if copies:
            transaction.on_commit(lambda: delete_stored(*copies))
        for status in Status.objects.filter(uri=uri, account=author):
            stream_status_deleted_on_commit(status)
        deleted, _ = Status.objects.filter(uri=uri, account=author).delete()
    return deleted > 0
