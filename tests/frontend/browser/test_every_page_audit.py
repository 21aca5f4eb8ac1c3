"""Every page of the web app passes the accessibility audit at a desk's and a phone's width, light and dark.

Signed out, and then signed in as the founding admin (an officer, made a
moderator here), the test visits every GET page of frontend/, members/ and
governance/ that renders HTML, with the objects the pages need seeded first.
Four audits of each page: 1280 and 390 px wide, each in the light and the
dark scheme. Each width is one pass with one browser page; each address is
loaded once and audited in both schemes. A phone's width must never scroll
sideways. With MUTUALS_SCREENSHOT_DIR set, each page is kept as a full-page
screenshot per width and scheme.
"""

from __future__ import annotations

import json
import os
import re
from typing import Literal

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.frontend.browser.audit import serious_violations
from tests.frontend.browser.conftest import PHONE, screenshot
from tests.frontend.browser.seeding import POST
from tests.frontend.browser.test_pages import Demo, sign_in

pytestmark = pytest.mark.live

# The light scheme is audited with every WCAG 2.1 A/AA rule. A colour scheme
# changes colours only (site.css's dark block redefines its colour variables
# and nothing else), so the dark scheme is audited with only the rule that
# colours can break, which keeps four audits of every page within CI's budget.
DARK_RULES = ["color-contrast"]
SCHEMES: tuple[Literal["light", "dark"], ...] = ("light", "dark")

SEED = (
    """
import io, json
from dataclasses import replace
from datetime import timedelta
import pyotp
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image
from federation.models import Actor
from governance.actions.ballots import check_cast_ballot, do_cast_ballot
from governance.actions.closing import do_close_proposal
from governance.actions.proposal_polls import do_post_proposal_poll
from governance.actions.proposals import check_create_proposal, do_open_proposal
from governance.actions.reports import check_file_report, do_file_report
from governance.models import LogEntry
from members.actions.accounts import check_create_account, do_create_account
from members.actions.roles import do_grant_role
from members.actions.security import do_confirm_two_factor, do_start_two_factor
from members.models import Role, User
from timeline.actions.bookmarks import do_bookmark
from timeline.actions.follows import do_follow
from timeline.actions.interactions import do_favourite, do_reblog
from timeline.actions.lists import check_list, do_add_list_accounts, do_create_list
from timeline.actions.media import check_upload_media, do_create_media
from timeline.actions.statuses import check_create_status, check_edit_status, do_create_status, do_edit_status
users = {user.username: user for user in User.objects.all()}
do_grant_role(users["admin"], Role.MODERATOR, authorised_by="Test appointment")
admin, alice, bob = (Actor.objects.get(username=name, domain="") for name in ("admin", "alice", "bob"))
"""
    + POST
    + """do_follow(admin, alice)
do_follow(admin, bob)
do_follow(bob, admin)
first = post(alice, "Garden day on Saturday #garden @bob @admin, see https://example.org/garden")
post(bob, "Seeds are in", image=(60, 140, 70))
post(bob, "Not for everyone", image=(160, 40, 70), sensitive=True)
post(alice, "The ending of chapter 7", spoiler_text="Book club spoilers")
poll = post(bob, "Soup or salad?", poll_options=["soup", "salad"], poll_expires_in=86400)
post(bob, "Count me in @admin", in_reply_to_id=first.pk)
own = post(admin, "Minutes of the assembly are up #coop")
own = do_edit_status(admin, own, check_edit_status(admin, own, text="Minutes of the assembly are up, corrected #coop"))
do_favourite(bob, own)
do_reblog(bob, own)
do_bookmark(admin, first)
do_favourite(admin, first)
garden = do_create_list(admin, check_list(title="Garden"))
do_add_list_accounts(garden, [alice, bob])
checked = check_file_report(bob, alice, [first], "Spam", "spam", [])
report = do_file_report(bob, alice, [first], checked.comment, checked.category, [])
in_a_week = timezone.now() + timedelta(days=7)
def proposal(title, voters, **fields):
    opened = do_open_proposal(users["admin"], check_create_proposal(users["admin"], kind="text", title=title,
                                                                     closes_at=in_a_week, **fields))
    for name, choice in voters:
        do_cast_ballot(users[name], opened.pk, check_cast_ballot(users[name], opened, choice))
    return opened
open_one = proposal("Open the garden on Sundays", [("admin", 0)])
ballot = do_post_proposal_poll(open_one.pk).poll.status_id
secret = proposal("Buy a bigger server", [("admin", 1), ("alice", 0)], secret=True)
options = proposal("Pick the picnic day", [("admin", [1, 0])], method="ranked_choice",
                   options=["Saturday", "Sunday", "Monday"])
closed = proposal("Paint the shed green", [("admin", 0), ("alice", 0), ("bob", 2)])
do_close_proposal(closed.pk, now=in_a_week + timedelta(minutes=1))
do_create_account(check_create_account("carol", email="carol@demo.invalid", password="A long pass phrase 7",
                                       application_text="I grow vegetables and would like to join."))
# Alice approves followers by hand from now on (admin's follow stays): her profile shows the lock.
Actor.objects.filter(pk=alice.pk).update(locked=True)
secret_key = do_start_two_factor(users["bob"], "Mutuals").secret
do_confirm_two_factor(users["bob"], pyotp.TOTP(secret_key).now())
print(json.dumps({
    "first": first.pk, "poll": poll.pk, "ballot": ballot, "own": own.pk, "list": garden.pk, "report": report.pk,
    "alice": alice.pk, "bob": bob.pk,
    "open": open_one.pk, "secret": secret.pk, "options": options.pk, "closed": closed.pk,
    "entry": LogEntry.objects.order_by("-sequence").first().sequence,
}))
"""
)


def pages_for(ids: dict[str, int]) -> tuple[list[str], list[str]]:
    """Return the pages to audit signed out, and those to audit signed in as the admin."""
    signed_out = [
        "/",
        "/login",
        "/password/reset",
        "/password/reset/sent",
        "/password/reset/MQ/not-a-token",
        "/password/reset/complete",
        "/coop/apply",
        "/@alice",
        f"/@alice/{ids['first']}",
        f"/accounts/{ids['alice']}/followers",
        "/governance/log",
        "/governance/rules",
        "/governance/bylaws",
        "/no-such-page",
    ]
    signed_in = [
        "/home",
        "/timelines/local",
        "/timelines/federated",
        "/tags/garden",
        "/notifications",
        "/search?q=bob",
        f"/statuses/{ids['first']}",
        f"/statuses/{ids['poll']}",
        f"/statuses/{ids['ballot']}",
        f"/statuses/{ids['own']}/edit",
        f"/statuses/{ids['own']}/history",
        f"/statuses/{ids['own']}/delete",
        f"/accounts/{ids['bob']}",
        f"/accounts/{ids['bob']}/block",
        f"/accounts/{ids['bob']}/mute",
        f"/accounts/{ids['bob']}/followers",
        f"/accounts/{ids['bob']}/following",
        "/@bob",
        "/follow_requests",
        "/conversations",
        "/scheduled",
        f"/home?in_reply_to={ids['first']}",
        "/bookmarks",
        "/favourites",
        "/lists",
        f"/lists/{ids['list']}",
        "/filters",
        "/mutes",
        "/settings/profile",
        "/settings/security",
        "/coop/membership",
        "/coop/certificate",
        "/coop/statement",
        "/coop/data",
        "/coop/migration",
        "/coop/deletion",
        "/coop/officers",
        "/coop/officers/register",
        "/coop/officers/ownership",
        "/governance/proposals",
        "/governance/proposals/new",
        f"/governance/proposals/{ids['open']}",
        f"/governance/proposals/{ids['secret']}",
        f"/governance/proposals/{ids['options']}",
        f"/governance/proposals/{ids['closed']}",
        "/governance/receipts",
        "/governance/log",
        f"/governance/log/{ids['entry']}",
        f"/governance/report/{ids['alice']}",
        "/governance/my-moderation",
        "/governance/moderation",
        f"/governance/moderation/reports/{ids['report']}",
        "/governance/moderation/appeals",
        "/governance/moderation/trends",
        "/governance/admin/settings",
        "/governance/admin/emoji",
        "/governance/admin/announcements",
    ]
    return signed_out, signed_in


def check_page(page: Page, path: str, *, width: int, problems: dict[str, list[str]]) -> None:
    """Audit the page the browser shows in the light and then the dark scheme, recording what is wrong.

    Both schemes are checked on the one loaded page, switching the emulated
    scheme rather than loading the page again: loading and laying out every
    page took as long as auditing it.
    """
    for scheme in SCHEMES:
        page.emulate_media(color_scheme=scheme)
        where = f"{path} at {width}px, {scheme}"
        found = serious_violations(page, rules=DARK_RULES if scheme == "dark" else None)
        if width == PHONE:
            overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
            if overflow > 0:
                found.append(f"scrolls sideways by {overflow}px")
        if found:
            problems[where] = found
        if os.environ.get("MUTUALS_SCREENSHOT_DIR"):
            name = re.sub(r"[^A-Za-z0-9]+", "-", path).strip("-") or "landing"
            screenshot(page, f"{name}-{width}-{scheme}")
    page.emulate_media(color_scheme="light")


# The pages audited that answer with an error on purpose: the site's own error pages are pages people read too.
ERROR_PAGES = {"/no-such-page": 404}


def visit(page: Page, url: str, path: str) -> None:
    """Open a page and require that it answered 200 (or the error it is there to show)."""
    response = page.goto(url)
    expected = ERROR_PAGES.get(path, 200)
    assert response is not None and response.status == expected, f"{path} answered {response and response.status}"


@pytest.fixture(scope="module")
def seeded(demo: Demo) -> dict[str, int]:
    """Seed, once for both widths, the objects the pages show, and return their ids."""
    instance, _ = demo
    ids: dict[str, int] = json.loads(instance.shell(SEED).splitlines()[-1])
    return ids


# About 70 addresses, each audited in two schemes, take 2 to 3 minutes a width on an idle machine: the suite's
# 300 s limit per test is too close for a busy one.
@pytest.mark.timeout(900)
def test_every_page_passes_the_audit(browser: Browser, demo: Demo, seeded: dict[str, int], width: int) -> None:
    instance, passwords = demo
    signed_out, signed_in = pages_for(seeded)
    problems: dict[str, list[str]] = {}
    # One page for the whole width, reused for every address: a context per address would cost a sign-in each.
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    for path in signed_out:
        visit(page, instance.url(path), path)
        check_page(page, path, width=width, problems=problems)
    # Bob has two-factor authentication on: his right password leads to the code step.
    page.goto(instance.url("/login"))
    page.get_by_label("Username").fill("bob")
    page.get_by_label("Password").fill(passwords["bob"])
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_label("Code from your authenticator app")).to_be_visible()
    check_page(page, "/login/code", width=width, problems=problems)
    sign_in(page, instance, "admin", passwords["admin"])
    for path in signed_in:
        visit(page, instance.url(path), path)
        check_page(page, path, width=width, problems=problems)
    context.close()
    assert problems == {}
