"""Protected resources: which ones tokens may be bound to (RFC 8707), and our own (RFC 9728).

Our API is one protected resource. Its identifier is the issuer's origin followed by
`/api/2.0` (`https://portal.example.com/api/2.0`); every Bearer endpoint of the portal
— the API under /api/2.0/, the management API beside it, and OpenID Connect userinfo —
belongs to it. Its protected-resource metadata is served at
`/.well-known/oauth-protected-resource/api/2.0` (the RFC 9728 §3.1 form for an
identifier with a path) and, for clients that look at the root, at
`/.well-known/oauth-protected-resource`; every 401 of those endpoints names it in
`resource_metadata`.

The resources a client may ask a token for (`resource` at the authorize and token
endpoints) are our API and the URLs listed in the `RESOURCE_INDICATORS` setting
(environment `PORTAL_RESOURCE_INDICATORS`): other resource servers, such as an MCP
server, that accept our tokens. Anything else is `invalid_target`.

A token asked for without `resource` is not bound: it works at our API as before. A
token bound to resources works at our API only if our API is one of them; a
resource server learns the binding from introspection (`aud`).
"""

from urllib.parse import urlsplit

from django.conf import settings
from oauth2_provider.settings import oauth2_settings
from oauthlib.oauth2.rfc6749 import errors

from oauth_apps import scopes as scope_catalog

API_PATH = "/api/2.0"
METADATA_PATH = "/.well-known/oauth-protected-resource"
INVALID_TARGET = "invalid_target"


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def api_resource(request) -> str:
    """Our API's resource identifier: the issuer's origin and /api/2.0 (a Django or oauthlib request)."""
    return _origin(oauth2_settings.oidc_issuer(request)) + API_PATH


def metadata_url(request) -> str:
    """Where our API's protected-resource metadata is (RFC 9728 §3.1: the path-suffixed form)."""
    return _origin(oauth2_settings.oidc_issuer(request)) + METADATA_PATH + API_PATH


def extra_resources() -> list[str]:
    """The other resource servers tokens may be bound to (settings.RESOURCE_INDICATORS)."""
    return list(getattr(settings, "RESOURCE_INDICATORS", []))


def known_resources(request) -> set[str]:
    return {api_resource(request), *extra_resources()}


def protected_resource_metadata(request) -> dict:
    """RFC 9728 §2 metadata of our API (the issuer read as authserver.metadata.issuer reads it)."""
    return {
        "resource": api_resource(request),
        "authorization_servers": [oauth2_settings.oidc_issuer(request)],
        "scopes_supported": [scope.name for scope in scope_catalog.SCOPES],
        "bearer_methods_supported": ["header"],
    }


def invalid_target(resource, request, why: str) -> errors.CustomOAuth2Error:
    return errors.CustomOAuth2Error(
        error=INVALID_TARGET, description=f"The resource {resource!r} {why}.", request=request
    )


def refuse_unknown(resources, request) -> None:
    """`invalid_target` (RFC 8707 §2) for a resource this server issues no tokens for."""
    known = known_resources(request)
    for resource in resources:
        if resource not in known:
            raise invalid_target(resource, request, "is not a resource this server issues tokens for")


def refuse_beyond_unbound(resources, request) -> None:
    """A grant made without `resource` is for our API: a token request may name only that."""
    ours = api_resource(request)
    for resource in resources:
        if resource != ours:
            raise invalid_target(resource, request, "was not named in the authorization request")


def portal_accepts(request_uri: str, audiences: list[str]) -> bool:
    """May a token bound to `audiences` be used at `request_uri`, one of our Bearer endpoints?

    The toolkit calls this for bound tokens only (RESOURCE_SERVER_TOKEN_RESOURCE_VALIDATOR).
    Every Bearer endpoint of the portal is our API, so the token must be bound to it. The
    identifier comes from the configured issuer or, where none is configured (development),
    from the request's own origin, the way the issuer itself is derived.
    """
    base = _origin(oauth2_settings.OIDC_ISS_ENDPOINT or request_uri)
    return base + API_PATH in audiences
