"""Every main page of the web app passes the accessibility audit, signed in as an officer and moderator."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page

from tests.frontend.browser.audit import serious_violations
from tests.frontend.browser.test_pages import Demo, sign_in

pytestmark = pytest.mark.live

PUBLIC_PAGES = [
    "/",
    "/login",
    "/password/reset",
    "/coop/apply",
    "/governance/log",
    "/governance/rules",
    "/governance/bylaws",
]
MEMBER_PAGES = [
    "/home",
    "/timelines/local",
    "/timelines/federated",
    "/tags/coop",
    "/notifications",
    "/search?q=bob",
    "/bookmarks",
    "/favourites",
    "/lists",
    "/filters",
    "/mutes",
    "/settings/profile",
    "/settings/security",
    "/@alice",
    "/coop/membership",
    "/coop/officers",
    "/coop/officers/register",
    "/coop/data",
    "/coop/migration",
    "/coop/deletion",
    "/governance/proposals",
    "/governance/proposals/new",
    "/governance/receipts",
    "/governance/my-moderation",
    "/governance/moderation",
    "/governance/moderation/appeals",
    "/governance/moderation/trends",
    "/governance/admin/settings",
]


def test_every_main_page_passes_the_audit(page: Page, demo: Demo) -> None:
    instance, passwords = demo
    instance.shell(
        "from members.actions.roles import do_grant_role; from members.models import Role, User; "
        "do_grant_role(User.objects.get(username='admin'), Role.MODERATOR, authorised_by='Test appointment')"
    )
    found: dict[str, list[str]] = {}
    for path in PUBLIC_PAGES:
        page.goto(instance.url(path))
        found[path] = serious_violations(page)
    sign_in(page, instance, "admin", passwords["admin"])
    for path in MEMBER_PAGES:
        response = page.goto(instance.url(path))
        assert response is not None and response.status == 200, path
        found[path] = serious_violations(page)
    assert {path: problems for path, problems in found.items() if problems} == {}
