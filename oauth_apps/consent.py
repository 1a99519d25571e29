"""What the consent screen shows, built once for the real screen and the Info page's preview.

authserver's consent view and the Info page both feed consent_context() into
the template oauth_apps/_consent_screen.html, so the preview cannot drift from
what end users see.
"""

from . import scopes as scope_catalog


def display_host(uri: str) -> str:
    """What the consent screen names as the place the user is sent back to.

    The host of an http(s) URL; for a native app's private-use scheme
    (`com.example.app:/oauth2redirect`) the scheme, which names the app.
    """
    scheme, _, rest = uri.partition(":")
    if rest.startswith("//"):
        return rest[2:].split("/", 1)[0].split("?", 1)[0]
    return scheme


def consent_context(application, scope_names, redirect_uri: str, resources=()) -> dict:
    """The template context of the consent screen for `application` asking for `scope_names`.

    `resources` are the RFC 8707 resource indicators of the request (already checked to
    be resources this server issues tokens for): the screen says the access is for them.
    """
    return {
        "application": application,
        "scope_lines": scope_catalog.consent_lines(scope_names),
        "resources": list(dict.fromkeys(resources)),
        "redirect_host": display_host(redirect_uri) if redirect_uri else "",
        # A client that identified itself with a metadata document (client_metadata/): the
        # screen names the host of its client_id URL first, its self-chosen name second.
        "identified_host": display_host(application.client_id) if application.described_by_document else "",
    }
