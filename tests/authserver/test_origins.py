"""A browser request from an origin the client never registered is refused before anything runs.

CORS only hides answers from a page; a form-encoded POST needs no preflight, so without
this refusal a page anywhere could spend a refresh token. Requests without an Origin
header (servers, native apps) are not affected.
"""

import pytest
from oauth2_provider.models import get_refresh_token_model

from oauth_apps.models import OAuthApplication

from .conftest import bearer
from .test_token import assert_refused, basic, exchange, refresh, tokens_of

RefreshToken = get_refresh_token_model()
ALLOWED = "https://app.example.com"


@pytest.mark.parametrize("origin", ["https://evil.example.com", "null", "https://app.example.com.evil.com"])
def test_a_refresh_from_a_foreign_origin_is_refused_and_spends_nothing(
    flow, confidential_app, client, origin
):
    app, secret = confidential_app
    tokens = tokens_of(flow, app, secret, client)
    response = refresh(client, app, tokens["refresh_token"], secret, origin=origin)
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert response.json()["error"] == "invalid_request"
    assert "Access-Control-Allow-Origin" not in response
    # The refresh token was not consumed.
    assert refresh(client, app, tokens["refresh_token"], secret).status_code == 200


def test_an_origin_of_another_app_is_foreign_to_this_client(flow, confidential_app, make_app, user, client):
    app, secret = confidential_app
    make_app(user, allowed_origins=["https://other.example.com"])
    tokens = tokens_of(flow, app, secret, client)
    response = refresh(client, app, tokens["refresh_token"], secret, origin="https://other.example.com")
    assert response.status_code == 400


def test_the_clients_own_origin_is_served_with_cors(flow, confidential_app, client):
    app, secret = confidential_app
    tokens = tokens_of(flow, app, secret, client)
    response = refresh(client, app, tokens["refresh_token"], secret, origin=ALLOWED)
    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == ALLOWED


def test_a_code_exchange_from_a_foreign_origin_does_not_spend_the_code(flow, public_app, client):
    code = flow.code(public_app)
    refused = exchange(
        client, public_app, code, flow.verifier, headers={"Origin": "https://evil.example.com"}
    )
    assert refused.status_code == 400
    assert exchange(client, public_app, code, flow.verifier).status_code == 200


def test_a_disabled_apps_origin_is_refused(flow, confidential_app, client):
    app, secret = confidential_app
    code = flow.code(app)
    OAuthApplication.objects.filter(pk=app.pk).update(enabled=False)
    response = exchange(client, app, code, flow.verifier, secret=secret, headers={"Origin": ALLOWED})
    assert response.status_code == 400


@pytest.mark.parametrize(("origin", "allowed"), [("https://evil.example.com", False), (ALLOWED, True)])
def test_a_revocation_is_served_only_from_the_clients_origin(flow, confidential_app, client, origin, allowed):
    app, secret = confidential_app
    tokens = tokens_of(flow, app, secret, client)
    response = client.post(
        "/oauth/revoke/",
        {"token": tokens["refresh_token"]},
        headers={**basic(app.client_id, secret), "Origin": origin},
    )
    if allowed:
        assert response.status_code == 200
        assert response["Access-Control-Allow-Origin"] == ALLOWED
    else:
        assert_refused(response, 400, "invalid_request")
    # Refused from a foreign origin, the token stays live; revoked from the client's own.
    assert RefreshToken.objects.filter(application=app, revoked__isnull=True).exists() is not allowed


def test_userinfo_refuses_an_origin_the_tokens_client_does_not_allow(
    client, confidential_app, make_app, user, token_for
):
    app, _secret = confidential_app
    make_app(user, allowed_origins=["https://other.example.com"])
    token = token_for(user, app, "openid")
    foreign = client.get("/oauth/userinfo/", headers={**bearer(token), "Origin": "https://other.example.com"})
    assert_refused(foreign, 400, "invalid_request")
    own = client.get("/oauth/userinfo/", headers={**bearer(token), "Origin": ALLOWED})
    assert own.status_code == 200
    assert own["Access-Control-Allow-Origin"] == ALLOWED


def test_the_api_refuses_an_origin_no_enabled_app_allows_before_reading_the_token(
    client, confidential_app, django_assert_num_queries
):
    with django_assert_num_queries(1):
        response = client.get("/api/2.0/people/@self", headers={"Origin": "https://evil.example.com"})
    assert_refused(response, 400, "invalid_request")


def test_a_browser_can_read_the_bearer_challenge(client, confidential_app, user, token_for):
    app, _secret = confidential_app
    response = client.get(
        "/api/2.0/people/@self", headers={**bearer(token_for(user, app, "files:read")), "Origin": ALLOWED}
    )
    assert response.status_code == 403
    assert response["Access-Control-Allow-Origin"] == ALLOWED
    assert "www-authenticate" in response["Access-Control-Expose-Headers"].lower()


def test_requests_without_origin_are_not_affected(flow, confidential_app, client):
    app, secret = confidential_app
    tokens = tokens_of(flow, app, secret, client)
    assert refresh(client, app, tokens["refresh_token"], secret).status_code == 200
