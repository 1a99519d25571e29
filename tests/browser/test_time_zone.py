"""The browser tells the portal its time zone; pages then show dates in it."""

import pytest
from playwright.sync_api import expect

from .conftest import TIMEOUT_MS


@pytest.fixture
def tokyo_page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, timezone_id="Asia/Tokyo")
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    yield page
    context.close()


def test_dates_follow_the_browsers_zone(tokyo_page, live_server, django_user_model):
    django_user_model.objects.create_user("erin", "erin@example.com", "erin-password-1")
    page = tokyo_page
    page.goto(f"{live_server.url}/accounts/login/")
    assert {c["name"]: c["value"] for c in page.context.cookies()}.get("tz") == "Asia/Tokyo"
    page.get_by_label("Username").fill("erin")
    page.get_by_label("Password").fill("erin-password-1")
    page.get_by_role("button", name="Sign in").click()
    # Signed in (the session cookie set) before the next page is opened.
    page.wait_for_url(f"{live_server.url}/settings/developer-tools/oauth/")
    page.goto(f"{live_server.url}/settings/")
    expect(page.locator("main")).to_contain_text("Dates and times are shown in Asia/Tokyo.")


def test_without_javascript_no_zone_is_claimed(browser, live_server, django_user_model):
    context = browser.new_context(java_script_enabled=False, timezone_id="Asia/Tokyo")
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    assert not [cookie for cookie in context.cookies() if cookie["name"] == "tz"]
    context.close()
