"""Protected-resource metadata (RFC 9728) and resource-bound tokens (RFC 8707)."""

import pytest
from oauth2_provider.models import get_access_token_model, get_grant_model

from oauth_apps import scopes as scope_catalog
from oauth_apps.models import OAuthApplication

from .conftest import AUTHORIZE_URL, bearer, query_of
from .test_token import basic, exchange, refresh

API = "http://testserver/api/2.0"
METADATA = "http://testserver/.well-known/oauth-protected-resource/api/2.0"
MCP = "https://mcp.example.com/mcp"
SELF_URL = "/api/2.0/people/@self"


@pytest.fixture(autouse=True)
def mcp_known(settings):
    settings.RESOURCE_INDICATORS = [MCP]


@pytest.mark.parametrize(
    "path", ["/.well-known/oauth-protected-resource/api/2.0", "/.well-known/oauth-protected-resource"]
)
def test_protected_resource_metadata_names_our_api_and_this_server(client, db, path):
    response = client.get(path)
    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == "*"
    assert response.json() == {
        "resource": API,
        "authorization_servers": ["http://testserver"],
        "scopes_supported": [scope.name for scope in scope_catalog.SCOPES],
        "bearer_methods_supported": ["header"],
    }


def test_the_identifier_follows_the_configured_issuer(client, db, settings):
    from oauth2_provider.settings import oauth2_settings

    settings.OAUTH2_PROVIDER = {**settings.OAUTH2_PROVIDER, "OIDC_ISS_ENDPOINT": "https://portal.example.com"}
    try:
        data = client.get("/.well-known/oauth-protected-resource").json()
        challenge = client.get(SELF_URL)["WWW-Authenticate"]
    finally:
        oauth2_settings.reload()
    assert data["resource"] == "https://portal.example.com/api/2.0"
    assert data["authorization_servers"] == ["https://portal.example.com"]
    assert (
        'resource_metadata="https://portal.example.com/.well-known/oauth-protected-resource/api/2.0"'
        in challenge
    )


@pytest.mark.parametrize(
    ("path", "headers"),
    [
        (SELF_URL, {}),
        (SELF_URL, bearer("not-a-token")),
        ("/api/2.0/people", bearer("not-a-token")),
        ("/api/2.0/oauth/clients", {}),
        ("/api/2.0/oauth/clients", bearer("not-a-token")),
        ("/oauth/userinfo/", {}),
    ],
)
def test_every_401_names_the_metadata_in_ascii(client, db, path, headers):
    response = client.get(path, headers={**headers, "Accept-Language": "ru"})
    assert response.status_code == 401
    challenge = response["WWW-Authenticate"]
    assert f'resource_metadata="{METADATA}"' in challenge
    challenge.encode("ascii")


def test_a_browser_app_can_read_the_challenge(client, confidential_app):
    response = client.get(SELF_URL, headers={"Origin": "https://app.example.com"})
    assert response.status_code == 401
    assert response["Access-Control-Allow-Origin"] == "https://app.example.com"
    assert "WWW-Authenticate" in response["Access-Control-Expose-Headers"]


def test_a_403_does_not_name_the_metadata(client, user, confidential_app, token_for):
    app, _secret = confidential_app
    token = token_for(user, app, "files:read")
    response = client.get("/api/2.0/people", headers=bearer(token))
    assert response.status_code == 403
    assert "resource_metadata" not in response["WWW-Authenticate"]


def grant_resources():
    return list(get_grant_model().objects.values_list("resource", flat=True))


def tokens_of(client, app, secret, code, verifier, **extra):
    return exchange(client, app, code, verifier, headers=basic(app.client_id, secret), **extra)


def test_a_token_asked_for_the_mcp_server_is_bound_to_it_and_refused_by_our_api(
    client, flow, confidential_app, make_app
):
    app, secret = confidential_app
    code = flow.code(app, scope="accounts.self:write", resource=MCP)
    assert grant_resources() == [[MCP]]
    response = tokens_of(client, app, secret, code, flow.verifier, resource=MCP)
    assert response.status_code == 200, response.content
    tokens = response.json()
    stored = get_access_token_model().objects.get()
    assert stored.resource == [MCP]
    api = client.get(SELF_URL, headers=bearer(tokens["access_token"]))
    assert api.status_code == 401
    assert 'error="invalid_token"' in api["WWW-Authenticate"]
    assert f'resource_metadata="{METADATA}"' in api["WWW-Authenticate"]
    assert client.get("/oauth/userinfo/", headers=bearer(tokens["access_token"])).status_code == 401
    # Introspection tells the resource server whom the token is for.
    server, server_secret = make_app(app.user, name="MCP server")
    OAuthApplication.objects.filter(pk=server.pk).update(is_resource_server=True)
    answer = client.post(
        "/oauth/introspect/",
        {"token": tokens["access_token"]},
        headers=basic(server.client_id, server_secret),
    ).json()
    assert answer["active"] is True
    assert answer["aud"] == [MCP]


def test_the_binding_is_kept_when_the_token_request_leaves_resource_out_and_across_refresh(
    client, flow, confidential_app
):
    app, secret = confidential_app
    code = flow.code(app, scope="accounts.self:write", resource=MCP)
    tokens = tokens_of(client, app, secret, code, flow.verifier).json()
    renewed = refresh(client, app, tokens["refresh_token"], secret)
    assert renewed.status_code == 200, renewed.content
    token = get_access_token_model().objects.get(token_checksum=_checksum(renewed.json()["access_token"]))
    assert token.resource == [MCP]
    assert client.get(SELF_URL, headers=bearer(renewed.json()["access_token"])).status_code == 401
    # A refresh cannot move the token to another resource.
    escalated = client.post(
        "/oauth/token/",
        {"grant_type": "refresh_token", "refresh_token": renewed.json()["refresh_token"], "resource": API},
        headers=basic(app.client_id, secret),
    )
    assert (escalated.status_code, escalated.json()["error"]) == (400, "invalid_target")


def _checksum(value):
    import hashlib

    return hashlib.sha256(value.encode()).hexdigest()


def test_a_token_for_our_api_works_there_and_introspects_with_aud(client, flow, confidential_app):
    app, secret = confidential_app
    code = flow.code(app, scope="accounts.self:write openid", resource=API)
    tokens = tokens_of(client, app, secret, code, flow.verifier, resource=API).json()
    assert client.get(SELF_URL, headers=bearer(tokens["access_token"])).status_code == 200
    assert client.get("/oauth/userinfo/", headers=bearer(tokens["access_token"])).status_code == 200
    answer = client.post(
        "/oauth/introspect/", {"token": tokens["access_token"]}, headers=basic(app.client_id, secret)
    ).json()
    assert answer["aud"] == [API]


def test_without_resource_a_token_is_unbound_and_works_at_our_api(client, flow, confidential_app):
    app, secret = confidential_app
    code = flow.code(app, scope="accounts.self:write")
    tokens = tokens_of(client, app, secret, code, flow.verifier).json()
    assert get_access_token_model().objects.get().resource == []
    assert client.get(SELF_URL, headers=bearer(tokens["access_token"])).status_code == 200
    answer = client.post(
        "/oauth/introspect/", {"token": tokens["access_token"]}, headers=basic(app.client_id, secret)
    ).json()
    assert "aud" not in answer


@pytest.mark.parametrize(
    "resource",
    ["https://elsewhere.example.com/", "not a url", "https://mcp.example.com/mcp#x", API + "/people"],
)
def test_an_unknown_resource_at_authorize_is_invalid_target_before_consent(flow, confidential_app, resource):
    app, _secret = confidential_app
    response = flow.authorize(app, scope="accounts.self:write", resource=resource)
    assert response.status_code == 302
    answer = query_of(response["Location"])
    assert answer["error"] == "invalid_target"
    assert answer["state"] == "state-123"
    assert not get_grant_model().objects.exists()


def test_a_resource_among_several_that_is_unknown_refuses_them_all(user_client, flow, confidential_app):
    app, _secret = confidential_app
    params = flow.params(app, scope="accounts.self:write")
    query = "&".join(f"{key}={value}" for key, value in params.items())
    response = user_client.get(f"{AUTHORIZE_URL}?{query}&resource={MCP}&resource=https://evil.example.com/")
    assert query_of(response["Location"])["error"] == "invalid_target"


def test_a_tampered_resource_in_the_consent_form_is_refused(user_client, flow, confidential_app):
    app, _secret = confidential_app
    page = flow.authorize(app, scope="accounts.self:write", resource=MCP)
    form = {bound.name: bound.value() for bound in page.context["form"]}
    data = {key: value for key, value in form.items() if value not in (None, "", False)}
    data.update(allow="Allow", resource="https://evil.example.com/")
    response = user_client.post(page.request["PATH_INFO"] + "?" + page.request["QUERY_STRING"], data)
    assert query_of(response["Location"])["error"] == "invalid_target"
    assert not get_grant_model().objects.exists()


def test_a_token_request_cannot_widen_what_was_authorized(client, flow, confidential_app):
    app, secret = confidential_app
    code = flow.code(app, scope="accounts.self:write", resource=MCP)
    response = tokens_of(client, app, secret, code, flow.verifier, resource=API)
    assert (response.status_code, response.json()["error"]) == (400, "invalid_target")
    assert not get_access_token_model().objects.exists()


def test_a_token_request_for_another_resource_after_an_unbound_grant_is_refused(
    client, flow, confidential_app
):
    app, secret = confidential_app
    code = flow.code(app, scope="accounts.self:write")
    response = tokens_of(client, app, secret, code, flow.verifier, resource=MCP)
    assert (response.status_code, response.json()["error"]) == (400, "invalid_target")
    assert not get_access_token_model().objects.exists()
    # Naming our API, which an unbound grant is for, is fine, and binds the token to it.
    response = tokens_of(client, app, secret, code, flow.verifier, resource=API)
    assert response.status_code == 200, response.content
    assert get_access_token_model().objects.get().resource == [API]


def test_an_unknown_resource_at_the_token_endpoint_is_invalid_target(client, flow, confidential_app):
    app, secret = confidential_app
    code = flow.code(app, scope="accounts.self:write")
    response = tokens_of(client, app, secret, code, flow.verifier, resource="https://evil.example.com/")
    assert (response.status_code, response.json()["error"]) == (400, "invalid_target")
    assert not get_access_token_model().objects.exists()
