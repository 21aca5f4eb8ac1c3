"""A newcomer's whole journey in a real browser, each main page passing the accessibility audit.

Apply → approved by an officer → post with an image → follow → vote on a
proposal → see it pass and the rule change → export and download → request
deletion → cancel. The journey runs at a desk's width and at a phone's, a
newcomer for each, on one co-op; each audited page must fit its window.
"""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import pytest
from PIL import Image
from playwright.sync_api import Browser, Page, expect

from tests.frontend.browser.conftest import DESK, PHONE, audited, open_page
from tests.frontend.browser.test_pages import Demo, sign_in

pytestmark = pytest.mark.live

# One newcomer and one rule for each width: both journeys run on the same co-op.
NEWCOMERS = {DESK: "nina", PHONE: "noor"}
PASSWORD = "a long and private passphrase"
RULES = {DESK: "Welcome newcomers and answer their questions kindly.", PHONE: "Help newcomers find their way around."}


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
    browser: Browser, demo: Demo, width: int, tmp_path: Path
) -> None:
    instance, passwords = demo
    newcomer, rule = NEWCOMERS[width], RULES[width]
    instance.shell(
        "from members.actions.bylaws import do_adopt_bylaws_version; "
        "do_adopt_bylaws_version({'proposal_min_open_days': 0, 'proposal_quorum': '0.2'}, authorised_by='Test bylaws')"
    )

    # 1. Apply and ask for a member share.
    joiner = open_page(browser, width)
    joiner.goto(instance.url("/coop/apply"))
    audited(joiner, "journey-apply")
    joiner.get_by_label("Username").fill(newcomer)
    joiner.get_by_label("Email").fill(f"{newcomer}@example.test")
    joiner.get_by_label("Password").fill(PASSWORD)
    joiner.get_by_label("Why would you like to join?").fill("I garden and I like co-ops.")
    joiner.get_by_role("button", name="Apply").click()
    expect(joiner.get_by_role("heading", name="My membership")).to_be_visible()
    joiner.get_by_label("Number of shares").fill("1")
    joiner.get_by_role("button", name="Request shares").click()
    expect(joiner.get_by_role("status")).to_contain_text("Requested: entry #")
    audited(joiner, "journey-membership")

    # 2. The officer records the payment, issues the share and admits her.
    officer = open_page(browser, width)
    sign_in(officer, instance, "admin", passwords["admin"])
    officer.goto(instance.url("/coop/officers"))
    expect(officer.get_by_role("heading", name=newcomer)).to_be_visible()
    audited(officer, "journey-officers")
    officer.get_by_role("button", name=re.compile(r"^Record payment of #")).click()
    officer.get_by_role("button", name=re.compile(r"^Issue the shares of #")).click()
    admit = officer.get_by_role("button", name=f"Admit {newcomer}")
    if admit.count():
        admit.click()
    joiner.goto(instance.url("/coop/membership"))
    expect(joiner.get_by_text("Status: Member")).to_be_visible()

    # 3. Post with an image and its description.
    joiner.goto(instance.url("/home"))
    joiner.get_by_label("What's on your mind?").fill("First harvest from the shared garden")
    joiner.get_by_text("Add an image").click()
    joiner.get_by_label("Image (optional)").set_input_files(str(photo(tmp_path)))
    joiner.get_by_label("Describe the image for people who cannot see it").fill("Green beans in a basket")
    joiner.get_by_role("button", name="Post").click()
    expect(joiner.get_by_role("status")).to_contain_text("Posted.")
    joiner.goto(instance.url(f"/@{newcomer}"))
    expect(joiner.get_by_role("img", name="Green beans in a basket")).to_be_visible()
    audited(joiner, "journey-profile-with-image")

    # 4. Follow another member found by search.
    joiner.goto(instance.url("/search?q=bob"))
    joiner.get_by_role("link", name=re.compile(r"@bob")).first.click()
    joiner.get_by_role("button", name="Follow").click()
    expect(joiner.get_by_role("status")).to_contain_text("bob")
    expect(joiner.get_by_role("button", name="Unfollow")).to_be_visible()

    # 5. Vote on a proposal to adopt a rule, and see it pass.
    proposal_id = instance.shell(
        "from datetime import timedelta; from django.utils import timezone; "
        "from members.models import User; "
        "from governance.actions.proposals import check_create_proposal, do_open_proposal; "
        "author = User.objects.get(username='admin'); "
        "draft = check_create_proposal(author, kind='server_rule', title='Welcome newcomers', "
        f"payload={{'action': 'add', 'text': {rule!r}}}, closes_at=timezone.now() + timedelta(minutes=30)); "
        "print(do_open_proposal(author, draft).pk)"
    )
    joiner.goto(instance.url(f"/governance/proposals/{proposal_id}"))
    expect(joiner.get_by_role("heading", name=re.compile("Welcome newcomers"))).to_be_visible()
    audited(joiner, "journey-proposal-open")
    joiner.get_by_role("radio").first.check()
    joiner.get_by_role("button", name="Vote").click()
    expect(joiner.get_by_role("status")).to_contain_text("Your ballot was recorded")
    instance.shell(
        "from datetime import timedelta; from governance.models import Proposal; "
        "from governance.actions.closing import do_close_proposal; "
        f"proposal = Proposal.objects.get(pk={proposal_id}); "
        "do_close_proposal(proposal.pk, now=proposal.closes_at + timedelta(seconds=1))"
    )
    joiner.reload()
    expect(joiner.get_by_text(re.compile("Passed"))).to_be_visible()
    audited(joiner, "journey-proposal-passed")
    joiner.goto(instance.url("/governance/rules"))
    expect(joiner.get_by_text(rule).first).to_be_visible()

    # 6. Export everything and download the archive.
    joiner.goto(instance.url("/coop/data"))
    audited(joiner, "journey-my-data")
    joiner.get_by_role("button", name="Prepare an archive").click()
    reload_until(joiner, "a:has-text('Download (')")
    with joiner.expect_download() as download_info:
        joiner.locator("a:has-text('Download (')").first.click()
    archive = tmp_path / "archive.zip"
    download_info.value.save_as(archive)
    with zipfile.ZipFile(archive) as opened:
        names = set(opened.namelist())
    assert {"actor.json", "outbox.json", "following_accounts.csv"} <= names

    # 7. Ask for deletion, then cancel during the grace period.
    joiner.goto(instance.url("/coop/deletion"))
    audited(joiner, "journey-deletion")
    joiner.get_by_label("Your password").fill(PASSWORD)
    joiner.get_by_label("I understand that my posts, media and profile will be erased").check()
    joiner.get_by_role("button", name="Delete my account").click()
    expect(joiner.get_by_role("heading", name="Your account is scheduled for deletion")).to_be_visible()
    joiner.get_by_role("link", name="Cancel the deletion").click()
    joiner.get_by_label("Username").fill(newcomer)
    joiner.get_by_label("Password").fill(PASSWORD)
    joiner.get_by_role("button", name="Cancel the deletion").click()
    sign_in(joiner, instance, newcomer, PASSWORD)
    joiner.goto(instance.url(f"/@{newcomer}"))
    expect(joiner.get_by_text("First harvest from the shared garden")).to_be_visible()
