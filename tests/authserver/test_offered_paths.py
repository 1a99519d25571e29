"""Only what we offer is mounted: none of the toolkit's other views answers here."""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

# The toolkit's own views that we serve as they are: none (the JWKS is ours since keys
# rotate, authserver/signing_keys.py).
OFFERED_TOOLKIT_VIEWS: set[str] = set()


def _views(patterns, prefix=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _views(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            view = getattr(pattern.callback, "view_class", pattern.callback)
            yield prefix + str(pattern.pattern), view


def test_no_toolkit_view_is_mounted_but_those_we_offer():
    mounted = {
        (path, view.__name__)
        for path, view in _views(get_resolver().url_patterns)
        if view.__module__.startswith("oauth2_provider.")
    }
    assert {name for _path, name in mounted} == OFFERED_TOOLKIT_VIEWS, mounted


@pytest.mark.parametrize(
    "path",
    [
        "/o/authorize/",
        "/o/applications/",
        "/oauth/applications/",
        "/oauth/authorized_tokens/",
        "/oauth/device-authorization/",
        "/oauth/device/",
        "/device-authorization/",
        "/oauth/logout/",
        "/logout/",
        "/oauth/register/",
        "/.well-known/oauth-protected-resource/tenant",
        "/.well-known/openid-configuration/",
        "/.well-known/oauth-authorization-server/tenant",
    ],
)
def test_the_toolkits_other_paths_are_not_found(client, db, path):
    assert client.get(path).status_code == 404
    assert client.post(path).status_code == 404
