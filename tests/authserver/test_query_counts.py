"""Queries per request on every authorize, consent, token, userinfo, API and CORS path.

Each count is pinned, and the same with 1 registered app as with many (all sharing
the client's origin): no path reads rows that grow with the number of apps. A change
that adds a query here should say why in its commit.
"""

from urllib.parse import urlencode

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from oauth_apps.models import OAuthApplication

from .conftest import AUTHORIZE_URL, TOKEN_URL, query_of
from .test_token import basic

ORIGIN = "https://app.example.com"
EXPECTED = {
    # session, user, and the application read once (not three times)
    "consent page": 3,
    "consent denied": 3,
    # the same reads, then the grant's INSERT and the code's record (authserver.models.
    # AuthorizationCodeRecord: was redirect_uri in the request, which token family)
    "consent allowed": 5,
    # the toolkit's code exchange, ID token included (openid): grant, client, user,
    # ID token, access and refresh tokens; plus the code's record read and its token
    # family written (a reused code revokes that family); the signing keys, read once
    # per process every signing_keys.CACHE_SECONDS (here the first read). The toolkit's
    # read of the app named in the ID token's `aud` is gone: the key is found by `kid`.
    # And a self-registered client's first token noted (dynamic_registration prunes unused ones).
    "code exchange": 23,
    # as the exchange, with the keys already read
    "refresh": 23,
    "preflight": 1,  # the origin index (the first time this process is asked about the origin)
    "preflight, origin remembered": 0,  # oauth_apps/origins.py keeps the answer a few seconds
    # the token (with its app and user); the origin's answer is remembered from the preflight
    "API call from an allowed origin": 1,
    "API call without Origin": 1,
    "userinfo": 1,
    "revoke": 11,
    "introspect": 3,
}


def counted(results, label, send):
    with CaptureQueriesContext(connection) as captured:
        response = send()
    results[label] = len(captured)
    return response


def introspection(client, token, auth):
    """The call that introspects `token`, the resource server authenticating with `auth`."""
    return lambda: client.post("/oauth/introspect/", {"token": token}, headers=auth)


def every_path(flow, app, secret, user_client) -> dict:
    """The consent screen in the signed-in browser; the protocol calls as the app makes them (no session)."""
    results = {}
    client = Client()
    params = flow.params(app, scope="openid accounts.self:write")
    url = f"{AUTHORIZE_URL}?{urlencode(params)}"
    page = counted(results, "consent page", lambda: user_client.get(url))
    assert page.status_code == 200, page.get("Location")
    form = {bound.name: bound.value() for bound in page.context["form"]}
    form = {key: value for key, value in form.items() if value not in (None, "", False)}
    denied = counted(results, "consent denied", lambda: user_client.post(url, form))
    assert query_of(denied["Location"])["error"] == "access_denied"
    allowed = counted(results, "consent allowed", lambda: user_client.post(url, {**form, "allow": "Allow"}))
    code = query_of(allowed["Location"])["code"]
    exchange = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": params["redirect_uri"],
        "code_verifier": flow.verifier,
    }
    auth = basic(app.client_id, secret)
    tokens = counted(results, "code exchange", lambda: client.post(TOKEN_URL, exchange, headers=auth)).json()
    refresh = {"grant_type": "refresh_token", "refresh_token": tokens["refresh_token"]}
    tokens = counted(results, "refresh", lambda: client.post(TOKEN_URL, refresh, headers=auth)).json()
    bearer = {"Authorization": f"Bearer {tokens['access_token']}"}
    preflight_headers = {"Origin": ORIGIN, "Access-Control-Request-Method": "GET"}
    preflight = counted(
        results, "preflight", lambda: client.options("/api/2.0/people/@self", headers=preflight_headers)
    )
    assert preflight["Access-Control-Allow-Origin"] == ORIGIN
    again = counted(
        results,
        "preflight, origin remembered",
        lambda: client.options("/api/2.0/people/@self", headers=preflight_headers),
    )
    assert again["Access-Control-Allow-Origin"] == ORIGIN
    api = counted(
        results,
        "API call from an allowed origin",
        lambda: client.get("/api/2.0/people/@self", headers={**bearer, "Origin": ORIGIN}),
    )
    assert (api.status_code, api["Access-Control-Allow-Origin"]) == (200, ORIGIN)
    plain = counted(
        results, "API call without Origin", lambda: client.get("/api/2.0/people/@self", headers=bearer)
    )
    assert plain.status_code == 200
    userinfo = counted(results, "userinfo", lambda: client.get("/oauth/userinfo/", headers=bearer))
    assert userinfo.status_code == 200
    introspect = counted(results, "introspect", introspection(client, tokens["access_token"], auth))
    assert introspect.json()["active"] is True
    token = tokens["access_token"]
    revoke = counted(results, "revoke", lambda: client.post("/oauth/revoke/", {"token": token}, headers=auth))
    assert revoke.status_code == 200
    return results


@pytest.mark.parametrize("other_apps", [0, 25])
def test_each_path_makes_a_fixed_number_of_queries_whatever_the_number_of_apps(
    flow, confidential_app, user_client, user, make_app, other_apps
):
    app, secret = confidential_app
    template = OAuthApplication.objects.get(pk=app.pk)
    for number in range(other_apps):
        # Other apps, enabled and disabled, sharing the origin: none of them is read.
        other, _ = make_app(user, allowed_origins=[ORIGIN, f"https://other{number}.example.com"])
        if number % 2:
            OAuthApplication.objects.filter(pk=other.pk).update(enabled=False)
    assert OAuthApplication.objects.get(pk=app.pk).client_id == template.client_id
    assert every_path(flow, app, secret, user_client) == EXPECTED


def test_resource_bound_tokens_cost_one_query_at_the_token_endpoint_and_none_at_the_api(
    flow, confidential_app, settings
):
    """Naming `resource` at the token endpoint reads the grant's resources once (is it bound?);
    the binding travels with the token row, so the API and introspection read nothing more."""
    app, secret = confidential_app
    api_resource = "http://testserver/api/2.0"
    code = flow.code(app, scope="openid accounts.self:write", resource=api_resource)
    exchange = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": app.redirect_uri_list[0],
        "code_verifier": flow.verifier,
        "resource": api_resource,
    }
    client, auth, results = Client(), basic(app.client_id, secret), {}
    tokens = counted(results, "code exchange", lambda: client.post(TOKEN_URL, exchange, headers=auth)).json()
    refresh = {"grant_type": "refresh_token", "refresh_token": tokens["refresh_token"]}
    tokens = counted(results, "refresh", lambda: client.post(TOKEN_URL, refresh, headers=auth)).json()
    bearer = {"Authorization": f"Bearer {tokens['access_token']}"}
    api = counted(results, "API call", lambda: client.get("/api/2.0/people/@self", headers=bearer))
    assert api.status_code == 200
    introspect = counted(results, "introspect", introspection(client, tokens["access_token"], auth))
    assert introspect.json()["aud"] == [api_resource]
    assert results == {
        "code exchange": EXPECTED["code exchange"] + 1,
        "refresh": EXPECTED["refresh"],
        "API call": EXPECTED["API call without Origin"],
        "introspect": EXPECTED["introspect"],
    }
