"""The toolkit's request validator with the portal's rules on top.

- A disabled app is an unknown app: no authorization, no token, no refresh, no
  revocation or introspection by it, and its existing access tokens stop working.
- Redirect URIs match exactly (see redirects.py); with several registered the
  request must name one.
- OpenID Connect claims come from the account, for the `openid` scope.
"""

from collections import OrderedDict

from django.utils.translation import gettext_lazy as _
from oauth2_provider.oauth2_validators import OAuth2Validator

from .cors import origin_allowed
from .redirects import redirect_uri_allowed


def queryable_client_id(value):
    """The client ID if it could exist at all, else None.

    Client IDs are printable ASCII; anything else (a NUL byte above all, which
    PostgreSQL refuses outright) must never reach a query.
    """
    if not value or len(value) > 255 or not (value.isascii() and value.isprintable()):
        return None
    return value


class PortalValidator(OAuth2Validator):
    # Our catalog has one OpenID scope, "openid" ("View your personal data"): every
    # claim below is released with it.
    oidc_claim_scope = {
        "sub": "openid",
        "name": "openid",
        "given_name": "openid",
        "family_name": "openid",
        "preferred_username": "openid",
        "email": "openid",
    }

    def _load_application(self, client_id, request):
        # Every client lookup of the toolkit (authorize, token, refresh, revoke,
        # introspect) goes through here. Disabled apps are refused by the model's
        # is_usable(); what is refused here is a client ID that cannot exist: the
        # toolkit expects a ValueError for a NUL byte, but psycopg 3 raises DataError.
        if queryable_client_id(client_id) is None:
            request.client = None
            return None
        return super()._load_application(client_id, request)

    def validate_bearer_token(self, token, scopes, request):
        if not super().validate_bearer_token(token, scopes, request):
            return False
        if request.client is not None and not request.client.enabled:
            request.oauth2_error = OrderedDict(
                [("error", "invalid_token"), ("error_description", _("The application is disabled."))]
            )
            return False
        return True

    def validate_redirect_uri(self, client_id, redirect_uri, request, *args, **kwargs):
        return redirect_uri_allowed(redirect_uri, request.client.redirect_uri_list)

    def get_default_redirect_uri(self, client_id, request, *args, **kwargs):
        """The registered URI when there is exactly one; with several the request must name one."""
        uris = request.client.redirect_uri_list
        return uris[0] if len(uris) == 1 else None

    def is_origin_allowed(self, client_id, origin, request, *args, **kwargs):
        # The same rule as CORS (authserver/cors.py), asked for this client only.
        return request.client is not None and origin_allowed(origin, request.client)

    def validate_silent_login(self, request):
        return True

    def validate_silent_authorization(self, request):
        # Consent is asked every time: prompt=none gets consent_required.
        return False

    def get_discovery_claims(self, request):
        return list(self.oidc_claim_scope)

    def get_additional_claims(self, request):
        user = request.user
        return {
            "name": user.get_full_name() or user.get_username(),
            "given_name": user.first_name,
            "family_name": user.last_name,
            "preferred_username": user.get_username(),
            "email": user.email,
        }
