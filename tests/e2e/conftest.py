"""Browser tests: Debian's Chromium driven by Playwright against pytest-django's live server.

The browser is launched once per session from /usr/bin/chromium (never downloaded).
Without it the tests are skipped, unless E2E_REQUIRED=1 (CI) turns the skip into a failure.
Every test leaves a full-page screenshot of its last screen in e2e-artifacts/<test name>.png.
"""

import os
import re
from pathlib import Path

import pytest

from tests.e2e.helpers import ARTIFACTS, DESKTOP, PASSWORD, login

# Playwright's sync API keeps an event loop running in this thread; Django would
# otherwise refuse the ORM calls the tests make to set up their data.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
]


def _unavailable(reason: str):
    """Skip the browser tests, or fail them where they are required (CI sets E2E_REQUIRED=1)."""
    if os.environ.get("E2E_REQUIRED") == "1":
        pytest.fail(f"{reason} (E2E_REQUIRED=1, so the browser tests may not be skipped)", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def browser():
    """One headless Chromium for the whole run: Debian's, never a downloaded one."""
    if not CHROMIUM.exists():
        _unavailable(f"{CHROMIUM} is missing: install Debian's chromium package to run the browser tests")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("playwright is not installed: pip install -r requirements-dev.txt")
    playwright = sync_playwright().start()
    try:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
    except Exception:
        playwright.stop()
        raise
    yield browser
    browser.close()
    playwright.stop()


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    """Hash test passwords quickly; the live server runs in this process and sees the change."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def new_page(browser, live_server, request):
    """Return a function that opens a page on the live server, each in a fresh browser context.

    When the test ends, the last page opened is saved as e2e-artifacts/<test name>.png.
    """
    ARTIFACTS.mkdir(exist_ok=True)
    contexts = []
    script_errors = []

    def make(viewport=DESKTOP, **options):
        context = browser.new_context(
            base_url=live_server.url,
            viewport=viewport,
            accept_downloads=True,
            locale="en-IN",
            timezone_id="Asia/Kolkata",
            **options,
        )
        context.set_default_timeout(10_000)
        contexts.append(context)
        page = context.new_page()
        # A script error or a Content-Security-Policy refusal means a screen half works: fail the test.
        page.on("pageerror", lambda error: script_errors.append(f"{page.url}: {error}"))
        page.on(
            "console",
            lambda message: (
                message.type == "error"
                and "Content Security Policy" in message.text
                and script_errors.append(f"{page.url}: {message.text}")
            ),
        )
        return page

    yield make
    if contexts and contexts[-1].pages:
        name = re.sub(r"[^\w.-]+", "_", request.node.name)
        try:
            contexts[-1].pages[-1].screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
        except Exception as error:  # a failed screenshot must not hide the test's own result
            print(f"Could not save the screenshot of {name}: {error}")
    for context in contexts:
        context.close()
    assert not script_errors, "Errors in the browser:\n" + "\n".join(script_errors)


@pytest.fixture
def admin_user(django_user_model):
    return django_user_model.objects.create_superuser("boss", email="boss@example.com", password=PASSWORD)


@pytest.fixture
def page(new_page, admin_user):
    """A desktop-sized page, logged in as a superuser through the login form."""
    page = new_page()
    login(page, admin_user.username)
    return page
