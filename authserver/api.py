"""A small API under /api/2.0/ that proves the scopes: the caller's profile and the accounts.

Bearer tokens only, and only in the Authorization header (RFC 6750 §2.1, RFC 9700
§4.3.2). A request without a token is 401 with a challenge and no error code; a bad,
expired or revoked token, one of a disabled app, or one bound to another resource
(RFC 8707, authserver/resources.py) is 401 `invalid_token`; every 401 names the API's
protected-resource metadata (RFC 9728). A good token without the scope is 403
`insufficient_scope`, and the challenge names the scopes that would do (RFC 6750 §3.1).
A browser request from an origin that no enabled app allows is refused before the
token is looked at (authserver/origins.py).
"""

import json

from django.contrib.auth import get_user_model
from django.http import JsonResponse
from django.utils import translation
from django.utils.decorators import method_decorator
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.generic import View
from oauth2_provider.views.mixins import OAuthLibMixin

from . import services
from .origins import refuse_foreign_origin, request_origin
from .resources import metadata_url

DEFAULT_PAGE_SIZE = 25
MAX_PAGE_SIZE = 100


def challenge(
    status: int,
    error: str = "",
    description: str = "",
    scope: str = "",
    *,
    realm: str = "api",
    resource_metadata: str = "",
) -> JsonResponse:
    """A JSON error with its Bearer challenge; without `error` (no token was sent) none is named.

    A 401 names our protected-resource metadata (RFC 9728 §5.1), where a client that has
    never seen this server learns which authorization server issues its tokens.
    """
    parameters = [f'realm="{realm}"']
    if resource_metadata and status == 401:
        parameters.append(f'resource_metadata="{resource_metadata}"')
    if error:
        parameters.append(f'error="{error}"')
    if description:
        # RFC 6750 §3 allows only printable ASCII here, so the header stays English;
        # the JSON body, which a person may read, is in the request's language.
        with translation.override("en"):
            parameters.append(f'error_description="{description}"')
    if scope:
        parameters.append(f'scope="{scope}"')
    body = {"error": error, "error_description": str(description)} if error else {}
    if scope:
        body["scope"] = scope
    response = JsonResponse(body, status=status)
    response["WWW-Authenticate"] = "Bearer " + ", ".join(parameters)
    return response


def bad_request(description: str, *, code: str, field: str = "") -> JsonResponse:
    body = {"error": "invalid_request", "code": code, "error_description": str(description)}
    if field:
        body["field"] = field
    return JsonResponse(body, status=400)


@method_decorator(csrf_exempt, name="dispatch")
@method_decorator(never_cache, name="dispatch")
class BearerView(OAuthLibMixin, View):
    """A view for Bearer-token calls; `scopes` maps each method to the scopes of which one is enough.

    `origin_policy`: "any_app" refuses a browser origin no enabled app allows before
    the token is read; "token_client" refuses one the token's own client does not allow.
    """

    scopes: dict[str, tuple[str, ...]] = {}
    realm = "api"
    origin_policy = "any_app"

    def dispatch(self, request, *args, **kwargs):
        if request.method == "OPTIONS" or request.method.lower() not in self.http_method_names:
            return super().dispatch(request, *args, **kwargs)
        if request.method not in self.scopes:
            return self.http_method_not_allowed(request, *args, **kwargs)
        if self.origin_policy == "any_app" and (refused := refuse_foreign_origin(request, any_app=True)):
            return refused
        if "access_token" in request.GET:
            return self.challenge(
                400, "invalid_request", _("Send the access token in the Authorization header, not the URL.")
            )
        if not request.headers.get("Authorization", "").startswith("Bearer "):
            return self.challenge(401)
        valid, oauth_request = self.verify_request(request)
        if not valid:
            return self.challenge(401, "invalid_token", _("The access token is invalid, expired or revoked."))
        if self.origin_policy == "token_client" and request_origin(request) is not None:
            client = oauth_request.access_token.application
            if refused := refuse_foreign_origin(request, client=client):
                return refused
        granted = set(oauth_request.access_token.scope.split())
        needed = self.scopes[request.method]
        if not granted.intersection(needed):
            return self.challenge(
                403,
                "insufficient_scope",
                _("The access token lacks the scope for this call."),
                " ".join(needed),
            )
        request.resource_owner = oauth_request.user
        request.oauth_request = oauth_request
        return super().dispatch(request, *args, **kwargs)

    def challenge(self, status: int, error: str = "", description: str = "", scope: str = ""):
        return challenge(
            status, error, description, scope, realm=self.realm, resource_metadata=metadata_url(self.request)
        )

    def get_scopes(self):
        # Checked in dispatch: one of several scopes is enough, which the toolkit cannot say.
        return []


def profile(user) -> dict:
    return {
        "id": user.pk,
        "userName": user.get_username(),
        "displayName": user.get_full_name() or user.get_username(),
        "firstName": user.first_name,
        "lastName": user.last_name,
        "email": user.email,
    }


class SelfView(BearerView):
    http_method_names = ["get", "put", "options"]
    scopes = {
        "GET": ("accounts.self:read", "accounts.self:write"),
        "PUT": ("accounts.self:write",),
    }

    def get(self, request):
        return JsonResponse(profile(request.resource_owner))

    def put(self, request):
        try:
            data = json.loads(request.body or b"null")
        except (UnicodeDecodeError, ValueError):
            return bad_request(gettext("The body must be JSON."), code="invalid_json")
        try:
            user = services.update_display_name(request.resource_owner, data)
        except services.InvalidProfile as error:
            return bad_request(error.message, code=error.code, field=error.field)
        return JsonResponse(profile(user))


class PeopleView(BearerView):
    http_method_names = ["get", "options"]
    scopes = {"GET": ("accounts:read", "accounts:write")}

    def get(self, request):
        try:
            start = int(request.GET.get("startIndex", 0))
            count = int(request.GET.get("count", DEFAULT_PAGE_SIZE))
        except ValueError:
            return bad_request(gettext("startIndex and count must be whole numbers."), code="invalid_paging")
        if start < 0 or not 1 <= count <= MAX_PAGE_SIZE:
            return bad_request(
                gettext("startIndex must be 0 or more and count from 1 to %(max)d.") % {"max": MAX_PAGE_SIZE},
                code="invalid_paging",
            )
        people = get_user_model().objects.filter(is_active=True).order_by("pk")
        total = people.count()
        page = people.only("pk", "username", "first_name", "last_name")[start : start + count]
        items = [
            {
                "id": user.pk,
                "userName": user.get_username(),
                "displayName": user.get_full_name() or user.get_username(),
            }
            for user in page
        ]
        return JsonResponse({"total": total, "startIndex": start, "count": len(items), "items": items})
