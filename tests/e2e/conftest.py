"""A real browser against a live Convoca: Debian's Chromium, driven by Playwright.

One browser for all of tests/e2e, a fresh context (cookies, storage) for
every test. Playwright never downloads a browser: it drives
``/usr/bin/chromium``, which is installed from Debian when missing.
"""

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

# Belt and braces: never fetch a browser, even if something asks for one.
os.environ.setdefault("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
INSTALL_TIMEOUT = 15 * 60
ASYNC_UNSAFE = "DJANGO_ALLOW_ASYNC_UNSAFE"


def _install_chromium() -> None:
    """Install Debian's Chromium; fail the tests, loudly, when that is not possible."""
    apt_get = shutil.which("apt-get")
    if apt_get is None:
        pytest.fail(
            f"{CHROMIUM} is missing and there is no apt-get to install it. "
            "Install Debian's chromium package to run the e2e tests.",
            pytrace=False,
        )
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for command in ([apt_get, "update"], [apt_get, "install", "-y", "chromium"]):
        try:
            result = subprocess.run(
                command,
                env=env,
                capture_output=True,
                text=True,
                timeout=INSTALL_TIMEOUT,
                check=False,
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            pytest.fail(
                f"{CHROMIUM} is missing and `{' '.join(command)}` could not run: {exc}",
                pytrace=False,
            )
        if result.returncode != 0:
            pytest.fail(
                f"{CHROMIUM} is missing and `{' '.join(command)}` failed "
                f"(exit {result.returncode}):\n{result.stdout[-2000:]}\n{result.stderr[-2000:]}",
                pytrace=False,
            )
    if not CHROMIUM.exists():
        pytest.fail(
            f"`apt-get install -y chromium` succeeded but {CHROMIUM} is still missing.",
            pytrace=False,
        )


@pytest.fixture(scope="session")
def chromium_path() -> Path:
    if not CHROMIUM.exists():
        _install_chromium()
    return CHROMIUM


@pytest.fixture(scope="package")
def browser(chromium_path):
    """One Chromium for all of tests/e2e, stopped when the last e2e test is done.

    Playwright's sync API keeps an event loop running in the test thread for
    as long as it is started, so Django takes every ORM call for async code
    and refuses it unless DJANGO_ALLOW_ASYNC_UNSAFE is set. The variable is
    set for exactly that window: left set for the whole session it would
    switch off Django's async checks in every other test and leak into the
    subprocesses some tests start (``check --deploy`` reports async.E001).
    """
    previous = os.environ.get(ASYNC_UNSAFE)
    os.environ[ASYNC_UNSAFE] = "true"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=str(chromium_path), args=CHROMIUM_ARGS
            )
            yield browser
            browser.close()
    finally:
        if previous is None:
            os.environ.pop(ASYNC_UNSAFE, None)
        else:
            os.environ[ASYNC_UNSAFE] = previous


@pytest.fixture
def new_context(browser, live_server):
    """Open browser contexts on the live server (English browser); closed after the test."""
    contexts = []

    def make(**options):
        options = {"base_url": live_server.url, "locale": "en-GB", **options}
        context = browser.new_context(**options)
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_context):
    return new_context().new_page()
