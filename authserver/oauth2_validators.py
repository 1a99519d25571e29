"""The toolkit's request validator with the portal's rules on top.

- A disabled app, or one staff have not approved, is an unknown app: no
  authorization, no token, no refresh, no revocation or introspection by it,
  and its existing access tokens stop working
  (the model's `is_usable`, and `validate_bearer_token` below).
- Redirect URIs match exactly (see redirects.py); with several registered the
  request must name one.
- At the token endpoint `redirect_uri` is required exactly when the authorization
  request carried it, and a different one is `invalid_grant` (RFC 6749 §4.1.3, §5.2).
- A second use of an authorization code revokes what the first use issued
  (RFC 6749 §4.1.2, RFC 9700 §4.2.4).
- A token is bound to the resources asked for (RFC 8707), as the toolkit does, and only
  to resources this server knows (authserver/resources.py); a grant made without one
  is for our API alone.
- OpenID Connect claims come from the account, for the `openid` scope.
- A client secret is checked by the app itself (`OAuthApplication.check_client_secret`):
  during a rotation the previous secret is accepted too, until it expires.
- A metadata-document client whose document says `private_key_jwt` authenticates with a
  signed assertion (client_assertions.py) at the token and revocation endpoints, and in
  no other way; no other client may present an assertion. Whichever way fails, the
  answer is `invalid_client`.
"""

import hashlib
from collections import OrderedDict
from contextvars import ContextVar

from django.db import transaction
from django.db.models import Subquery
from django.utils.translation import gettext_lazy as _
from jwcrypto import jws
from jwcrypto.common import JWException
from oauth2_provider.models import get_access_token_model, get_grant_model, get_refresh_token_model
from oauth2_provider.oauth2_validators import OAuth2Validator
from oauthlib.oauth2.rfc6749 import errors

from client_metadata.services import KeysUnavailable, client_keys, uses_private_key_jwt
from oauth_apps.models import OAuthApplication, queryable_client_id

from . import client_assertions, signing_keys
from .cors import origin_allowed
from .metadata import server_endpoint_urls
from .models import AuthorizationCodeRecord
from .redirects import client_redirect_uri_allowed
from .resources import refuse_beyond_unbound, refuse_unknown

__all__ = ["PortalValidator", "queryable_client_id"]

# Set by the consent view on the credentials it hands to the toolkit (see
# ConsentView.create_authorization_response): did the request name redirect_uri?
REDIRECT_URI_IN_REQUEST = "redirect_uri_in_request"


# The request whose client is being authenticated (see PortalValidator.authenticate_client).
_authenticating = ContextVar("authenticating_client_request", default=None)


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
            description = (
                _("The application is disabled.")
                if not request.client.enabled
                else _("The application has not been approved.")
            )
            request.oauth2_error = OrderedDict(
                [("error", "invalid_token"), ("error_description", description)]
            )
            return False
        return True

    # --- Client authentication -----------------------------------------------

    def client_authentication_required(self, request, *args, **kwargs):
        if _presents_assertion(request):
            return True
        if super().client_authentication_required(request, *args, **kwargs):
            return True
        # A client that must sign its requests is never let through on its client_id alone.
        return _signs_its_requests(request)

    def authenticate_client(self, request, *args, **kwargs):
        if _presents_assertion(request):
            return self._authenticate_assertion(request)
        # The toolkit checks a secret (Basic or in the body) with
        # `_check_secret(provided, request.client.client_secret)`, which does not see
        # the client; this keeps the request at hand for that check.
        token = _authenticating.set(request)
        try:
            authenticated = super().authenticate_client(request, *args, **kwargs)
        finally:
            _authenticating.reset(token)
        if authenticated and _signs_its_requests(request):
            raise _invalid_client(
                request, "This client authenticates with private_key_jwt (a client_assertion)."
            )
        return authenticated

    def authenticate_client_id(self, client_id, request, *args, **kwargs):
        if not super().authenticate_client_id(client_id, request, *args, **kwargs):
            return False
        return not _signs_its_requests(request)

    def _authenticate_assertion(self, request) -> bool:
        """RFC 7523 §2.2: the client is the one whose key signed `client_assertion` (client_assertions.py)."""
        if getattr(request, "client_assertion_type", None) != client_assertions.ASSERTION_TYPE:
            raise _invalid_client(
                request, f"client_assertion_type must be {client_assertions.ASSERTION_TYPE}."
            )
        assertion = getattr(request, "client_assertion", None)
        if not assertion:
            raise _invalid_client(request, "client_assertion is missing.")
        if self._extract_basic_auth(request) or getattr(request, "client_secret", None):
            # RFC 6749 §2.3: one authentication method per request.
            raise _invalid_client(
                request, "Use one client authentication method, not a secret and an assertion."
            )
        try:
            client_id = client_assertions.claimed_client_id(assertion)
            if client_id is None or (request.client_id and request.client_id != client_id):
                raise client_assertions.AssertionRefused(
                    "The assertion's iss must be the request's client_id."
                )
            if queryable_client_id(client_id) is None or self._load_application(client_id, request) is None:
                return False
            client = request.client
            stored = client_keys(client)
            if stored is None:
                raise client_assertions.AssertionRefused(
                    "This client does not authenticate with private_key_jwt."
                )
            client_assertions.verify(
                assertion,
                client_id=client_id,
                # One read of the stored keys; an unknown kid asks for them afresh.
                key_set=lambda refresh: client_keys(client, refresh=True) if refresh else stored,
                audiences=assertion_audiences(request),
            )
        except client_assertions.AssertionRefused as refused:
            raise _invalid_client(request, str(refused)) from refused
        except KeysUnavailable as unavailable:
            raise _invalid_client(
                request, "This client's keys (jwks_uri) could not be fetched."
            ) from unavailable
        request.client_id = client_id
        return True

    def _check_secret(self, provided_secret, stored_secret):
        request = _authenticating.get()
        client = getattr(request, "client", None)
        if isinstance(client, OAuthApplication) and client.client_secret == stored_secret:
            return client.check_client_secret(provided_secret)
        return super()._check_secret(provided_secret, stored_secret)

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

    def _check_and_set_request_resource(self, request):
        """RFC 8707 at the token endpoint, on top of the toolkit's narrowing rules.

        The toolkit binds the token to what was authorized (or to a subset the request
        names) and keeps the binding across refreshes. Here: every resource must be one
        this server knows, and when the grant (or refresh token) is unbound, meaning
        our API, a `resource` at the token endpoint may name only our API.
        """
        asked = getattr(request, "resource", None)
        super()._check_and_set_request_resource(request)
        refuse_unknown(request.resource, request)
        if not asked:
            return
        if request.grant_type == "refresh_token":
            unbound = not request.refresh_token_instance.resource
        else:
            grant = get_grant_model().objects.filter(code=request.code, application=request.client)
            unbound = not (grant.values_list("resource", flat=True).first() or [])
        if unbound:
            refuse_beyond_unbound(request.resource, request)

    # --- Browsers and OpenID Connect -----------------------------------------

    def is_origin_allowed(self, client_id, origin, request, *args, **kwargs):
        # The same rule as CORS (authserver/cors.py), asked for this client only.
        return request.client is not None and origin_allowed(origin, request.client)

    def validate_silent_login(self, request):
        return True

    def validate_silent_authorization(self, request):
        # Consent is asked every time: prompt=none gets consent_required.
        return False

    def _get_key_for_token(self, token):
        """The published key whose `kid` the ID token names (the toolkit took the app's one key).

        The toolkit verifies an ID token it just signed (to link it to the access
        token), and would verify an `id_token_hint`: after a rotation that token may
        carry a retired key's kid. Looking the key up by kid also spares the toolkit's
        query for the app named in `aud`; the ID token's row, found by `jti`, names it.
        """
        try:
            kid = jws.JWS.from_jose_token(token).jose_header.get("kid")
        except (JWException, ValueError):
            return None
        key = signing_keys.current().find(kid) if isinstance(kid, str) else None
        return key.public_key() if key is not None else None

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


def _signs_its_requests(request) -> bool:
    """`uses_private_key_jwt` for the request's client, asked of the database once per request.

    A metadata-document client's token request asks it twice (is client authentication
    required? may it pass on its client_id alone?); the answer is kept on the oauthlib
    request, for the client it was given for.
    """
    client = request.client
    if not isinstance(client, OAuthApplication):
        return False
    known = getattr(request, "_private_key_jwt_answer", None)
    if known is not None and known[0] is client:
        return known[1]
    answer = uses_private_key_jwt(client)
    request._private_key_jwt_answer = (client, answer)
    return answer


def _presents_assertion(request) -> bool:
    return bool(getattr(request, "client_assertion", None) or getattr(request, "client_assertion_type", None))


def _invalid_client(request, description: str) -> errors.InvalidClientError:
    return errors.InvalidClientError(description=description, request=request)


def assertion_audiences(request) -> set[str]:
    """What an assertion's `aud` may name: the issuer, the token endpoint, the revocation endpoint."""
    return set(server_endpoint_urls(request, ("token", "revoke-token")))


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
