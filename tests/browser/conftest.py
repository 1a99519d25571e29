"""Headless Chromium (Debian's /usr/bin/chromium) driven by Playwright.

Browser tests skip where Chromium is absent, unless PORTAL_REQUIRE_BROWSER=1
(as in CI), where a missing browser is a failure. One browser serves the whole
session (pytest-django's live server is session-wide too); each test opens
cheap contexts in it: JavaScript on or off, desktop or phone size.

Anything a page sets after an action (a form post's next page, a dialog fetched or
removed, focus, a script's start, an image) is awaited with Playwright's retrying
`expect(...)` (TIMEOUT_MS), never read at once with is_visible()/count()/inner_text().
A click that posts a form returns once the next page is committed, not parsed. And
page.wait_for_function polls with the page's own timers, which do not run with
JavaScript off: there it sees only its first check, so use `expect` instead.
"""

import json
import os
import shutil
from pathlib import Path

import pytest
from playwright.sync_api import expect

CHROMIUM = os.environ.get("PORTAL_CHROMIUM", "/usr/bin/chromium")
# Playwright's sync API runs an event loop in the test thread; the test's own
# database calls are still plain synchronous ones.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


AXE = Path(__file__).parent / "node_modules" / "axe-core" / "axe.min.js"
DESKTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}
SIZES = {"desktop": DESKTOP, "phone": PHONE}
PASSWORD = "dana-password-1"
# One bound for every wait: a page's actions and waits, and Playwright's retrying `expect`
# assertions (5 s of their own otherwise, which a loaded CI machine can overrun).
TIMEOUT_MS = 10_000
expect.set_options(timeout=TIMEOUT_MS)


def _missing(message):
    if os.environ.get("PORTAL_REQUIRE_BROWSER") == "1":
        pytest.fail(message)
    pytest.skip(message)


def _chromium_path():
    if os.path.exists(CHROMIUM):
        return CHROMIUM
    return shutil.which("chromium")


@pytest.fixture(scope="session")
def browser():
    path = _chromium_path()
    if path is None:
        _missing("Chromium is missing: run `sudo apt-get install chromium` (Debian) for the browser tests")
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


def _watch(page):
    page.set_default_timeout(TIMEOUT_MS)
    problems = []
    page.on("console", lambda msg: msg.type == "error" and problems.append(msg.text))
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.console_problems = problems
    return page


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    yield _watch(context.new_page())
    context.close()


@pytest.fixture
def open_page(browser):
    """open_page(js=True, size="desktop") -> a fresh page in its own context.

    A context with JavaScript off is how a person without it sees the portal:
    no portal.js, native forms only.
    """
    contexts = []

    def open_(*, js=True, size="desktop", **options):
        options.setdefault("viewport", SIZES[size])
        context = browser.new_context(java_script_enabled=js, **options)
        contexts.append(context)
        page = _watch(context.new_page())
        page.size = size
        return page

    yield open_
    for context in contexts:
        context.close()


def sign_in(page, live_server, username="dana", password=PASSWORD, path="/settings/developer-tools/oauth/"):
    """Sign in through the real form, landing on `path`."""
    page.goto(f"{live_server.url}{path}")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{live_server.url}{path}")
    return page


def signed_in_at(page, live_server, username="dana", path="/settings/developer-tools/oauth/"):
    """Open `path` already signed in: a session made on the server, its cookie
    handed to the browser. The sign-in form itself has its own tests (the
    consent flow, the accessibility tour); this saves every other test a round
    trip through it."""
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.test import Client

    client = Client()
    client.force_login(get_user_model().objects.get(username=username))
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    page.context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])
    page.goto(f"{live_server.url}{path}")
    return page


def sideways_overflow(page) -> int:
    """How many CSS pixels the page scrolls sideways (0 when it fits its window)."""
    return page.evaluate("() => document.scrollingElement.scrollWidth - window.innerWidth")


def axe_violations(page, rules=None) -> list[str]:
    """Every axe-core violation on the page as it is now, one line each.

    The page's context must bypass CSP (axe is injected as an inline script).
    All of axe's default rules run, plus target-size (WCAG 2.2 2.5.8); or only
    the `rules` named.
    """
    if not AXE.exists():
        _missing("axe-core is missing: run `npm ci` in tests/browser (make test does)")
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        """async (only) => {
            const options = {rules: {"target-size": {enabled: true}}, resultTypes: ["violations"]};
            if (only) options.runOnly = {type: "rule", values: only};
            const result = await axe.run(document, options);
            const where = n => n.target.join(" ") + " — " + n.failureSummary.replace(/\\s+/g, " ");
            return result.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                                                nodes: v.nodes.map(where)}));
        }""",
        rules,
    )
    return [f"{v['id']} ({v['impact']}): {v['help']}: {json.dumps(v['nodes'][:3])}" for v in result]


@pytest.fixture
def dana(django_user_model):
    return django_user_model.objects.create_user("dana", "dana@example.com", PASSWORD)


@pytest.fixture
def signed_in(page, live_server, dana):
    """A page signed in through the real sign-in form."""
    return sign_in(page, live_server)


def pytest_terminal_summary(terminalreporter):
    """Name the screenshots the language tests took, so a run's output leads to them."""
    from .test_languages import SCREENSHOTS

    if SCREENSHOTS:
        terminalreporter.section("screenshots")
        for path in SCREENSHOTS:
            terminalreporter.write_line(path)
