"""A newcomer's whole journey in a real browser, each main page passing the accessibility audit.

Apply → approved by an officer → post with an image → follow → vote on a
proposal → see it pass and the rule change → export and download → request
deletion → cancel.
"""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import pytest
from PIL import Image
from playwright.sync_api import Browser, Page, expect

from tests.frontend.browser.audit import serious_violations
from tests.frontend.browser.conftest import screenshot
from tests.frontend.browser.test_pages import Demo, sign_in

pytestmark = pytest.mark.live

NEWCOMER = "nina"
PASSWORD = "a long and private passphrase"
RULE = "Welcome newcomers and answer their questions kindly."


def new_page(browser: Browser) -> Page:
    return browser.new_context(viewport={"width": 1280, "height": 900}).new_page()


def audited(page: Page, name: str) -> None:
    assert serious_violations(page) == [], name
    screenshot(page, f"journey-{name}")


def photo(tmp_path: Path) -> Path:
    path = tmp_path / "garden.png"
    buffer = io.BytesIO()
    Image.new("RGB", (320, 200), (60, 140, 70)).save(buffer, format="PNG")
    path.write_bytes(buffer.getvalue())
    return path


def reload_until(page: Page, predicate: str, *, tries: int = 80) -> None:
    for _ in range(tries):
        if page.locator(predicate).count():
            return
        page.wait_for_timeout(250)
        page.reload()
    raise AssertionError(f"{predicate} never appeared on {page.url}")


def test_a_newcomer_joins_posts_votes_exports_and_changes_their_mind(  # noqa: PLR0915 (one journey, told in order)
    browser: Browser, demo: Demo, tmp_path: Path
) -> None:
    instance, passwords = demo
    instance.shell(
        "from members.actions.bylaws import do_adopt_bylaws_version; "
        "do_adopt_bylaws_version({'proposal_min_open_days': 0, 'proposal_quorum': '0.2'}, authorised_by='Test bylaws')"
    )

    # 1. Apply and ask for a member share.
    nina = new_page(browser)
    nina.goto(instance.url("/coop/apply"))
    audited(nina, "apply")
    nina.get_by_label("Username").fill(NEWCOMER)
    nina.get_by_label("Email").fill("nina@example.test")
    nina.get_by_label("Password").fill(PASSWORD)
    nina.get_by_label("Why would you like to join?").fill("I garden and I like co-ops.")
    nina.get_by_role("button", name="Apply").click()
    expect(nina.get_by_role("heading", name="My membership")).to_be_visible()
    nina.get_by_label("Number of shares").fill("1")
    nina.get_by_role("button", name="Request shares").click()
    expect(nina.get_by_role("status")).to_contain_text("Requested: entry #")
    audited(nina, "membership")

    # 2. The officer records the payment, issues the share and admits her.
    officer = new_page(browser)
    sign_in(officer, instance, "admin", passwords["admin"])
    officer.goto(instance.url("/coop/officers"))
    expect(officer.get_by_role("heading", name=NEWCOMER)).to_be_visible()
    audited(officer, "officers")
    officer.get_by_role("button", name=re.compile(r"^Record payment of #")).click()
    officer.get_by_role("button", name=re.compile(r"^Issue the shares of #")).click()
    admit = officer.get_by_role("button", name=f"Admit {NEWCOMER}")
    if admit.count():
        admit.click()
    nina.goto(instance.url("/coop/membership"))
    expect(nina.get_by_text("Status: Member")).to_be_visible()

    # 3. Post with an image and its description.
    nina.goto(instance.url("/home"))
    nina.get_by_label("What's on your mind?").fill("First harvest from the shared garden")
    nina.get_by_text("Add an image").click()
    nina.get_by_label("Image (optional)").set_input_files(str(photo(tmp_path)))
    nina.get_by_label("Describe the image for people who cannot see it").fill("Green beans in a basket")
    nina.get_by_role("button", name="Post").click()
    expect(nina.get_by_role("status")).to_contain_text("Posted.")
    nina.goto(instance.url(f"/@{NEWCOMER}"))
    expect(nina.get_by_role("img", name="Green beans in a basket")).to_be_visible()
    audited(nina, "profile-with-image")

    # 4. Follow another member found by search.
    nina.goto(instance.url("/search?q=bob"))
    nina.get_by_role("link", name=re.compile(r"@bob")).first.click()
    nina.get_by_role("button", name="Follow").click()
    expect(nina.get_by_role("status")).to_contain_text("bob")
    expect(nina.get_by_role("button", name="Unfollow")).to_be_visible()

    # 5. Vote on a proposal to adopt a rule, and see it pass.
    proposal_id = instance.shell(
        "from datetime import timedelta; from django.utils import timezone; "
        "from members.models import User; "
        "from governance.actions.proposals import check_create_proposal, do_open_proposal; "
        "author = User.objects.get(username='admin'); "
        "draft = check_create_proposal(author, kind='server_rule', title='Welcome newcomers', "
        f"payload={{'action': 'add', 'text': {RULE!r}}}, closes_at=timezone.now() + timedelta(minutes=30)); "
        "print(do_open_proposal(author, draft).pk)"
    )
    nina.goto(instance.url(f"/governance/proposals/{proposal_id}"))
    expect(nina.get_by_role("heading", name=re.compile("Welcome newcomers"))).to_be_visible()
    audited(nina, "proposal-open")
    nina.get_by_role("radio").first.check()
    nina.get_by_role("button", name="Vote").click()
    expect(nina.get_by_role("status")).to_contain_text("Your ballot was recorded")
    instance.shell(
        "from datetime import timedelta; from governance.models import Proposal; "
        "from governance.actions.closing import do_close_proposal; "
        f"proposal = Proposal.objects.get(pk={proposal_id}); "
        "do_close_proposal(proposal.pk, now=proposal.closes_at + timedelta(seconds=1))"
    )
    nina.reload()
    expect(nina.get_by_text(re.compile("Passed"))).to_be_visible()
    audited(nina, "proposal-passed")
    nina.goto(instance.url("/governance/rules"))
    expect(nina.get_by_text(RULE).first).to_be_visible()

    # 6. Export everything and download the archive.
    nina.goto(instance.url("/coop/data"))
    audited(nina, "my-data")
    nina.get_by_role("button", name="Prepare an archive").click()
    reload_until(nina, "a:has-text('Download (')")
    with nina.expect_download() as download_info:
        nina.locator("a:has-text('Download (')").first.click()
    archive = tmp_path / "archive.zip"
    download_info.value.save_as(archive)
    with zipfile.ZipFile(archive) as opened:
        names = set(opened.namelist())
    assert {"actor.json", "outbox.json", "following_accounts.csv"} <= names

    # 7. Ask for deletion, then cancel during the grace period.
    nina.goto(instance.url("/coop/deletion"))
    audited(nina, "deletion")
    nina.get_by_label("Your password").fill(PASSWORD)
    nina.get_by_label("I understand that my posts, media and profile will be erased").check()
    nina.get_by_role("button", name="Delete my account").click()
    expect(nina.get_by_role("heading", name="Your account is scheduled for deletion")).to_be_visible()
    nina.get_by_role("link", name="Cancel the deletion").click()
    nina.get_by_label("Username").fill(NEWCOMER)
    nina.get_by_label("Password").fill(PASSWORD)
    nina.get_by_role("button", name="Cancel the deletion").click()
    sign_in(nina, instance, NEWCOMER, PASSWORD)
    nina.goto(instance.url(f"/@{NEWCOMER}"))
    expect(nina.get_by_text("First harvest from the shared garden")).to_be_visible()
