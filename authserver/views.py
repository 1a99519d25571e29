"""The authorization server's endpoints: consent, token, revocation, introspection, metadata.

The toolkit's views do the protocol; these subclasses add the portal's consent
screen, its error pages, and the checks the toolkit leaves to the application.
"""

import calendar
import hashlib
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from django.http import JsonResponse
from django.shortcuts import render
from django.utils.decorators import method_decorator
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.generic import View
from oauth2_provider import views as dot_views
from oauth2_provider.exceptions import OAuthToolkitError
from oauth2_provider.http import OAuth2ResponseRedirect
from oauth2_provider.models import get_access_token_model
from oauth2_provider.views import AuthorizationView
from oauth2_provider.views.mixins import OAuthLibMixin
from oauthlib.oauth2.rfc6749 import errors as oauth_errors

from accounts.languages import activate_for_request, ui_locales_language
from client_metadata.services import FetchLimited, Refused, ensure_client
from common.csp import FORM_ACTION_ATTRIBUTE
from common.ratelimit import by_user_or_ip, too_many_requests
from oauth_apps.consent import consent_context
from oauth_apps.models import OAuthApplication, read_once

from . import signing_keys
from .api import BearerView
from .metadata import issuer, server_metadata
from .oauth2_validators import REDIRECT_URI_IN_REQUEST, queryable_client_id
from .origins import client_id_of, refuse_foreign_origin
from .redirects import allowed_schemes, client_redirect_uri_allowed, csp_source
from .resources import protected_resource_metadata
from .server import GRANT_TYPES

ERROR_TEMPLATE = "authserver/authorize_error.html"
# RFC 6749 §5.2: a client that failed to authenticate is told which scheme to use.
CLIENT_CHALLENGE = 'Basic realm="DocSpace Portal"'

# What the person at the browser is told for the errors that must not redirect
# (RFC 6749 §4.1.2.1): a reason for tests and support, and a sentence for people.
_NOT_REGISTERED = _("The redirect URL in this request is not registered for this application.")
FATAL_ERRORS = {
    oauth_errors.InvalidClientIdError: (
        "unknown_client",
        _("This application does not exist. It may have been deleted, or the link is wrong."),
    ),
    oauth_errors.MissingClientIdError: (
        "missing_client_id",
        _("The request does not say which application it is for."),
    ),
    oauth_errors.InvalidRedirectURIError: ("redirect_uri_not_registered", _NOT_REGISTERED),
    oauth_errors.MismatchingRedirectURIError: ("redirect_uri_not_registered", _NOT_REGISTERED),
    oauth_errors.MissingRedirectURIError: (
        "redirect_uri_required",
        _("This application has several redirect URLs registered, so the request must name one of them."),
    ),
}


# The consent screen's page for an app that may not sign anyone in, by
# OAuthApplication.unusable_reason (the rule lives there; this is only its wording).
UNUSABLE_PAGES = {
    "application_disabled": (
        _("This application is disabled"),
        _("Its owner has turned it off. Nothing was shared with it."),
    ),
    "application_pending_review": (
        _("This application is waiting for review"),
        _(
            "This app is waiting for review by the portal's administrators. It cannot sign anyone in until "
            "they approve it. Nothing was shared with it."
        ),
    ),
    "application_rejected": (
        _("This application was not approved"),
        _(
            "The portal's administrators reviewed this app and did not approve it, so it cannot sign anyone "
            "in. Nothing was shared with it."
        ),
    ),
}


def authorize_error_page(request, *, title, message, code="", reason="", status=400):
    response = render(
        request,
        ERROR_TEMPLATE,
        {"title": title, "message": message, "code": code, "reason": reason or code},
        status=status,
    )
    response["Cache-Control"] = "no-store"
    return response


@method_decorator(never_cache, name="dispatch")
class ConsentView(AuthorizationView):
    """The authorize endpoint: sign-in, then the consent screen, then the redirect."""

    template_name = "authserver/consent.html"

    def dispatch(self, request, *args, **kwargs):
        # The end user's language, not the app developer's: OIDC ui_locales first, then
        # the person's own choice (the cookie) and Accept-Language, as on every page.
        language = ui_locales_language(request.POST.get("ui_locales") or request.GET.get("ui_locales", ""))
        if language:
            activate_for_request(request, language)
        # One read of the application serves this check, the toolkit's validator and
        # the toolkit's view (see read_once).
        with read_once():
            return self._dispatch(request, *args, **kwargs)

    def _dispatch(self, request, *args, **kwargs):
        # A client_id that is a metadata-document URL: its app is made or refreshed
        # from the document first (client_metadata/), or the request is refused here.
        try:
            ensure_client(
                request.POST.get("client_id") or request.GET.get("client_id"),
                redirect_uri=request.POST.get("redirect_uri") or request.GET.get("redirect_uri"),
                fetch_key=by_user_or_ip(request) if request.user.is_authenticated else None,
                redirect_allowed=client_redirect_uri_allowed,
            )
        except FetchLimited as limited:
            return too_many_requests(request, limited.retry_after)
        except Refused as refused:
            return authorize_error_page(
                request,
                title=_("This application cannot be used"),
                message=refused.message,
                code="invalid_client",
                reason=refused.code,
                status=refused.status,
            )
        # A disabled app is named as such, even before anyone signs in.
        application = self._application(enabled_only=False)
        if application is not None and not application.is_usable(request):
            title, message = UNUSABLE_PAGES.get(
                application.unusable_reason, UNUSABLE_PAGES["application_disabled"]
            )
            return authorize_error_page(
                request,
                title=title,
                message=message,
                code="access_denied",
                reason=application.unusable_reason or "application_disabled",
                status=403,
            )
        return super().dispatch(request, *args, **kwargs)

    def get(self, request, *args, **kwargs):
        # Consent is asked every time; a client cannot opt out with approval_prompt=auto.
        if "approval_prompt" in request.GET:
            request.GET = request.GET.copy()
            del request.GET["approval_prompt"]
        return super().get(request, *args, **kwargs)

    def handle_no_permission(self):
        # Signed out with prompt=none: OpenID Connect Core §3.1.2.6 says
        # login_required. The toolkit validates the request first, and our validator
        # refuses every silent authorization with consent_required, which would tell
        # the client the wrong thing to do next.
        if "none" in self.request.GET.get("prompt", "").split():
            try:
                self.validate_authorization_request(self.request)
            except OAuthToolkitError as error:
                found = error.oauthlib_error
                if isinstance(found, oauth_errors.ConsentRequired):
                    login = oauth_errors.LoginRequired(state=found.state)
                    error = OAuthToolkitError(error=login, redirect_uri=found.redirect_uri)
                return self.error_response(error, application=None)
        return super().handle_no_permission()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        application = context.get("application")
        if application is not None:
            # The resources asked for (RFC 8707): server.require_known_resources refused any
            # this server does not know before the screen is shown.
            resources = self.request.GET.getlist("resource")
            context.update(
                consent_context(application, context.get("scopes", []), context["redirect_uri"], resources)
            )
            # Carried through the Allow/Deny POST so what follows speaks the same language.
            context["ui_locales"] = self.request.GET.get("ui_locales", "")[:200]
        return context

    def render_to_response(self, context, **response_kwargs):
        oauth_error = context.get("error")
        if isinstance(oauth_error, oauth_errors.OAuth2Error):
            # The toolkit renders errors that must not redirect (RFC 6749 §4.1.2.1:
            # unknown client, unregistered redirect URI) with this view's template;
            # people get the portal's error page instead.
            return self.fatal_error_page(oauth_error)
        response = super().render_to_response(context, **response_kwargs)
        redirect_uri = context.get("redirect_uri")
        if redirect_uri:
            # Chromium applies form-action to the redirect that follows the Allow/Deny
            # POST, so this page must allow the client's redirect target.
            setattr(response, FORM_ACTION_ATTRIBUTE, [csp_source(redirect_uri)])
        response["Cache-Control"] = "no-store"
        return response

    def fatal_error_page(self, oauth_error):
        reason, message = FATAL_ERRORS.get(type(oauth_error), (oauth_error.error, oauth_error.description))
        return authorize_error_page(
            self.request,
            title=_("This sign-in link does not work"),
            message=message,
            code=oauth_error.error,
            reason=reason,
            status=oauth_error.status_code,
        )

    def _application(self, *, enabled_only=True):
        client_id = queryable_client_id(
            self.request.POST.get("client_id") or self.request.GET.get("client_id")
        )
        if not client_id:
            return None
        application = OAuthApplication.objects.by_client_id(client_id)
        if application is None or (enabled_only and not application.is_usable(self.request)):
            return None
        return application

    def redirect(self, redirect_to, application):
        """Every redirect back to the client: success or error, before or after consent.

        Each carries `iss` (RFC 9207 §2: error responses too) and the request's
        `state` (RFC 6749 §4.1.2, §4.1.2.1), whichever path produced it.
        """
        application = application or self._application()
        schemes = allowed_schemes(application.redirect_uri_list) if application else ["https"]
        state = self.request.POST.get("state") or self.request.GET.get("state")
        target = with_response_parameters(redirect_to, iss=issuer(self.request), state=state)
        return OAuth2ResponseRedirect(target, schemes)

    def create_authorization_response(self, request, scopes, credentials, allow):
        # RFC 6749 §4.1.3: the token request must repeat redirect_uri exactly when the
        # authorization request carried it. The consent form posts back to the same
        # URL, so the original query says whether it did.
        credentials[REDIRECT_URI_IN_REQUEST] = "redirect_uri" in request.GET
        # RFC 8707: the resources asked for (none: an empty list, never a value oauthlib
        # would look for in the redirect URI's query); server.require_known_resources
        # checks them again before the code is issued.
        credentials.setdefault("resource", [])
        return super().create_authorization_response(request, scopes, credentials, allow)

    def form_valid(self, form):
        # The hidden fields come back from the browser: check them again before the
        # toolkit uses the redirect URI, even for Deny.
        application = self._application()
        redirect_uri = form.cleaned_data.get("redirect_uri") or ""
        if application is None or form.cleaned_data.get("client_id") != application.client_id:
            return self.form_invalid(form)
        if not client_redirect_uri_allowed(redirect_uri, application):
            return self.form_invalid(form)
        return super().form_valid(form)

    def form_invalid(self, form):
        return authorize_error_page(
            self.request,
            title=_("This sign-in link does not work"),
            message=_("The consent form came back incomplete or changed. Start again from the application."),
            code="invalid_request",
        )


def with_response_parameters(uri: str, *, iss: str, state: str | None) -> str:
    """`uri` with exactly one `iss` (ours) and, where it is missing, the request's `state`.

    Parameters already there (the registered URI's own query, what oauthlib wrote)
    are left as they are, unless one is an `iss` other than ours: RFC 9207 allows
    only one, the server's.
    """
    parts = urlsplit(uri)
    pairs = parse_qsl(parts.query, keep_blank_values=True)
    query = parts.query
    if [value for key, value in pairs if key == "iss"] != [iss]:
        query = urlencode([(key, value) for key, value in pairs if key != "iss"] + [("iss", iss)])
    if state and not any(key == "state" for key, _value in pairs):
        query = "&".join(part for part in (query, urlencode([("state", state)])) if part)
    return urlunsplit(parts._replace(query=query))


@method_decorator(csrf_exempt, name="dispatch")
@method_decorator(never_cache, name="dispatch")
class IntrospectView(OAuthLibMixin, View):
    """RFC 7662 token introspection.

    The caller authenticates as a confidential client (client_secret_basic or
    client_secret_post). It learns about a token only if the token was issued
    to it, or if an administrator marked it a resource server (the app's
    `is_resource_server`, set by staff holding `mark_resource_server`); to
    anyone else every token is `{"active": false}` (RFC 7662 §2.2 allows that
    answer for tokens the caller may not see). A token of a disabled app is
    inactive.
    """

    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        caller = self.authenticated_caller(request)
        if caller is None:
            response = JsonResponse({"error": "invalid_client"}, status=401)
            response["WWW-Authenticate"] = 'Basic realm="introspection"'
            return response
        token_value = request.POST.get("token")
        if not token_value:
            return JsonResponse(
                {"error": "invalid_request", "error_description": str(_("The token parameter is missing."))},
                status=400,
            )
        answer = self.describe(token_value)
        if answer["active"] and not may_introspect(caller, answer["client_id"]):
            answer = {"active": False}
        return JsonResponse(answer)

    def authenticated_caller(self, request) -> OAuthApplication | None:
        """The confidential, usable app that authenticated this request, or None."""
        try:
            if not super().authenticate_client(request):
                return None
        except oauth_errors.OAuth2Error:
            # The validator explains a refused assertion (or a signing client's secret)
            # by raising; here every refusal is the same 401.
            return None
        # Public clients "authenticate" with an empty secret; introspection is for
        # clients that hold a secret.
        client_id = queryable_client_id(client_id_of(request))
        if client_id is None:
            return None
        return (
            OAuthApplication.objects.filter(
                OAuthApplication.usable_filter(),
                client_id=client_id,
                client_type=OAuthApplication.CLIENT_CONFIDENTIAL,
            )
            .only("id", "client_id", "is_resource_server")
            .first()
        )

    @staticmethod
    def describe(token_value: str) -> dict:
        checksum = hashlib.sha256(token_value.encode()).hexdigest()
        token = (
            get_access_token_model()
            .objects.select_related("user", "application")
            .filter(token_checksum=checksum)
            .first()
        )
        if token is None or token.is_expired() or token.application is None or not token.application.usable:
            return {"active": False}
        data = {
            "active": True,
            "token_type": "Bearer",
            "scope": token.scope,
            "client_id": token.application.client_id,
            "exp": int(calendar.timegm(token.expires.timetuple())),
            "iat": int(calendar.timegm(token.created.timetuple())),
        }
        if token.resource:
            # RFC 8707: the resources the token is bound to; a resource server checks
            # that it is one of them. An unbound token has no `aud`.
            data["aud"] = list(token.resource)
        if token.user is not None:
            data["sub"] = str(token.user.pk)
            data["username"] = token.user.get_username()
        return data


def may_introspect(caller: OAuthApplication, token_client_id: str) -> bool:
    """The introspection policy: a token's own client, or a client marked as a resource server."""
    return caller.is_resource_server or caller.client_id == token_client_id


class ProtectedResourceMetadataView(View):
    """RFC 9728 metadata of our API (authserver/resources.py): which server issues its tokens."""

    def get(self, request, *args, **kwargs):
        response = JsonResponse(protected_resource_metadata(request))
        response["Access-Control-Allow-Origin"] = "*"
        return response


class ServerMetadataView(View):
    """RFC 8414 metadata and OpenID Connect discovery: the same document (authserver/metadata.py)."""

    def get(self, request, *args, **kwargs):
        response = JsonResponse(server_metadata(request))
        # A public document that browser clients read (as the toolkit's views do).
        response["Access-Control-Allow-Origin"] = "*"
        return response


class JwksView(View):
    """The JWKS: the active signing key, the next one and the retired ones still published.

    Clients may cache it for `JWKS_MAX_AGE_SECONDS` (5 minutes): a rotation publishes
    the new key longer than that before it signs (authserver/signing_keys.py).
    """

    def get(self, request, *args, **kwargs):
        response = JsonResponse({"keys": signing_keys.current().published()})
        response["Access-Control-Allow-Origin"] = "*"
        response["Cache-Control"] = f"public, max-age={signing_keys.JWKS_MAX_AGE_SECONDS}"
        return response


def json_error(status: int, error: str, description: str) -> JsonResponse:
    response = JsonResponse({"error": error, "error_description": description}, status=status)
    response["Cache-Control"] = "no-store"
    return response


def malformed_parameters(request) -> JsonResponse | None:
    """`invalid_request` for a parameter with a control character, before anything runs.

    RFC 6749 Appendix A allows none in any parameter of these endpoints, and a NUL byte
    would reach PostgreSQL (which refuses it with an error, not an empty result).
    """
    for key, values in request.POST.lists():
        if any(_has_control_character(text) for text in (key, *values)):
            return json_error(400, "invalid_request", f"The {key!r} parameter contains a control character.")
    return None


def _has_control_character(text: str) -> bool:
    return any(ord(char) < 0x20 or ord(char) == 0x7F for char in text)


def with_client_challenge(response):
    """RFC 6749 §5.2: `invalid_client` is a 401 with the scheme the client may use, Basic.

    oauthlib writes a Bearer challenge there, the scheme of resource servers.
    """
    if response.status_code == 401:
        response["WWW-Authenticate"] = CLIENT_CHALLENGE
    return response


class TokenView(dot_views.TokenView):
    """The token endpoint: only the grants we offer, only from the client's own origins.

    Both refusals come before anything else runs: no client lookup, no code or
    refresh token spent. The toolkit's device-flow branch is never reached (it
    crashed without `device_code` and answered 404 without client authentication).
    """

    def post(self, request, *args, **kwargs):
        if malformed := malformed_parameters(request):
            return malformed
        grant_type = request.POST.get("grant_type")
        if not grant_type:
            return json_error(400, "invalid_request", "The grant_type parameter is missing.")
        if grant_type not in GRANT_TYPES:
            return json_error(
                400, "unsupported_grant_type", f"Supported grant types: {', '.join(GRANT_TYPES)}."
            )
        if refused := refuse_foreign_origin(request, client_id=client_id_of(request)):
            return refused
        response = self.authorization_flow_token_response(request, *args, **kwargs)
        if response.status_code >= 400:
            # An error raised while the token is saved (invalid_target, RFC 8707) reaches
            # the toolkit without the JSON headers oauthlib's own errors carry.
            response["Content-Type"] = "application/json"
            response["Cache-Control"] = "no-store"
        return with_client_challenge(response)


class RevokeTokenView(dot_views.RevokeTokenView):
    """RFC 7009 revocation, refused before anything runs for an origin the client never allowed."""

    def post(self, request, *args, **kwargs):
        if malformed := malformed_parameters(request):
            return malformed
        if refused := refuse_foreign_origin(request, client_id=client_id_of(request)):
            return refused
        return with_client_challenge(super().post(request, *args, **kwargs))


class UserInfoView(BearerView):
    """OpenID Connect userinfo (Core §5.3) with the Bearer rules of the API (RFC 6750 §3.1).

    No token: 401 with a bare challenge. A bad token: 401 `invalid_token`. A good token
    without `openid`: 403 `insufficient_scope`. Errors are JSON. A browser origin must
    be an allowed origin of the token's client.
    """

    http_method_names = ["get", "post", "options"]
    scopes = {"GET": ("openid",), "POST": ("openid",)}
    realm = "userinfo"
    origin_policy = "token_client"

    def get(self, request, *args, **kwargs):
        claims = self.get_validator_class()().get_userinfo_claims(request.oauth_request)
        return JsonResponse(claims)

    post = get
