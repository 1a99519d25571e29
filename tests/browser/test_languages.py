"""Languages in a real browser: Arabic mirrors at desktop and phone width, the switcher works
without JavaScript, and a saved choice follows the person to a new browser."""

import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from django.conf import settings
from playwright.sync_api import expect

from oauth_apps.scopes import SCOPES

from ..catalogs import js_translation

pytestmark = pytest.mark.browser

LIST_PATH = "/settings/developer-tools/oauth/"
CLOCK_START = datetime(2030, 1, 7, 9, 0, tzinfo=UTC)
SCREENSHOTS: list[str] = []


@pytest.fixture(scope="session")
def screenshot_dir(tmp_path_factory) -> Path:
    """Where screenshots go: $PORTAL_SCREENSHOT_DIR (CI keeps it as an artifact), else pytest's temp dir."""
    configured = os.environ.get("PORTAL_SCREENSHOT_DIR")
    path = Path(configured) if configured else tmp_path_factory.mktemp("screenshots")
    path.mkdir(parents=True, exist_ok=True)
    return path


def shoot(page, directory: Path, name: str, record_property) -> None:
    path = directory / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    SCREENSHOTS.append(str(path))
    record_property("screenshot", str(path))
    print(f"screenshot: {path}")  # noqa: T201 - the run's output names the file


def password_of(username: str) -> str:
    return f"{username}-password-1"


def person(django_user_model, username: str):
    """A person who signs in as `username` with password_of(username)."""
    return django_user_model.objects.create_user(username, f"{username}@example.com", password_of(username))


def sign_in(page, base_url: str, username: str, next_path: str = LIST_PATH) -> None:
    # By the fields' ids, not their labels: the page may speak Arabic.
    page.goto(f"{base_url}/accounts/login/?next={next_path}")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(password_of(username))
    page.locator("form[action='/accounts/login/'] button[type=submit]").click()
    page.wait_for_url(f"{base_url}{next_path}")


def signed_in_page(browser, live_server, username: str, **context_options):
    """A page in a new browser context (`context_options`), signed in as `username` through the form."""
    page = browser.new_context(**context_options).new_page()
    sign_in(page, live_server.url, username)
    return page


def no_sideways_scrolling(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


@pytest.mark.parametrize("width", [1366, 390])
def test_arabic_mirrors_the_layout_and_keeps_identifiers_left_to_right(
    browser, live_server, django_user_model, make_app, screenshot_dir, record_property, width
):
    app, _secret = make_app(person(django_user_model, "rana"), name="تقويم الفريق")
    context = browser.new_context(viewport={"width": width, "height": 900}, locale="ar")
    page = context.new_page()
    problems = []
    page.on("pageerror", lambda error: problems.append(str(error)))
    sign_in(page, live_server.url, "rana")

    assert page.evaluate("[document.documentElement.lang, document.documentElement.dir]") == ["ar", "rtl"]
    assert page.locator("h1").first.evaluate("el => getComputedStyle(el).direction") == "rtl"
    assert no_sideways_scrolling(page)
    shoot(page, screenshot_dir, f"ar-list-{width}", record_property)

    page.goto(f"{live_server.url}{LIST_PATH}new/")
    assert no_sideways_scrolling(page)
    row = page.locator("[data-url-list]").first.locator("[data-row]").first
    url_box = row.locator("input").bounding_box()
    remove_box = row.locator("[data-remove-row]").bounding_box()
    # Mirrored: the address field starts on the right, its Remove button sits to its left.
    assert remove_box["x"] + remove_box["width"] <= url_box["x"] + 1
    # The scope table mirrored: each checkbox stands to the right of its text; on a wide
    # screen the scope names' column is the rightmost one.
    choice = page.locator(".scope-table .scope-choice").first
    assert choice.locator("input").bounding_box()["x"] > choice.locator("span").first.bounding_box()["x"]
    if width > 800:
        first_row = page.locator(".scope-table tbody tr").first
        assert first_row.locator("th").bounding_box()["x"] > first_row.locator("td").first.bounding_box()["x"]
    shoot(page, screenshot_dir, f"ar-register-{width}", record_property)

    page.goto(f"{live_server.url}{app.get_absolute_url()}")
    client_id = page.get_by_test_id("client-id")
    assert client_id.evaluate("el => getComputedStyle(el).direction") == "ltr"
    assert client_id.input_value() == app.client_id
    assert no_sideways_scrolling(page)
    shoot(page, screenshot_dir, f"ar-detail-{width}", record_property)
    assert problems == []
    context.close()


def test_portal_js_speaks_arabic_under_the_csp(browser, live_server, django_user_model, make_app):
    app, _secret = make_app(person(django_user_model, "rana"))
    context = browser.new_context(locale="ar")
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    page = context.new_page()
    page.clock.install(time=CLOCK_START)
    problems = []
    page.on("console", lambda msg: msg.type == "error" and problems.append(msg.text))
    sign_in(page, live_server.url, "rana")
    page.goto(f"{live_server.url}{app.get_absolute_url()}")
    button = page.locator("[data-copy='#client-id']")
    expect(button).to_have_text("نسخ")
    # "Copied" goes back to "Copy" on a 1.5 s timer: with the page's clock stopped it stays
    # until seen, however long a busy machine takes to look.
    page.clock.pause_at(CLOCK_START + timedelta(hours=1))
    button.click()
    expect(button).to_have_text("تم النسخ")
    page.clock.resume()

    # A string only portal.js says comes from the JavaScript catalog (/jsi18n/).
    page.goto(f"{live_server.url}{LIST_PATH}new/")
    page.locator('input[value="files:write"]').check()
    expect(page.locator('input[value="files:read"]')).to_have_attribute(
        "title", js_translation("ar", "Included in Write")
    )
    assert problems == []  # the catalog loaded under the Content-Security-Policy
    context.close()


def test_switcher_works_by_keyboard_without_javascript(browser, live_server):
    context = browser.new_context(java_script_enabled=False, locale="en-US")
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/?next={LIST_PATH}")
    page.locator("#language-select").focus()
    page.locator("#language-select").select_option("de")
    page.keyboard.press("Tab")
    expect(page.locator(":focus")).to_have_attribute("type", "submit")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url == f"{live_server.url}/accounts/login/?next={LIST_PATH}"
    assert page.evaluate("document.documentElement.lang") == "de"
    assert page.locator("#language-select").input_value() == "de"
    cookies = {cookie["name"]: cookie["value"] for cookie in context.cookies()}
    assert cookies[settings.LANGUAGE_COOKIE_NAME] == "de"
    context.close()


def test_choice_follows_the_person_across_sign_out_and_a_new_browser(browser, live_server, django_user_model):
    person(django_user_model, "omar")
    page = signed_in_page(browser, live_server, "omar", locale="en-US")
    assert page.evaluate("document.documentElement.lang") == "en"
    page.locator("#language-select").select_option("ar")
    page.locator(".language-switcher button[type=submit]").click()
    page.wait_for_function("document.documentElement.lang === 'ar'")
    assert page.url == f"{live_server.url}{LIST_PATH}"
    page.locator("form.signout button[type=submit]").click()
    page.wait_for_url("**/accounts/login/")
    page.context.close()

    second = browser.new_context(locale="en-US")  # another browser: no cookie, English Accept-Language
    page = second.new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    assert page.evaluate("document.documentElement.lang") == "en"
    sign_in(page, live_server.url, "omar")
    assert page.evaluate("[document.documentElement.lang, document.documentElement.dir]") == ["ar", "rtl"]
    assert page.locator(".topnav").inner_text().count("أدوات المطوِّر") == 1
    second.close()


def test_scope_catalog_is_translated_on_the_arabic_form(browser, live_server, django_user_model):
    person(django_user_model, "rana")
    page = signed_in_page(browser, live_server, "rana", locale="ar")
    page.goto(f"{live_server.url}{LIST_PATH}new/")
    texts = page.locator(".scope-table .scope-text").all_inner_texts()
    assert len(texts) == len(SCOPES)
    assert "عرض جميع الملفات والمجلدات وإدارتها" in texts
    assert not any(text.startswith("View") for text in texts)
    page.context.close()
