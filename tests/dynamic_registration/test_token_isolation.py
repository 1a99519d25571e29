"""The registration access token and the initial access token work only at the registration endpoints.

Neither is a toolkit access token, so every bearer endpoint (the API, userinfo,
the management API), introspection and revocation treat them as unknown; and a
real access token does not open the registration management endpoint.
"""

import pytest
from django.test import Client

from dynamic_registration import services
from oauth_apps.models import OAuthApplication, RegistrationPolicy
from tests.authserver.conftest import bearer
from tests.authserver.test_introspection import introspect

from .conftest import set_policy

# Every endpoint that accepts a bearer token, with a request a good token would pass.
BEARER_ENDPOINTS = [
    ("get", "/api/2.0/people/@self"),
    ("get", "/api/2.0/people"),
    ("get", "/oauth/userinfo/"),
    ("post", "/oauth/userinfo/"),
    ("get", "/api/2.0/oauth/clients"),
    ("post", "/api/2.0/oauth/clients"),
]


@pytest.fixture
def tokens(registrar, make_app, user, token_for):
    """A registration access token, an initial access token, and a real token that the endpoints accept."""
    info = registrar.registered()
    initial, _row = services.issue_initial_token(name="partner", expires=_in_a_day(), max_uses=5, actor=None)
    app, _secret = make_app(user, scopes=["openid", "accounts:read", "accounts.self:read", "clients:write"])
    real = token_for(user, app, "openid accounts:read accounts.self:read clients:read")
    return {"registration": info["registration_access_token"], "initial": initial, "real": real, "info": info}


def _in_a_day():
    from datetime import timedelta

    from django.utils import timezone

    return timezone.now() + timedelta(days=1)


@pytest.mark.parametrize(("method", "path"), BEARER_ENDPOINTS)
@pytest.mark.parametrize("kind", ["registration", "initial"])
def test_registration_tokens_are_refused_at_every_bearer_endpoint(tokens, method, path, kind):
    response = getattr(Client(), method)(path, headers=bearer(tokens[kind]))
    assert response.status_code == 401, (path, response.status_code)
    assert "invalid_token" in response["WWW-Authenticate"]


@pytest.mark.parametrize("path", ["/api/2.0/people/@self", "/oauth/userinfo/", "/api/2.0/oauth/clients"])
def test_a_real_token_passes_the_same_endpoints(tokens, path):
    assert Client().get(path, headers=bearer(tokens["real"])).status_code == 200


@pytest.mark.parametrize("kind", ["registration", "initial"])
def test_introspection_does_not_know_them(tokens, make_app, other_user, kind):
    server, secret = make_app(other_user)
    OAuthApplication.objects.filter(pk=server.pk).update(is_resource_server=True)
    answer = introspect(server.client_id, secret, tokens[kind])
    assert answer.json() == {"active": False}
    # A sanity check that the resource server does learn about a real token.
    assert introspect(server.client_id, secret, tokens["real"]).json()["active"] is True


def test_revoking_one_at_the_revocation_endpoint_does_nothing(tokens, registrar):
    info = tokens["info"]
    response = Client().post(
        "/oauth/revoke/", {"token": info["registration_access_token"], "client_id": info["client_id"]}
    )
    assert response.status_code == 200  # RFC 7009: an unknown token is not an error
    assert registrar.manage("get", info).status_code == 200


def test_a_real_access_token_does_not_open_the_management_endpoint(tokens, registrar):
    response = registrar.manage("get", tokens["info"], token=tokens["real"])
    assert response.status_code == 401


def test_an_initial_access_token_does_not_open_the_management_endpoint(tokens, registrar):
    assert registrar.manage("get", tokens["info"], token=tokens["initial"]).status_code == 401


def test_a_registration_access_token_is_no_initial_access_token(tokens, registrar, db):
    set_policy(RegistrationPolicy.TOKEN)
    response = registrar.register(token=tokens["registration"])
    assert response.status_code == 401
    assert response.json()["error"] == "invalid_token"
