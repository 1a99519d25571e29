"""A person registers an app through the real form in headless Chromium, with
JavaScript on (rows added and removed in the page) and off (Add and Remove
post the form back to their list), on a desktop and on a phone."""

import re

import pytest
from playwright.sync_api import expect

from oauth_apps.models import OAuthApplication

from ..conftest import png_bytes
from .conftest import signed_in_at

pytestmark = pytest.mark.browser

NEW = "/settings/developer-tools/oauth/new/"
EVERY_WAY = pytest.mark.parametrize(
    ("js", "size"),
    [(True, "desktop"), (True, "phone"), (False, "desktop"), (False, "phone")],
    ids=["js-desktop", "js-phone", "no-js-desktop", "no-js-phone"],
)


def icon_file(name="icon.png"):
    return [{"name": name, "mimeType": "image/png", "buffer": png_bytes()}]


def redirect_list(page):
    return page.locator("[data-url-list]").first


@EVERY_WAY
def test_register_an_app_with_added_and_removed_rows(open_page, live_server, dana, js, size):
    page = signed_in_at(open_page(js=js, size=size), live_server)
    page.get_by_role("link", name="Register a new application").first.click()
    page.get_by_label("App name").fill("Browser Made App")
    page.get_by_label("Website URL").fill("https://browser.example.com")
    page.get_by_label("App icon").set_input_files(files=icon_file())
    page.get_by_label("Description").fill("Registered by the browser test.")

    page.get_by_label("Redirect URLs 1").fill("https://browser.example.com/callback")
    redirect_list(page).get_by_role("button", name="Add", exact=True).click()
    page.get_by_label("Redirect URLs 2").fill("https://browser.example.com/unwanted")
    redirect_list(page).get_by_role("button", name="Add", exact=True).click()
    third = page.get_by_label("Redirect URLs 3")
    if js:
        expect(third).to_be_focused()
    else:
        expect(page).to_have_url(re.compile(r".*#id_redirect_uris$"))
    third.fill("http://127.0.0.1:9000/callback")
    # Each Remove button is named after its own row, also after rows were added.
    removes = redirect_list(page).get_by_role("button", name="Remove redirect URL")
    expect(removes).to_have_count(3)
    assert removes.evaluate_all("buttons => buttons.map(b => b.getAttribute('aria-label'))") == [
        "Remove redirect URL 1",
        "Remove redirect URL 2",
        "Remove redirect URL 3",
    ]
    redirect_list(page).get_by_role("button", name="Remove redirect URL 2").click()
    # Without JavaScript Remove posts the form: the rows are read from the page that comes back.
    expect(page.get_by_label("Redirect URLs 2")).to_have_value("http://127.0.0.1:9000/callback")
    expect(redirect_list(page).get_by_role("button", name="Remove redirect URL 3")).to_have_count(0)
    page.get_by_label("Allowed origins 1").fill("https://browser.example.com")

    page.locator('input[value="files:write"]').check()
    read = page.locator('input[value="files:read"]')
    # With the script Write ticks and locks Read; without it the server adds Read.
    expect(read).to_be_checked(checked=js)
    expect(read).to_be_enabled(enabled=not js)

    page.get_by_label("Privacy policy URL").fill("https://browser.example.com/privacy")
    page.get_by_label("Terms of Service URL").fill("https://browser.example.com/terms")
    page.get_by_role("button", name="Save", exact=True).last.click()

    # Without JavaScript the Add/Remove fragment (#id_redirect_uris) rides along the redirect.
    page.wait_for_url(re.compile(r".*/credentials/(#.*)?$"))
    client_id = page.get_by_test_id("client-id").input_value()
    secret = page.get_by_test_id("client-secret").input_value()
    expect(page.get_by_text("You will not see it again")).to_be_visible()

    app = OAuthApplication.objects.get(client_id=client_id)
    assert app.name == "Browser Made App"
    assert app.redirect_uri_list == ["https://browser.example.com/callback", "http://127.0.0.1:9000/callback"]
    assert app.scope_names == ["files:read", "files:write"]
    assert len(secret) >= 64

    page.get_by_role("link", name="Done — go to the application list").click()
    row = page.locator("tr", has_text="Browser Made App")
    # The list is a new page load: wait for the row (and its icon), not just the click.
    expect(row).to_be_visible()
    # Loaded at its size, awaited by expect: page.wait_for_function polls with the page's
    # own timers, which do not run with JavaScript off, so it saw only its first check.
    expect(row.locator("img")).to_have_js_property("naturalWidth", 32)
    assert page.console_problems == []


@pytest.mark.parametrize("js", [True, False], ids=["js", "no-js"])
def test_errors_show_next_to_fields_and_keep_the_icon(open_page, live_server, dana, js):
    page = signed_in_at(open_page(js=js), live_server, path=NEW)
    page.get_by_label("App name").fill("ab")
    page.get_by_label("App icon").set_input_files(files=icon_file())
    page.get_by_role("button", name="Save", exact=True).last.click()

    # The form comes back as a new page: await it rather than read the one being replaced.
    expect(page.locator("#id_name_error")).to_be_visible()
    expect(page.get_by_label("App name")).to_have_value("ab")
    # The parked icon loads after the page: awaited by expect, whose retries run with
    # JavaScript off too (page.wait_for_function's do not, so it timed out under load).
    expect(page.locator(".icon-preview img")).to_have_js_property("naturalWidth", 32)
    expect(page.locator("[data-icon-token]")).not_to_have_value("")
    assert not OAuthApplication.objects.exists()
    native = page.get_by_label("App icon")
    if js:
        # The script's status line replaces the native "No file chosen".
        # Shown by the script once the page is parsed, so awaited before the layout is measured.
        expect(page.get_by_text("The accepted icon is kept.")).to_be_visible()
        expect(page.get_by_role("button", name="Choose another file")).to_be_visible()
        assert native.bounding_box()["width"] <= 1
        native.set_input_files(files=icon_file("replacement.png"))
        expect(page.locator("[data-icon-status]")).to_have_text("replacement.png")
        expect(page.locator(".icon-preview img")).to_have_count(0)
    else:
        expect(native).to_be_visible()
        expect(page.get_by_text("Your icon was accepted and is kept")).to_be_visible()
        expect(page.locator("[data-icon-status]")).to_be_hidden()
