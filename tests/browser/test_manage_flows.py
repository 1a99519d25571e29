"""A person manages apps in headless Chromium: toggle, edit, reset secret, delete, search."""

import re

import pytest
from django.contrib.auth import get_user_model

from oauth_apps.models import AuditAction, AuditEvent, OAuthApplication

from ..helpers import client_authenticates

pytestmark = pytest.mark.browser

LIST = "/settings/developer-tools/oauth/"


def open_dialog(page):
    """The confirmation dialog, once the script has fetched and shown it."""
    dialog = page.get_by_role("dialog")
    dialog.wait_for()
    return dialog


@pytest.fixture
def dana_app(signed_in, make_app):
    dana = get_user_model().objects.get(username="dana")
    return make_app(dana, name="Dana Calendar", scopes=["files:read"])


def test_toggle_asks_before_disabling_and_enables_at_once(signed_in, live_server, dana_app):
    page, (app, _) = signed_in, dana_app
    page.goto(f"{live_server.url}{LIST}")
    page.get_by_role("switch", name="Enabled — Dana Calendar").click()

    dialog = open_dialog(page)
    assert dialog.get_by_text("All active consents and authorizations will be revoked").is_visible()
    dialog.get_by_role("link", name="Cancel").click()
    page.get_by_role("dialog").wait_for(state="detached")
    app.refresh_from_db()
    assert app.enabled

    page.get_by_role("switch", name="Enabled — Dana Calendar").click()
    open_dialog(page).get_by_role("button", name="Disable").click()
    switch = page.get_by_role("switch", name="Disabled — Dana Calendar")
    assert switch.get_attribute("aria-checked") == "false"
    app.refresh_from_db()
    assert not app.enabled

    switch.click()
    assert page.get_by_role("switch", name="Enabled — Dana Calendar").is_visible()
    app.refresh_from_db()
    assert app.enabled
    assert page.console_problems == []


def test_edit_and_save(signed_in, live_server, dana_app):
    page, (app, _) = signed_in, dana_app
    page.goto(f"{live_server.url}{app.get_absolute_url()}")
    page.get_by_role("link", name="Edit", exact=True).click()
    page.get_by_label("Redirect URLs 1").fill("https://app.example.com/new-callback")
    page.locator('input[value="rooms:write"]').check()
    page.get_by_role("button", name="Save", exact=True).last.click()

    page.wait_for_url(f"**{app.get_absolute_url()}")
    assert page.get_by_text("Saved your changes to Dana Calendar").is_visible()
    assert page.get_by_test_id("history").get_by_text("https://app.example.com/new-callback").is_visible()
    app.refresh_from_db()
    assert app.redirect_uri_list == ["https://app.example.com/new-callback"]
    assert app.scope_names == ["files:read", "rooms:read", "rooms:write"]
    assert page.console_problems == []


def test_reset_secret_and_read_the_new_one(signed_in, live_server, dana_app):
    page, (app, old_secret) = signed_in, dana_app
    page.goto(f"{live_server.url}{app.get_absolute_url()}")
    page.get_by_role("link", name="Reset secret").click()
    dialog = open_dialog(page)
    assert dialog.get_by_text("stops working immediately").is_visible()
    dialog.get_by_role("button", name="Reset secret").click()

    page.wait_for_url("**/credentials/")
    new_secret = page.get_by_test_id("client-secret").input_value()
    assert page.get_by_role("heading", name="New secret for Dana Calendar").is_visible()
    assert client_authenticates(app.client_id, new_secret)
    assert not client_authenticates(app.client_id, old_secret)
    assert page.console_problems == []


def test_delete_with_confirmation(signed_in, live_server, dana_app):
    page, (app, _) = signed_in, dana_app
    page.goto(f"{live_server.url}{LIST}")
    page.get_by_role("button", name="Actions for Dana Calendar").click()
    page.get_by_role("link", name="Delete").click()
    dialog = open_dialog(page)
    assert dialog.get_by_role("heading", name="Delete Dana Calendar?").is_visible()
    dialog.get_by_role("button", name="Delete").click()

    page.get_by_text("Dana Calendar was deleted.").wait_for()
    assert not OAuthApplication.objects.filter(pk=app.pk).exists()
    assert AuditEvent.objects.filter(application_pk=app.pk, action=AuditAction.DELETE).exists()
    assert page.console_problems == []


def test_search_finds_an_app_by_name(signed_in, live_server, make_app):
    dana = get_user_model().objects.get(username="dana")
    for name in ("Harbor Mail", "Harbor Drive", "Summit Notes"):
        make_app(dana, name=name)
    page = signed_in
    page.goto(f"{live_server.url}{LIST}")
    page.get_by_label("Search by name or client ID").fill("summit")
    page.get_by_label("Search by name or client ID").press("Enter")

    page.wait_for_url(re.compile(r".*\?q=summit.*"))
    rows = page.locator("tbody tr")
    assert rows.count() == 1
    assert rows.first.get_by_role("link", name="Summit Notes").is_visible()
    assert page.get_by_test_id("list-count").inner_text().startswith("1 application")
    assert page.console_problems == []


def test_the_row_menu_opens_for_its_row_by_keyboard_and_closes_on_escape(signed_in, live_server, make_app):
    dana = get_user_model().objects.get(username="dana")
    public, _ = make_app(dana, name="Dana Public", public_client=True)
    confidential, _ = make_app(dana, name="Dana Secretive")
    OAuthApplication.objects.filter(pk=confidential.pk).update(enabled=False)
    page = signed_in
    page.goto(f"{live_server.url}{LIST}")

    button = page.get_by_role("button", name="Actions for Dana Secretive")
    button.focus()
    page.keyboard.press("Enter")
    menu = page.locator("#row-menu-open")
    assert button.get_attribute("aria-expanded") == "true"
    assert menu.get_by_role("link", name="Edit").get_attribute("href") == f"{LIST}{confidential.pk}/edit/"
    assert menu.get_by_role("button", name="Enable").is_visible()
    assert (
        menu.get_by_role("link", name="Reset secret")
        .get_attribute("href")
        .startswith(f"{LIST}{confidential.pk}/reset-secret/?next=")
    )
    page.keyboard.press("Escape")
    assert menu.count() == 0
    assert page.evaluate("document.activeElement.hasAttribute('data-row-menu')")  # focus went back
    assert button.get_attribute("aria-expanded") == "false"

    page.get_by_role("button", name="Actions for Dana Public").click()
    menu = page.locator("#row-menu-open")
    assert menu.get_by_role("link", name="Disable").is_visible()
    assert menu.get_by_role("link", name="Reset secret").count() == 0
    page.locator("h1").click()
    assert page.locator("#row-menu-open").count() == 0
    assert page.console_problems == []


def test_without_javascript_the_row_menu_link_opens_the_info_page(browser, live_server, make_app):
    dana = get_user_model().objects.create_user("erin", password="erin-password-1")
    app, _ = make_app(dana, name="Erin Notes")
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill("erin")
    page.get_by_label("Password").fill("erin-password-1")
    page.get_by_role("button", name="Sign in").click()
    page.goto(f"{live_server.url}{LIST}")
    page.get_by_role("link", name="Actions for Erin Notes").click()
    page.wait_for_url(f"**{LIST}{app.pk}/")
    assert page.get_by_role("link", name="Edit").is_visible()
    assert page.get_by_role("link", name="Delete").is_visible()
    context.close()
