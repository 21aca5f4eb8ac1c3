"""The public pages and the home page in a real browser: they work, read well and pass an accessibility audit."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.frontend.browser.audit import serious_violations
from tests.frontend.browser.conftest import PHONE, assert_fits, open_page, screenshot
from tests.live import LiveInstance

pytestmark = pytest.mark.live

Demo = tuple[LiveInstance, dict[str, str]]


def sign_in(page: Page, instance: LiveInstance, username: str, password: str) -> None:
    page.goto(instance.url("/login"))
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Home", level=1)).to_be_visible()


def test_landing_page_shows_the_coop_and_passes_the_audit(page: Page, demo: Demo, width: int) -> None:
    instance, _ = demo
    page.goto(instance.url("/"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Mutuals")
    expect(page.get_by_role("heading", name="Server rules")).to_be_visible()
    expect(page.get_by_role("heading", name="How to join")).to_be_visible()
    expect(page.get_by_role("main")).to_be_visible()
    if width == PHONE:
        # A phone folds the main menu under one button.
        expect(page.get_by_text("Menu", exact=True)).to_be_visible()
    else:
        expect(page.get_by_role("navigation", name="Main")).to_be_visible()
    assert_fits(page)
    screenshot(page, f"landing-{width}")
    assert serious_violations(page) == []


def test_skip_link_is_the_first_stop_for_keyboard_users(page: Page, demo: Demo) -> None:
    instance, _ = demo
    page.goto(instance.url("/"))
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent")
    assert focused.strip() == "Skip to content"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"


def test_member_posts_from_the_home_page_and_sees_it_on_the_profile(page: Page, demo: Demo, width: int) -> None:
    instance, passwords = demo
    text = f"Hello from a real browser {width} px wide"
    sign_in(page, instance, "alice", passwords["alice"])
    assert serious_violations(page) == []
    page.get_by_label("What's on your mind?").fill(text)
    page.get_by_role("button", name="Post").click()
    expect(page.get_by_role("status")).to_contain_text("Posted.")
    # The worker fans the post out to the home timeline after the commit.
    for _ in range(40):
        if page.get_by_text(text).count():
            break
        page.wait_for_timeout(250)
        page.reload()
    expect(page.get_by_role("article").filter(has_text=text)).to_be_visible()
    assert_fits(page)
    screenshot(page, f"home-{width}")

    page.goto(instance.url("/@alice"))
    expect(page.get_by_role("heading", name="Alice", level=1)).to_be_visible()
    expect(page.get_by_text(text)).to_be_visible()
    assert_fits(page)
    screenshot(page, f"profile-{width}")
    assert serious_violations(page) == []

    page.get_by_role("article").first.get_by_role("link").nth(1).click()
    expect(page.get_by_text(text)).to_be_visible()
    assert_fits(page)
    assert serious_violations(page) == []


def test_refused_post_tells_the_member_why(page: Page, demo: Demo) -> None:
    instance, passwords = demo
    sign_in(page, instance, "bob", passwords["bob"])
    page.get_by_label("What's on your mind?").fill("   ")
    page.get_by_role("button", name="Post").click()
    expect(page.get_by_text("This field is required.")).to_be_visible()
    assert serious_violations(page) == []


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_pages_fit_a_small_phone_in_both_themes(browser: Browser, demo: Demo, scheme: str) -> None:
    """Below the phone width of the other tests, at 375 px, the public pages still fit."""
    instance, _ = demo
    page = open_page(browser, 375)
    page.emulate_media(color_scheme=scheme)  # type: ignore[arg-type]
    for path, name in (("/", "landing"), ("/@alice", "profile"), ("/login", "login")):
        page.goto(instance.url(path))
        assert_fits(page)
        screenshot(page, f"phone-{scheme}-{name}")
        assert serious_violations(page) == [], f"{path} in the {scheme} theme"
    page.context.close()


def test_a_member_reads_the_site_in_french(page: Page, demo: Demo, width: int) -> None:
    """The language chosen in the settings applies to every page, which still fits the screen."""
    instance, passwords = demo
    sign_in(page, instance, "bob", passwords["bob"])
    page.goto(instance.url("/settings/profile"))
    # Found by id, not by words: the words change with the language.
    switcher = page.locator("form:has(#settings-language)")
    switcher.locator("select").select_option("fr")
    switcher.locator("button[type=submit]").click()
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    for path in ("/settings/profile", "/home", "/coop/membership"):
        page.goto(instance.url(path))
        expect(page.locator("html")).to_have_attribute("lang", "fr")
        assert_fits(page)
    screenshot(page, f"membership-fr-{width}")
    assert serious_violations(page) == []
    page.goto(instance.url("/settings/profile"))
    switcher.locator("select").select_option("")
    switcher.locator("button[type=submit]").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
