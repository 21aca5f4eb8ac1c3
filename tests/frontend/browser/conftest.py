"""Drive real pages in headless Chromium (Debian's package) with Playwright."""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

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


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """Yield a fresh page in its own browser context."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    yield context.new_page()
    context.close()


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LiveInstance, dict[str, str]]]:
    """Yield a running demo co-op (web and worker) and its members' passwords."""
    with live_instance(tmp_path_factory.mktemp("browser") / "instance", name="browser") as instance:
        output = instance.manage("seed_demo").stdout
        passwords = dict(re.findall(r"^\s+.+?\s+(\w+)\s+password: (\S+)$", output, re.MULTILINE))
        instance.start_worker()
        instance.start_web()
        yield instance, passwords


def screenshot(page: Page, name: str) -> Path:
    """Save a full-page screenshot for people to look at, and return its path."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
