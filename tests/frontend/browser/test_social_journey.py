"""The social pages in a real browser: the menu, the media viewer, and two members meeting there.

Each journey runs at a desk's width and at a phone's, on one co-op. That
every page passes the audit in both schemes is test_every_page_audit.py's
to check, for these pages and every other.

Two members in two browser contexts, one at each width, see each other's
posts arrive live, vote in an ordinary poll and in a proposal's poll, and
one reports the other's post, which the moderator then sees.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from PIL import Image
from playwright.sync_api import Browser, Page, expect

from tests.frontend.browser.audit import serious_violations
from tests.frontend.browser.conftest import DESK, PHONE, assert_fits, open_page, screenshot
from tests.frontend.browser.seeding import POST
from tests.frontend.browser.test_pages import Demo, sign_in
from tests.live import LiveInstance

pytestmark = pytest.mark.live

SEED = (
    """
import io
from dataclasses import replace
from datetime import timedelta
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image
from federation.models import Actor
from governance.actions.proposal_polls import do_post_proposal_poll
from governance.actions.proposals import check_create_proposal, do_open_proposal
from members.models import User
from timeline.actions.media import check_upload_media, do_create_media
from timeline.actions.statuses import check_create_status, do_create_status
alice = Actor.objects.get(username="alice", domain="")
bob = Actor.objects.get(username="bob", domain="")
"""
    + POST
    + """first = post(alice, "Garden day on Saturday #garden @bob")
post(bob, "Seeds are in", image=(60, 140, 70))
post(bob, "Not for everyone", image=(160, 40, 70), sensitive=True)
post(alice, "The ending of chapter 7", spoiler_text="Book club spoilers")
poll = post(bob, "Soup or salad?", poll_options=["soup", "salad"], poll_expires_in=86400)
post(bob, "Count me in", in_reply_to_id=first.pk)
from timeline.actions.scheduled_statuses import do_schedule_status
do_schedule_status(alice, check_create_status(alice, text="Seed swap next month", language="en"),
                   timezone.now() + timedelta(days=3))
admin = User.objects.get(username="admin")
draft = check_create_proposal(admin, kind="text", title="Buy a bigger server", secret=True,
                              closes_at=timezone.now() + timedelta(days=7))
proposal = do_open_proposal(admin, draft)
link = do_post_proposal_poll(proposal.pk)
print(first.pk, poll.pk, proposal.pk, link.poll.status_id, bob.pk)
"""
)


def seed(instance: LiveInstance) -> dict[str, str]:
    first, poll, proposal, proposal_status, bob = instance.shell(SEED).split()[-5:]
    return {"first": first, "poll": poll, "proposal": proposal, "proposal_status": proposal_status, "bob": bob}


def member_page(browser: Browser, instance: LiveInstance, who: str, password: str, *, width: int) -> Page:
    page = open_page(browser, width)
    sign_in(page, instance, who, password)
    return page


def test_the_menu_folds_on_a_phone_and_every_link_is_reachable_without_javascript(
    browser: Browser, demo: Demo, width: int
) -> None:
    instance, passwords = demo
    page = open_page(browser, width, javascript=False)
    sign_in(page, instance, "alice", passwords["alice"])
    if width == PHONE:
        assert not page.get_by_role("link", name="Security").is_visible()
        page.get_by_text("Menu").click()
    else:
        # A desk has room for the whole menu: nothing to unfold.
        expect(page.get_by_text("Menu", exact=True)).to_be_hidden()
    expect(page.get_by_role("link", name="Security")).to_be_visible()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    if width == PHONE:
        expect(page.get_by_role("navigation", name="Shortcuts").get_by_role("link", name="Assemblies")).to_be_visible()
    else:
        expect(page.get_by_role("link", name="Assemblies").first).to_be_visible()
    assert_fits(page)
    screenshot(page, f"social-menu-{width}")
    page.context.close()


def test_media_opens_in_a_viewer_sensitive_media_waits_and_actions_happen_in_place(  # noqa: PLR0915 (one journey, told in order)
    browser: Browser, demo: Demo, width: int, tmp_path: Path
) -> None:
    instance, passwords = demo
    seed(instance)
    page = member_page(browser, instance, "alice", passwords["alice"], width=width)
    page.goto(instance.url("/timelines/local"))
    seeds = page.get_by_role("article").filter(has_text="Seeds are in").first
    seeds.get_by_role("img", name="A garden bed").click()
    viewer = page.get_by_role("dialog")
    expect(viewer).to_be_visible()
    expect(viewer).to_contain_text("A garden bed")
    screenshot(page, f"social-media-viewer-{width}")
    viewer.get_by_role("button", name="Close").click()
    expect(viewer).to_be_hidden()

    hidden = page.get_by_role("article").filter(has_text="Not for everyone").first
    expect(hidden.get_by_role("img")).to_be_hidden()
    hidden.get_by_text("Sensitive media: show").click()
    expect(hidden.get_by_role("img")).to_be_visible()
    # Each toggle says what it does next, as Mastodon's "Show more" / "Show less" do.
    expect(hidden.get_by_text("Sensitive media: show")).to_be_hidden()
    hidden.get_by_text("Hide media").click()
    expect(hidden.get_by_role("img")).to_be_hidden()
    spoiler = page.get_by_role("article").filter(has_text="Book club spoilers").first
    spoiler.get_by_text("Show post").click()
    expect(spoiler).to_contain_text("The ending of chapter 7")
    expect(spoiler.get_by_text("Show post")).to_be_hidden()
    spoiler.get_by_text("Show less").click()
    expect(spoiler.get_by_text("The ending of chapter 7")).to_be_hidden()

    # A post's menu closes with Escape, giving focus back to its button.
    seeds.get_by_label("More actions").click()
    expect(seeds.get_by_role("link", name=re.compile("^Report"))).to_be_visible()
    page.keyboard.press("Escape")
    expect(seeds.get_by_role("link", name=re.compile("^Report"))).to_be_hidden()
    expect(seeds.get_by_label("More actions")).to_be_focused()

    url = page.url
    seeds.get_by_role("button", name="Bookmark").click()
    seeds = page.get_by_role("article").filter(has_text="Seeds are in").first
    expect(seeds.get_by_role("button", name="Bookmarked")).to_have_attribute("aria-pressed", "true")
    assert page.url == url

    # An image and a poll together are refused before anything is sent, and nothing is posted.
    page.goto(instance.url("/home"))
    page.get_by_label("What's on your mind?").fill("Both at once")
    page.get_by_text("Add an image").click()
    picture = tmp_path / "bed.png"
    Image.new("RGB", (40, 40), (60, 140, 70)).save(picture)
    page.get_by_label("Image (optional)").set_input_files(str(picture))
    page.get_by_text("Add a poll").click()
    page.get_by_label("Poll choice 1 (optional)").fill("yes")
    page.get_by_label("Poll choice 2").fill("no")
    page.get_by_role("button", name="Post").click()
    expect(page.get_by_role("alert")).to_contain_text("cannot have both an image and a poll")
    assert page.get_by_label("Image (optional)").evaluate("input => input.files.length") == 1
    expect(page.locator("#messages")).not_to_contain_text("Posted.")
    assert_fits(page)

    # Delete & redraft brings the image back, and its description can be corrected before it is posted again.
    page.get_by_label("Poll choice 1 (optional)").fill("")
    page.get_by_label("Poll choice 2").fill("")
    page.get_by_label("Describe the image for people who cannot see it").fill("A bed")
    page.get_by_role("button", name="Post").click()
    posted = page.get_by_role("article").filter(has_text="Both at once").first
    posted.get_by_label("More actions").click()
    posted.get_by_role("link", name="Delete & redraft").click()
    page.get_by_role("button", name="Delete & redraft").click()
    expect(page.get_by_label("Keep image 1")).to_be_checked()
    page.get_by_label("Description of attachment 1").fill("A green garden bed")
    screenshot(page, f"social-redraft-{width}")
    assert_fits(page)
    page.get_by_role("button", name="Post").click()
    reposted = page.get_by_role("article").filter(has_text="Both at once").first
    expect(reposted.get_by_role("img", name="A green garden bed")).to_be_visible()
    page.context.close()


def test_two_members_meet_vote_and_report_while_the_moderator_watches(  # noqa: PLR0915 (one journey, told in order)
    browser: Browser, demo: Demo, width: int
) -> None:
    """Alice reads at `width`, Bob at the other width; each run posts words of its own."""
    instance, passwords = demo
    other = PHONE if width == DESK else DESK
    question = f"Fresh from the allotment ({width}): which day?"
    spade = f"Bring your own spade ({width})"
    complaint = f"Spades are not for everyone ({width})"
    instance.shell(
        "from members.actions.roles import do_grant_role; from members.models import Role, RoleHolding, User; "
        "admin = User.objects.get(username='admin'); "
        "RoleHolding.objects.filter(user=admin, role=Role.MODERATOR).exists() "
        "or do_grant_role(admin, Role.MODERATOR, authorised_by='Test appointment')"
    )
    alice = member_page(browser, instance, "alice", passwords["alice"], width=width)
    bob = member_page(browser, instance, "bob", passwords["bob"], width=other)

    # 1. Alice reads the local timeline; Bob posts a poll, and it reaches her live.
    alice.goto(instance.url("/timelines/local"))
    bob.get_by_label("What's on your mind?").fill(question)
    bob.get_by_text("Add a poll").click()
    bob.get_by_label("Poll choice 1 (optional)").fill("Saturday")
    bob.get_by_label("Poll choice 2").fill("Sunday")
    bob.get_by_role("button", name="Post").click()
    expect(bob.locator("#messages")).to_contain_text("Posted.")
    notice = alice.get_by_role("link", name=re.compile(r"new post"))
    expect(notice).to_be_visible(timeout=30_000)
    notice.click()
    post = alice.get_by_role("article").filter(has_text=question)
    expect(post).to_be_visible()

    # 2. Alice votes in place: the page stays (a full reload would drop the marker), the poll turns into results.
    url = alice.url
    alice.evaluate("window.__stay = 1")
    post.get_by_label("Sunday").check()
    post.get_by_role("button", name="Vote").click()
    post = alice.get_by_role("article").filter(has_text=question)
    expect(post.locator("li.mine")).to_contain_text("Sunday")
    expect(post).to_contain_text("100%")
    expect(alice.locator("#messages")).to_contain_text("Your vote was counted.")
    assert alice.url == url
    assert alice.evaluate("window.__stay") == 1
    assert_fits(alice)
    assert serious_violations(alice) == []
    screenshot(alice, f"social-voted-{width}")

    # 3. Both cast a ballot in a proposal through its poll; the assembly's page shows Bob's choice selected.
    ids = instance.shell(
        "from datetime import timedelta; from django.utils import timezone; from members.models import User; "
        "from governance.actions.proposals import check_create_proposal, do_open_proposal; "
        "from governance.actions.proposal_polls import do_post_proposal_poll; "
        "admin = User.objects.get(username='admin'); "
        "draft = check_create_proposal(admin, kind='text', title='Plant an orchard', "
        "closes_at=timezone.now() + timedelta(days=7)); "
        "proposal = do_open_proposal(admin, draft); "
        "print(proposal.pk, do_post_proposal_poll(proposal.pk).poll.status_id)"
    ).split()
    proposal_id, status_id = ids[-2], ids[-1]
    for page, choice in ((alice, "agree"), (bob, "abstain")):
        page.goto(instance.url(f"/statuses/{status_id}"))
        expect(page.get_by_text(re.compile("The ballot is open"))).to_be_visible()
        page.evaluate("window.__stay = 1")
        page.get_by_label(choice, exact=True).check()
        page.get_by_role("button", name="Cast ballot").click()
        expect(page.get_by_text("You voted.")).to_be_visible()
        cast = f"Your ballot on proposal #{proposal_id} was cast in the assembly."
        expect(page.locator("#messages")).to_contain_text(cast)
        assert page.evaluate("window.__stay") == 1
    bob.goto(instance.url(f"/governance/proposals/{proposal_id}"))
    expect(bob.get_by_label("abstain", exact=True)).to_be_checked()
    assert_fits(bob)
    screenshot(bob, f"social-ballot-{other}")

    # 4. Alice posts while Bob reads the local timeline: her post reaches him live too, and he reports it
    # from the post itself; the moderator sees it with the post attached.
    bob.goto(instance.url("/timelines/local"))
    alice.goto(instance.url("/home"))
    alice.get_by_label("What's on your mind?").fill(spade)
    alice.get_by_role("button", name="Post").click()
    expect(alice.locator("#messages")).to_contain_text("Posted.")
    notice = bob.get_by_role("link", name=re.compile(r"new post"))
    expect(notice).to_be_visible(timeout=30_000)
    notice.click()
    post = bob.get_by_role("article").filter(has_text=spade)
    expect(post).to_be_visible()
    post.get_by_label("More actions").click()
    post.get_by_role("link", name="Report this post by @alice").click()
    expect(bob.get_by_role("heading", name="Report alice")).to_be_visible()
    expect(bob.get_by_role("checkbox", name=re.compile("Include this post"))).to_be_checked()
    bob.get_by_label("Comment").fill(complaint)
    bob.get_by_role("button", name="Send the report").click()
    expect(bob.locator("#messages")).to_contain_text("The moderators will look at your report.")

    moderator = member_page(browser, instance, "admin", passwords["admin"], width=width)
    moderator.goto(instance.url("/governance/moderation"))
    report = moderator.get_by_role("listitem").filter(has_text=complaint)
    expect(report).to_be_visible()
    report.get_by_role("link", name=re.compile("alice")).click()
    expect(moderator.get_by_text(spade, exact=True)).to_be_visible()
    assert_fits(moderator)
    screenshot(moderator, f"social-report-{width}")
    for page in (alice, bob, moderator):
        page.context.close()


def test_a_direct_message_sent_from_a_profile_reaches_the_other_members_conversations(
    browser: Browser, demo: Demo, width: int
) -> None:
    instance, passwords = demo
    bob_id = seed(instance)["bob"]
    message = f"Can you bring the wheelbarrow on the {width}th?"
    alice = member_page(browser, instance, "alice", passwords["alice"], width=width)
    # A reply opens in place under the post, names its author, and closes again without leaving the page.
    alice.goto(instance.url("/timelines/local"))
    url = alice.url
    seeds = alice.get_by_role("article").filter(has_text="Seeds are in").first
    seeds.get_by_role("link", name=re.compile("^Reply")).click()
    expect(alice.locator("#compose")).to_be_visible()
    expect(alice.get_by_label("What's on your mind?")).to_have_value("@bob ")
    expect(alice.get_by_label("What's on your mind?")).to_be_focused()
    assert alice.url == url
    alice.get_by_role("link", name="Cancel reply").click()
    expect(alice.locator("#compose")).to_have_count(0)
    assert alice.url == url
    alice.goto(instance.url(f"/accounts/{bob_id}"))
    alice.get_by_role("link", name="Message @bob").click()
    expect(alice.get_by_label("Who can see it")).to_have_value("direct")
    text = alice.get_by_label("What's on your mind?")
    expect(text).to_have_value("@bob ")
    text.press("End")
    text.type(message)
    expect(alice.locator("[data-counter]")).to_contain_text(str(500 - len("@bob " + message)))
    alice.get_by_role("button", name="Post").click()
    expect(alice.locator("#messages")).to_contain_text("Posted.")

    bob = member_page(browser, instance, "bob", passwords["bob"], width=width)
    bob.goto(instance.url("/conversations"))
    conversation = bob.get_by_role("article").filter(has_text=message)
    expect(conversation).to_be_visible(timeout=30_000)
    expect(conversation).to_contain_text("Unread")
    assert_fits(bob)
    conversation.get_by_role("link", name=re.compile("alice")).click()
    expect(bob.get_by_label("Who can see it")).to_have_value("direct")
    expect(bob.get_by_role("article").filter(has_text=message)).to_be_visible()
    assert serious_violations(bob) == []
    screenshot(bob, f"social-conversation-{width}")
    for page in (alice, bob):
        page.context.close()


FILLER = (
    """
import io
from dataclasses import replace
from django.core.management import call_command
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image
from federation.models import Actor
from timeline.actions.media import check_upload_media, do_create_media
from timeline.actions.statuses import check_create_status, do_create_status
created = not Actor.objects.filter(username="filler", domain="").exists()
if created:
    call_command("createmember", "filler", "--password", "a filler's passphrase")
actor = Actor.objects.get(username="filler", domain="")
"""
    + POST
    + """if created:
    # Unlisted, so the other journeys' timelines stay as they were seeded.
    for n in range(45):
        post(actor, f"Filler {n}", visibility="unlisted")
print(actor.pk)
"""
)


def test_load_more_brings_the_next_page_and_moves_focus_to_its_first_post(
    browser: Browser, demo: Demo, width: int
) -> None:
    instance, passwords = demo
    filler = instance.shell(FILLER).split()[-1]
    page = member_page(browser, instance, "alice", passwords["alice"], width=width)
    page.goto(instance.url(f"/accounts/{filler}"))
    posts = page.get_by_role("article")
    expect(posts).to_have_count(40)
    more = page.get_by_role("link", name="Load more")
    more.focus()
    page.keyboard.press("Enter")
    expect(posts).to_have_count(45)
    expect(page.locator("article:focus")).to_contain_text("Filler 4")
    expect(more).to_be_hidden()
    assert_fits(page)
    page.context.close()

    # Without JavaScript the link opens the next page itself.
    page = open_page(browser, width, javascript=False)
    sign_in(page, instance, "alice", passwords["alice"])
    page.goto(instance.url(f"/accounts/{filler}"))
    page.get_by_role("link", name="Load more").click()
    expect(page.get_by_role("article")).to_have_count(5)
    expect(page.get_by_role("article").first).to_contain_text("Filler 4")
    page.context.close()
