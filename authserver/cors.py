"""Which browser origins may call the token, userinfo and API endpoints.

An origin is allowed when it is an allowed origin of an enabled app. The answer is
read from the database on every request, so removing an origin or disabling an app
takes effect at once; nothing is cached between requests.
"""

import re

from django.conf import settings

from oauth_apps.models import OAuthApplication

_CORS_PATHS = re.compile(settings.CORS_URLS_REGEX)


def origin_allowed(origin: str) -> bool:
    """True when an enabled app lists `origin` exactly among its allowed origins.

    `allowed_origins` is a space-separated text column, so the database narrows the
    candidates with a substring match and Python confirms an exact entry (the
    substring "https://a.example" also occurs in "https://a.example.org").
    """
    if not origin or " " in origin or origin == "null":
        return False
    candidates = (
        OAuthApplication.objects.filter(enabled=True, allowed_origins__contains=origin)
        .values_list("allowed_origins", flat=True)
        .iterator(chunk_size=100)
    )
    return any(origin in allowed.split() for allowed in candidates)


def check_request_enabled(sender, request, **kwargs) -> bool:
    """django-cors-headers' hook: allow CORS for this request?

    The middleware asks this both to decide whether CORS applies to a path and
    whether the origin is allowed, so the path is checked here as well: an allowed
    origin must never turn CORS on for the authorize endpoint or a portal page.
    """
    if not _CORS_PATHS.match(request.path_info):
        return False
    return origin_allowed(request.headers.get("origin", ""))
