"""The migration and deletion pages in a real browser: usable with labels alone, and passing the audit."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.frontend.browser.audit import serious_violations
from tests.frontend.browser.conftest import DESK, assert_fits, screenshot
from tests.frontend.browser.test_pages import Demo, sign_in

pytestmark = pytest.mark.live


def test_member_requests_deletion_reads_the_receipt_and_cancels(page: Page, demo: Demo, width: int) -> None:
    instance, passwords = demo
    # One member at each width, so each has one deletion request and one receipt.
    member = "alice" if width == DESK else "bob"
    sign_in(page, instance, member, passwords[member])
    page.goto(instance.url("/coop/migration"))
    expect(page.get_by_role("heading", name="Move my account", level=1)).to_be_visible()
    expect(page.get_by_label("Old account (user@server)")).to_be_visible()
    assert serious_violations(page) == []

    page.goto(instance.url("/coop/deletion"))
    assert serious_violations(page) == []
    page.get_by_label("Your password").fill("not my password")
    page.get_by_label("I understand that my posts, media and profile will be erased").check()
    page.get_by_role("button", name="Delete my account").click()
    expect(page.get_by_role("alert")).to_contain_text("The password is wrong.")

    page.get_by_label("Your password").fill(passwords[member])
    page.get_by_label("I understand that my posts, media and profile will be erased").check()
    page.get_by_role("button", name="Delete my account").click()
    expect(page.get_by_role("heading", name="Your account is scheduled for deletion")).to_be_visible()
    assert_fits(page)
    screenshot(page, f"deletion-scheduled-{width}")
    assert serious_violations(page) == []

    page.locator("a[href*='/coop/deletion/receipt/']").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Deletion receipt")
    expect(page.get_by_role("table")).to_be_visible()
    assert_fits(page)
    assert serious_violations(page) == []

    page.get_by_role("link", name="Cancel the deletion").click()
    assert serious_violations(page) == []
    page.get_by_label("Username").fill(member)
    page.get_by_label("Password").fill(passwords[member])
    page.get_by_role("button", name="Cancel the deletion").click()
    expect(page.get_by_role("heading", name="My membership")).to_be_visible()
