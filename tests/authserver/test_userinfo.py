"""Userinfo: OpenID Connect Core §5.3 with the Bearer rules of RFC 6750 §3.1, errors in JSON."""

import pytest

from oauth_apps.models import OAuthApplication

from .conftest import bearer

USERINFO_URL = "/oauth/userinfo/"


@pytest.mark.parametrize("method", ["get", "post"])
def test_a_token_with_openid_gets_the_claims(client, confidential_app, user, token_for, method):
    app, _secret = confidential_app
    response = getattr(client, method)(USERINFO_URL, headers=bearer(token_for(user, app, "openid")))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json()["sub"] == str(user.pk)
    assert response.json()["preferred_username"] == "alice"


def test_no_token_gets_a_challenge_without_an_error_code(client, db):
    response = client.get(USERINFO_URL)
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == (
        'Bearer realm="userinfo", resource_metadata="http://testserver/.well-known/oauth-protected-resource/api/2.0"'
    )
    assert response["Content-Type"] == "application/json"


def test_a_good_token_without_openid_is_403_insufficient_scope(client, confidential_app, user, token_for):
    # Was 401 invalid_token, which made clients throw a good token away.
    app, _secret = confidential_app
    response = client.get(USERINFO_URL, headers=bearer(token_for(user, app, "accounts:read")))
    assert response.status_code == 403
    assert 'error="insufficient_scope"' in response["WWW-Authenticate"]
    assert 'scope="openid"' in response["WWW-Authenticate"]
    assert response["Content-Type"] == "application/json"
    assert response.json()["error"] == "insufficient_scope"


@pytest.mark.parametrize("kind", ["unknown", "expired", "disabled"])
def test_a_bad_token_is_401_invalid_token_in_json(client, confidential_app, user, token_for, kind):
    app, _secret = confidential_app
    token = (
        "not-a-token"
        if kind == "unknown"
        else token_for(user, app, "openid", expires_in=-5 if kind == "expired" else 3600)
    )
    if kind == "disabled":
        OAuthApplication.objects.filter(pk=app.pk).update(enabled=False)
    response = client.get(USERINFO_URL, headers=bearer(token))
    assert response.status_code == 401
    assert 'error="invalid_token"' in response["WWW-Authenticate"]
    assert response["Content-Type"] == "application/json"
    assert response.json()["error"] == "invalid_token"


def test_a_token_in_the_query_string_is_invalid_request(client, confidential_app, user, token_for):
    app, _secret = confidential_app
    response = client.get(USERINFO_URL, {"access_token": token_for(user, app, "openid")})
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_request"
