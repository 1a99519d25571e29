"""Sign in in one tab, then send the stale sign-in form of another: the portal explains it."""

import pytest
from playwright.sync_api import expect

from .conftest import TIMEOUT_MS


@pytest.fixture(params=[True, False], ids=["js", "no-js"])
def context(request, browser):
    context = browser.new_context(java_script_enabled=request.param)
    context.set_default_timeout(TIMEOUT_MS)
    yield context
    context.close()


def test_stale_sign_in_form_in_a_second_tab(context, live_server, django_user_model):
    django_user_model.objects.create_user("finn", "finn@example.com", "finn-password-1")
    login = f"{live_server.url}/accounts/login/"
    first, second = context.new_page(), context.new_page()
    for tab in (first, second):
        tab.goto(login)
    first.get_by_label("Username").fill("finn")
    first.get_by_label("Password").fill("finn-password-1")
    first.get_by_role("button", name="Sign in").click()
    first.wait_for_url(f"{live_server.url}/settings/developer-tools/oauth/")

    second.get_by_label("Username").fill("finn")
    second.get_by_label("Password").fill("finn-password-1")
    with second.expect_response(login) as answer:
        second.get_by_role("button", name="Sign in").click()
    assert answer.value.status == 403
    # The response has arrived, but the page showing it may not have replaced the form yet.
    expect(second.locator("main")).to_contain_text("You are already signed in as finn")
    assert "CSRF verification failed" not in second.content()
    second.get_by_role("link", name="Continue to the portal").click()
    second.wait_for_url(f"{live_server.url}/settings/developer-tools/oauth/")
