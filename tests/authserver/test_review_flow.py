"""An app waiting for review, or rejected, cannot sign anyone in: consent screen and token endpoint."""

import pytest
from oauth2_provider.models import get_access_token_model, get_grant_model

from oauth_apps import services
from oauth_apps.models import ReviewState

from .conftest import AUTHORIZE_URL, TOKEN_URL
from .test_token import basic, exchange


@pytest.fixture
def waiting_app(reviewing, make_app, user):
    """(app, secret): a confidential client registered while the portal reviews new apps."""
    app, secret = make_app(user, scopes=["openid", "files:read"])
    assert app.review_state == ReviewState.PENDING
    return app, secret


def test_a_pending_app_gets_the_waiting_page_then_works_once_approved(flow, waiting_app, client, reviewer):
    app, secret = waiting_app
    page = flow.authorize(app)
    assert page.status_code == 403
    text = page.content.decode()
    assert "This app is waiting for review by the portal" in text
    assert "application_pending_review" in text
    assert 'name="allow"' not in text  # no consent form
    assert not get_grant_model().objects.filter(application=app).exists()

    # The token endpoint refuses the client before looking at the code: the same fake
    # code is invalid_grant for an approved client, invalid_client for this one.
    refused = client.post(
        TOKEN_URL,
        {"grant_type": "authorization_code", "code": "x", "redirect_uri": app.redirect_uri_list[0]},
        headers=basic(app.client_id, secret),
    )
    assert (refused.status_code, refused.json()["error"]) == (401, "invalid_client")

    assert services.review_application(app, actor=reviewer, approve=True)
    app.refresh_from_db()
    code = flow.code(app)
    tokens = exchange(client, app, code, flow.verifier, secret=secret)
    assert tokens.status_code == 200
    assert get_access_token_model().objects.filter(application=app).count() == 1


def test_an_approved_app_with_a_fake_code_is_invalid_grant(flow, waiting_app, client, reviewer):
    """The other half of the comparison above: the client itself is accepted once approved."""
    app, secret = waiting_app
    services.review_application(app, actor=reviewer, approve=True)
    response = client.post(
        TOKEN_URL,
        {"grant_type": "authorization_code", "code": "x", "redirect_uri": app.redirect_uri_list[0]},
        headers=basic(app.client_id, secret),
    )
    assert (response.status_code, response.json()["error"]) == (400, "invalid_grant")


def test_a_rejected_app_gets_the_rejected_page_and_no_token(flow, waiting_app, client, reviewer):
    app, secret = waiting_app
    services.review_application(app, actor=reviewer, approve=False, note="Unknown publisher")
    page = flow.authorize(app)
    assert page.status_code == 403
    text = page.content.decode()
    assert "did not approve it" in text
    assert "application_rejected" in text
    refused = client.post(
        TOKEN_URL,
        {"grant_type": "authorization_code", "code": "x", "redirect_uri": app.redirect_uri_list[0]},
        headers=basic(app.client_id, secret),
    )
    assert refused.status_code == 401


def test_the_waiting_page_is_shown_before_sign_in(client, waiting_app):
    app, _secret = waiting_app
    response = client.get(AUTHORIZE_URL, {"client_id": app.client_id, "response_type": "code"})
    assert response.status_code == 403
    assert "application_pending_review" in response.content.decode()


def test_a_pending_public_client_is_refused_at_the_token_endpoint(reviewing, make_app, user, client):
    app, _ = make_app(
        user,
        public_client=True,
        redirect_uris=["https://spa.example.com/cb"],
        allowed_origins=["https://spa.example.com"],
    )
    response = client.post(
        TOKEN_URL,
        {
            "grant_type": "authorization_code",
            "code": "x",
            "redirect_uri": "https://spa.example.com/cb",
            "client_id": app.client_id,
            "code_verifier": "v" * 50,
        },
    )
    assert (response.status_code, response.json()["error"]) == (401, "invalid_client")


def test_a_pending_apps_bearer_token_is_refused(waiting_app, user, token_for, client):
    """No token is ever issued to it; should one exist anyway, the API refuses it."""
    app, _secret = waiting_app
    value = token_for(user, app, "openid")
    response = client.get("/oauth/userinfo/", headers={"Authorization": f"Bearer {value}"})
    assert response.status_code == 401


def test_a_pending_apps_origins_are_not_allowed_until_it_is_approved(waiting_app, reviewer):
    from authserver.cors import origin_allowed

    app, _secret = waiting_app
    assert not origin_allowed("https://app.example.com")
    assert not origin_allowed("https://app.example.com", client=app)
    services.review_application(app, actor=reviewer, approve=True)
    app.refresh_from_db()
    assert origin_allowed("https://app.example.com")
    assert origin_allowed("https://app.example.com", client=app)
