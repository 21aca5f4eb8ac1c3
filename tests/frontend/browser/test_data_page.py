"""The "My data" page in a real browser: a member prepares an archive, downloads it, and the page passes the audit."""

from __future__ import annotations

import zipfile

import pytest
from playwright.sync_api import Page, expect

from tests.frontend.browser.audit import serious_violations
from tests.frontend.browser.conftest import DESK, assert_fits, screenshot
from tests.frontend.browser.test_pages import Demo, sign_in

pytestmark = pytest.mark.live


def test_member_prepares_and_downloads_an_archive(page: Page, demo: Demo, width: int) -> None:
    instance, passwords = demo
    # One member at each width, so each starts with no archive.
    member = "alice" if width == DESK else "bob"
    sign_in(page, instance, member, passwords[member])
    page.goto(instance.url("/coop/data"))
    expect(page.get_by_role("heading", name="What we hold about you")).to_be_visible()
    expect(page.get_by_role("rowheader", name="Posts and boosts")).to_be_visible()
    assert serious_violations(page) == []
    page.get_by_role("button", name="Prepare an archive").click()
    expect(page.get_by_role("status")).to_contain_text("Your archive is being prepared")
    # The worker builds the archive after the commit.
    for _ in range(120):
        if page.get_by_role("link", name="Download").count():
            break
        page.wait_for_timeout(500)
        page.reload()
    link = page.get_by_role("link", name="Download")
    expect(link).to_be_visible()
    assert_fits(page)
    screenshot(page, f"data-{width}")
    assert serious_violations(page) == []
    with page.expect_download() as download_info:
        link.click()
    path = download_info.value.path()
    with zipfile.ZipFile(path) as archive:
        assert {"actor.json", "outbox.json", "following_accounts.csv", "README.txt"} <= set(archive.namelist())
