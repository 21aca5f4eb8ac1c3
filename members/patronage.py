"""The patronage formula: divide a surplus into reserves and pools, each split by a measure.

Pure arithmetic over recorded inputs, so a stored allocation can always be
recomputed and checked. Each pool is handed out whole, to the cent, by
largest remainder; only what a cap withholds (and the rounding of the
reserve and pool amounts themselves) goes to reserves.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal
from typing import Any

CENT = Decimal("0.01")
MEASURES = ("dues_paid", "contribution_hours", "posts", "shares")


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


def _limit(pool_amount: Decimal, pool: Pool, value: Decimal, capital_rate: Decimal) -> Decimal:
    """Return the most one member may receive from a pool: its cap, and the capital interest cap for shares."""
    limit = pool_amount
    if pool.cap is not None:
        limit = min(limit, pool.cap)
    if pool.measure == "shares":
        limit = min(limit, to_cents(value * capital_rate))
    return limit


def _split_pool(
    pool_amount: Decimal, pool: Pool, values: dict[int, Decimal], capital_rate: Decimal
) -> dict[int, Decimal]:
    """Split a pool in proportion to the values, to the cent, by largest remainder.

    Each member first gets their share rounded down; the cents that rounding
    left over go one each to the largest remainders (ties to the lower user
    id), so the pool is handed out whole unless a cap stops it.
    """
    total = sum(values.values(), Decimal(0))
    exact = {user_id: pool_amount * value / total for user_id, value in values.items()}
    limits = {user_id: _limit(pool_amount, pool, value, capital_rate) for user_id, value in values.items()}
    amounts = {user_id: min(to_cents(share), limits[user_id]) for user_id, share in exact.items()}
    left = pool_amount - sum(amounts.values(), Decimal(0))
    by_remainder = sorted(values, key=lambda user_id: (-(exact[user_id] - amounts[user_id]), user_id))
    for user_id in by_remainder:
        if left < CENT:
            break
        if amounts[user_id] + CENT <= limits[user_id] and amounts[user_id] < exact[user_id]:
            amounts[user_id] += CENT
            left -= CENT
    return amounts


def divide_surplus(surplus: Decimal, formula: Formula, measures: Measures) -> Division:
    """Apply the formula to the surplus and measures; the reserve and the lines add up to the surplus."""
    reserve = to_cents(surplus * formula.reserve_fraction)
    distributable = surplus - reserve
    lines: list[StatementLine] = []
    handed_out = Decimal(0)
    for pool in formula.pools:
        pool_amount = to_cents(distributable * pool.fraction)
        values = {user_id: value for user_id, value in measures.get(pool.name, {}).items() if value > 0}
        if not values:
            continue
        amounts = _split_pool(pool_amount, pool, values, formula.capital_rate)
        for user_id in sorted(values):
            handed_out += amounts[user_id]
            lines.append(StatementLine(user_id, pool.name, pool.measure, values[user_id], amounts[user_id]))
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
