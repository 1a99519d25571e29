"""The one description of this authorization server, served as both metadata documents.

OpenID Connect Discovery 1.0 (/.well-known/openid-configuration) and RFC 8414
(/.well-known/oauth-authorization-server) describe the same server, so both serve
`server_metadata()`: a client that reads either learns every endpoint and every
capability. Each value states what the server really does:

- only the `code` response type, the `authorization_code` and `refresh_token`
  grants, PKCE `S256`, query response mode (authserver/server.py);
- RS256 ID tokens and nothing else (no HS256: no app is given an HS256 key);
- the client authentication each endpoint accepts (private_key_jwt with the
  asymmetric algorithms of authserver/client_assertions.py);
- the scopes of the catalog (oauth_apps/scopes.py);
- `iss` in every authorization response (RFC 9207);
- `ui_locales_supported` once the portal speaks more than one language;
- `registration_endpoint` (RFC 7591) while the portal policy lets clients
  register themselves (dynamic_registration/);
- client_ids that are https URLs of Client ID Metadata Documents (client_metadata/),
  unless CLIENT_METADATA_DOCUMENTS_ENABLED is off.
"""

from urllib.parse import urlsplit

from django.conf import settings
from django.urls import reverse
from oauth2_provider.settings import oauth2_settings

from oauth_apps import scopes as scope_catalog
from oauth_apps.models import PortalPolicy, RegistrationPolicy

from . import client_assertions
from .server import GRANT_TYPES, RESPONSE_TYPES, S256

# private_key_jwt: metadata-document clients whose document publishes keys (authserver/client_assertions.py).
TOKEN_AUTH_METHODS = ["client_secret_basic", "client_secret_post", "private_key_jwt", "none"]
# Introspection is for resource servers, which hold a secret.
INTROSPECTION_AUTH_METHODS = ["client_secret_basic", "client_secret_post"]
ID_TOKEN_ALGORITHMS = ["RS256"]


def issuer(request) -> str:
    """The issuer: in metadata, ID tokens (`iss`) and authorization responses (RFC 9207 `iss`)."""
    return oauth2_settings.oidc_issuer(request)


def _endpoint(base: str, name: str) -> str:
    return base + reverse(f"oauth2_provider:{name}")


def ui_locales() -> list[str] | None:
    """The languages the consent screen speaks, once there is more than one.

    Django's default LANGUAGES lists every language Django has; only a list the
    portal's settings chose is a statement about the portal.
    """
    if not settings.is_overridden("LANGUAGES") or len(settings.LANGUAGES) < 2:
        return None
    return [code for code, _name in settings.LANGUAGES]


def server_endpoint_urls(request, names) -> list[str]:
    """The issuer and the URLs of the endpoints `names` (what a client assertion's `aud` may say)."""
    iss = issuer(request)
    base = _origin(iss)
    return [iss, *(_endpoint(base, name) for name in names)]


def _origin(iss: str) -> str:
    """Where the endpoints live: the issuer's origin (as the toolkit builds them), whatever its path."""
    parts = urlsplit(iss)
    return f"{parts.scheme}://{parts.netloc}"


def server_metadata(request) -> dict:
    iss = issuer(request)
    base = _origin(iss)
    validator = oauth2_settings.OAUTH2_VALIDATOR_CLASS()
    data = {
        "issuer": iss,
        "authorization_endpoint": _endpoint(base, "authorize"),
        "token_endpoint": _endpoint(base, "token"),
        "userinfo_endpoint": _endpoint(base, "user-info"),
        "jwks_uri": _endpoint(base, "jwks-info"),
        "revocation_endpoint": _endpoint(base, "revoke-token"),
        "introspection_endpoint": _endpoint(base, "introspect"),
        "scopes_supported": [scope.name for scope in scope_catalog.SCOPES],
        "response_types_supported": list(RESPONSE_TYPES),
        "response_modes_supported": ["query"],
        "grant_types_supported": list(GRANT_TYPES),
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": list(ID_TOKEN_ALGORITHMS),
        "token_endpoint_auth_methods_supported": list(TOKEN_AUTH_METHODS),
        "revocation_endpoint_auth_methods_supported": list(TOKEN_AUTH_METHODS),
        "token_endpoint_auth_signing_alg_values_supported": list(client_assertions.ALGORITHMS),
        "revocation_endpoint_auth_signing_alg_values_supported": list(client_assertions.ALGORITHMS),
        "introspection_endpoint_auth_methods_supported": list(INTROSPECTION_AUTH_METHODS),
        "code_challenge_methods_supported": [S256],
        "claims_supported": validator.get_discovery_claims(request),
        # Consent is asked every time; prompt=none is answered with an error redirect.
        "prompt_values_supported": ["none", "consent"],
        "claims_parameter_supported": False,
        "request_parameter_supported": False,
        # Defaults to true when absent (OpenID Connect Discovery §3): say we do not.
        "request_uri_parameter_supported": False,
        "authorization_response_iss_parameter_supported": True,
        "client_id_metadata_document_supported": settings.CLIENT_METADATA_DOCUMENTS_ENABLED,
    }
    if PortalPolicy.load().registration_policy != RegistrationPolicy.OFF:
        data["registration_endpoint"] = base + reverse("dynamic_registration:register")
    locales = ui_locales()
    if locales:
        data["ui_locales_supported"] = locales
    return data
