"""Holdings derived from the register: replayed in Python or summed in the database."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from django.db.models import Q, QuerySet, Sum

from members.models import AccountDeletion, Membership, MembershipStatus, RegisterEntry, ShareClass, User
from members.models.register import MOVING_KINDS

# (user id, share class id) → number of shares.
Holdings = dict[tuple[int, int], int]


def replay_entries(entries: Iterable[RegisterEntry]) -> Holdings:
    """Return the holdings that result from applying entries one by one, dropping zeros."""
    holdings: defaultdict[tuple[int, int], int] = defaultdict(int)
    for entry in entries:
        if entry.kind not in MOVING_KINDS:
            continue
        if entry.from_user_id is not None:
            holdings[(entry.from_user_id, entry.share_class_id)] -= entry.quantity
        if entry.to_user_id is not None:
            holdings[(entry.to_user_id, entry.share_class_id)] += entry.quantity
    return {key: quantity for key, quantity in holdings.items() if quantity != 0}


def moving_entries(*, as_of: date | None = None, known_at: datetime | None = None) -> QuerySet[RegisterEntry]:
    """Return the entries that move shares, effective by `as_of` and recorded by `known_at`."""
    entries = RegisterEntry.objects.filter(kind__in=MOVING_KINDS)
    if as_of is not None:
        entries = entries.filter(effective_date__lte=as_of)
    if known_at is not None:
        entries = entries.filter(recorded_at__lte=known_at)
    return entries


def derived_holdings(
    *, as_of: date | None = None, known_at: datetime | None = None, user_ids: Collection[int] | None = None
) -> Holdings:
    """Return every non-zero holding (or the given holders'), summed by the database."""
    entries = moving_entries(as_of=as_of, known_at=known_at)
    holdings: defaultdict[tuple[int, int], int] = defaultdict(int)
    receiving = entries.filter(to_user__isnull=False)
    giving = entries.filter(from_user__isnull=False)
    if user_ids is not None:
        receiving = receiving.filter(to_user_id__in=user_ids)
        giving = giving.filter(from_user_id__in=user_ids)
    received = receiving.values("to_user_id", "share_class_id").annotate(n=Sum("quantity"))
    for row in received:
        holdings[(row["to_user_id"], row["share_class_id"])] += row["n"]
    given = giving.values("from_user_id", "share_class_id").annotate(n=Sum("quantity"))
    for row in given:
        holdings[(row["from_user_id"], row["share_class_id"])] -= row["n"]
    return {key: quantity for key, quantity in holdings.items() if quantity != 0}


def holdings_of(user_id: int, *, as_of: date | None = None, known_at: datetime | None = None) -> dict[int, int]:
    """Return one holder's shares by share class id."""
    entries = moving_entries(as_of=as_of, known_at=known_at).filter(Q(from_user_id=user_id) | Q(to_user_id=user_id))
    return {class_id: quantity for (holder, class_id), quantity in replay_entries(entries).items() if holder == user_id}


def holding_limit_problem(user_id: int, share_class: ShareClass, change: int, effective_date: date) -> str | None:
    """Return why adding `change` shares at `effective_date` breaks the holder's limits at any date, or None.

    A holding must never be negative nor above the class maximum at any
    effective date, including dates after a back-dated entry.
    """
    entries = list(
        moving_entries()
        .filter(share_class=share_class)
        .filter(Q(from_user_id=user_id) | Q(to_user_id=user_id))
        .order_by("effective_date", "sequence")
    )
    changes = [(entry.effective_date, entry.sequence, _change_for(entry, user_id)) for entry in entries]
    changes.append((effective_date, 2**62, change))
    running = 0
    for _, _, step in sorted(changes):
        running += step
        if running < 0:
            return "would leave a negative holding"
        if share_class.max_per_member is not None and running > share_class.max_per_member:
            return f"would exceed the maximum of {share_class.max_per_member} {share_class.name} per member"
    return None


def _change_for(entry: RegisterEntry, user_id: int) -> int:
    change = 0
    if entry.from_user_id == user_id:
        change -= entry.quantity
    if entry.to_user_id == user_id:
        change += entry.quantity
    return change


@dataclass(frozen=True)
class RegisterLine:
    """A holder's holding of one share class, as the register shows it on a date."""

    user: User
    share_class: ShareClass
    quantity: int

    @property
    def nominal_total(self) -> Decimal:
        """Return the holding's nominal value."""
        return self.share_class.nominal_value * self.quantity


def register_as_of(as_of: date | None = None) -> list[RegisterLine]:
    """Return the register's lines on a date (today if None), ordered by holder and class."""
    holdings = derived_holdings(as_of=as_of)
    users = User.objects.in_bulk({user_id for user_id, _ in holdings})
    classes = ShareClass.objects.in_bulk({class_id for _, class_id in holdings})
    lines = [
        RegisterLine(user=users[user_id], share_class=classes[class_id], quantity=quantity)
        for (user_id, class_id), quantity in holdings.items()
    ]
    return sorted(lines, key=lambda line: (line.user.username.lower(), line.share_class.name))


def holdings_of_user(user: User) -> list[RegisterLine]:
    """Return one holder's lines today, ordered by class."""
    held = holdings_of(user.pk)
    classes = ShareClass.objects.in_bulk(list(held))
    lines = [RegisterLine(user, classes[class_id], quantity) for class_id, quantity in held.items()]
    return sorted(lines, key=lambda line: line.share_class.name)


def holdings_awaiting_redemption() -> list[RegisterLine]:
    """Return the shares still held by people who left, were expelled, or asked for their account's deletion."""
    leaving = set(
        Membership.objects.filter(
            status__in=[MembershipStatus.RESIGNED, MembershipStatus.EXPELLED, MembershipStatus.DELETED]
        ).values_list("user_id", flat=True)
    ) | set(
        AccountDeletion.objects.filter(state=AccountDeletion.State.SCHEDULED, user__isnull=False).values_list(
            "user_id", flat=True
        )
    )
    return [line for line in register_as_of() if line.user.pk in leaving]
