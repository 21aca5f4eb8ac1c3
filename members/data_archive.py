"""Write a member's archive: one ZIP built entry by entry, so memory stays flat whatever its size.

The layout follows Mastodon's archive (`actor.json`, `outbox.json`,
`likes.json`, `bookmarks.json`, media files) so other servers' importers read
it, adds Mastodon's CSV exports, and a `coop/` folder with the member's
records in the co-op. ZIP64 is forced on every streamed entry: archives and
entries above 4 GB stay valid. Apps above members (governance: ballots,
moderation) register the documents they add to `coop/` when they load, so
this module imports none of them.
"""

from __future__ import annotations

import csv
import io
import json
import mimetypes
import zipfile
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import IO, Any

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone

from federation.activitypub.context import CONTEXT
from federation.models import Actor
from federation.renderers import person_for_actor
from federation.uris import base_url
from members.exports import JOURNAL_HEADER, certificate_for, holder_entries, journal_row
from members.models import DuesPayment, DuesTierChoice, User
from members.selectors import membership_history
from timeline.activitypub.renderers import StatusRelations, announce_for_reblog, create_for_status
from timeline.models import (
    AccountDomainBlock,
    Block,
    Bookmark,
    Favourite,
    Follow,
    ListAccount,
    MediaAttachment,
    Mention,
    Mute,
    Poll,
    Status,
    Visibility,
)

CHUNK = 1000
# Progress is reported as a percentage split across the phases by their usual weight.
PHASES = {"profile": (0, 2), "statuses": (2, 70), "media": (70, 92), "lists": (92, 96), "coop": (96, 100)}

ProgressCallback = Callable[[str, int], None]

FOLLOWING_HEADER = ["Account address", "Show boosts", "Notify on new posts", "Languages"]
MUTED_HEADER = ["Account address", "Hide notifications"]

README = """\
This archive holds what {instance} keeps about {handle}, as of {moment}.

actor.json             Your profile as an ActivityPub actor. The avatar and
                       header are the files named in "icon" and "image".
outbox.json            Your posts (Create) and boosts (Announce) as an
                       ActivityStreams OrderedCollection, newest first.
                       Attachment URLs point to files inside this archive.
likes.json             The posts you favourited, as a collection of URIs.
bookmarks.json         The posts you bookmarked, as a collection of URIs.
media_attachments/     Every file you uploaded, named by its id.
following_accounts.csv The accounts you follow (Mastodon's format:
                       Account address, Show boosts, Notify on new posts,
                       Languages). Import it on any Mastodon-compatible server.
muted_accounts.csv     The accounts you muted (Account address, Hide
                       notifications).
blocked_accounts.csv   The accounts you blocked, one address a line.
blocked_domains.csv    The domains you hid, one a line.
bookmarks.csv          The posts you bookmarked, one URI a line.
lists.csv              Your lists: list title, account address.

coop/membership_history.csv  Every change to your membership and roles,
                             with its reason and authority.
coop/register_entries.csv    The share register's entries that name you,
                             with their hashes (check them against the
                             register with `verify_register`).
coop/certificate.json        Your holdings today and the register hash
                             the certificate rests on.
coop/dues.csv                Your dues payments.
coop/dues_tiers.csv          The dues tiers you chose, with when.
"""


@dataclass(frozen=True)
class ArchiveDocument:
    """A JSON document an app above members adds to the archive, and its lines in the README.

    `readme` is the document's entry in README.txt, from its name at the
    start of the line to the newline that ends it.
    """

    name: str
    readme: str
    build: Callable[[User, Actor], Any]


_documents: list[ArchiveDocument] = []


def register_archive_document(document: ArchiveDocument) -> None:
    """Add a document to every archive, written after the co-op's own records."""
    if document not in _documents:
        _documents.append(document)


def _progress(callback: ProgressCallback, phase: str, fraction: float) -> None:
    start, end = PHASES[phase]
    callback(phase, int(start + (end - start) * min(1.0, fraction)))


def media_path(media: MediaAttachment) -> str:
    """Return where a media file sits in the archive: its id and the extension of its stored name."""
    return f"media_attachments/files/{media.pk}{PurePosixPath(media.file.name).suffix.lower()}"


def account_address(actor: Actor) -> str:
    """Return the account's address as Mastodon's archives write it: with the domain, local accounts too.

    The domain makes the file mean the same on any server that imports it.
    """
    return actor.acct if actor.domain else f"{actor.username}@{settings.MUTUALS_DOMAIN}"


def _bool(value: bool) -> str:
    return "true" if value else "false"


@contextmanager
def _text_entry(archive: zipfile.ZipFile, name: str) -> Iterator[IO[str]]:
    with (
        archive.open(name, "w", force_zip64=True) as raw,
        io.TextIOWrapper(raw, encoding="utf-8", newline="") as text,
    ):
        yield text


def _write_json(archive: zipfile.ZipFile, name: str, document: Any) -> None:
    with _text_entry(archive, name) as out:
        json.dump(document, out, ensure_ascii=False, indent=2)


def _write_collection(archive: zipfile.ZipFile, name: str, total: int, items: Iterator[Any]) -> None:
    """Write an OrderedCollection whose items come one at a time."""
    with _text_entry(archive, name) as out:
        head = {"@context": CONTEXT, "id": name, "type": "OrderedCollection", "totalItems": total}
        out.write(json.dumps(head, ensure_ascii=False)[:-1] + ', "orderedItems": [\n')
        for index, item in enumerate(items):
            if index:
                out.write(",\n")
            out.write(json.dumps(item, ensure_ascii=False))
        out.write("\n]}\n")


def _write_csv(archive: zipfile.ZipFile, name: str, header: list[str] | None, rows: Iterator[list[str]]) -> None:
    with _text_entry(archive, name) as out:
        writer = csv.writer(out, lineterminator="\n")
        if header:
            writer.writerow(header)
        writer.writerows(rows)


def _image(archive: zipfile.ZipFile, field: Any, stem: str) -> dict[str, str] | None:
    """Copy a profile image into the archive; return its actor.json entry."""
    if not field or not field.name:
        return None
    source = Path(field.path)
    if not source.is_file():
        return None
    name = f"{stem}{PurePosixPath(field.name).suffix.lower()}"
    archive.write(source, name, compress_type=zipfile.ZIP_STORED)
    media_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
    return {"type": "Image", "mediaType": media_type, "url": name}


def actor_document(archive: zipfile.ZipFile, actor: Actor) -> dict[str, Any]:
    """Return actor.json, with the avatar and header copied into the archive under fixed names."""
    document = person_for_actor(actor).to_json()
    for key, field, stem in (("icon", actor.avatar, "avatar"), ("image", actor.header, "header")):
        image = _image(archive, field, stem)
        if image is not None:
            document[key] = image
    return document


def _attachment_document(media: MediaAttachment) -> dict[str, Any]:
    document: dict[str, Any] = {
        "type": "Document",
        "mediaType": media.content_type or mimetypes.guess_type(media.file.name)[0] or "application/octet-stream",
        "url": media_path(media),
        "name": media.description or None,
        "blurhash": media.blurhash or None,
    }
    original = media.meta.get("original") if isinstance(media.meta, dict) else None
    if isinstance(original, dict):
        for key in ("width", "height"):
            if isinstance(original.get(key), int):
                document[key] = original[key]
    if media.focus_x or media.focus_y:
        document["focalPoint"] = [media.focus_x, media.focus_y]
    return {key: value for key, value in document.items() if value is not None}


def _rewrite_attachments(note: dict[str, Any], media: list[MediaAttachment]) -> None:
    """Point the note's attachments at the archive's files; add uploads the note does not list."""
    stored = [item for item in media if item.file and item.file.name]
    listed: set[int] = set()
    attachments: list[dict[str, Any]] = []
    for item in note.get("attachment") or []:
        url = str(item.get("url", "")) if isinstance(item, dict) else ""
        match = next((m for m in stored if url and url.endswith(m.file.name)), None)
        if match is not None:
            listed.add(match.pk)
            attachments.append({**item, "url": media_path(match)})
        elif isinstance(item, dict):
            attachments.append(item)
    attachments += [_attachment_document(m) for m in stored if m.pk not in listed]
    if attachments:
        note["attachment"] = attachments


def _status_chunks(actor: Actor) -> Iterator[list[Status]]:
    """Yield the member's statuses newest first, a chunk at a time, paging by id (constant memory).

    Parents and boosted originals are loaded per chunk rather than joined:
    most statuses have neither, and a join would build three rows per status.
    """
    statuses = Status.objects.filter(account=actor).order_by("-id")
    before: int | None = None
    while True:
        page = statuses if before is None else statuses.filter(id__lt=before)
        chunk = list(page[:CHUNK])
        if not chunk:
            return
        linked_ids = {s.in_reply_to_id for s in chunk} | {s.reblog_of_id for s in chunk}
        linked_ids.discard(None)
        linked = Status.objects.filter(id__in=linked_ids).select_related("account").in_bulk() if linked_ids else {}
        for status in chunk:
            status.account = actor
            if status.in_reply_to_id is not None:
                status.in_reply_to = linked.get(status.in_reply_to_id)
            if status.reblog_of_id is not None:
                status.reblog_of = linked.get(status.reblog_of_id)
        yield chunk
        before = chunk[-1].pk


def _relations(chunk: list[Status]) -> tuple[dict[int, StatusRelations], dict[int, list[MediaAttachment]]]:
    """Load the mentions, hashtags, polls and media of a chunk of statuses in four queries."""
    ids = [status.pk for status in chunk]
    mentioned: dict[int, list[Actor]] = defaultdict(list)
    for mention in Mention.objects.filter(status_id__in=ids).select_related("account").order_by("id"):
        mentioned[mention.status_id].append(mention.account)
    tags: dict[int, list[str]] = defaultdict(list)
    for status_id, name in Status.tags.through.objects.filter(status_id__in=ids).values_list("status_id", "tag__name"):
        tags[status_id].append(name)
    polls = {poll.status_id: poll for poll in Poll.objects.filter(status_id__in=ids)}
    media: dict[int, list[MediaAttachment]] = defaultdict(list)
    for item in MediaAttachment.objects.filter(status_id__in=ids).order_by("position", "id"):
        if item.status_id is not None:
            media[item.status_id].append(item)
    relations = {
        status_id: StatusRelations(
            mentioned=mentioned[status_id],
            tags=tags[status_id],
            poll=polls.get(status_id),
            media=sorted(media[status_id], key=lambda item: (item.position, item.pk)),
        )
        for status_id in ids
    }
    return relations, media


def outbox_items(actor: Actor) -> Iterator[dict[str, Any]]:
    """Yield the member's Create and Announce activities, newest first, without their @context."""
    for chunk in _status_chunks(actor):
        relations, media = _relations(chunk)
        for status in chunk:
            related = relations[status.pk]
            if status.reblog_of_id is not None:
                activity = announce_for_reblog(status, related.mentioned)
            else:
                activity = create_for_status(status, related)
                note = activity["object"]
                _rewrite_attachments(note, media.get(status.pk, []))
                if status.visibility == Visibility.LOCAL:
                    # Never federated: keep the member-only audience so an import here restores it.
                    note["localOnly"] = True
            activity.pop("@context", None)
            yield activity


def _write_outbox(archive: zipfile.ZipFile, actor: Actor, callback: ProgressCallback) -> None:
    total = Status.objects.filter(account=actor).count()
    _progress(callback, "statuses", 0)

    def counted() -> Iterator[dict[str, Any]]:
        for done, item in enumerate(outbox_items(actor), start=1):
            if done % 2000 == 0:
                _progress(callback, "statuses", done / max(total, 1))
            yield item

    _write_collection(archive, "outbox.json", total, counted())


def _write_media(archive: zipfile.ZipFile, actor: Actor, callback: ProgressCallback) -> None:
    uploads = MediaAttachment.objects.filter(account=actor).exclude(file="").order_by("id")
    total = uploads.count()
    for done, media in enumerate(uploads.iterator(chunk_size=CHUNK), start=1):
        source = Path(media.file.path)
        if source.is_file():
            # Media is already compressed; storing it keeps the copy at disk speed.
            archive.write(source, media_path(media), compress_type=zipfile.ZIP_STORED)
        if done % 50 == 0:
            _progress(callback, "media", done / max(total, 1))


def _uri_collection(archive: zipfile.ZipFile, name: str, queryset: QuerySet[Any]) -> None:
    uris = queryset.values_list("status__uri", flat=True).order_by("-id")
    _write_collection(archive, name, queryset.count(), iter(uris.iterator(chunk_size=CHUNK)))


def _social_graph(archive: zipfile.ZipFile, actor: Actor) -> None:
    follows = Follow.objects.filter(follower=actor).select_related("target").order_by("-id")
    _write_csv(
        archive,
        "following_accounts.csv",
        FOLLOWING_HEADER,
        (
            [account_address(f.target), _bool(f.show_reblogs), _bool(f.notify), ""]
            for f in follows.iterator(chunk_size=CHUNK)
        ),
    )
    mutes = Mute.objects.filter(account=actor).select_related("target").order_by("-id")
    _write_csv(
        archive,
        "muted_accounts.csv",
        MUTED_HEADER,
        ([account_address(m.target), _bool(m.hide_notifications)] for m in mutes.iterator(chunk_size=CHUNK)),
    )
    blocks = Block.objects.filter(account=actor).select_related("target").order_by("-id")
    _write_csv(
        archive, "blocked_accounts.csv", None, ([account_address(b.target)] for b in blocks.iterator(chunk_size=CHUNK))
    )
    domains = AccountDomainBlock.objects.filter(account=actor).order_by("domain").values_list("domain", flat=True)
    _write_csv(archive, "blocked_domains.csv", None, ([domain] for domain in domains.iterator(chunk_size=CHUNK)))
    bookmarks = Bookmark.objects.filter(account=actor).order_by("-id").values_list("status__uri", flat=True)
    _write_csv(archive, "bookmarks.csv", None, ([uri] for uri in bookmarks.iterator(chunk_size=CHUNK)))
    entries = ListAccount.objects.filter(list__account=actor).select_related("list", "account")
    _write_csv(
        archive,
        "lists.csv",
        None,
        (
            [e.list.title, account_address(e.account)]
            for e in entries.order_by("list_id", "id").iterator(chunk_size=CHUNK)
        ),
    )


def _coop(archive: zipfile.ZipFile, user: User, actor: Actor) -> None:
    _write_csv(
        archive,
        "coop/membership_history.csv",
        ["occurred_at", "kind", "from_status", "to_status", "role", "reason", "by", "authorised_by"],
        (
            [
                event.occurred_at.isoformat(),
                event.kind,
                event.from_status,
                event.to_status,
                event.role,
                event.reason,
                event.actor_user.username if event.actor_user else "",
                event.authorised_by,
            ]
            for event in membership_history(user).select_related("actor_user")
        ),
    )
    _write_csv(archive, "coop/register_entries.csv", JOURNAL_HEADER, (journal_row(e) for e in holder_entries(user)))
    certificate = certificate_for(user, timezone.localdate())
    _write_json(
        archive,
        "coop/certificate.json",
        {
            "holder": user.username,
            "as_of": certificate.as_of.isoformat(),
            "holdings": [
                {
                    "share_class": line.share_class.name,
                    "quantity": line.quantity,
                    "nominal_total": f"{line.nominal_total:.2f}",
                    "currency": line.share_class.currency,
                }
                for line in certificate.lines
            ],
            "total_nominal": f"{certificate.total_nominal:.2f}",
            "register_head_hash": certificate.head_hash,
        },
    )
    payments = DuesPayment.objects.filter(user=user).order_by("period", "id")
    _write_csv(
        archive,
        "coop/dues.csv",
        ["period", "months", "amount", "currency", "paid_on", "source", "note"],
        (
            [
                p.period.isoformat(),
                str(p.months),
                f"{p.amount:.2f}",
                p.currency,
                p.paid_on.isoformat(),
                p.source,
                p.note,
            ]
            for p in payments
        ),
    )
    choices = DuesTierChoice.objects.filter(user=user).select_related("tier").order_by("chosen_at", "id")
    _write_csv(
        archive,
        "coop/dues_tiers.csv",
        ["chosen_at", "tier", "monthly_amount", "currency", "hardship_waiver"],
        (
            [
                c.chosen_at.isoformat(),
                c.tier.name,
                f"{c.tier.monthly_amount:.2f}",
                c.tier.currency,
                "yes" if c.tier.hardship_waiver else "no",
            ]
            for c in choices
        ),
    )
    for document in _documents:
        _write_json(archive, document.name, document.build(user, actor))


def write_archive(user: User, actor: Actor, destination: Path, callback: ProgressCallback) -> int:
    """Write the member's whole archive to `destination`; return its size in bytes."""
    with zipfile.ZipFile(destination, "w", compression=zipfile.ZIP_DEFLATED, allowZip64=True) as archive:
        _progress(callback, "profile", 0)
        _write_json(archive, "actor.json", actor_document(archive, actor))
        _write_outbox(archive, actor, callback)
        _progress(callback, "media", 0)
        _write_media(archive, actor, callback)
        _progress(callback, "lists", 0)
        _uri_collection(archive, "likes.json", Favourite.objects.filter(account=actor))
        _uri_collection(archive, "bookmarks.json", Bookmark.objects.filter(account=actor))
        _social_graph(archive, actor)
        _progress(callback, "coop", 0)
        _coop(archive, user, actor)
        with _text_entry(archive, "README.txt") as out:
            out.write(
                README.format(
                    instance=base_url(),
                    handle=account_address(actor),
                    moment=timezone.now().isoformat(timespec="seconds"),
                )
                + "".join(document.readme for document in _documents)
            )
    return destination.stat().st_size


__all__ = [
    "ArchiveDocument",
    "account_address",
    "media_path",
    "outbox_items",
    "register_archive_document",
    "write_archive",
]
