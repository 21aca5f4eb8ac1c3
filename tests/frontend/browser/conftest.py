"""Drive real pages in headless Chromium (Debian's package) with Playwright."""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, ViewportSize, sync_playwright

from tests.frontend.browser.audit import serious_violations
from tests.live import ROOT, LiveInstance, live_instance

CHROMIUM = os.environ.get("MUTUALS_CHROMIUM", "/usr/bin/chromium")
SCREENSHOTS = Path(os.environ.get("MUTUALS_SCREENSHOT_DIR", str(ROOT / "var" / "screenshots")))
CHROMIUM_FLAGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium_missing() -> str | None:
    """Return why browser tests cannot run here, or None when they can."""
    if not Path(CHROMIUM).exists() and not shutil.which(CHROMIUM):
        return f"Chromium not found at {CHROMIUM} (install it: apt-get install chromium)"
    return None


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Yield a headless Chromium, or skip saying plainly that it is not installed."""
    reason = chromium_missing()
    if reason is not None:
        pytest.skip(reason)
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_FLAGS)
        yield launched
        launched.close()


# Every journey runs at a desk's width and at a phone's. The parameter is
# module-scoped so that pytest runs a module's tests at one width, then at the
# other, and a module that needs a fresh co-op for each width can make its
# `demo` depend on it.
DESK, PHONE = 1280, 390


@pytest.fixture(scope="module", params=[DESK, PHONE], ids=["1280", "390"])
def width(request: pytest.FixtureRequest) -> int:
    """Return the browser window's width in CSS pixels: a desk's, then a phone's."""
    return int(request.param)


def height_for(width: int) -> int:
    """Return the window height that goes with `width`: a laptop's, or a phone's."""
    return 900 if width >= DESK else 844


def open_page(browser: Browser, width: int, *, javascript: bool = True) -> Page:
    """Return a page `width` pixels wide in a new browser context of its own (closed by closing the context)."""
    viewport: ViewportSize = {"width": width, "height": height_for(width)}
    return browser.new_context(viewport=viewport, java_script_enabled=javascript).new_page()


@pytest.fixture
def page(browser: Browser, width: int) -> Iterator[Page]:
    """Yield a fresh page in its own browser context, `width` pixels wide."""
    opened = open_page(browser, width)
    yield opened
    opened.context.close()


def assert_fits(page: Page) -> None:
    """Assert that the page does not scroll sideways at its window's width."""
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{page.url} scrolls sideways by {overflow}px at {page.viewport_size}"


@contextmanager
def running_demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LiveInstance, dict[str, str]]]:
    """Run a demo co-op (web and worker) and yield it with its members' passwords."""
    with live_instance(tmp_path_factory.mktemp("browser") / "instance", name="browser") as instance:
        output = instance.manage("seed_demo").stdout
        passwords = dict(re.findall(r"^\s+.+?\s+(\w+)\s+password: (\S+)$", output, re.MULTILINE))
        instance.start_worker()
        instance.start_web()
        yield instance, passwords


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LiveInstance, dict[str, str]]]:
    """Yield a running demo co-op shared by a module's tests, at both widths."""
    with running_demo(tmp_path_factory) as running:
        yield running


def screenshot(page: Page, name: str) -> Path:
    """Save a full-page screenshot for people to look at, and return its path."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def audited(page: Page, name: str) -> None:
    """Assert that the page passes the audit and fits its window, and keep its screenshot, named with its width."""
    assert serious_violations(page) == [], name
    assert_fits(page)
    width = page.viewport_size["width"] if page.viewport_size else 0
    screenshot(page, f"{name}-{width}")
