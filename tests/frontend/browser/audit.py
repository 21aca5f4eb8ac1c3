"""Run the axe-core accessibility audit on a page."""

from __future__ import annotations

from typing import Any

from axe_playwright_python.sync_playwright import Axe  # type: ignore[import-untyped]  # ships no type information
from playwright.sync_api import Page

_axe = Axe()
BLOCKING_IMPACTS = {"serious", "critical"}
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]


def serious_violations(page: Page, *, rules: list[str] | None = None) -> list[str]:
    """Return the WCAG 2.1 A/AA violations of serious or critical impact, one line each.

    With `rules`, run only those axe rules (by id) instead of every WCAG 2.1 A/AA one.
    """
    run_only = {"type": "rule", "values": rules} if rules else {"type": "tag", "values": WCAG_TAGS}
    options: dict[str, Any] = {"resultTypes": ["violations"], "runOnly": run_only}
    results = _axe.run(page, options=options)
    return [
        f"{violation['id']} ({violation['impact']}): {violation['help']} at "
        + ", ".join(",".join(node["target"]) for node in violation["nodes"])
        for violation in results.response["violations"]
        if violation["impact"] in BLOCKING_IMPACTS
    ]
