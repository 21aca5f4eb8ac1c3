"""An officer keeps the co-op's ownership in a real browser: tiers, dues, patronage statements, redemptions.

A member picks a dues tier and their payment is recorded; another resigns
and the treasurer redeems their share. Each page passes the accessibility
audit and fits its window; a member about to delete their account reads
what happens to their paid share. The journey runs at a desk's width and at a
phone's, each on a fresh co-op.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from tests.frontend.browser.conftest import audited, open_page, running_demo
from tests.frontend.browser.test_pages import Demo, sign_in

pytestmark = pytest.mark.live


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory, width: int) -> Iterator[Demo]:
    """Yield a fresh demo co-op for each width: the journey's resignation and year's statements happen once."""
    with running_demo(tmp_path_factory) as running:
        yield running


def test_an_officer_keeps_tiers_imports_dues_and_issues_statements(  # noqa: PLR0915 (one journey, told in order)
    browser: Browser, demo: Demo, width: int, tmp_path: Path
) -> None:
    instance, passwords = demo
    admin = open_page(browser, width)
    sign_in(admin, instance, "admin", passwords["admin"])
    admin.goto(instance.url("/coop/officers/ownership"))
    expect(admin.get_by_text("The bylaws reserve share classes to the assembly.")).to_be_visible()
    audited(admin, "ownership-page")

    # Share classes are the assembly's: the officers' form opens a proposal with the new class filled in.
    proposal = admin.locator("form[action='/governance/proposals/new']").first
    proposal.get_by_label("Name").fill("Supporter share")
    proposal.get_by_label("Nominal value of a share").fill("25.00")
    proposal.get_by_label("Holding it makes a member eligible to vote").uncheck()
    proposal.get_by_role("button", name="Open a proposal").click()
    expect(admin.get_by_label("Name:", exact=True)).to_have_value("Supporter share")
    expect(admin.get_by_label("Nominal value of a share")).to_have_value("25.00")
    expect(admin.get_by_label("Holding it makes a member eligible to vote")).not_to_be_checked()
    audited(admin, "ownership-share-class-proposal")
    admin.goto(instance.url("/coop/officers/ownership"))

    tier_form = admin.locator("form[action='/coop/officers/dues-tiers']")
    tier_form.get_by_label("Name").fill("Sliding")
    tier_form.get_by_label("Amount a month").fill("1.00")
    tier_form.get_by_label("Top of the sliding scale").fill("10.00")
    tier_form.get_by_role("button", name="Create dues tier").click()
    expect(admin.get_by_text("Dues tier created.")).to_be_visible()

    sheet = tmp_path / "dues.csv"
    sheet.write_text("member,amount,date,reference\nalice,5.00,2026-01-05,r-1\nbob,5.00,2026-01-05,r-2\n")
    admin.locator("#dues_file").set_input_files(str(sheet))
    admin.get_by_role("button", name="Import payments").click()
    expect(admin.get_by_text("Recorded 2 payment(s); skipped 0 imported before.")).to_be_visible()

    allocation = admin.locator("form[action='/coop/officers/patronage']")
    allocation.get_by_label("Label (such as the financial year)").fill("FY2026")
    allocation.get_by_label("Period starts").fill("2026-01-01")
    allocation.get_by_label("Period ends").fill("2026-12-31")
    allocation.get_by_label("Surplus").fill("100.01")
    expect(allocation.get_by_label("Kept in reserves (%)")).to_have_value("30")
    allocation.get_by_label("Of the rest, shared by dues paid (%)").fill("100")
    allocation.get_by_label("Of the rest, shared by hours contributed (%)").fill("0")
    allocation.get_by_label("Decision that approved it").fill("General meeting, 2026-12-20")
    allocation.get_by_role("button", name="Allocate and issue statements").click()
    expect(admin.get_by_role("heading", name="Patronage statements: FY2026")).to_be_visible()
    expect(admin.get_by_text("70.01 USD", exact=True)).to_be_visible()
    audited(admin, "ownership-statements")
    admin.goto(instance.url("/coop/officers"))
    expect(admin.get_by_role("heading", name="Redeem shares")).to_be_visible()
    audited(admin, "ownership-officers")

    alice = open_page(browser, width)
    sign_in(alice, instance, "alice", passwords["alice"])
    alice.goto(instance.url("/coop/membership"))
    alice.get_by_label("Sliding (1.00 USD/month)").check()
    alice.get_by_role("button", name="Choose this tier").click()
    expect(alice.get_by_text("You are on the Sliding tier from now on.")).to_be_visible()
    expect(alice.get_by_text("Your dues tier: Sliding")).to_be_visible()
    audited(alice, "ownership-membership")

    # The treasurer records alice's payment; her page lists it.
    admin.goto(instance.url("/coop/officers"))
    dues = admin.locator("form[action='/coop/officers/dues']")
    dues.get_by_label("Member's username").fill("alice")
    dues.get_by_label("Amount").fill("3.00")
    dues.get_by_role("button", name="Record payment").click()
    expect(admin.get_by_text("Dues payment recorded.")).to_be_visible()
    alice.goto(instance.url("/coop/membership"))
    expect(alice.get_by_role("cell", name="3.00 USD")).to_be_visible()

    # Bob resigns; the treasurer buys his share back at nominal value.
    bob = open_page(browser, width)
    sign_in(bob, instance, "bob", passwords["bob"])
    bob.goto(instance.url("/coop/membership"))
    bob.get_by_label("Why are you leaving? (optional, kept in your membership history)").fill("Moving on.")
    bob.get_by_label("I resign from the co-op", exact=False).check()
    bob.get_by_role("button", name="Resign", exact=True).click()
    expect(bob.get_by_text("You have resigned.", exact=False)).to_be_visible()
    audited(bob, "ownership-resigned")
    admin.goto(instance.url("/coop/officers"))
    admin.get_by_role("button", name="Redeem at nominal value from bob").click()
    expect(admin.get_by_text("Redemption recorded: 10.00 USD due by", exact=False)).to_be_visible()
    expect(admin.get_by_text("Nobody who is leaving holds shares.")).to_be_visible()
    alice.goto(instance.url("/coop/deletion"))
    expect(alice.get_by_text("buys them back for at most their nominal value, 10.00 USD, never more")).to_be_visible()
    audited(alice, "ownership-deletion")
