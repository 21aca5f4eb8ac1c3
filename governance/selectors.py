"""Read queries over the charter and rules."""

from __future__ import annotations

from governance.models import CharterVersion, RuleVersion


def current_charter() -> CharterVersion | None:
    """Return the charter version in force, if any has been adopted."""
    return CharterVersion.objects.order_by("-version").first()


def rules_in_force() -> list[RuleVersion]:
    """Return the latest version of every rule that is not retired, in rule order."""
    latest: dict[int, RuleVersion] = {}
    for version in RuleVersion.objects.select_related("rule").order_by("rule__position", "version"):
        latest[version.rule_id] = version
    return [version for version in latest.values() if not version.retired]
