"""Browser tests: the real portal, served by `portal serve` in a subprocess, driven by
Debian's Chromium through Playwright.

The server gets the same PORTAL_* environment that tests/conftest.py's pytest_configure
set, so it reads and writes the test database: users made with `make_user` in a test can
sign in through the browser, and `clean_database` empties the tables after each test.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import PASSWORD

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
STARTUP_SECONDS = 30


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _portal_command() -> list[str]:
    # The installed `portal` script next to this Python (.venv/bin/portal).
    script = Path(sys.executable).with_name("portal")
    if script.exists():
        return [str(script)]
    return [sys.executable, "-m", "portal.cli"]


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=1) as response:  # noqa: S310 - our own server
            return response.status == 200
    except (urllib.error.URLError, OSError):
        return False


@pytest.fixture(scope="session")
def live_server(migrated: None) -> Iterator[str]:
    """The portal's base URL, e.g. http://127.0.0.1:41234.

    Depends on `migrated` so the test process has built the schema before the server's
    own `migrate` step runs (two processes migrating one SQLite file at once would clash).
    """
    port = _free_port()
    base_url = f"http://127.0.0.1:{port}"
    # The server's output goes to a file, not a pipe: a full pipe would stall the server.
    log_path = Path(os.environ["PORTAL_DATA_DIR"]) / "live-server.log"
    log = log_path.open("wb")
    process = subprocess.Popen(
        [*_portal_command(), "serve", "--host", "127.0.0.1", "--port", str(port)],
        env=dict(os.environ),
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + STARTUP_SECONDS
        while not _healthy(f"{base_url}/healthz"):
            if process.poll() is not None or time.monotonic() > deadline:
                reason = (
                    f"exited with code {process.returncode}"
                    if process.returncode is not None
                    else f"did not answer /healthz within {STARTUP_SECONDS} s"
                )
                output = log_path.read_text(errors="replace")[-4000:]
                pytest.fail(f"portal serve {reason}. Its output:\n{output}", pytrace=False)
            time.sleep(0.1)
        yield base_url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


@pytest.fixture(scope="session")
async def browser() -> AsyncIterator[Any]:
    """One Chromium for the whole run; each test gets its own context (cookies, storage)."""
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        chromium = await playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield chromium
        await chromium.close()


async def _new_page(browser: Any, base_url: str, javascript: bool, **options: Any) -> Any:
    context = await browser.new_context(
        base_url=base_url, java_script_enabled=javascript, locale="en-GB", **options
    )
    # Pages here answer in milliseconds: fail fast rather than wait Playwright's 30 s.
    context.set_default_timeout(5_000)
    return await context.new_page()


@pytest.fixture
async def page(
    browser: Any, live_server: str, request: pytest.FixtureRequest
) -> AsyncIterator[Any]:
    """A fresh browser tab (own cookies) with JavaScript on; `@both_ways` runs the test
    a second time with JavaScript off."""
    tab = await _new_page(browser, live_server, javascript=getattr(request, "param", "js") == "js")
    yield tab
    await tab.context.close()


@pytest.fixture
async def new_page(browser: Any, live_server: str) -> AsyncIterator[Any]:
    """`await new_page(viewport={...})`: a tab with JavaScript on and other context options."""
    opened: list[Any] = []

    async def make(**options: Any) -> Any:
        tab = await _new_page(browser, live_server, javascript=True, **options)
        opened.append(tab)
        return tab

    yield make
    for tab in opened:
        await tab.context.close()


async def sign_in(page: Any, user: Any, password: str = PASSWORD) -> None:
    """Fill in and send the login form that is on screen, as a person would."""
    await page.get_by_label("E-mail address").fill(user.email)
    await page.get_by_label("Password").fill(password)
    await page.get_by_role("button", name="Sign in").click()
    await page.wait_for_load_state()


# `@both_ways` on a test that takes `page`: it runs once with JavaScript, once without.
both_ways = pytest.mark.parametrize("page", ["js", "no-js"], indirect=True)
