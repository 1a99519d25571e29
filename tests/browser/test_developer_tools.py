"""A developer generates a token for their own account and revokes it, and
revokes their authorization of an app — with JavaScript on and off."""

import pytest
from django.test import Client
from oauth2_provider.models import get_access_token_model
from playwright.sync_api import expect

from .conftest import signed_in_at

pytestmark = pytest.mark.browser

BOTH_WAYS = pytest.mark.parametrize("js", [True, False], ids=["js", "no-js"])


def api_status(token):
    return Client().get("/api/2.0/people/@self", HTTP_AUTHORIZATION=f"Bearer {token}").status_code


@BOTH_WAYS
def test_generate_a_developer_token_then_revoke_it(open_page, live_server, dana, make_app, js):
    app, _ = make_app(dana, name="Token Lab", scopes=["accounts.self:read", "files:read"])
    page = signed_in_at(open_page(js=js), live_server, path=f"{app.get_absolute_url()}developer/")
    page.get_by_role("button", name="Generate developer token").click()

    field = page.get_by_label("Your developer token")
    value = field.input_value()
    token = get_access_token_model().objects.get(application=app, user=dana)
    assert sorted(token.scope.split()) == ["accounts.self:read", "files:read"]
    assert api_status(value) == 200
    # The token's page may still be loading: the script unhides its copy button once it is parsed.
    expect(page.get_by_role("button", name="Copy developer token")).to_be_visible(visible=js)

    page.get_by_label("Access or refresh token of this application").fill(value)
    page.get_by_role("button", name="Revoke token").click()
    page.get_by_text("The token was revoked. It no longer works.").wait_for()
    assert not get_access_token_model().objects.filter(application=app).exists()
    assert api_status(value) == 401
    assert page.console_problems == []


@BOTH_WAYS
def test_revoke_an_authorized_app(open_page, live_server, dana, make_app, js):
    from ..helpers import give_tokens, token_count

    app, _ = make_app(dana, name="Granted Lab")
    give_tokens(app, dana)
    page = signed_in_at(open_page(js=js, size="phone"), live_server, path="/settings/authorized-apps/")
    page.get_by_role("button", name="Revoke access of Granted Lab").click()
    page.get_by_text("You have not authorized any application.").wait_for()
    assert token_count(app.pk) == 0
    assert page.console_problems == []
