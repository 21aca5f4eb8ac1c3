"""Apply Mastodon's CSV exports: follows, blocks, mutes, hidden domains, bookmarks and lists.

Follows and blocks go through the timeline's actions, so remote servers get
their Follow and Block as for any other. In overwrite mode, what the member
has here and the file does not name is undone after the file is applied, as
Mastodon does.
"""

from __future__ import annotations

from collections.abc import Callable

from django.db import transaction

from federation.domains import check_domain_name
from federation.models import Actor
from members.actions.import_lines import ImportRow, record_line, resolve_address
from members.models import DataImport, DataImportLine
from timeline.access import can_view_status
from timeline.actions.blocks import do_block, do_unblock
from timeline.actions.follows import do_follow, do_unfollow
from timeline.activitypub.statuses import resolve_status
from timeline.models import AccountDomainBlock, Block, Bookmark, Follow, List, ListAccount, Mute

Outcome = DataImportLine.Outcome
Kind = DataImport.Kind
# Applies one row; returns the outcome and the key it keeps (for overwrite).
RowHandler = Callable[[Actor, ImportRow], tuple[str, object]]


def _flag(cells: list[str], index: int, default: bool) -> bool:
    if index >= len(cells) or not cells[index]:
        return default
    return cells[index].strip().lower() in ("true", "1", "yes")


def _follow(actor: Actor, row: ImportRow) -> tuple[str, object]:
    target = resolve_address(row.cells[0])
    existed = Follow.objects.filter(follower=actor, target=target).exists()
    follow = do_follow(actor, target)
    show_reblogs, notify = _flag(row.cells, 1, True), _flag(row.cells, 2, False)
    if (follow.show_reblogs, follow.notify) != (show_reblogs, notify):
        follow.show_reblogs, follow.notify = show_reblogs, notify
        follow.save(update_fields=["show_reblogs", "notify"])
    return (Outcome.UNCHANGED if existed else Outcome.IMPORTED), target.pk


def _block(actor: Actor, row: ImportRow) -> tuple[str, object]:
    target = resolve_address(row.cells[0])
    existed = Block.objects.filter(account=actor, target=target).exists()
    do_block(actor, target)
    return (Outcome.UNCHANGED if existed else Outcome.IMPORTED), target.pk


def _mute(actor: Actor, row: ImportRow) -> tuple[str, object]:
    target = resolve_address(row.cells[0])
    if target.pk == actor.pk:
        raise ValueError("You can't mute yourself.")
    _, created = Mute.objects.update_or_create(
        account=actor, target=target, defaults={"hide_notifications": _flag(row.cells, 1, True)}
    )
    return (Outcome.IMPORTED if created else Outcome.UNCHANGED), target.pk


def _domain_block(actor: Actor, row: ImportRow) -> tuple[str, object]:
    # Kept with its port, as a member hiding it by hand would name it.
    domain = check_domain_name(row.cells[0], keep_port=True)
    _, created = AccountDomainBlock.objects.get_or_create(account=actor, domain=domain)
    return (Outcome.IMPORTED if created else Outcome.UNCHANGED), domain


def _bookmark(actor: Actor, row: ImportRow) -> tuple[str, object]:
    status = resolve_status(row.cells[0])
    if status is None or not can_view_status(actor, status):
        raise ValueError("The post could not be found or is not visible to you.")
    _, created = Bookmark.objects.get_or_create(account=actor, status=status)
    return (Outcome.IMPORTED if created else Outcome.UNCHANGED), status.pk


def _list_entry(actor: Actor, row: ImportRow) -> tuple[str, object]:
    title = row.cells[0][:200]
    if not title:
        raise ValueError("The list has no name.")
    target = resolve_address(row.cells[1])
    if target.pk != actor.pk and not Follow.objects.filter(follower=actor, target=target).exists():
        # Lists hold followed accounts, so Mastodon follows the account first; so does this.
        do_follow(actor, target)
    with transaction.atomic():
        owned = List.objects.filter(account=actor, title=title).order_by("id").first()
        if owned is None:
            owned = List.objects.create(account=actor, title=title)
        _, created = ListAccount.objects.get_or_create(list=owned, account=target)
    return (Outcome.IMPORTED if created else Outcome.UNCHANGED), (owned.pk, target.pk)


HANDLERS: dict[str, RowHandler] = {
    Kind.FOLLOWING: _follow,
    Kind.BLOCKS: _block,
    Kind.MUTES: _mute,
    Kind.DOMAIN_BLOCKS: _domain_block,
    Kind.BOOKMARKS: _bookmark,
    Kind.LISTS: _list_entry,
}


def _overwrite(kind: str, actor: Actor, kept: set[object]) -> None:
    """Undo what the member has of this kind that the file did not name."""
    if kind == Kind.FOLLOWING:
        for follow in Follow.objects.filter(follower=actor).exclude(target_id__in=kept).select_related("target"):
            do_unfollow(actor, follow.target)
    elif kind == Kind.BLOCKS:
        for block in Block.objects.filter(account=actor).exclude(target_id__in=kept).select_related("target"):
            do_unblock(actor, block.target)
    elif kind == Kind.MUTES:
        Mute.objects.filter(account=actor).exclude(target_id__in=kept).delete()
    elif kind == Kind.DOMAIN_BLOCKS:
        AccountDomainBlock.objects.filter(account=actor).exclude(domain__in=kept).delete()
    elif kind == Kind.BOOKMARKS:
        Bookmark.objects.filter(account=actor).exclude(status_id__in=kept).delete()
    elif kind == Kind.LISTS:
        for entry in ListAccount.objects.filter(list__account=actor):
            if (entry.list_id, entry.account_id) not in kept:
                entry.delete()


def import_rows(data_import: DataImport, actor: Actor, rows: list[ImportRow]) -> None:
    """Apply every row, recording its outcome; then, in overwrite mode, undo what the file left out."""
    handler = HANDLERS[data_import.kind]
    kept: set[object] = set()
    for row in rows:
        try:
            outcome, key = handler(actor, row)
        except ValueError as exc:
            # Every refusal (unknown account, blocked, bad domain, unreachable server) is a ValueError.
            record_line(data_import, row.line_number, row.value, Outcome.FAILED, str(exc))
            continue
        kept.add(key)
        record_line(data_import, row.line_number, row.value, outcome)
    if data_import.mode == DataImport.Mode.OVERWRITE:
        _overwrite(data_import.kind, actor, kept)
