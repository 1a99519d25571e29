"""Who is calling the management API: a personal access token or an OAuth access token.

Bearer tokens in the Authorization header only; the session cookie is never
read, so no page can be made to call the API for a signed-in person (no CSRF
surface). The caller then acts as the token's user, within the token's scopes.
"""

from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from oauth2_provider.oauth2_backends import get_oauthlib_core

from authserver.resources import metadata_url
from common import ratelimit

from . import tokens
from .problems import problem

READ, WRITE = "clients:read", "clients:write"


@dataclass(frozen=True)
class Caller:
    user: object
    scopes: frozenset
    # How the audit trail names the token (audit.acting_through).
    via: str
    rate_key: str


def challenge(request, status: int, error: str, detail: str, scope: str = ""):
    parameters = ['realm="api"']
    if status == 401:
        # RFC 9728 §5.1: where a client learns which authorization server issues our tokens.
        parameters.append(f'resource_metadata="{metadata_url(request)}"')
    if error:
        parameters.append(f'error="{error}"')
    if scope:
        parameters.append(f'scope="{scope}"')
    kind = {401: "unauthorized", 403: "insufficient-scope"}.get(status, "bad-request")
    titles = {
        401: _("Authentication required."),
        403: _("The token lacks the scope for this call."),
        400: _("Bad request."),
    }
    return problem(
        request,
        status,
        kind,
        titles[status],
        detail,
        code=error or "missing_token",
        headers={"WWW-Authenticate": "Bearer " + ", ".join(parameters)},
    )


def _from_personal_token(value: str) -> Caller | None:
    token = tokens.authenticate(value)
    if token is None:
        return None
    tokens.touch(token)
    return Caller(
        user=token.user,
        scopes=frozenset(token.scope_list),
        via=f"personal access token “{token.name}” ({token.prefix})",
        rate_key=f"pat:{token.pk}",
    )


def _from_oauth_token(request) -> Caller | None:
    valid, oauth_request = get_oauthlib_core().verify_request(request, scopes=[])
    if not valid:
        return None
    access_token = oauth_request.access_token
    user = access_token.user
    if user is None or not user.is_active:
        return None
    app = access_token.application
    return Caller(
        user=user,
        scopes=frozenset(access_token.scope.split()),
        via=f"OAuth access token of “{app.name}” ({app.client_id})" if app else "OAuth access token",
        rate_key=f"oauth:{access_token.pk}",
    )


def authenticate(request, needed: tuple[str, ...]):
    """The Caller, or the problem response to send instead."""
    if "access_token" in request.GET:
        return challenge(
            request,
            400,
            "invalid_request",
            _("Send the access token in the Authorization header, not the URL."),
        )
    header = request.headers.get("Authorization", "")
    if not header.startswith("Bearer ") or not header[7:].strip():
        return challenge(request, 401, "", _("Send a token: Authorization: Bearer <token>."))
    value = header[7:].strip()
    caller = (
        _from_personal_token(value) if tokens.looks_like_personal_token(value) else _from_oauth_token(request)
    )
    if caller is None:
        return challenge(request, 401, "invalid_token", _("The token is invalid, expired or revoked."))
    retry_after = ratelimit.hit("api", caller.rate_key, ratelimit.Rate.parse(settings.RATE_LIMITS["api"]))
    if retry_after is not None:
        return too_many_requests(request, retry_after)
    if not caller.scopes.intersection(needed):
        return challenge(
            request,
            403,
            "insufficient_scope",
            _("This call needs one of these scopes: %(scopes)s.") % {"scopes": ", ".join(needed)},
            " ".join(needed),
        )
    return caller


def too_many_requests(request, retry_after: int):
    return problem(
        request,
        429,
        "rate-limited",
        _("Too many requests."),
        ngettext("Try again in %(seconds)d second.", "Try again in %(seconds)d seconds.", retry_after)
        % {"seconds": retry_after},
        code="rate_limited",
        headers={"Retry-After": str(retry_after)},
    )


def limit(request, caller: Caller, name: str):
    """Count one action against the same limit the pages use (per user); the 429 problem or None."""
    rate = ratelimit.Rate.parse(settings.RATE_LIMITS[name])
    retry_after = ratelimit.hit(name, f"user:{caller.user.pk}", rate)
    return None if retry_after is None else too_many_requests(request, retry_after)
