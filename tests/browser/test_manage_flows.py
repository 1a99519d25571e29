"""A person manages apps in headless Chromium: toggle, edit, bulk actions, reset
secret, delete, search — each flow with JavaScript on (confirmations are
dialogs) and off (confirmations are pages), and at phone size where the list's
layout differs (stacked cards).
"""

import re

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from oauth_apps.models import AuditAction, AuditEvent, OAuthApplication

from ..helpers import client_authenticates
from .conftest import signed_in_at

pytestmark = pytest.mark.browser

LIST = "/settings/developer-tools/oauth/"

BOTH_WAYS = pytest.mark.parametrize("js", [True, False], ids=["js", "no-js"])
EVERY_WAY = pytest.mark.parametrize(
    ("js", "size"),
    [(True, "desktop"), (True, "phone"), (False, "desktop"), (False, "phone")],
    ids=["js-desktop", "js-phone", "no-js-desktop", "no-js-phone"],
)


def confirmation(page, js):
    """The confirmation: a dialog over the page with JavaScript, a page of its own without."""
    panel = page.locator("[data-confirm-panel]")
    panel.wait_for()
    expect(page.locator("dialog[open]")).to_have_count(1 if js else 0)
    return panel


def row_menu(page, js, name):
    """A row's actions: with JavaScript the ⋯ button opens the page's one menu beside
    the row; without it the ⋯ link leads to the app's Info page, which holds them all."""
    if js:
        page.get_by_role("button", name=f"Actions for {name}").click()
        return page.locator("#row-menu-open")
    page.get_by_role("link", name=f"Actions for {name}").click()
    page.wait_for_url(re.compile(rf".*{LIST}\d+/$"))
    return page.get_by_role("group", name="Manage this application")


@pytest.fixture
def dana_app(dana, make_app):
    return make_app(dana, name="Dana Calendar", scopes=["files:read"])


@pytest.fixture
def browse(open_page, live_server, dana):
    """browse(js, size) -> a page signed in as dana, at the list."""

    def open_(js=True, size="desktop"):
        page = signed_in_at(open_page(js=js, size=size), live_server)
        page.base = live_server.url
        return page

    return open_


@EVERY_WAY
def test_switch_asks_before_disabling_and_enables_at_once(browse, dana_app, js, size):
    page, (app, _) = browse(js, size), dana_app
    page.get_by_role("switch", name="Enabled — Dana Calendar").click()

    panel = confirmation(page, js)
    expect(panel.get_by_text("All active consents and authorizations will be revoked")).to_be_visible()
    panel.get_by_role("link", name="Cancel").click()
    page.get_by_role("switch", name="Enabled — Dana Calendar").wait_for()
    # With the script the dialog is removed in its "close" event, a moment after Cancel.
    expect(page.locator("[data-confirm-panel]")).to_have_count(0)
    app.refresh_from_db()
    assert app.enabled

    page.get_by_role("switch", name="Enabled — Dana Calendar").click()
    confirmation(page, js).get_by_role("button", name="Disable").click()
    switch = page.get_by_role("switch", name="Disabled — Dana Calendar")
    expect(switch).to_have_attribute("aria-checked", "false")
    expect(page.get_by_text("Dana Calendar is disabled")).to_be_visible()
    app.refresh_from_db()
    assert not app.enabled

    switch.click()
    # The switch posts its form: the list comes back as a new page, awaited before the database is read.
    expect(page.get_by_role("switch", name="Enabled — Dana Calendar")).to_be_visible()
    app.refresh_from_db()
    assert app.enabled
    assert page.console_problems == []


@EVERY_WAY
def test_row_menu_disables_and_enables(browse, dana_app, js, size):
    page, (app, _) = browse(js, size), dana_app
    row_menu(page, js, "Dana Calendar").get_by_role("link", name="Disable", exact=True).click()
    confirmation(page, js).get_by_role("button", name="Disable").click()
    page.get_by_text("Dana Calendar is disabled").wait_for()
    app.refresh_from_db()
    assert not app.enabled

    page.goto(page.base + LIST)
    row_menu(page, js, "Dana Calendar").get_by_role("button", name="Enable", exact=True).click()
    page.get_by_text("Dana Calendar is enabled").wait_for()
    app.refresh_from_db()
    assert app.enabled
    assert page.console_problems == []


@EVERY_WAY
def test_bulk_disable_enable_and_delete(browse, dana, make_app, js, size):
    """With JavaScript this once landed on …/oauth/[object RadioNodeList]: the
    bulk bar's buttons are named "action" and shadowed the form's action."""
    apps = [make_app(dana, name=name)[0] for name in ("Bulk One", "Bulk Two", "Bulk Three")]
    page = browse(js, size)

    def tick(*names):
        for name in names:
            page.get_by_label(f"Select {name}").check()

    tick("Bulk One", "Bulk Two")
    page.locator("#bulk-form").get_by_role("button", name="Disable", exact=True).click()
    panel = confirmation(page, js)
    expect(panel.get_by_role("heading", name="Disable 2 applications?")).to_be_visible()
    panel.get_by_role("button", name="Disable (2)").click()
    page.get_by_text("2 applications disabled.").wait_for()
    expect(page).to_have_url(re.compile(rf".*{LIST}?$"))
    assert sorted(OAuthApplication.objects.filter(enabled=False).values_list("name", flat=True)) == [
        "Bulk One",
        "Bulk Two",
    ]

    tick("Bulk One")
    page.locator("#bulk-form").get_by_role("button", name="Enable", exact=True).click()
    confirmation(page, js).get_by_role("button", name="Enable (1)").click()
    page.get_by_text("1 application enabled.").wait_for()
    assert list(OAuthApplication.objects.filter(enabled=False).values_list("name", flat=True)) == ["Bulk Two"]

    tick("Bulk Two", "Bulk Three")
    page.locator("#bulk-form").get_by_role("button", name="Delete", exact=True).click()
    panel = confirmation(page, js)
    expect(panel.get_by_role("listitem")).to_have_text(["Bulk Three", "Bulk Two"])
    panel.get_by_role("button", name="Delete (2)").click()
    page.get_by_text("2 applications deleted.").wait_for()
    assert list(OAuthApplication.objects.values_list("pk", flat=True)) == [apps[0].pk]
    assert page.console_problems == []


@BOTH_WAYS
def test_edit_and_save(browse, dana_app, js):
    page, (app, _) = browse(js), dana_app
    page.goto(page.base + app.get_absolute_url())
    page.get_by_role("link", name="Edit", exact=True).click()
    page.get_by_label("Redirect URLs 1").fill("https://app.example.com/new-callback")
    page.locator('input[value="rooms:write"]').check()
    page.get_by_role("button", name="Save", exact=True).last.click()

    page.wait_for_url(f"**{app.get_absolute_url()}")
    expect(page.get_by_text("Saved your changes to Dana Calendar")).to_be_visible()
    expect(page.get_by_test_id("history").get_by_text("https://app.example.com/new-callback")).to_be_visible()
    app.refresh_from_db()
    assert app.redirect_uri_list == ["https://app.example.com/new-callback"]
    assert app.scope_names == ["files:read", "rooms:read", "rooms:write"]
    assert page.console_problems == []


@BOTH_WAYS
def test_reset_secret_and_read_the_new_one(browse, dana_app, js):
    page, (app, old_secret) = browse(js), dana_app
    page.goto(page.base + app.get_absolute_url())
    page.get_by_role("link", name="Reset secret").click()
    panel = confirmation(page, js)
    expect(panel.get_by_text("stops working immediately")).to_be_visible()
    panel.get_by_role("button", name="Reset secret").click()

    page.wait_for_url("**/credentials/")
    new_secret = page.get_by_test_id("client-secret").input_value()
    expect(page.get_by_role("heading", name="New secret for Dana Calendar")).to_be_visible()
    assert client_authenticates(app.client_id, new_secret)
    assert not client_authenticates(app.client_id, old_secret)
    # Copy buttons need the script: without it they are not shown at all.
    # The script unhides them once the page is parsed, so this is awaited too.
    expect(page.get_by_role("button", name="Copy client secret")).to_be_visible(visible=js)
    assert page.console_problems == []


@EVERY_WAY
def test_delete_from_the_row_menu(browse, dana_app, js, size):
    page, (app, _) = browse(js, size), dana_app
    row_menu(page, js, "Dana Calendar").get_by_role("link", name="Delete").click()
    panel = confirmation(page, js)
    expect(panel.get_by_role("heading", name="Delete Dana Calendar?")).to_be_visible()
    panel.get_by_role("button", name="Delete").click()

    page.get_by_text("Dana Calendar was deleted.").wait_for()
    assert not OAuthApplication.objects.filter(pk=app.pk).exists()
    assert AuditEvent.objects.filter(application_pk=app.pk, action=AuditAction.DELETE).exists()
    assert page.console_problems == []


def test_dialog_focuses_cancel_closes_on_escape_and_returns_focus(browse, dana_app):
    """Enter right after opening must not delete: focus is on Cancel, not on Delete."""
    page, (app, _) = browse(), dana_app
    page.goto(page.base + app.get_absolute_url())
    opener = page.get_by_role("group", name="Manage this application").get_by_role("link", name="Delete")
    opener.click()
    dialog = page.get_by_role("dialog", name="Delete Dana Calendar?")
    dialog.wait_for()
    expect(dialog.get_by_role("link", name="Cancel")).to_be_focused()

    page.keyboard.press("Enter")
    dialog.wait_for(state="detached")
    assert OAuthApplication.objects.filter(pk=app.pk).exists()
    # A closed dialog leaves the accessibility tree before its "close" event returns the
    # focus, so the focus is awaited (within the default timeout), not read at once.
    expect(opener).to_be_focused()

    opener.press("Enter")
    dialog.wait_for()
    page.keyboard.press("Escape")
    dialog.wait_for(state="detached")
    expect(opener).to_be_focused()
    assert OAuthApplication.objects.filter(pk=app.pk).exists()
    assert page.console_problems == []


def test_dialog_from_the_row_menu_returns_focus_to_the_menu(browse, dana_app):
    page = browse(size="phone")
    row_menu(page, True, "Dana Calendar").get_by_role("link", name="Reset secret").click()
    dialog = page.get_by_role("dialog")
    dialog.wait_for()
    page.keyboard.press("Escape")
    dialog.wait_for(state="detached")
    # Focus comes back in the dialog's "close" event, a moment after it leaves the page.
    expect(page.locator(f'tr[data-app-id="{dana_app[0].pk}"] :focus')).to_have_count(1)


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_search_finds_an_app_by_name(browse, dana, make_app, size):
    for name in ("Harbor Mail", "Harbor Drive", "Summit Notes"):
        make_app(dana, name=name)
    page = browse(size=size)
    page.get_by_label("Search by name or client ID").fill("summit")
    page.get_by_label("Search by name or client ID").press("Enter")

    page.wait_for_url(re.compile(r".*\?q=summit.*"))
    rows = page.locator("tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first.get_by_role("link", name="Summit Notes")).to_be_visible()
    expect(page.get_by_test_id("list-count")).to_have_text(re.compile(r"^\s*1 application"))
    assert page.console_problems == []


def test_on_a_phone_each_app_is_a_card_with_its_switch_and_menu(browse, dana, make_app):
    make_app(dana, name="Card One")
    page = browse(size="phone")
    row = page.locator("tbody tr").first
    box = row.bounding_box()
    assert box["width"] <= 390
    for control in (row.get_by_role("switch"), row.locator("[data-row-menu]"), row.get_by_role("checkbox")):
        size = control.bounding_box()
        assert min(size["width"], size["height"]) >= 24
        assert box["x"] <= size["x"] <= box["x"] + box["width"] - size["width"]
    expect(row.get_by_text("Created:")).to_be_visible()


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
    expect(button).to_have_attribute("aria-expanded", "true")
    expect(menu.get_by_role("link", name="Edit")).to_have_attribute("href", f"{LIST}{confidential.pk}/edit/")
    expect(menu.get_by_role("button", name="Enable")).to_be_visible()
    expect(menu.get_by_role("link", name="Reset secret")).to_have_attribute(
        "href", re.compile(rf"^{re.escape(f'{LIST}{confidential.pk}/reset-secret/?next=')}")
    )
    page.keyboard.press("Escape")
    expect(menu).to_have_count(0)
    expect(button).to_be_focused()  # focus went back
    expect(button).to_have_attribute("aria-expanded", "false")

    page.get_by_role("button", name="Actions for Dana Public").click()
    menu = page.locator("#row-menu-open")
    expect(menu.get_by_role("link", name="Disable")).to_be_visible()
    expect(menu.get_by_role("link", name="Reset secret")).to_have_count(0)
    page.locator("h1").click()
    expect(page.locator("#row-menu-open")).to_have_count(0)
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
    # Signed in (the session cookie set) before the list is opened.
    page.wait_for_url(f"{live_server.url}{LIST}")
    page.get_by_role("link", name="Actions for Erin Notes").click()
    page.wait_for_url(f"**{LIST}{app.pk}/")
    expect(page.get_by_role("link", name="Edit")).to_be_visible()
    expect(page.get_by_role("link", name="Delete")).to_be_visible()
    context.close()


@BOTH_WAYS
def test_rotate_the_secret_then_end_the_old_one(browse, dana_app, js):
    page, (app, old_secret) = browse(js), dana_app
    page.goto(page.base + app.get_absolute_url())
    page.get_by_role("group", name="Manage this application").get_by_role(
        "link", name="Rotate secret"
    ).click()
    panel = confirmation(page, js)
    expect(panel.get_by_role("radio", name="7 days")).to_be_checked()
    panel.get_by_role("radio", name="1 day").check()
    panel.get_by_role("button", name="Rotate secret").click()

    page.wait_for_url("**/credentials/")
    new_secret = page.get_by_test_id("client-secret").input_value()
    expect(
        page.get_by_test_id("rotation-note").get_by_text("The previous secret keeps working until")
    ).to_be_visible()
    assert client_authenticates(app.client_id, new_secret)
    assert client_authenticates(app.client_id, old_secret)

    page.goto(page.base + app.get_absolute_url())
    rotation = page.get_by_test_id("rotation")
    expect(rotation.get_by_text("Old secret works until")).to_be_visible()
    expect(rotation.get_by_text("Old secret last used")).to_be_visible()
    expect(rotation.get_by_text("never")).to_have_count(0)  # used just above
    expect(page.get_by_role("link", name="Rotate secret")).to_have_count(0)
    rotation.get_by_role("link", name="End the old secret now").click()
    confirmation(page, js).get_by_role("button", name="End the old secret").click()

    page.get_by_text("The old secret of Dana Calendar no longer works.").wait_for()
    expect(page.get_by_test_id("rotation")).to_have_count(0)
    assert not client_authenticates(app.client_id, old_secret)
    assert client_authenticates(app.client_id, new_secret)
    assert page.console_problems == []


@BOTH_WAYS
def test_a_custom_time_out_of_bounds_is_explained_next_to_the_field(browse, dana_app, js):
    page, (app, old_secret) = browse(js, "phone"), dana_app
    row_menu(page, js, "Dana Calendar").get_by_role("link", name="Rotate secret").click()
    panel = confirmation(page, js)
    panel.get_by_role("radio", name="Until a date and time I choose").check()
    panel.get_by_label("Old secret works until").fill("2020-01-01T10:00")
    panel.get_by_role("button", name="Rotate secret").click()

    expect(page.locator("#id_until_error")).to_contain_text("from 1 hour to 30 days from now")
    app.refresh_from_db()
    assert not app.rotation_in_progress
    assert client_authenticates(app.client_id, old_secret)
    # The refusal is a 400 page, which the browser logs; nothing else may be.
    assert [p for p in page.console_problems if "status of 400" not in p] == []
