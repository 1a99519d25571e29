"""Headless Chromium (Debian's /usr/bin/chromium) driven by Playwright.

Browser tests skip where Chromium is absent, unless PORTAL_REQUIRE_BROWSER=1
(as in CI), where a missing browser is a failure.
"""

import os
import shutil

import pytest

CHROMIUM = os.environ.get("PORTAL_CHROMIUM", "/usr/bin/chromium")
# Playwright's sync API runs an event loop in the test thread; the test's own
# database calls are still plain synchronous ones.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def _chromium_path():
    if os.path.exists(CHROMIUM):
        return CHROMIUM
    return shutil.which("chromium")


@pytest.fixture(scope="session")
def browser():
    path = _chromium_path()
    if path is None:
        message = "Chromium is missing: run `sudo apt-get install chromium` (Debian) for the browser tests"
        if os.environ.get("PORTAL_REQUIRE_BROWSER") == "1":
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=path,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(10_000)
    problems = []
    page.on("console", lambda msg: msg.type == "error" and problems.append(msg.text))
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.console_problems = problems
    yield page
    context.close()


@pytest.fixture
def signed_in(page, live_server, django_user_model):
    """A page signed in through the real sign-in form."""
    django_user_model.objects.create_user("dana", "dana@example.com", "dana-password-1")
    page.goto(f"{live_server.url}/settings/developer-tools/oauth/")
    page.get_by_label("Username").fill("dana")
    page.get_by_label("Password").fill("dana-password-1")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{live_server.url}/settings/developer-tools/oauth/")
    return page


def pytest_terminal_summary(terminalreporter):
    """Name the screenshots the language tests took, so a run's output leads to them."""
    from .test_languages import SCREENSHOTS

    if SCREENSHOTS:
        terminalreporter.section("screenshots")
        for path in SCREENSHOTS:
            terminalreporter.write_line(path)
