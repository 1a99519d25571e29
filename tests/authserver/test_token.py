"""The token endpoint: code exchange, client authentication, PKCE, refresh rotation."""

import base64
import json
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone
from oauth2_provider.models import get_access_token_model, get_refresh_token_model

from authserver.models import AuthorizationCodeRecord
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


def tokens_of(flow, app, secret, client):
    """The tokens a confidential client gets for a fresh code."""
    return exchange(client, app, flow.code(app), flow.verifier, secret=secret).json()


def assert_refused(response, status: int, error: str) -> None:
    """The endpoint answered with this status and this OAuth error code."""
    assert response.status_code == status, response.content
    assert response.json()["error"] == error


def refresh(client, app, refresh_token, secret, *, origin=None):
    headers = basic(app.client_id, secret)
    if origin is not None:
        headers["Origin"] = origin
    return client.post(
        TOKEN_URL, {"grant_type": "refresh_token", "refresh_token": refresh_token}, headers=headers
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
    body = tokens_of(flow, app, secret, client)
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
    assert_refused(response, 401, "invalid_client")
    assert not AccessToken.objects.exists()


@pytest.mark.parametrize(("verifier", "error"), [("x" * 64, "invalid_grant"), (None, "invalid_request")])
def test_a_wrong_or_missing_code_verifier_is_refused(flow, confidential_app, client, verifier, error):
    app, secret = confidential_app
    code = flow.code(app)
    response = exchange(client, app, code, verifier, secret=secret)
    assert_refused(response, 400, error)


def test_a_code_works_only_once(flow, confidential_app, client):
    app, secret = confidential_app
    code = flow.code(app)
    assert exchange(client, app, code, flow.verifier, secret=secret).status_code == 200
    again = exchange(client, app, code, flow.verifier, secret=secret)
    assert_refused(again, 400, "invalid_grant")


def test_a_code_needs_the_same_redirect_uri(flow, public_app, client):
    # RFC 6749 §5.2: a redirect URI that differs from the authorization request's is
    # invalid_grant (was "invalid_request or invalid_grant").
    code = flow.code(public_app, redirect_uri="http://127.0.0.1:5000/callback")
    response = exchange(
        client, public_app, code, flow.verifier, redirect_uri="http://127.0.0.1:5001/callback"
    )
    assert_refused(response, 400, "invalid_grant")
    assert not AccessToken.objects.exists()


def test_redirect_uri_is_required_when_the_authorization_request_carried_it(flow, confidential_app, client):
    # RFC 6749 §4.1.3, even when the app has a single registered URI.
    app, secret = confidential_app
    code = flow.code(app)
    response = exchange(client, app, code, flow.verifier, secret=secret, redirect_uri=None)
    assert_refused(response, 400, "invalid_request")
    assert not AccessToken.objects.exists()
    # The refusal did not spend the code.
    assert exchange(client, app, code, flow.verifier, secret=secret).status_code == 200


def test_redirect_uri_may_be_left_out_when_the_authorization_request_left_it_out(
    flow, confidential_app, client
):
    app, secret = confidential_app
    code = flow.code(app, redirect_uri=None)
    response = exchange(client, app, code, flow.verifier, secret=secret, redirect_uri=None)
    assert response.status_code == 200


def test_a_reused_code_revokes_what_the_first_exchange_issued(flow, confidential_app, client, token_for):
    # RFC 6749 §4.1.2, RFC 9700 §4.2.4: the second use means the code leaked.
    app, secret = confidential_app
    code = flow.code(app)
    first = exchange(client, app, code, flow.verifier, secret=secret).json()
    rotated = refresh(client, app, first["refresh_token"], secret).json()
    unrelated = token_for(app.user, app, "accounts:read")
    again = exchange(client, app, code, flow.verifier, secret=secret)
    assert_refused(again, 400, "invalid_grant")
    for access in (first["access_token"], rotated["access_token"]):
        assert client.get("/api/2.0/people", headers={"Authorization": f"Bearer {access}"}).status_code == 401
    assert refresh(client, app, rotated["refresh_token"], secret).json()["error"] == "invalid_grant"
    assert AccessToken.objects.filter(application=app).count() == 1  # only the unrelated one
    assert client.get("/api/2.0/people", headers={"Authorization": f"Bearer {unrelated}"}).status_code == 200


def test_a_code_replayed_after_its_record_was_pruned_is_still_refused(flow, confidential_app, client):
    app, secret = confidential_app
    code = flow.code(app)
    assert exchange(client, app, code, flow.verifier, secret=secret).status_code == 200
    AuthorizationCodeRecord.objects.update(created=timezone.now() - timedelta(days=2))
    call_command("prune_authorization_codes", stdout=StringIO())
    assert not AuthorizationCodeRecord.objects.exists()
    again = exchange(client, app, code, flow.verifier, secret=secret)
    assert_refused(again, 400, "invalid_grant")


def test_a_code_replayed_by_another_client_revokes_nothing(flow, confidential_app, make_app, user, client):
    app, secret = confidential_app
    other, other_secret = make_app(user)
    code = flow.code(app)
    exchange(client, app, code, flow.verifier, secret=secret)
    assert exchange(client, other, code, flow.verifier, secret=other_secret).status_code == 400
    assert AccessToken.objects.filter(application=app).count() == 1


@pytest.mark.parametrize(
    "data",
    [
        {"grant_type": "urn:ietf:params:oauth:grant-type:device_code"},
        {"grant_type": "urn:ietf:params:oauth:grant-type:device_code", "device_code": "abc"},
        {"grant_type": "urn:ietf:params:oauth:grant-type:jwt-bearer", "assertion": "x"},
        {"grant_type": "urn:ietf:params:oauth:grant-type:token-exchange", "subject_token": "x"},
        {"grant_type": "password", "username": "alice", "password": "alice-password-1"},
        {"grant_type": "client_credentials"},
        {"grant_type": "implicit"},
        {"grant_type": "AUTHORIZATION_CODE", "code": "x"},
    ],
)
def test_grants_we_do_not_offer_are_unsupported_grant_type_before_anything_runs(
    client, confidential_app, data, django_assert_num_queries
):
    # Was: a 500 for device_code without device_code, 404 device_not_found with one.
    app, secret = confidential_app
    with django_assert_num_queries(0):
        response = client.post(TOKEN_URL, data, headers=basic(app.client_id, secret))
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert response.json()["error"] == "unsupported_grant_type"
    assert "Cache-Control" in response


def test_a_request_without_grant_type_is_invalid_request(client, confidential_app):
    app, secret = confidential_app
    response = client.post(TOKEN_URL, {"code": "x"}, headers=basic(app.client_id, secret))
    assert_refused(response, 400, "invalid_request")


def test_the_oauthlib_server_itself_knows_only_our_grants_and_response_types():
    # If an upgrade of the toolkit or oauthlib rebuilt the server with every grant,
    # this fails even though the view refuses those grants first.
    from authserver.server import GRANT_TYPES, RESPONSE_TYPES
    from authserver.views import TokenView

    server = TokenView.get_server()
    assert sorted(server.grant_types) == sorted(GRANT_TYPES)
    assert sorted(server.response_types) == sorted(RESPONSE_TYPES)
    headers, body, status = server.create_token_response(
        "https://testserver/oauth/token/",
        "POST",
        "grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Adevice_code&client_id=x",
        {"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert status == 400
    assert json.loads(body)["error"] == "unsupported_grant_type"


@pytest.mark.parametrize("use_basic", [True, False], ids=["basic", "post"])
def test_invalid_client_carries_a_basic_challenge(flow, confidential_app, client, use_basic):
    # RFC 6749 §5.2: the scheme the client authenticates with, not the Bearer of resource servers.
    app, _secret = confidential_app
    code = flow.code(app)
    if use_basic:
        response = exchange(client, app, code, flow.verifier, headers=basic(app.client_id, "wrong"))
    else:
        response = exchange(client, app, code, flow.verifier, secret="wrong")
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Basic ")
    assert response.json()["error"] == "invalid_client"


@pytest.mark.parametrize("value", ["\x00", "a\x00b"])
@pytest.mark.parametrize("field", ["code", "code_verifier", "redirect_uri", "state", "scope"])
def test_a_nul_byte_in_any_token_parameter_is_a_4xx(flow, confidential_app, value, field):
    app, secret = confidential_app
    data = {
        "grant_type": "authorization_code",
        "code": flow.code(app),
        "redirect_uri": app.redirect_uri_list[0],
        "code_verifier": flow.verifier,
        "client_id": app.client_id,
        "client_secret": secret,
        field: value,
    }
    response = Client(raise_request_exception=False).post(TOKEN_URL, data)
    assert 400 <= response.status_code < 500


def test_the_id_token_lives_ten_minutes(flow, confidential_app, client):
    app, secret = confidential_app
    body = exchange(client, app, flow.code(app, scope="openid"), flow.verifier, secret=secret).json()
    payload = body["id_token"].split(".")[1]
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    # iat (oauthlib, time.time()) and exp (the toolkit, now + 10 minutes) are stamped a moment
    # apart, each cut to whole seconds: a second boundary between the two makes 601.
    assert 10 * 60 <= claims["exp"] - claims["iat"] <= 10 * 60 + 1


def test_a_code_of_another_client_is_invalid_grant(flow, confidential_app, make_app, user, client):
    app, _secret = confidential_app
    other, other_secret = make_app(user)
    code = flow.code(app)
    response = exchange(client, other, code, flow.verifier, secret=other_secret)
    assert_refused(response, 400, "invalid_grant")


def test_refresh_rotates_and_the_old_refresh_token_is_refused(flow, confidential_app, client):
    app, secret = confidential_app
    first = tokens_of(flow, app, secret, client)
    second = refresh(client, app, first["refresh_token"], secret)
    assert second.status_code == 200
    assert second.json()["refresh_token"] != first["refresh_token"]
    reused = refresh(client, app, first["refresh_token"], secret)
    assert_refused(reused, 400, "invalid_grant")


def test_reusing_a_refresh_token_revokes_the_whole_family(flow, confidential_app, client):
    app, secret = confidential_app
    first = tokens_of(flow, app, secret, client)
    second = refresh(client, app, first["refresh_token"], secret).json()
    refresh(client, app, first["refresh_token"], secret)
    response = refresh(client, app, second["refresh_token"], secret)
    assert response.json()["error"] == "invalid_grant"
    assert not AccessToken.objects.filter(application=app).exists()


def test_a_disabled_app_cannot_exchange_its_code(flow, confidential_app, client):
    app, secret = confidential_app
    code = flow.code(app)
    OAuthApplication.objects.filter(pk=app.pk).update(enabled=False)
    response = exchange(client, app, code, flow.verifier, secret=secret)
    assert_refused(response, 401, "invalid_client")


def test_a_disabled_public_app_cannot_exchange_its_code(flow, public_app, client):
    code = flow.code(public_app)
    OAuthApplication.objects.filter(pk=public_app.pk).update(enabled=False)
    response = exchange(client, public_app, code, flow.verifier)
    assert_refused(response, 401, "invalid_client")


def test_a_disabled_app_cannot_refresh(flow, confidential_app, client):
    app, secret = confidential_app
    tokens = tokens_of(flow, app, secret, client)
    OAuthApplication.objects.filter(pk=app.pk).update(enabled=False)
    response = refresh(client, app, tokens["refresh_token"], secret)
    assert_refused(response, 401, "invalid_client")


def test_a_client_revokes_its_refresh_token_and_it_stops_working(flow, confidential_app, client):
    app, secret = confidential_app
    tokens = tokens_of(flow, app, secret, client)
    response = client.post(
        "/oauth/revoke/",
        {"token": tokens["refresh_token"], "token_type_hint": "refresh_token"},
        headers=basic(app.client_id, secret),
    )
    assert response.status_code == 200
    assert refresh(client, app, tokens["refresh_token"], secret).json()["error"] == "invalid_grant"
    assert not AccessToken.objects.filter(application=app).exists()


@pytest.mark.parametrize("field", ["token", "token_type_hint", "client_id"])
def test_a_nul_byte_at_the_revocation_endpoint_is_a_4xx(confidential_app, field):
    app, secret = confidential_app
    data = {"token": "x", "client_id": app.client_id, "client_secret": secret, field: "a\x00b"}
    response = Client(raise_request_exception=False).post("/oauth/revoke/", data)
    assert_refused(response, 400, "invalid_request")


def test_a_refresh_token_introspects_as_inactive(flow, confidential_app, client):
    # Documented in docs/authorization-server.md: introspection answers resource
    # servers, which are only ever sent access tokens.
    app, secret = confidential_app
    tokens = tokens_of(flow, app, secret, client)
    response = client.post(
        "/oauth/introspect/", {"token": tokens["refresh_token"]}, headers=basic(app.client_id, secret)
    )
    assert response.json() == {"active": False}
    access = client.post(
        "/oauth/introspect/", {"token": tokens["access_token"]}, headers=basic(app.client_id, secret)
    )
    assert access.json()["active"] is True
