"""Allocate a surplus as patronage, by a formula the assembly approved, from recorded inputs."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.db.models import Count, Sum
from django.utils import timezone

from members.actions.authority import check_ownership_authority
from members.errors import MemberRefused
from members.holdings import derived_holdings
from members.models import (
    BylawsVersion,
    ContributionRecord,
    DuesPayment,
    MembershipStatus,
    PatronageAllocation,
    PatronageStatement,
    ShareClass,
    User,
)
from members.patronage import CENT, MEASURES, Division, Formula, Measures, Pool, divide_surplus, measures_to_json
from members.selectors import bylaws_in_force, statuses_at
from timeline.models import Status


@dataclass(frozen=True)
class PatronageDraft:
    """An allocation of a period's surplus that passed its checks against the bylaws."""

    label: str
    period_start: date
    period_end: date
    surplus: Decimal
    formula: Formula
    authorised_by: str


def parse_formula(reserve_fraction: str, pools: list[dict[str, str]], *, capital_rate: str = "") -> Formula:
    """Read a formula from text fields (each pool: name, fraction, measure[, cap, share_class_id])."""

    def number(text: str, what: str) -> Decimal:
        try:
            value = Decimal(text.strip())
        except InvalidOperation:
            raise MemberRefused(f"{what} must be a number.") from None
        if not value.is_finite():
            raise MemberRefused(f"{what} must be a number.")
        return value

    parsed = []
    for pool in pools:
        name = pool.get("name", "").strip()
        cap, class_id = pool.get("cap", "").strip(), pool.get("share_class_id", "").strip()
        if class_id and not class_id.isdigit():
            raise MemberRefused(f"Pool {name!r}: share_class_id must name a share class.")
        parsed.append(
            Pool(
                name=name,
                fraction=number(pool.get("fraction", ""), f"Pool {name!r}'s fraction"),
                measure=pool.get("measure", "").strip(),
                share_class_id=int(class_id) if class_id else None,
                cap=number(cap, f"Pool {name!r}'s cap") if cap else None,
            )
        )
    rate = (
        number(capital_rate, "The capital rate")
        if capital_rate.strip()
        else bylaws_in_force().capital_interest_max_rate
    )
    return Formula(number(reserve_fraction, "The reserve fraction"), tuple(parsed), capital_rate=rate)


def check_allocate_patronage(
    label: str,
    *,
    period_start: date,
    period_end: date,
    surplus: Decimal,
    formula: Formula,
    authorised_by: str,
    actor_user: User | None = None,
) -> PatronageDraft:
    """Validate an allocation against the bylaws: reserves first, capital interest only if allowed.

    Where the bylaws reserve patronage to the assembly, the allocation names
    the decision; otherwise a treasurer (or admin) may allocate, and the
    allocation names them.
    """
    bylaws = bylaws_in_force()
    if not bylaws.assembly_decides_patronage and not authorised_by.strip():
        check_ownership_authority(False, actor_user=actor_user, authorised_by="", reserved_message="")
        authorised_by = f"Treasurer {actor_user.username}" if actor_user is not None else ""
    if not label.strip():
        raise MemberRefused("An allocation needs a label, such as the financial year.")
    if PatronageAllocation.objects.filter(label__iexact=label.strip()).exists():
        raise MemberRefused(f"An allocation labelled {label!r} exists already.")
    if not authorised_by.strip():
        raise MemberRefused("Patronage is allocated by an assembly decision; name it.")
    if period_end < period_start:
        raise MemberRefused("The period ends before it starts.")
    if not surplus.is_finite() or surplus < 0:
        raise MemberRefused("The surplus cannot be negative.")
    if surplus != surplus.quantize(CENT):
        raise MemberRefused("The surplus is in whole cents.")
    if not bylaws.patronage_min_reserve_fraction <= formula.reserve_fraction <= 1:
        minimum = format((bylaws.patronage_min_reserve_fraction * 100).normalize(), "f")
        raise MemberRefused(f"Reserves must take between {minimum}% and 100% of the surplus.")
    _check_pools(formula, bylaws)
    if formula.capital_rate != bylaws.capital_interest_max_rate:
        raise MemberRefused(f"The capital interest cap must be the bylaws' rate ({bylaws.capital_interest_max_rate}).")
    return PatronageDraft(label.strip(), period_start, period_end, surplus, formula, authorised_by.strip())


def _check_pools(formula: Formula, bylaws: BylawsVersion) -> None:
    names = [pool.name for pool in formula.pools]
    if not names or len(set(names)) != len(names) or not all(name.strip() for name in names):
        raise MemberRefused("The formula needs at least one pool, each with its own name.")
    if sum((pool.fraction for pool in formula.pools), Decimal(0)) > 1 or any(p.fraction <= 0 for p in formula.pools):
        raise MemberRefused("Pool fractions must be positive and add up to at most 1.")
    for pool in formula.pools:
        if pool.measure not in MEASURES:
            raise MemberRefused(f"Unknown measure {pool.measure!r}; measures are {', '.join(MEASURES)}.")
        if pool.cap is not None and pool.cap < 0:
            raise MemberRefused("A cap cannot be negative.")
        if pool.share_class_id is not None and not ShareClass.objects.filter(pk=pool.share_class_id).exists():
            raise MemberRefused(f"Pool {pool.name!r} names an unknown share class.")
        if pool.measure == "shares" and not bylaws.capital_interest_allowed:
            raise MemberRefused("The bylaws do not allow interest on capital, so no pool may be split by shares.")


def gather_measures(period_start: date, period_end: date, formula: Formula) -> Measures:
    """Return each member's measure per pool: members at the period's end, from the records of the period.

    Posts are the statuses a member wrote in the period (boosts are not
    writing) that still exist: a deleted post no longer counts.
    """
    end_moment = datetime.combine(period_end, time.max, tzinfo=UTC)
    members = {user_id for user_id, status in statuses_at(end_moment).items() if status == MembershipStatus.MEMBER}
    holdings = derived_holdings(as_of=period_end, known_at=end_moment)
    values = dict(ShareClass.objects.values_list("pk", "nominal_value"))
    dues = dict(
        DuesPayment.objects.filter(user_id__in=members, paid_on__range=(period_start, period_end))
        .values("user_id")
        .annotate(total=Sum("amount"))
        .values_list("user_id", "total")
    )
    hours = dict(
        ContributionRecord.objects.filter(user_id__in=members, worked_on__range=(period_start, period_end))
        .values("user_id")
        .annotate(total=Sum("hours"))
        .values_list("user_id", "total")
    )
    posts = dict(
        Status.objects.filter(
            account__user_id__in=members,
            reblog_of__isnull=True,
            created_at__range=(
                datetime.combine(period_start, time.min, tzinfo=UTC),
                end_moment,
            ),
        )
        .values("account__user_id")
        .annotate(total=Count("id"))
        .values_list("account__user_id", "total")
    )
    measures: Measures = {}
    for pool in formula.pools:
        capital: defaultdict[int, Decimal] = defaultdict(Decimal)
        for (user_id, class_id), quantity in holdings.items():
            if pool.share_class_id in (None, class_id):
                capital[user_id] += values[class_id] * quantity
        eligible = {user_id for user_id in members if pool.share_class_id is None or capital.get(user_id)}
        source = {"dues_paid": dues, "contribution_hours": hours, "posts": posts, "shares": capital}[pool.measure]
        measures[pool.name] = {user_id: Decimal(source[user_id]) for user_id in eligible if source.get(user_id)}
    return measures


def do_allocate_patronage(draft: PatronageDraft) -> PatronageAllocation:
    """Record the allocation with its formula and inputs, and each member's statement."""
    measures = gather_measures(draft.period_start, draft.period_end, draft.formula)
    division: Division = divide_surplus(draft.surplus, draft.formula, measures)
    with transaction.atomic():
        allocation = PatronageAllocation.objects.create(
            label=draft.label,
            period_start=draft.period_start,
            period_end=draft.period_end,
            surplus=draft.surplus,
            reserve_amount=division.reserve,
            formula=draft.formula.to_json(),
            inputs=measures_to_json(measures),
            authorised_by=draft.authorised_by,
            recorded_at=timezone.now(),
        )
        PatronageStatement.objects.bulk_create(
            PatronageStatement(
                allocation=allocation,
                user_id=line.user_id,
                pool=line.pool,
                measure=line.measure,
                measure_value=line.measure_value,
                amount=line.amount,
            )
            for line in division.lines
        )
    return allocation
