"""The toolkit's request validator with the portal's rules on top.

- A disabled app is an unknown app: no authorization, no token, no refresh, no
  revocation or introspection by it, and its existing access tokens stop working
  (the model's `is_usable`, and `validate_bearer_token` below).
- Redirect URIs match exactly (see redirects.py); with several registered the
  request must name one.
- At the token endpoint `redirect_uri` is required exactly when the authorization
  request carried it, and a different one is `invalid_grant` (RFC 6749 §4.1.3, §5.2).
- A second use of an authorization code revokes what the first use issued
  (RFC 6749 §4.1.2, RFC 9700 §4.2.4).
- OpenID Connect claims come from the account, for the `openid` scope.
"""

import hashlib
from collections import OrderedDict

from django.db import transaction
from django.db.models import Subquery
from django.utils.translation import gettext_lazy as _
from oauth2_provider.models import get_access_token_model, get_refresh_token_model
from oauth2_provider.oauth2_validators import OAuth2Validator
from oauthlib.oauth2.rfc6749 import errors

from oauth_apps.models import queryable_client_id

from .cors import origin_allowed
from .models import AuthorizationCodeRecord
from .redirects import client_redirect_uri_allowed

__all__ = ["PortalValidator", "queryable_client_id"]

# Set by the consent view on the credentials it hands to the toolkit (see
# ConsentView.create_authorization_response): did the request name redirect_uri?
REDIRECT_URI_IN_REQUEST = "redirect_uri_in_request"


def checksum(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


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

    def validate_bearer_token(self, token, scopes, request):
        if not super().validate_bearer_token(token, scopes, request):
            return False
        if request.client is not None and not request.client.usable:
            request.oauth2_error = OrderedDict(
                [("error", "invalid_token"), ("error_description", _("The application is disabled."))]
            )
            return False
        return True

    def validate_redirect_uri(self, client_id, redirect_uri, request, *args, **kwargs):
        return client_redirect_uri_allowed(redirect_uri, request.client)

    def get_default_redirect_uri(self, client_id, request, *args, **kwargs):
        """The registered URI when there is exactly one; with several the request must name one."""
        uris = request.client.redirect_uri_list
        return uris[0] if len(uris) == 1 else None

    # --- Authorization codes -------------------------------------------------

    def save_authorization_code(self, client_id, code, request, *args, **kwargs):
        super().save_authorization_code(client_id, code, request, *args, **kwargs)
        AuthorizationCodeRecord.objects.create(
            code_checksum=checksum(code["code"]),
            application=request.client,
            redirect_uri_in_request=bool(getattr(request, REDIRECT_URI_IN_REQUEST, True)),
        )

    def validate_code(self, client_id, code, client, request, *args, **kwargs):
        if super().validate_code(client_id, code, client, request, *args, **kwargs):
            return True
        # A code that was already exchanged: whoever holds it now, the tokens it
        # bought are no longer to be trusted.
        record = AuthorizationCodeRecord.objects.filter(
            code_checksum=checksum(code), application=client
        ).first()
        if record is not None and (record.token_family or record.access_token_checksum):
            revoke_exchange(record)
        return False

    def confirm_redirect_uri(self, client_id, code, redirect_uri, client, request, *args, **kwargs):
        record = AuthorizationCodeRecord.objects.filter(code_checksum=checksum(code)).first()
        in_authorization_request = record is None or record.redirect_uri_in_request
        if in_authorization_request and getattr(request, "using_default_redirect_uri", False):
            raise errors.InvalidRequestError(
                description="redirect_uri is required: the authorization request carried it.",
                request=request,
            )
        if not super().confirm_redirect_uri(client_id, code, redirect_uri, client, request, *args, **kwargs):
            # RFC 6749 §5.2: a redirection URI that does not match the authorization
            # request's is invalid_grant (oauthlib would say invalid_request).
            raise errors.InvalidGrantError(
                description="redirect_uri does not match the authorization request.", request=request
            )
        return True

    def save_bearer_token(self, token, request, *args, **kwargs):
        result = super().save_bearer_token(token, request, *args, **kwargs)
        if request.grant_type == "authorization_code" and request.code:
            family = get_refresh_token_model().objects.filter(
                token_checksum=checksum(token.get("refresh_token") or "")
            )
            AuthorizationCodeRecord.objects.filter(code_checksum=checksum(request.code)).update(
                token_family=Subquery(family.values("token_family")[:1]),
                access_token_checksum=checksum(token["access_token"]),
            )
        return result

    # --- Browsers and OpenID Connect -----------------------------------------

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


def revoke_exchange(record: AuthorizationCodeRecord) -> None:
    """Revoke every token the first exchange of a code issued, and those refreshed from them."""
    with transaction.atomic():
        if record.token_family:
            get_refresh_token_model().revoke_family(record.token_family)
        if record.access_token_checksum:
            for access_token in get_access_token_model().objects.filter(
                token_checksum=record.access_token_checksum
            ):
                access_token.revoke()
