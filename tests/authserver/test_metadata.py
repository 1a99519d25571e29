"""OpenID Connect discovery and RFC 8414 metadata: complete, truthful, and the same document."""

import pytest
from django.test import override_settings
from django.urls import resolve

from oauth_apps import scopes as scope_catalog

DISCOVERY = "/.well-known/openid-configuration"
RFC8414 = "/.well-known/oauth-authorization-server"
ENDPOINTS = [
    "authorization_endpoint",
    "token_endpoint",
    "userinfo_endpoint",
    "jwks_uri",
    "revocation_endpoint",
    "introspection_endpoint",
]


@pytest.fixture
def documents(client, db):
    return client.get(DISCOVERY).json(), client.get(RFC8414).json()


def test_both_documents_agree_field_by_field(documents):
    discovery, metadata = documents
    assert sorted(discovery) == sorted(metadata)
    for field in discovery:
        assert discovery[field] == metadata[field], field


@pytest.mark.parametrize("field", ENDPOINTS)
def test_every_endpoint_is_listed_and_served_here(documents, field):
    discovery, _metadata = documents
    url = discovery[field]
    assert url.startswith(discovery["issuer"] + "/")
    match = resolve(url.removeprefix(discovery["issuer"]))
    assert match.namespace == "oauth2_provider"


def test_what_the_server_does_is_what_the_documents_say(documents):
    discovery, _metadata = documents
    assert discovery["issuer"] == "http://testserver"
    assert discovery["response_types_supported"] == ["code"]
    assert discovery["response_modes_supported"] == ["query"]
    assert discovery["grant_types_supported"] == ["authorization_code", "refresh_token"]
    assert discovery["code_challenge_methods_supported"] == ["S256"]
    # No app is given an HS256 key: only RS256 is used.
    assert discovery["id_token_signing_alg_values_supported"] == ["RS256"]
    assert discovery["token_endpoint_auth_methods_supported"] == [
        "client_secret_basic",
        "client_secret_post",
        "private_key_jwt",
        "none",
    ]
    # private_key_jwt: asymmetric algorithms only, never none or a shared-secret HS*.
    algorithms = discovery["token_endpoint_auth_signing_alg_values_supported"]
    assert "RS256" in algorithms
    assert "ES256" in algorithms
    assert not any(alg == "none" or alg.startswith("HS") for alg in algorithms)
    assert discovery["revocation_endpoint_auth_signing_alg_values_supported"] == algorithms
    assert discovery["introspection_endpoint_auth_methods_supported"] == [
        "client_secret_basic",
        "client_secret_post",
    ]
    assert discovery["authorization_response_iss_parameter_supported"] is True
    assert discovery["request_uri_parameter_supported"] is False
    assert discovery["scopes_supported"] == [scope.name for scope in scope_catalog.SCOPES]
    assert "sub" in discovery["claims_supported"]
    assert "end_session_endpoint" not in discovery
    assert "device_authorization_endpoint" not in discovery


def test_ui_locales_are_absent_while_the_portal_speaks_one_language(client, db):
    with override_settings(LANGUAGES=[("en", "English")]):
        discovery = client.get(DISCOVERY).json()
        metadata = client.get(RFC8414).json()
    assert "ui_locales_supported" not in discovery
    assert "ui_locales_supported" not in metadata


def test_ui_locales_list_every_language_the_portal_speaks(documents):
    assert documents[0]["ui_locales_supported"] == ["en", "de", "fr", "es", "ru", "zh-hans", "ar"]
    assert documents[1]["ui_locales_supported"] == documents[0]["ui_locales_supported"]


def test_ui_locales_list_the_portals_languages_once_there_are_several(client, db):
    with override_settings(LANGUAGES=[("en", "English"), ("de", "Deutsch"), ("ar", "العربية")]):
        discovery = client.get(DISCOVERY).json()
        metadata = client.get(RFC8414).json()
    assert discovery["ui_locales_supported"] == ["en", "de", "ar"]
    assert metadata["ui_locales_supported"] == ["en", "de", "ar"]


@pytest.mark.parametrize("path", [DISCOVERY, RFC8414])
def test_the_documents_are_public_json(client, db, path):
    response = client.get(path)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response["Access-Control-Allow-Origin"] == "*"


@pytest.mark.parametrize(("policy", "advertised"), [("off", False), ("public", True), ("token", True)])
def test_the_registration_endpoint_is_advertised_while_clients_may_register(client, db, policy, advertised):
    from oauth_apps.models import PortalPolicy

    PortalPolicy.objects.update_or_create(
        pk=PortalPolicy.SINGLETON_PK, defaults={"registration_policy": policy}
    )
    for document in (client.get(DISCOVERY).json(), client.get(RFC8414).json()):
        if advertised:
            assert document["registration_endpoint"] == "http://testserver/oauth/register"
        else:
            assert "registration_endpoint" not in document
