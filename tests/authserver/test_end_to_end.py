"""Real OAuth client libraries (requests-oauthlib, Authlib) against the live server.

The user signs in and allows on the consent screen with a plain requests session
(posting the forms a browser would post); everything the client does goes through
the library's session, as a newcomer's app would. The strict JavaScript clients
are in tests/conformance/.
"""

import json
import re
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from authlib.common.security import generate_token
from authlib.integrations.requests_client import OAuth2Session as AuthlibSession
from joserfc import jwt as jose_jwt
from joserfc.jwk import KeySet
from jwcrypto import jwk, jws, jwt
from requests.auth import HTTPBasicAuth
from requests_oauthlib import OAuth2Session

from tests.live_consent import allow, signed_in_browser

REDIRECT_URI = "https://app.example.com/callback"
TIMEOUT = 10


def get(url, **kwargs):
    return requests.get(url, timeout=TIMEOUT, **kwargs)


def post(url, **kwargs):
    return requests.post(url, timeout=TIMEOUT, **kwargs)


@pytest.fixture(autouse=True)
def _plain_http_live_server(monkeypatch):
    # The live server speaks http on loopback; oauthlib and Authlib refuse http unless told.
    monkeypatch.setenv("OAUTHLIB_INSECURE_TRANSPORT", "1")
    monkeypatch.setenv("AUTHLIB_INSECURE_TRANSPORT", "1")


@pytest.fixture
def server(live_server):
    base = live_server.url
    return {
        "base": base,
        "authorize": f"{base}/oauth/authorize/",
        "token": f"{base}/oauth/token/",
        "revoke": f"{base}/oauth/revoke/",
        "introspect": f"{base}/oauth/introspect/",
        "userinfo": f"{base}/oauth/userinfo/",
        "self": f"{base}/api/2.0/people/@self",
    }


def test_confidential_client_full_flow(server, make_app, user):
    app, secret = make_app(
        user,
        scopes=["accounts.self:write", "openid"],
        redirect_uris=[REDIRECT_URI],
        allowed_origins=["https://app.example.com"],
    )
    browser = signed_in_browser(server["base"], "alice", "alice-password-1")
    oauth = OAuth2Session(
        app.client_id, redirect_uri=REDIRECT_URI, scope=["openid", "accounts.self:write"], pkce="S256"
    )
    authorization_url, _state = oauth.authorization_url(server["authorize"], nonce="n-0S6_WzA2Mj")

    callback = allow(browser, authorization_url)
    token = oauth.fetch_token(server["token"], authorization_response=callback, client_secret=secret)
    assert set(token["scope"]) == {"openid", "accounts.self:write"}
    assert token["expires_in"] == 3600

    # The API and userinfo accept the token.
    assert oauth.get(server["self"]).json()["userName"] == "alice"
    userinfo = oauth.get(server["userinfo"]).json()
    assert userinfo["sub"] == str(user.pk)
    assert userinfo["preferred_username"] == "alice"

    # Introspection, as a resource server (a confidential client) would ask.
    auth = HTTPBasicAuth(app.client_id, secret)
    described = post(server["introspect"], data={"token": token["access_token"]}, auth=auth).json()
    assert described["active"] is True
    assert described["client_id"] == app.client_id
    assert described["username"] == "alice"

    # Refresh rotates; the old refresh token is refused afterwards.
    old_refresh = token["refresh_token"]
    new = oauth.refresh_token(server["token"], auth=auth)
    assert new["refresh_token"] != old_refresh
    replay = post(
        server["token"], data={"grant_type": "refresh_token", "refresh_token": old_refresh}, auth=auth
    )
    assert replay.status_code == 400
    assert replay.json()["error"] == "invalid_grant"


def test_public_client_full_flow_and_revocation(server, make_app, user):
    redirect_uri = "http://127.0.0.1:8765/callback"
    app, _secret = make_app(
        user,
        public_client=True,
        scopes=["accounts.self:read"],
        redirect_uris=[redirect_uri],
        allowed_origins=["https://spa.example.com"],
    )
    browser = signed_in_browser(server["base"], "alice", "alice-password-1")
    # The port of a loopback redirect may differ from the registered one (RFC 8252 §7.3).
    oauth = OAuth2Session(app.client_id, redirect_uri="http://127.0.0.1:40123/callback", pkce="S256")
    authorization_url, _state = oauth.authorization_url(server["authorize"])
    callback = allow(browser, authorization_url)
    assert callback.startswith("http://127.0.0.1:40123/callback?code=")

    token = oauth.fetch_token(server["token"], authorization_response=callback, include_client_id=True)
    assert token["scope"] == ["accounts.self:read"]
    assert oauth.get(server["self"]).status_code == 200

    revoked = post(server["revoke"], data={"token": token["access_token"], "client_id": app.client_id})
    assert revoked.status_code == 200
    after = oauth.get(server["self"])
    assert after.status_code == 401
    assert 'error="invalid_token"' in after.headers["WWW-Authenticate"]


def test_discovery_and_id_token_signature_checked_against_the_jwks(server, make_app, user):
    app, secret = make_app(user, scopes=["openid", "accounts.self:read"], redirect_uris=[REDIRECT_URI])
    discovery = get(f"{server['base']}/.well-known/openid-configuration").json()
    assert discovery["issuer"] == server["base"]
    assert discovery["authorization_endpoint"] == server["authorize"]
    assert discovery["token_endpoint"] == server["token"]
    assert discovery["userinfo_endpoint"] == server["userinfo"]
    assert discovery["response_types_supported"] == ["code"]
    assert discovery["code_challenge_methods_supported"] == ["S256"]
    assert "openid" in discovery["scopes_supported"]
    metadata = get(f"{server['base']}/.well-known/oauth-authorization-server").json()
    assert metadata["issuer"] == server["base"]
    assert metadata["grant_types_supported"] == ["authorization_code", "refresh_token"]
    assert metadata["revocation_endpoint"] == server["revoke"]
    assert metadata["introspection_endpoint"] == server["introspect"]
    assert metadata["authorization_response_iss_parameter_supported"] is True

    browser = signed_in_browser(server["base"], "alice", "alice-password-1")
    oauth = OAuth2Session(app.client_id, redirect_uri=REDIRECT_URI, scope=["openid"], pkce="S256")
    authorization_url, _state = oauth.authorization_url(discovery["authorization_endpoint"], nonce="abc123")
    callback = allow(browser, authorization_url)
    assert f"iss={requests.utils.quote(server['base'], safe='')}" in callback
    token = oauth.fetch_token(
        discovery["token_endpoint"], authorization_response=callback, client_secret=secret
    )

    keys = jwk.JWKSet.from_json(get(discovery["jwks_uri"]).text)
    id_token = jwt.JWT(jwt=token["id_token"], key=keys, expected_type="JWS", algs=["RS256"])
    claims = json.loads(id_token.claims)
    assert claims["iss"] == server["base"]
    assert claims["aud"] == app.client_id
    assert claims["sub"] == str(user.pk)
    assert claims["nonce"] == "abc123"


def test_a_tampered_id_token_fails_the_signature_check(server, make_app, user):
    app, secret = make_app(user, scopes=["openid"], redirect_uris=[REDIRECT_URI])
    browser = signed_in_browser(server["base"], "alice", "alice-password-1")
    oauth = OAuth2Session(app.client_id, redirect_uri=REDIRECT_URI, scope=["openid"], pkce="S256")
    authorization_url, _state = oauth.authorization_url(server["authorize"])
    token = oauth.fetch_token(
        server["token"], authorization_response=allow(browser, authorization_url), client_secret=secret
    )
    header, payload, signature = token["id_token"].split(".")
    forged = ".".join([header, payload[:-4] + ("AAAA" if payload[-4:] != "AAAA" else "BBBB"), signature])
    keys = jwk.JWKSet.from_json(get(f"{server['base']}/.well-known/jwks.json").text)
    key = keys.get_key(jwt.JWT(jwt=token["id_token"], key=keys, algs=["RS256"]).token.jose_header["kid"])
    with pytest.raises(jws.InvalidJWSSignature):
        jwt.JWT(jwt=forged, key=key, expected_type="JWS", algs=["RS256"])


def test_a_wrong_secret_is_refused_by_the_library_flow(server, make_app, user):
    app, _secret = make_app(user, redirect_uris=[REDIRECT_URI])
    browser = signed_in_browser(server["base"], "alice", "alice-password-1")
    oauth = OAuth2Session(app.client_id, redirect_uri=REDIRECT_URI, pkce="S256")
    authorization_url, _state = oauth.authorization_url(server["authorize"])
    callback = allow(browser, authorization_url)
    response = post(
        server["token"],
        data={
            "grant_type": "authorization_code",
            "code": re.search(r"code=([^&]+)", callback).group(1),
            "redirect_uri": REDIRECT_URI,
            "code_verifier": oauth._code_verifier,
        },
        auth=HTTPBasicAuth(app.client_id, "not-the-secret"),
    )
    assert response.status_code == 401
    assert response.json()["error"] == "invalid_client"


@pytest.mark.parametrize("auth_method", ["client_secret_basic", "client_secret_post", "none"])
def test_authlib_client_full_flow(server, make_app, user, auth_method):
    public = auth_method == "none"
    redirect_uri = "http://127.0.0.1:8765/callback" if public else REDIRECT_URI
    app, secret = make_app(
        user, public_client=public, scopes=["openid", "accounts.self:read"], redirect_uris=[redirect_uri]
    )
    metadata = get(f"{server['base']}/.well-known/openid-configuration").json()
    assert auth_method in metadata["token_endpoint_auth_methods_supported"]
    session = AuthlibSession(
        app.client_id,
        None if public else secret,
        scope="openid accounts.self:read",
        redirect_uri=redirect_uri,
        code_challenge_method="S256",
        token_endpoint_auth_method=auth_method,
        revocation_endpoint_auth_method=auth_method,
    )
    verifier, nonce = generate_token(48), generate_token(20)
    url, state = session.create_authorization_url(
        metadata["authorization_endpoint"], code_verifier=verifier, nonce=nonce
    )
    callback = allow(signed_in_browser(server["base"], "alice", "alice-password-1"), url)
    assert query_param(callback, "iss") == metadata["issuer"]
    token = session.fetch_token(
        metadata["token_endpoint"], authorization_response=callback, code_verifier=verifier, state=state
    )

    # Authlib's JOSE library (joserfc) checks the signature against the JWKS, then the claims.
    keys = KeySet.import_key_set(get(metadata["jwks_uri"]).json())
    id_token = jose_jwt.decode(token["id_token"], keys, algorithms=["RS256"])
    jose_jwt.JWTClaimsRegistry(
        iss={"essential": True, "value": metadata["issuer"]},
        aud={"essential": True, "value": app.client_id},
        nonce={"essential": True, "value": nonce},
        sub={"essential": True, "value": str(user.pk)},
    ).validate(id_token.claims)
    assert session.get(metadata["userinfo_endpoint"]).json()["sub"] == str(user.pk)

    first_refresh = token["refresh_token"]
    refreshed = session.refresh_token(metadata["token_endpoint"])
    assert refreshed["refresh_token"] != first_refresh
    revoked = session.revoke_token(metadata["revocation_endpoint"], refreshed["refresh_token"])
    assert revoked.status_code == 200
    assert session.get(server["self"]).status_code == 401


def query_param(url: str, name: str) -> str:
    return parse_qs(urlsplit(url).query)[name][0]
