"""POST /oauth/register (RFC 7591): what a client gets, what is stored, and every refusal."""

import hashlib
import json

import pytest

from dynamic_registration.models import ClientRegistration
from dynamic_registration.services import default_icon
from oauth_apps.models import AuditAction, AuditEvent, OAuthApplication, RegistrationSource

from .conftest import LOOPBACK_REDIRECT, REGISTER_URL, client_metadata


def nothing_stored():
    return not OAuthApplication.objects.exists() and not ClientRegistration.objects.exists()


def test_a_public_client_registers_and_gets_its_credentials(registrar):
    response = registrar.register()
    assert response.status_code == 201
    assert response["Cache-Control"].startswith("no-store") or "no-store" in response["Cache-Control"]
    info = response.json()
    assert response["Location"] == info["registration_client_uri"]
    assert info["registration_client_uri"] == f"http://testserver/oauth/register/{info['client_id']}"
    assert "client_secret" not in info
    assert isinstance(info["client_id_issued_at"], int)
    assert info["client_name"] == "Claude Code"
    assert info["redirect_uris"] == [LOOPBACK_REDIRECT]
    assert info["token_endpoint_auth_method"] == "none"
    assert info["grant_types"] == ["authorization_code", "refresh_token"]
    assert info["response_types"] == ["code"]
    assert info["scope"] == "accounts.self:read openid"
    assert len(info["registration_access_token"]) >= 40
    # Absent from the request, so absent from the answer (the app stores a portal page instead).
    assert not {"client_uri", "policy_uri", "tos_uri", "logo_uri"} & set(info)

    app = OAuthApplication.objects.get(client_id=info["client_id"])
    assert (app.registration_source, app.user, app.is_public, app.client_secret) == (
        RegistrationSource.DYNAMIC,
        None,
        True,
        "",
    )
    assert app.icon_id == default_icon().sha256
    assert app.website_url == "http://testserver/oauth/self-registered/website/"
    assert app.privacy_policy_url == "http://testserver/oauth/self-registered/privacy/"
    assert app.terms_of_service_url == "http://testserver/oauth/self-registered/terms/"
    registration = ClientRegistration.objects.get(application=app)
    # Stored hashed only.
    token = info["registration_access_token"]
    assert registration.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in json.dumps(registration.metadata)
    event = AuditEvent.objects.get(application_pk=app.pk)
    assert (event.action, event.actor, event.via) == (AuditAction.CREATE, None, "dynamic client registration")


def test_the_optional_urls_and_free_fields_are_kept_and_read_back(registrar):
    info = registrar.registered(
        client_uri="https://agent.example.com",
        policy_uri="https://agent.example.com/privacy",
        tos_uri="https://agent.example.com/terms",
        software_id="agent-cli",
        software_version="2.1.0",
        logo_uri="https://agent.example.com/logo.png",
    )
    assert info["client_uri"] == "https://agent.example.com"
    assert info["policy_uri"] == "https://agent.example.com/privacy"
    assert info["tos_uri"] == "https://agent.example.com/terms"
    assert (info["software_id"], info["software_version"]) == ("agent-cli", "2.1.0")
    assert "logo_uri" not in info  # never fetched: the default icon is used
    app = OAuthApplication.objects.get(client_id=info["client_id"])
    assert app.website_url == "https://agent.example.com"
    assert app.privacy_policy_url == "https://agent.example.com/privacy"
    assert app.terms_of_service_url == "https://agent.example.com/terms"


def test_omitted_fields_get_the_documented_defaults(registrar):
    info = registrar.registered(
        token_endpoint_auth_method=None, scope=None, grant_types=None, response_types=None
    )
    assert info["token_endpoint_auth_method"] == "none"
    assert info["scope"] == "accounts.self:read"
    assert OAuthApplication.objects.get(client_id=info["client_id"]).is_public


def test_many_clients_may_share_a_name(registrar):
    first = registrar.registered()
    second = registrar.registered()
    assert first["client_id"] != second["client_id"]
    assert OAuthApplication.objects.filter(name="Claude Code").count() == 2


def test_a_write_scope_brings_its_read_scope_as_on_the_form(registrar):
    info = registrar.registered(scope="files:write")
    assert info["scope"] == "files:read files:write"


def test_a_name_that_reads_like_a_portal_app_is_refused(registrar, make_app, user):
    make_app(user, name="Team Calendar")
    response = registrar.register(client_name="TEAM  calendar")
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_client_metadata"
    assert response.json()["error_description"].startswith("client_name: ")
    assert OAuthApplication.objects.filter(registration_source=RegistrationSource.DYNAMIC).count() == 0


@pytest.mark.parametrize(
    ("overrides", "error", "mentions"),
    [
        ({"client_name": None}, "invalid_client_metadata", "client_name"),
        ({"client_name": 42}, "invalid_client_metadata", "client_name"),
        ({"client_name": "ab"}, "invalid_client_metadata", "client_name"),
        ({"client_name": "Bad\u202ename"}, "invalid_client_metadata", "client_name"),
        ({"redirect_uris": None}, "invalid_redirect_uri", "redirect_uris"),
        ({"redirect_uris": []}, "invalid_redirect_uri", "redirect_uris"),
        ({"redirect_uris": "http://127.0.0.1/cb"}, "invalid_client_metadata", "redirect_uris"),
        ({"redirect_uris": ["http://agent.example.com/cb"]}, "invalid_redirect_uri", "redirect_uris"),
        ({"redirect_uris": ["https://agent.example.com/cb#frag"]}, "invalid_redirect_uri", "redirect_uris"),
        ({"redirect_uris": ["javascript:alert(1)"]}, "invalid_redirect_uri", "redirect_uris"),
        (
            {"redirect_uris": [f"https://agent.example.com/{n}" for n in range(13)]},
            "invalid_redirect_uri",
            "",
        ),
        ({"scope": "admin:everything"}, "invalid_client_metadata", "scope"),
        ({"scope": 7}, "invalid_client_metadata", "scope"),
        ({"grant_types": ["client_credentials"]}, "invalid_client_metadata", "grant_types"),
        ({"grant_types": ["refresh_token"]}, "invalid_client_metadata", "grant_types"),
        ({"grant_types": ["authorization_code", "implicit"]}, "invalid_client_metadata", "grant_types"),
        ({"response_types": ["token"]}, "invalid_client_metadata", "response_types"),
        ({"token_endpoint_auth_method": "client_secret_basic"}, "invalid_client_metadata", "none"),
        ({"token_endpoint_auth_method": "client_secret_post"}, "invalid_client_metadata", "none"),
        ({"token_endpoint_auth_method": "private_key_jwt"}, "invalid_client_metadata", "token_endpoint"),
        ({"client_uri": "javascript:alert(1)"}, "invalid_client_metadata", "client_uri"),
        ({"policy_uri": "http://agent.example.com/privacy"}, "invalid_client_metadata", "policy_uri"),
        ({"tos_uri": ["https://agent.example.com/terms"]}, "invalid_client_metadata", "tos_uri"),
        ({"software_id": "x" * 256}, "invalid_client_metadata", "software_id"),
    ],
)
def test_bad_metadata_is_refused_with_its_rfc_7591_error_and_nothing_is_stored(
    registrar, overrides, error, mentions
):
    response = registrar.register(**overrides)
    assert response.status_code == 400, response.content
    body = response.json()
    assert body["error"] == error
    assert mentions in body["error_description"]
    assert response["Cache-Control"] == "no-store" or "no-store" in response["Cache-Control"]
    assert nothing_stored()


@pytest.mark.parametrize("raw", ["", "not json", "[]", '"text"', "null", '{"client_name": "x"'])
def test_a_body_that_is_not_a_json_object_is_refused(registrar, raw):
    response = registrar.register(raw=raw)
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_client_metadata"
    assert nothing_stored()


def test_an_oversized_body_is_refused(registrar):
    response = registrar.register(raw=json.dumps(client_metadata(padding="x" * 20_000)))
    assert response.status_code == 400
    assert "larger than" in response.json()["error_description"]
    assert nothing_stored()


def test_only_post_is_offered(client, db):
    assert client.get(REGISTER_URL).status_code == 405
    assert client.put(REGISTER_URL, "{}", content_type="application/json").status_code == 405


@pytest.mark.parametrize("kind", ["website", "privacy", "terms"])
def test_the_pages_standing_in_for_missing_urls_say_so(client, db, kind):
    response = client.get(f"/oauth/self-registered/{kind}/")
    assert response.status_code == 200
    assert "registered itself" in response.content.decode()


def test_an_unknown_missing_url_page_is_not_found(client, db):
    assert client.get("/oauth/self-registered/cookies/").status_code == 404
