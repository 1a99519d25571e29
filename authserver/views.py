"""The authorization server's endpoints: consent, token, revocation, introspection, metadata.

The toolkit's views do the protocol; these subclasses add the portal's consent
screen, its error pages, and the checks the toolkit leaves to the application.
"""

import base64
import binascii
import calendar
import hashlib
import json
from urllib.parse import unquote_plus

from django.http import JsonResponse
from django.shortcuts import render
from django.utils.decorators import method_decorator
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.generic import View
from oauth2_provider.http import OAuth2ResponseRedirect
from oauth2_provider.models import get_access_token_model
from oauth2_provider.views import AuthorizationView, OAuthServerMetadataView
from oauth2_provider.views.mixins import OAuthLibMixin
from oauthlib.oauth2.rfc6749 import errors as oauth_errors

from oauth_apps.consent import consent_context
from oauth_apps.models import OAuthApplication, read_once

from .oauth2_validators import queryable_client_id
from .redirects import allowed_schemes, csp_source, redirect_uri_allowed

ERROR_TEMPLATE = "authserver/authorize_error.html"
CONFIDENTIAL_AUTH_METHODS = ["client_secret_basic", "client_secret_post"]

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
        # One read of the application serves this check, the toolkit's validator and
        # the toolkit's view (see read_once).
        with read_once():
            return self._dispatch(request, *args, **kwargs)

    def _dispatch(self, request, *args, **kwargs):
        # A disabled app is named as such, even before anyone signs in.
        application = self._application(enabled_only=False)
        if application is not None and not application.is_usable(request):
            return authorize_error_page(
                request,
                title=_("This application is disabled"),
                message=_("Its owner has turned it off. Nothing was shared with it."),
                code="access_denied",
                reason="application_disabled",
                status=403,
            )
        return super().dispatch(request, *args, **kwargs)

    def get(self, request, *args, **kwargs):
        # Consent is asked every time; a client cannot opt out with approval_prompt=auto.
        if "approval_prompt" in request.GET:
            request.GET = request.GET.copy()
            del request.GET["approval_prompt"]
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        application = context.get("application")
        if application is not None:
            context.update(consent_context(application, context.get("scopes", []), context["redirect_uri"]))
        return context

    def render_to_response(self, context, **response_kwargs):
        response = super().render_to_response(context, **response_kwargs)
        redirect_uri = context.get("redirect_uri")
        if redirect_uri and "error" not in context:
            # Chromium applies form-action to the redirect that follows the Allow/Deny
            # POST, so this page must allow the client's redirect target (what
            # csp.decorators.csp_update does, with this request's value).
            response._csp_update = {"form-action": [csp_source(redirect_uri)]}
        response["Cache-Control"] = "no-store"
        return response

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
        application = application or self._application()
        schemes = allowed_schemes(application.redirect_uri_list) if application else ["https"]
        return OAuth2ResponseRedirect(redirect_to, schemes)

    def error_response(self, error, application, **kwargs):
        redirect, error_response = OAuthLibMixin.error_response(self, error, **kwargs)
        if redirect:
            return self.redirect(error_response["url"], application)
        oauth_error = error_response["error"]
        reason, message = FATAL_ERRORS.get(type(oauth_error), (oauth_error.error, oauth_error.description))
        return authorize_error_page(
            self.request,
            title=_("This sign-in link does not work"),
            message=message,
            code=oauth_error.error,
            reason=reason,
            status=oauth_error.status_code,
        )

    def form_valid(self, form):
        # The hidden fields come back from the browser: check them again before the
        # toolkit uses the redirect URI, even for Deny.
        application = self._application()
        redirect_uri = form.cleaned_data.get("redirect_uri") or ""
        if application is None or form.cleaned_data.get("client_id") != application.client_id:
            return self.form_invalid(form)
        if not redirect_uri_allowed(redirect_uri, application.redirect_uri_list):
            return self.form_invalid(form)
        return super().form_valid(form)

    def form_invalid(self, form):
        return authorize_error_page(
            self.request,
            title=_("This sign-in link does not work"),
            message=_("The consent form came back incomplete or changed. Start again from the application."),
            code="invalid_request",
        )


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
                {"error": "invalid_request", "error_description": "The token parameter is missing."},
                status=400,
            )
        answer = self.describe(token_value)
        if answer["active"] and not may_introspect(caller, answer["client_id"]):
            answer = {"active": False}
        return JsonResponse(answer)

    def authenticated_caller(self, request) -> OAuthApplication | None:
        """The confidential, enabled app that authenticated this request, or None."""
        if not super().authenticate_client(request):
            return None
        # Public clients "authenticate" with an empty secret; introspection is for
        # clients that hold a secret.
        client_id = queryable_client_id(self._client_id(request))
        if client_id is None:
            return None
        return (
            OAuthApplication.objects.filter(
                client_id=client_id, enabled=True, client_type=OAuthApplication.CLIENT_CONFIDENTIAL
            )
            .only("id", "client_id", "is_resource_server")
            .first()
        )

    @staticmethod
    def _client_id(request):
        auth = request.headers.get("Authorization", "")
        if auth.startswith("Basic "):
            try:
                decoded = base64.b64decode(auth[6:]).decode()
            except (binascii.Error, UnicodeDecodeError):
                return None
            return unquote_plus(decoded.split(":", 1)[0])
        return request.POST.get("client_id")

    @staticmethod
    def describe(token_value: str) -> dict:
        checksum = hashlib.sha256(token_value.encode()).hexdigest()
        token = (
            get_access_token_model()
            .objects.select_related("user", "application")
            .filter(token_checksum=checksum)
            .first()
        )
        if token is None or token.is_expired() or token.application is None or not token.application.enabled:
            return {"active": False}
        data = {
            "active": True,
            "token_type": "Bearer",
            "scope": token.scope,
            "client_id": token.application.client_id,
            "exp": int(calendar.timegm(token.expires.timetuple())),
            "iat": int(calendar.timegm(token.created.timetuple())),
        }
        if token.user is not None:
            data["sub"] = str(token.user.pk)
            data["username"] = token.user.get_username()
        return data


def may_introspect(caller: OAuthApplication, token_client_id: str) -> bool:
    """The introspection policy: a token's own client, or a client marked as a resource server."""
    return caller.is_resource_server or caller.client_id == token_client_id


class ServerMetadataView(OAuthServerMetadataView):
    """RFC 8414 metadata, corrected where the toolkit's defaults say more than we accept."""

    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        data = json.loads(response.content)
        if "introspection_endpoint" in data:
            data["introspection_endpoint_auth_methods_supported"] = CONFIDENTIAL_AUTH_METHODS
        replaced = JsonResponse(data)
        replaced["Access-Control-Allow-Origin"] = "*"
        return replaced
