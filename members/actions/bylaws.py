"""Adopt new versions of the bylaws' settings (governance calls this when an amendment passes)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal, InvalidOperation

from django.db import models, transaction
from django.utils import timezone

from members.errors import MemberRefused
from members.models import BylawsVersion
from members.models.bylaws import BYLAWS_SETTINGS
from members.selectors import founding_bylaws

# Settings that are fractions of a whole (quorum, thresholds, rates).
FRACTION_SETTINGS = frozenset(
    {
        "proposal_quorum",
        "proposal_pass_threshold",
        "proposal_block_override",
        "amendment_pass_threshold",
        "amendment_block_override",
        "capital_interest_max_rate",
        "patronage_min_reserve_fraction",
    }
)
# Settings below which the co-op would stop working.
MINIMUMS = {"minimum_voting_shares": 1, "dues_window_months": 1, "dues_grace_months": 1}


def _coerce(name: str, value: object) -> object:
    field = BylawsVersion._meta.get_field(name)
    if isinstance(field, models.BooleanField):
        if not isinstance(value, bool):
            raise MemberRefused(f"{name} must be true or false.")
        return value
    if isinstance(field, models.PositiveIntegerField):
        if isinstance(value, bool) or not isinstance(value, int) or value < MINIMUMS.get(name, 0):
            raise MemberRefused(f"{name} must be a whole number of at least {MINIMUMS.get(name, 0)}.")
        return value
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        raise MemberRefused(f"{name} must be a number.") from None
    if isinstance(value, bool) or not number.is_finite():
        raise MemberRefused(f"{name} must be a number.")
    if name in FRACTION_SETTINGS and not Decimal(0) <= number <= Decimal(1):
        raise MemberRefused(f"{name} must be between 0 and 1.")
    if number <= 0:
        raise MemberRefused(f"{name} must be positive.")
    return number.quantize(Decimal("0.001") if name in FRACTION_SETTINGS else Decimal("0.01"))


def check_adopt_bylaws_version(changes: dict[str, object], *, authorised_by: str) -> dict[str, object]:
    """Validate amended settings and return them normalised; raise MemberRefused naming the problem."""
    if not authorised_by.strip():
        raise MemberRefused("A bylaws amendment must name the decision that adopted it.")
    if not changes:
        raise MemberRefused("A bylaws amendment must change at least one setting.")
    unknown = sorted(set(changes) - set(BYLAWS_SETTINGS))
    if unknown:
        raise MemberRefused(f"Unknown bylaws setting(s): {', '.join(unknown)}.")
    return {name: _coerce(name, value) for name, value in changes.items()}


def do_adopt_bylaws_version(
    changes: dict[str, object], *, authorised_by: str, effective_at: datetime | None = None
) -> BylawsVersion:
    """Record a new version: the latest version's settings with `changes` applied."""
    with transaction.atomic():
        latest = BylawsVersion.objects.select_for_update().order_by("-version").first()
        if latest is None:
            latest = founding_bylaws()
            latest.save()
        new = BylawsVersion(
            version=latest.version + 1,
            effective_at=effective_at or timezone.now(),
            authorised_by=authorised_by.strip(),
            **{name: getattr(latest, name) for name in BYLAWS_SETTINGS},
        )
        for name, value in changes.items():
            setattr(new, name, value)
        new.save()
    return new
