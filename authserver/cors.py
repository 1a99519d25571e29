"""Which browser origins may call the token, revocation, userinfo and API endpoints: decided here only.

`origin_allowed(origin, client=None)` is the one rule. Everything that asks about an
origin calls it, for both questions a browser request raises:
- CORS (django-cors-headers asks `check_request_enabled`): may this origin read the
  answer? Yes when it is an allowed origin of any enabled app — a preflight does not
  say which client it is for.
- Refusal (authserver/origins.py): may this origin make this request at all? For the
  token and revocation endpoints it must be an allowed origin of the client the
  request names, for userinfo of the client the token was issued to, for the API of
  any enabled app.
The toolkit's validator (`PortalValidator.is_origin_allowed`) asks it as well.

The answer is read from the database on every request, so removing an origin or
disabling an app takes effect at once; nothing is cached between requests.
"""

import re

from django.conf import settings

from oauth_apps.models import AllowedOrigin, OAuthApplication

_CORS_PATHS = re.compile(settings.CORS_URLS_REGEX)


def origin_allowed(origin: str, client: OAuthApplication | None = None) -> bool:
    """Is `origin` allowed to call us from a browser?

    - With `client`: when that app is enabled and lists `origin` exactly among its
      allowed origins. No query: the app is already loaded.
    - Without: when any enabled app lists it. One indexed lookup in the origin
      index (`AllowedOrigin`, kept in step by the services), so the cost does not
      grow with the number of apps.

    Origins compare as exact strings: they are stored as `scheme://host[:port]`,
    lowercased, which is what browsers send. An empty origin, one with a space
    and the opaque `null` origin are never allowed.
    """
    if not origin or " " in origin or origin == "null" or len(origin) > 2048:
        return False
    if client is not None:
        return client.usable and origin in client.allowed_origin_list
    return AllowedOrigin.objects.filter(
        OAuthApplication.usable_filter("application__"), origin=origin
    ).exists()


def check_request_enabled(sender, request, **kwargs) -> bool:
    """django-cors-headers' hook: allow CORS for this request?

    The middleware asks this both to decide whether CORS applies to a path and
    whether the origin is allowed, so the path is checked here as well: an allowed
    origin must never turn CORS on for the authorize endpoint or a portal page.
    """
    if not _CORS_PATHS.match(request.path_info):
        return False
    return origin_allowed_for_any_app(request)


def origin_allowed_for_any_app(request) -> bool:
    """`origin_allowed` for the request's Origin and any enabled app, asked once per request.

    The CORS middleware and the refusal in authserver/origins.py both need this answer.
    """
    if not hasattr(request, "_origin_allowed_for_any_app"):
        request._origin_allowed_for_any_app = origin_allowed(request.headers.get("origin", ""))
    return request._origin_allowed_for_any_app
