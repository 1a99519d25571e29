"""A person signs in at the consent screen and allows or denies, in headless Chromium."""

from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from playwright.sync_api import expect

from ..authserver.conftest import pkce_pair

pytestmark = pytest.mark.browser

BOTH_WAYS = pytest.mark.parametrize("js", [True, False], ids=["js", "no-js"])


@pytest.fixture
def probe_app(make_app, user, live_server):
    """An app whose redirect URI is the live server itself (the probe path may 404)."""
    port = urlsplit(live_server.url).port
    app, _secret = make_app(
        user,
        name="Probe Calendar",
        public_client=True,
        scopes=["accounts.self:write", "files:read"],
        redirect_uris=[f"http://127.0.0.1:{port}/callback-probe"],
    )
    return app


def authorize_url(live_server, app):
    _verifier, challenge = pkce_pair()
    query = urlencode(
        {
            "response_type": "code",
            "client_id": app.client_id,
            "state": "xyz",
            "code_challenge": challenge,
            "code_challenge_method": "S256",
        }
    )
    return f"{live_server.url}/oauth/authorize/?{query}"


def sign_in_at_consent(page, live_server, app, django_user_model):
    django_user_model.objects.create_user("dana", "dana@example.com", "dana-password-1")
    page.goto(authorize_url(live_server, app))
    page.get_by_label("Username").fill("dana")
    page.get_by_label("Password").fill("dana-password-1")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/oauth/authorize/?**")


def csp_problems(page):
    return [problem for problem in page.console_problems if "Content Security Policy" in problem]


@BOTH_WAYS
def test_sign_in_then_allow_lands_on_the_redirect_uri_with_a_code(
    open_page, live_server, probe_app, django_user_model, js
):
    page = open_page(js=js, size="phone")
    sign_in_at_consent(page, live_server, probe_app, django_user_model)
    expect(page.get_by_role("heading", level=1)).to_contain_text(
        "Probe Calendar would like the ability to access the following data in your account:"
    )
    expect(page.get_by_role("link", name="Probe Calendar")).to_have_attribute("href", probe_app.website_url)
    expect(page.locator(".consent-icon")).to_have_js_property("naturalWidth", 32)
    expect(page.locator(".consent-scopes li")).to_have_text(
        ["View and manage basic information about your profile", "View all files and folders"]
    )
    expect(page.locator(".consent-whoami")).to_contain_text("Signed in as dana")

    page.get_by_role("button", name="Allow").click()
    page.wait_for_url("**/callback-probe?**")
    params = parse_qs(urlsplit(page.url).query)
    assert page.url.startswith(probe_app.redirect_uri_list[0])
    assert params["code"][0]
    assert params["state"] == ["xyz"]
    assert csp_problems(page) == []


@BOTH_WAYS
def test_deny_lands_on_the_redirect_uri_with_access_denied(
    open_page, live_server, probe_app, django_user_model, js
):
    page = open_page(js=js)
    sign_in_at_consent(page, live_server, probe_app, django_user_model)
    page.get_by_role("button", name="Deny").click()
    page.wait_for_url("**/callback-probe?**")
    params = parse_qs(urlsplit(page.url).query)
    assert params["error"] == ["access_denied"]
    assert "code" not in params
    assert csp_problems(page) == []


def test_not_you_signs_out_and_comes_back_to_the_same_request(
    page, live_server, probe_app, django_user_model
):
    sign_in_at_consent(page, live_server, probe_app, django_user_model)
    consent_url = page.url
    page.get_by_role("button", name="Not you?").click()
    page.wait_for_url("**/accounts/login/?next=**")
    django_user_model.objects.create_user("erin", "erin@example.com", "erin-password-1")
    page.get_by_label("Username").fill("erin")
    page.get_by_label("Password").fill("erin-password-1")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(consent_url)
    expect(page.locator(".consent-whoami")).to_contain_text("Signed in as erin")
