"""Refuse browser requests from origins the client never registered, before anything runs.

CORS alone only hides the answer from the page: a form-encoded POST needs no
preflight, so without this a page on any origin could still spend a refresh token or
revoke one. A request that carries an `Origin` header is refused unless that origin
is allowed (authserver/cors.py decides); a request without one (a server, a native
app) is not a browser's and is not affected.
"""

import base64
import binascii
from urllib.parse import unquote_plus

from django.http import JsonResponse

from oauth_apps.models import OAuthApplication, queryable_client_id

from .cors import origin_allowed, origin_allowed_for_any_app


def request_origin(request) -> str | None:
    return request.headers.get("Origin")


def client_id_of(request) -> str | None:
    """The client ID a token, revocation or introspection request names (Basic first)."""
    auth = request.headers.get("Authorization", "")
    if auth[:6].lower() == "basic ":
        try:
            decoded = base64.b64decode(auth[6:], validate=True).decode()
        except (binascii.Error, UnicodeDecodeError):
            return None
        return unquote_plus(decoded.split(":", 1)[0])
    return request.POST.get("client_id")


def origin_refused(origin: str) -> JsonResponse:
    response = JsonResponse(
        {
            "error": "invalid_request",
            "error_description": f"Requests from the origin {origin} are not allowed for this client.",
        },
        status=400,
    )
    response["Cache-Control"] = "no-store"
    return response


def refuse_foreign_origin(request, *, client=None, client_id: str | None = None, any_app: bool = False):
    """A 400 `invalid_request` JSON answer when the request's Origin is not allowed, else None.

    The origin must be an allowed origin of `client` (an application already loaded),
    of the app with `client_id`, or with `any_app` of any enabled app (the API, where
    the token names the client only after a lookup we do not make for a page that may
    not call us at all).
    """
    origin = request_origin(request)
    if origin is None:
        return None
    if any_app:
        allowed = origin_allowed_for_any_app(request)
    else:
        if client is None and queryable_client_id(client_id) is not None:
            client = OAuthApplication.objects.filter(client_id=client_id).first()
        allowed = client is not None and origin_allowed(origin, client)
    return None if allowed else origin_refused(origin)
