"""The co-op API's entities: membership, events, register entries, holdings, dues, bylaws."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from members.holdings import RegisterLine
from members.models import (
    BylawsVersion,
    ContributionRecord,
    DuesPayment,
    DuesTier,
    Membership,
    MembershipEvent,
    PatronageAllocation,
    PatronageStatement,
    RegisterEntry,
    ShareClass,
    User,
)
from members.models.bylaws import BYLAWS_SETTINGS
from members.selectors import membership_history, roles_of
from members.standing import standing_at


def _plain(value: object) -> object:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, date):
        return value.isoformat()
    return value


def _username(user: User | None) -> str | None:
    return user.username if user is not None else None


def event_entity(event: MembershipEvent) -> dict[str, Any]:
    """Return one transition or role change of a membership."""
    return {
        "id": str(event.pk),
        "kind": event.kind,
        "from_status": event.from_status or None,
        "to_status": event.to_status or None,
        "role": event.role or None,
        "reason": event.reason,
        "actor": _username(event.actor_user),
        "authorised_by": event.authorised_by or None,
        "occurred_at": event.occurred_at.isoformat(),
    }


def membership_entity(membership: Membership) -> dict[str, Any]:
    """Return a membership with its standing, roles and full history."""
    standing = standing_at(membership.user_id)
    tier = membership.dues_tier
    return {
        "username": membership.user.username,
        "status": membership.status,
        "in_good_standing": standing.in_good_standing,
        "in_arrears": standing.in_arrears,
        "unpaid_months": [month.strftime("%Y-%m") for month in standing.unpaid_months],
        "roles": roles_of(membership.user),
        "applied_at": membership.applied_at.isoformat(),
        "admitted_at": membership.admitted_at.isoformat() if membership.admitted_at else None,
        "dues_tier": None if tier is None else dues_tier_entity(tier),
        "history": [event_entity(event) for event in membership_history(membership.user)],
    }


def dues_tier_entity(tier: DuesTier) -> dict[str, Any]:
    """Return a step of the dues sliding scale."""
    return {
        "id": str(tier.pk),
        "name": tier.name,
        "monthly_amount": str(tier.monthly_amount),
        "currency": tier.currency,
        "description": tier.description,
        "period_months": tier.period_months,
        "sliding_scale_max": None if tier.sliding_scale_max is None else str(tier.sliding_scale_max),
        "hardship_waiver": tier.hardship_waiver,
    }


def share_class_entity(share_class: ShareClass) -> dict[str, Any]:
    """Return a share class."""
    return {
        "id": str(share_class.pk),
        "name": share_class.name,
        "nominal_value": str(share_class.nominal_value),
        "currency": share_class.currency,
        "min_per_member": share_class.min_per_member,
        "max_per_member": share_class.max_per_member,
        "carries_vote": share_class.carries_vote,
        "transferable": share_class.transferable,
        "redeemable": share_class.redeemable,
        # One member, one vote: a class that carries a vote makes its holders eligible, never heavier.
        "votes_per_member": 1 if share_class.carries_vote else 0,
    }


def entry_entity(entry: RegisterEntry) -> dict[str, Any]:
    """Return one register entry with its hashes."""
    return {
        "sequence": entry.sequence,
        "kind": entry.kind,
        "share_class": share_class_entity(entry.share_class),
        "from": _username(entry.from_user),
        "to": _username(entry.to_user),
        "quantity": entry.quantity,
        "price_per_share": str(entry.price_per_share),
        "amount": str(entry.amount),
        "effective_date": entry.effective_date.isoformat(),
        "recorded_at": entry.recorded_at.isoformat(),
        "approved_by": _username(entry.approved_by),
        "authorised_by": entry.authorised_by or None,
        "request": entry.request.sequence if entry.request else None,
        "reverses": entry.reverses.sequence if entry.reverses else None,
        "payout_due": entry.payout_due.isoformat() if entry.payout_due else None,
        "note": entry.note,
        "previous_hash": entry.previous_hash,
        "entry_hash": entry.entry_hash,
    }


def holding_entity(line: RegisterLine) -> dict[str, Any]:
    """Return one line of the register."""
    return {
        "holder": line.user.username,
        "share_class": share_class_entity(line.share_class),
        "quantity": line.quantity,
        "nominal_total": str(line.nominal_total),
    }


def dues_payment_entity(payment: DuesPayment) -> dict[str, Any]:
    """Return one dues payment."""
    return {
        "id": str(payment.pk),
        "member": payment.user.username,
        "period": payment.period.strftime("%Y-%m"),
        "months": payment.months,
        "amount": str(payment.amount),
        "currency": payment.currency,
        "paid_on": payment.paid_on.isoformat(),
        "source": payment.source,
        "external_id": payment.external_id or None,
    }


def patronage_statement_entity(statement: PatronageStatement) -> dict[str, Any]:
    """Return one line of a member's patronage statement."""
    allocation = statement.allocation
    return {
        "allocation": allocation.label,
        "period_start": allocation.period_start.isoformat(),
        "period_end": allocation.period_end.isoformat(),
        "authorised_by": allocation.authorised_by,
        "pool": statement.pool,
        "measure": statement.measure,
        "measure_value": str(statement.measure_value),
        "amount": str(statement.amount),
        "currency": allocation.currency,
    }


def bylaws_entity(version: BylawsVersion) -> dict[str, Any]:
    """Return the bylaws' settings of a version."""
    return {
        "version": version.version,
        "effective_at": version.effective_at.isoformat(),
        "authorised_by": version.authorised_by,
        "settings": {name: _plain(getattr(version, name)) for name in BYLAWS_SETTINGS},
    }


def contribution_entity(record: ContributionRecord) -> dict[str, Any]:
    """Return hours a member contributed to a working group."""
    return {
        "id": str(record.pk),
        "member": record.user.username,
        "group": record.group.name,
        "worked_on": record.worked_on.isoformat(),
        "hours": str(record.hours),
        "description": record.description,
        "recorded_by": record.recorded_by.username,
    }


def allocation_entity(allocation: PatronageAllocation, *, with_statements: bool = False) -> dict[str, Any]:
    """Return a patronage allocation; with its statements, one per member and pool, adding up to what was allocated."""
    entity: dict[str, Any] = {
        "id": str(allocation.pk),
        "label": allocation.label,
        "period_start": allocation.period_start.isoformat(),
        "period_end": allocation.period_end.isoformat(),
        "surplus": str(allocation.surplus),
        "reserve": str(allocation.reserve_amount),
        "allocated": str(allocation.surplus - allocation.reserve_amount),
        "currency": allocation.currency,
        "formula": allocation.formula,
        "authorised_by": allocation.authorised_by,
        "recorded_at": allocation.recorded_at.isoformat(),
    }
    if with_statements:
        statements = allocation.statements.select_related("user").order_by("user__username", "pool")
        entity["statements"] = [
            {
                "member": statement.user.username,
                "pool": statement.pool,
                "measure": statement.measure,
                "measure_value": str(statement.measure_value),
                "amount": str(statement.amount),
            }
            for statement in statements
        ]
    return entity
