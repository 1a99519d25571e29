"""A person registers an app through the real form in headless Chromium."""

import pytest

from oauth_apps.models import OAuthApplication

from ..conftest import png_bytes

pytestmark = pytest.mark.browser


def test_register_an_app_end_to_end(signed_in, live_server):
    page = signed_in
    page.get_by_role("link", name="Register a new application").first.click()
    page.get_by_label("App name").fill("Browser Made App")
    page.get_by_label("Website URL").fill("https://browser.example.com")
    page.get_by_label("App icon").set_input_files(
        files=[{"name": "icon.png", "mimeType": "image/png", "buffer": png_bytes()}]
    )
    page.get_by_label("Description").fill("Registered by the browser test.")

    page.get_by_label("Redirect URLs 1").fill("https://browser.example.com/callback")
    page.locator("[data-url-list]").first.get_by_role("button", name="Add", exact=True).click()
    second = page.get_by_label("Redirect URLs 2")
    assert second.evaluate("el => el === document.activeElement")
    second.fill("http://127.0.0.1:9000/callback")
    page.get_by_label("Allowed origins 1").fill("https://browser.example.com")

    page.locator('input[value="files:write"]').check()
    read = page.locator('input[value="files:read"]')
    assert read.is_checked()
    assert read.is_disabled()

    page.get_by_label("Privacy policy URL").fill("https://browser.example.com/privacy")
    page.get_by_label("Terms of Service URL").fill("https://browser.example.com/terms")
    page.get_by_role("button", name="Save", exact=True).last.click()

    page.wait_for_url("**/credentials/")
    client_id = page.get_by_test_id("client-id").input_value()
    secret = page.get_by_test_id("client-secret").input_value()
    assert page.get_by_text("You will not see it again").is_visible()

    app = OAuthApplication.objects.get(client_id=client_id)
    assert app.name == "Browser Made App"
    assert app.redirect_uri_list == ["https://browser.example.com/callback", "http://127.0.0.1:9000/callback"]
    assert app.scope_names == ["files:read", "files:write"]
    assert len(secret) >= 64

    page.get_by_role("link", name="Done — go to the application list").click()
    row = page.locator("tr", has_text="Browser Made App")
    assert row.is_visible()
    assert row.locator("img").evaluate("img => img.naturalWidth") == 32
    assert page.console_problems == []


def test_errors_show_next_to_fields_and_keep_the_icon(signed_in, live_server):
    page = signed_in
    page.goto(f"{live_server.url}/settings/developer-tools/oauth/new/")
    page.get_by_label("App name").fill("ab")
    page.get_by_label("App icon").set_input_files(
        files=[{"name": "icon.png", "mimeType": "image/png", "buffer": png_bytes()}]
    )
    page.get_by_role("button", name="Save", exact=True).last.click()

    assert page.locator("#id_name_error").is_visible()
    assert page.get_by_label("App name").input_value() == "ab"
    assert page.locator(".icon-preview img").evaluate("img => img.naturalWidth") == 32
    assert page.locator("[data-icon-token]").input_value() != ""
    assert not OAuthApplication.objects.exists()
