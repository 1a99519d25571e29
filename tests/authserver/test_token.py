"""The token endpoint: code exchange, client authentication, PKCE, refresh rotation."""

import base64

import pytest
from oauth2_provider.models import get_access_token_model, get_refresh_token_model

from oauth_apps.models import OAuthApplication

from .conftest import TOKEN_URL

AccessToken = get_access_token_model()
RefreshToken = get_refresh_token_model()


def basic(client_id, secret):
    return {"Authorization": "Basic " + base64.b64encode(f"{client_id}:{secret}".encode()).decode()}


def exchange(client, app, code, verifier, *, secret=None, headers=None, **extra):
    data = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": app.redirect_uri_list[0],
        "code_verifier": verifier,
        "client_id": app.client_id,
    }
    if secret is not None:
        data["client_secret"] = secret
    data.update(extra)
    data = {key: value for key, value in data.items() if value is not None}
    return client.post(TOKEN_URL, data, headers=headers or {})


def refresh(client, app, refresh_token, secret):
    return client.post(
        TOKEN_URL,
        {"grant_type": "refresh_token", "refresh_token": refresh_token},
        headers=basic(app.client_id, secret),
    )


def test_a_confidential_client_exchanges_a_code_with_client_secret_post(flow, confidential_app, client):
    app, secret = confidential_app
    code = flow.code(app, scope="accounts:read")
    response = exchange(client, app, code, flow.verifier, secret=secret)
    body = response.json()
    assert response.status_code == 200
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == 3600
    assert body["scope"] == "accounts:read"
    assert response["Cache-Control"] == "no-store"


def test_a_confidential_client_exchanges_a_code_with_client_secret_basic(flow, confidential_app, client):
    app, secret = confidential_app
    code = flow.code(app)
    response = exchange(client, app, code, flow.verifier, headers=basic(app.client_id, secret))
    assert response.status_code == 200
    assert "refresh_token" in response.json()


def test_tokens_are_stored_hashed_not_in_clear(flow, confidential_app, client):
    app, secret = confidential_app
    body = exchange(client, app, flow.code(app), flow.verifier, secret=secret).json()
    stored = AccessToken.objects.get(application=app)
    assert stored.token == ""
    assert stored.token_checksum != body["access_token"]
    assert RefreshToken.objects.get(application=app).token == ""


def test_a_public_client_exchanges_a_code_with_pkce_alone(flow, public_app, client):
    code = flow.code(public_app, redirect_uri="com.example.app:/oauth2redirect")
    response = exchange(
        client, public_app, code, flow.verifier, redirect_uri="com.example.app:/oauth2redirect"
    )
    assert response.status_code == 200
    assert set(response.json()["scope"].split()) == {"accounts.self:read", "openid"}
    assert "id_token" in response.json()


@pytest.mark.parametrize(
    ("secret", "use_basic"),
    [("wrong-secret", False), ("wrong-secret", True), (None, False), ("", False)],
    ids=["wrong-post", "wrong-basic", "missing", "empty"],
)
def test_a_confidential_client_without_its_secret_is_invalid_client(
    flow, confidential_app, client, secret, use_basic
):
    app, _secret = confidential_app
    code = flow.code(app)
    if use_basic:
        response = exchange(client, app, code, flow.verifier, headers=basic(app.client_id, secret))
    else:
        response = exchange(client, app, code, flow.verifier, secret=secret)
    assert response.status_code == 401
    assert response.json()["error"] == "invalid_client"
    assert not AccessToken.objects.exists()


def test_a_wrong_code_verifier_is_invalid_grant(flow, confidential_app, client):
    app, secret = confidential_app
    code = flow.code(app)
    response = exchange(client, app, code, "x" * 64, secret=secret)
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_grant"


def test_a_missing_code_verifier_is_invalid_request(flow, confidential_app, client):
    app, secret = confidential_app
    code = flow.code(app)
    response = exchange(client, app, code, None, secret=secret)
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_request"


def test_a_code_works_only_once(flow, confidential_app, client):
    app, secret = confidential_app
    code = flow.code(app)
    assert exchange(client, app, code, flow.verifier, secret=secret).status_code == 200
    again = exchange(client, app, code, flow.verifier, secret=secret)
    assert again.status_code == 400
    assert again.json()["error"] == "invalid_grant"


def test_a_code_needs_the_same_redirect_uri(flow, public_app, client):
    code = flow.code(public_app, redirect_uri="http://127.0.0.1:5000/callback")
    response = exchange(
        client, public_app, code, flow.verifier, redirect_uri="http://127.0.0.1:5001/callback"
    )
    assert response.status_code == 400
    assert response.json()["error"] in ("invalid_request", "invalid_grant")


def test_a_code_of_another_client_is_invalid_grant(flow, confidential_app, make_app, user, client):
    app, _secret = confidential_app
    other, other_secret = make_app(user)
    code = flow.code(app)
    response = exchange(client, other, code, flow.verifier, secret=other_secret)
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_grant"


def test_refresh_rotates_and_the_old_refresh_token_is_refused(flow, confidential_app, client):
    app, secret = confidential_app
    first = exchange(client, app, flow.code(app), flow.verifier, secret=secret).json()
    second = refresh(client, app, first["refresh_token"], secret)
    assert second.status_code == 200
    assert second.json()["refresh_token"] != first["refresh_token"]
    reused = refresh(client, app, first["refresh_token"], secret)
    assert reused.status_code == 400
    assert reused.json()["error"] == "invalid_grant"


def test_reusing_a_refresh_token_revokes_the_whole_family(flow, confidential_app, client):
    app, secret = confidential_app
    first = exchange(client, app, flow.code(app), flow.verifier, secret=secret).json()
    second = refresh(client, app, first["refresh_token"], secret).json()
    refresh(client, app, first["refresh_token"], secret)
    response = refresh(client, app, second["refresh_token"], secret)
    assert response.json()["error"] == "invalid_grant"
    assert not AccessToken.objects.filter(application=app).exists()


@pytest.mark.parametrize("grant_type", ["password", "client_credentials", "implicit"])
def test_other_grant_types_are_refused(confidential_app, client, grant_type):
    app, secret = confidential_app
    response = client.post(
        TOKEN_URL,
        {"grant_type": grant_type, "username": "alice", "password": "alice-password-1"},
        headers=basic(app.client_id, secret),
    )
    assert response.status_code in (400, 401)
    assert response.json()["error"] in ("unauthorized_client", "unsupported_grant_type")
    assert not AccessToken.objects.exists()


def test_a_disabled_app_cannot_exchange_its_code(flow, confidential_app, client):
    app, secret = confidential_app
    code = flow.code(app)
    OAuthApplication.objects.filter(pk=app.pk).update(enabled=False)
    response = exchange(client, app, code, flow.verifier, secret=secret)
    assert response.status_code == 401
    assert response.json()["error"] == "invalid_client"


def test_a_disabled_public_app_cannot_exchange_its_code(flow, public_app, client):
    code = flow.code(public_app)
    OAuthApplication.objects.filter(pk=public_app.pk).update(enabled=False)
    response = exchange(client, public_app, code, flow.verifier)
    assert response.status_code == 401
    assert response.json()["error"] == "invalid_client"


def test_a_disabled_app_cannot_refresh(flow, confidential_app, client):
    app, secret = confidential_app
    tokens = exchange(client, app, flow.code(app), flow.verifier, secret=secret).json()
    OAuthApplication.objects.filter(pk=app.pk).update(enabled=False)
    response = refresh(client, app, tokens["refresh_token"], secret)
    assert response.status_code == 401
    assert response.json()["error"] == "invalid_client"


def test_a_client_revokes_its_refresh_token_and_it_stops_working(flow, confidential_app, client):
    app, secret = confidential_app
    tokens = exchange(client, app, flow.code(app), flow.verifier, secret=secret).json()
    response = client.post(
        "/oauth/revoke/",
        {"token": tokens["refresh_token"], "token_type_hint": "refresh_token"},
        headers=basic(app.client_id, secret),
    )
    assert response.status_code == 200
    assert refresh(client, app, tokens["refresh_token"], secret).json()["error"] == "invalid_grant"
    assert not AccessToken.objects.filter(application=app).exists()
