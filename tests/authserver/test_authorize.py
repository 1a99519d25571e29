"""The authorize endpoint: consent screen, redirect URI rules, PKCE and scope refusals."""

import hashlib
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from oauth2_provider.models import get_grant_model

from authserver.models import AuthorizationCodeRecord
from oauth_apps.models import OAuthApplication

from .conftest import AUTHORIZE_URL, REDIRECT_URI, query_of

Grant = get_grant_model()


def test_consent_screen_shows_the_app_its_scopes_and_the_return_host(flow, confidential_app):
    app, _secret = confidential_app
    response = flow.authorize(app)
    page = response.content.decode()
    assert response.status_code == 200
    assert f'<a href="{app.website_url}" rel="noopener noreferrer" target="_blank">{app.name}</a>' in page
    assert "would like the ability to access the following data in your account:" in page
    assert f'src="{app.icon_url}" width="32" height="32"' in page
    # A write scope replaces its read line.
    assert "View and manage basic information about your profile" in page
    assert "View basic information about your profile" not in page
    assert "View all accounts" in page
    assert "<strong>app.example.com</strong>" in page
    assert app.privacy_policy_url in page
    assert app.terms_of_service_url in page
    assert "Signed in as alice" in page


def test_consent_page_allows_the_form_to_redirect_to_the_client(flow, confidential_app):
    app, _secret = confidential_app
    response = flow.authorize(app)
    policy = response["Content-Security-Policy"]
    form_action = next(part for part in policy.split(";") if "form-action" in part)
    assert "'self'" in form_action
    assert "https://app.example.com" in form_action
    assert "no-store" in response["Cache-Control"]


def test_signed_out_user_is_sent_to_sign_in_and_back(client, confidential_app):
    app, _secret = confidential_app
    url = f"{AUTHORIZE_URL}?client_id={app.client_id}&response_type=code"
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=/oauth/authorize/")


def test_allow_redirects_with_a_code_the_state_and_the_issuer(flow, confidential_app):
    app, _secret = confidential_app
    response = flow.consent(app)
    params = query_of(response["Location"])
    assert response["Location"].startswith(REDIRECT_URI + "?")
    assert params["state"] == "state-123"
    assert params["iss"] == "http://testserver"
    grant = Grant.objects.get(code=params["code"])
    assert grant.code_challenge_method == "S256"
    assert 55 <= (grant.expires - grant.created).total_seconds() <= 61


def test_deny_redirects_with_access_denied(flow, confidential_app):
    app, _secret = confidential_app
    response = flow.consent(app, allow=False)
    params = query_of(response["Location"])
    assert params["error"] == "access_denied"
    assert params["state"] == "state-123"
    assert not Grant.objects.exists()


def test_consent_is_asked_even_when_the_client_asks_to_skip_it(flow, confidential_app):
    app, _secret = confidential_app
    flow.code(app)
    response = flow.authorize(app, approval_prompt="auto")
    assert response.status_code == 200
    assert "consent" in response.templates[0].name


@pytest.mark.parametrize(
    ("redirect_uri", "why"),
    [
        ("https://evil.example.com/callback", "other host"),
        ("https://app.example.com/callback#frag", "fragment"),
        ("https://app.example.com/callback#", "empty fragment"),
        ("https://APP.example.com/callback", "case"),
        ("https://app.example.com/callback/", "trailing slash"),
        ("https://app.example.com:443/callback", "default port"),
        ("https://app.example.com/callback?x=1", "added query"),
        ("https://user@app.example.com/callback", "userinfo"),
    ],
)
def test_a_redirect_uri_that_is_not_registered_exactly_gets_an_error_page(
    flow, confidential_app, redirect_uri, why
):
    app, _secret = confidential_app
    response = flow.authorize(app, redirect_uri=redirect_uri)
    assert response.status_code == 400, why
    assert "Location" not in response
    assert response.context["code"] == "invalid_request"
    assert response.context["reason"] == "redirect_uri_not_registered"


def test_an_unknown_client_id_gets_an_error_page(flow, confidential_app):
    app, _secret = confidential_app
    response = flow.authorize(app, client_id="no-such-client")
    assert response.status_code == 400
    assert "Location" not in response
    assert response.context["reason"] == "unknown_client"


def test_with_several_redirect_uris_the_request_must_name_one(flow, make_app, user):
    app, _secret = make_app(user, redirect_uris=["https://app.example.com/a", "https://app.example.com/b"])
    response = flow.authorize(app, redirect_uri=None)
    assert response.status_code == 400
    assert response.context["reason"] == "redirect_uri_required"


def test_with_one_redirect_uri_the_request_may_leave_it_out(flow, make_app, user):
    app, _secret = make_app(user)
    response = flow.consent(app, redirect_uri=None)
    assert response["Location"].startswith("https://app.example.com/callback?code=")


def test_a_loopback_ip_redirect_may_use_any_port(flow, public_app):
    response = flow.consent(public_app, redirect_uri="http://127.0.0.1:49152/callback")
    assert response["Location"].startswith("http://127.0.0.1:49152/callback?code=")


def test_a_private_use_scheme_redirect_works_for_a_public_app(flow, public_app):
    response = flow.consent(public_app, redirect_uri="com.example.app:/oauth2redirect")
    assert response.status_code == 302
    assert response["Location"].startswith("com.example.app:/oauth2redirect?code=")


def test_consent_page_allows_a_private_use_scheme_target(flow, public_app):
    response = flow.authorize(public_app, redirect_uri="com.example.app:/oauth2redirect")
    assert "com.example.app:" in response["Content-Security-Policy"]
    assert "<strong>com.example.app</strong>" in response.content.decode()


@pytest.mark.parametrize("scope", ["rooms:read", "no-such-scope", "accounts:write"])
def test_a_scope_the_app_did_not_register_is_invalid_scope(flow, confidential_app, scope):
    app, _secret = confidential_app
    response = flow.authorize(app, scope=f"accounts:read {scope}")
    params = query_of(response["Location"])
    assert response.status_code == 302
    assert params["error"] == "invalid_scope"
    assert params["state"] == "state-123"


def test_without_scope_the_request_gets_the_apps_scopes(flow, confidential_app):
    app, _secret = confidential_app
    code = flow.code(app)
    assert set(Grant.objects.get(code=code).scope.split()) == set(app.scope_names)


def test_a_subset_of_the_apps_scopes_is_granted_as_asked(flow, confidential_app):
    app, _secret = confidential_app
    code = flow.code(app, scope="accounts:read")
    assert Grant.objects.get(code=code).scope == "accounts:read"


@pytest.mark.parametrize(
    "overrides",
    [
        {"code_challenge": None, "code_challenge_method": None},
        {"code_challenge_method": "plain"},
        {"code_challenge_method": None},
    ],
    ids=["missing", "plain", "method-missing-means-plain"],
)
def test_pkce_other_than_s256_is_invalid_request_before_consent(flow, confidential_app, overrides):
    app, _secret = confidential_app
    response = flow.authorize(app, **overrides)
    params = query_of(response["Location"])
    assert response.status_code == 302
    assert params["error"] == "invalid_request"
    assert not Grant.objects.exists()


@pytest.mark.parametrize(
    "response_type", ["token", "id_token", "id_token token", "code token", "code id_token", "none"]
)
def test_implicit_and_hybrid_response_types_are_unsupported_response_type(
    flow, confidential_app, response_type
):
    # Was "an error" (oauthlib said unauthorized_client for hybrid types); RFC 6749 §4.1.2.1
    # says unsupported_response_type, and it must be that exactly.
    app, _secret = confidential_app
    response = flow.authorize(app, response_type=response_type, scope="openid")
    assert response.status_code == 302
    location = response["Location"]
    assert "access_token" not in location
    assert "id_token=" not in location
    assert query_of(location)["error"] == "unsupported_response_type"
    assert not Grant.objects.exists()


ERROR_REDIRECTS = {
    # name: (authorize parameters, signed in?, answer on the consent screen, expected error)
    "deny": ({}, True, "deny", "access_denied"),
    "scope": ({"scope": "rooms:write"}, True, None, "invalid_scope"),
    "no-pkce": ({"code_challenge": None, "code_challenge_method": None}, True, None, "invalid_request"),
    "plain-pkce": ({"code_challenge_method": "plain"}, True, None, "invalid_request"),
    "implicit": ({"response_type": "token"}, True, None, "unsupported_response_type"),
    "hybrid": (
        {"response_type": "code id_token", "scope": "openid"},
        True,
        None,
        "unsupported_response_type",
    ),
    "no-response-type": ({"response_type": None}, True, None, "invalid_request"),
    "prompt-none": ({"prompt": "none", "scope": "openid"}, True, None, "consent_required"),
    "prompt-none-signed-out": ({"prompt": "none", "scope": "openid"}, False, None, "login_required"),
}


@pytest.mark.parametrize("case", list(ERROR_REDIRECTS))
def test_every_error_redirect_carries_iss_and_state(client, user, confidential_app, case):
    """RFC 9207 §2: iss on error responses too; RFC 6749 §4.1.2.1: state, as sent."""
    from .conftest import Flow

    app, _secret = confidential_app
    params, signed_in, answer, expected = ERROR_REDIRECTS[case]
    if signed_in:
        client.force_login(user)
    flow = Flow(client)
    response = flow.consent(app, allow=False, **params) if answer == "deny" else flow.authorize(app, **params)
    assert response.status_code == 302
    assert response["Location"].startswith(REDIRECT_URI + "?")
    returned = query_of(response["Location"])
    assert returned["error"] == expected
    assert returned["iss"] == "http://testserver"
    assert returned["state"] == "state-123"
    assert not Grant.objects.exists()


def test_a_registered_redirect_uri_cannot_smuggle_a_second_issuer(flow, make_app, user):
    app, _secret = make_app(user, redirect_uris=["https://app.example.com/cb?iss=https%3A%2F%2Fevil.example"])
    for response in (flow.consent(app), flow.consent(app, allow=False)):
        assert parse_qs(urlsplit(response["Location"]).query)["iss"] == ["http://testserver"]


def test_a_web_app_registered_on_loopback_gets_an_exact_match(flow, make_app, user):
    # RFC 8252 §7.3's port exception is for native apps (public clients) only.
    app, _secret = make_app(user, redirect_uris=["http://127.0.0.1:8112/cb"])
    other_port = flow.authorize(app, redirect_uri="http://127.0.0.1:8113/cb")
    assert other_port.status_code == 400
    assert other_port.context["reason"] == "redirect_uri_not_registered"
    assert flow.consent(app, redirect_uri="http://127.0.0.1:8112/cb")["Location"].startswith(
        "http://127.0.0.1:8112/cb?code="
    )


def test_a_web_app_cannot_send_a_changed_loopback_port_through_the_consent_form(flow, make_app, user):
    app, _secret = make_app(user, redirect_uris=["http://127.0.0.1:8112/cb"])
    page = flow.authorize(app)
    data = {bound.name: bound.value() for bound in page.context["form"] if bound.value()}
    data["redirect_uri"] = "http://127.0.0.1:9999/cb"
    response = flow.client.post(f"{AUTHORIZE_URL}?{page.request['QUERY_STRING']}", {**data, "allow": "Allow"})
    assert response.status_code == 400
    assert not Grant.objects.exists()


@pytest.mark.parametrize(("redirect_uri", "recorded"), [(REDIRECT_URI, True), (None, False)])
def test_the_server_remembers_whether_the_request_named_its_redirect_uri(
    flow, confidential_app, redirect_uri, recorded
):
    app, _secret = confidential_app
    code = flow.code(app, redirect_uri=redirect_uri)
    record = AuthorizationCodeRecord.objects.get(code_checksum=hashlib.sha256(code.encode()).hexdigest())
    assert record.redirect_uri_in_request is recorded
    assert record.application_id == app.pk


def test_prompt_none_gets_consent_required(flow, confidential_app):
    app, _secret = confidential_app
    response = flow.authorize(app, scope="openid", prompt="none")
    assert query_of(response["Location"])["error"] == "consent_required"


def test_a_disabled_app_gets_a_clear_error_page(client, confidential_app):
    app, _secret = confidential_app
    OAuthApplication.objects.filter(pk=app.pk).update(enabled=False)
    query = urlencode({"client_id": app.client_id, "response_type": "code"})
    response = client.get(f"{AUTHORIZE_URL}?{query}")
    assert response.status_code == 403
    assert "This application is disabled" in response.content.decode()
    assert "Location" not in response


def test_an_app_disabled_after_the_consent_screen_gets_no_code(flow, confidential_app):
    app, _secret = confidential_app
    page = flow.authorize(app)
    OAuthApplication.objects.filter(pk=app.pk).update(enabled=False)
    data = {bound.name: bound.value() for bound in page.context["form"] if bound.value()}
    response = flow.client.post(f"{AUTHORIZE_URL}?{page.request['QUERY_STRING']}", {**data, "allow": "Allow"})
    assert response.status_code == 403
    assert not Grant.objects.exists()


def test_a_tampered_redirect_uri_in_the_consent_form_is_refused(flow, confidential_app):
    app, _secret = confidential_app
    page = flow.authorize(app)
    data = {bound.name: bound.value() for bound in page.context["form"] if bound.value()}
    data["redirect_uri"] = "https://evil.example.com/callback"
    response = flow.client.post(f"{AUTHORIZE_URL}?{page.request['QUERY_STRING']}", data)
    assert response.status_code == 400
    assert "Location" not in response


def test_the_authorize_endpoint_never_sends_cors_headers(flow, confidential_app):
    app, _secret = confidential_app
    response = flow.client.get(
        f"{AUTHORIZE_URL}?{urlencode(flow.params(app))}", headers={"Origin": "https://app.example.com"}
    )
    assert response.status_code == 200
    assert "Access-Control-Allow-Origin" not in response


@pytest.mark.parametrize("field", ["state", "nonce", "code_challenge", "scope", "prompt", "response_type"])
def test_a_nul_byte_in_an_authorization_request_is_never_a_500(user, confidential_app, field):
    from django.test import Client

    from .conftest import Flow

    app, _secret = confidential_app
    browser = Client(raise_request_exception=False)
    browser.force_login(user)
    flow = Flow(browser)
    page = flow.authorize(app, **{field: "a\x00b"})
    assert page.status_code in (200, 302, 400)
    if page.status_code == 200:
        data = {bound.name: bound.value() for bound in page.context["form"] if bound.value()}
        answer = browser.post(f"{AUTHORIZE_URL}?{page.request['QUERY_STRING']}", {**data, "allow": "Allow"})
        assert answer.status_code in (302, 400)
