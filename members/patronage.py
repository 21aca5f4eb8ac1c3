"""The patronage formula: divide a surplus into reserves and pools, each split by a measure.

Pure arithmetic over recorded inputs, so a stored allocation can always be
recomputed and checked. Amounts are rounded down to the cent; every cent
left over goes to reserves.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal
from typing import Any

CENT = Decimal("0.01")
MEASURES = ("dues_paid", "contribution_hours", "shares")


def to_cents(amount: Decimal) -> Decimal:
    """Round down to the cent."""
    return amount.quantize(CENT, rounding=ROUND_DOWN)


@dataclass(frozen=True)
class Pool:
    """A part of the distributable surplus, split between members in proportion to a measure.

    With `share_class_id`, only holders of that class share the pool. `cap`
    limits what one member receives from it; a `shares` pool is also capped
    by the bylaws' maximum interest rate on capital.
    """

    name: str
    fraction: Decimal
    measure: str
    share_class_id: int | None = None
    cap: Decimal | None = None

    def to_json(self) -> dict[str, Any]:
        """Return the pool as stored in an allocation's formula."""
        return {
            "name": self.name,
            "fraction": str(self.fraction),
            "measure": self.measure,
            "share_class_id": self.share_class_id,
            "cap": None if self.cap is None else str(self.cap),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Pool:
        """Return a pool read back from a stored formula."""
        return cls(
            name=data["name"],
            fraction=Decimal(data["fraction"]),
            measure=data["measure"],
            share_class_id=data.get("share_class_id"),
            cap=None if data.get("cap") is None else Decimal(data["cap"]),
        )


@dataclass(frozen=True)
class Formula:
    """Reserves first, then the pools, whose fractions are of what remains."""

    reserve_fraction: Decimal
    pools: tuple[Pool, ...]
    capital_rate: Decimal = Decimal(0)

    def to_json(self) -> dict[str, Any]:
        """Return the formula as stored in an allocation."""
        return {
            "reserve_fraction": str(self.reserve_fraction),
            "capital_rate": str(self.capital_rate),
            "pools": [pool.to_json() for pool in self.pools],
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Formula:
        """Return a formula read back from an allocation."""
        return cls(
            reserve_fraction=Decimal(data["reserve_fraction"]),
            capital_rate=Decimal(data["capital_rate"]),
            pools=tuple(Pool.from_json(pool) for pool in data["pools"]),
        )


# Pool name → user id → the member's measure for that pool.
Measures = dict[str, dict[int, Decimal]]


@dataclass(frozen=True)
class StatementLine:
    """What one member receives from one pool."""

    user_id: int
    pool: str
    measure: str
    measure_value: Decimal
    amount: Decimal


@dataclass(frozen=True)
class Division:
    """The result of applying a formula: the amount kept in reserves and the members' lines."""

    reserve: Decimal
    lines: tuple[StatementLine, ...]


def divide_surplus(surplus: Decimal, formula: Formula, measures: Measures) -> Division:
    """Apply the formula to the surplus and measures; the reserve and the lines add up to the surplus."""
    reserve = to_cents(surplus * formula.reserve_fraction)
    distributable = surplus - reserve
    lines: list[StatementLine] = []
    handed_out = Decimal(0)
    for pool in formula.pools:
        pool_amount = to_cents(distributable * pool.fraction)
        values = {user_id: value for user_id, value in measures.get(pool.name, {}).items() if value > 0}
        total = sum(values.values(), Decimal(0))
        if total == 0:
            continue
        for user_id in sorted(values):
            value = values[user_id]
            amount = to_cents(pool_amount * value / total)
            if pool.cap is not None:
                amount = min(amount, pool.cap)
            if pool.measure == "shares":
                amount = min(amount, to_cents(value * formula.capital_rate))
            handed_out += amount
            lines.append(StatementLine(user_id, pool.name, pool.measure, value, amount))
    return Division(reserve=surplus - handed_out, lines=tuple(lines))


def measures_to_json(measures: Measures) -> dict[str, dict[str, str]]:
    """Return measures as stored with an allocation (JSON keys are strings)."""
    return {pool: {str(user_id): str(value) for user_id, value in values.items()} for pool, values in measures.items()}


def measures_from_json(data: dict[str, dict[str, str]]) -> Measures:
    """Return measures read back from an allocation."""
    return {pool: {int(user_id): Decimal(value) for user_id, value in values.items()} for pool, values in data.items()}


def redivide(surplus: Decimal, formula_json: dict[str, Any], inputs_json: dict[str, dict[str, str]]) -> Division:
    """Recompute a stored allocation from its recorded formula and inputs."""
    return divide_surplus(surplus, Formula.from_json(formula_json), measures_from_json(inputs_json))
