"""POST /oauth/register (RFC 7591), its management endpoint (RFC 7592), and the staff page of initial tokens.

The registration endpoints speak JSON only, are never cached and need no CSRF
token (they are called by programs, authenticated by bearer tokens that are
not cookies). Their two kinds of token are not toolkit access tokens: each
works only here.
"""

import json

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.generic import FormView, TemplateView

from authserver.metadata import issuer
from common import ratelimit
from common.token_pages import NewTokenPageMixin
from oauth_apps.access import may_manage_initial_access_tokens, parse_pk
from oauth_apps.models import ClientType, PortalPolicy, RegistrationPolicy

from . import services
from .forms import (
    CONFIDENTIAL_AUTH_METHODS,
    GRANT_TYPES,
    PUBLIC_AUTH_METHOD,
    RESPONSE_TYPES,
    URL_FIELDS,
    ClientMetadataEditForm,
    ClientMetadataForm,
    InitialTokenForm,
    RegistrationError,
    auth_method,
    check_flows,
    form_data,
    kept_metadata,
)
from .models import ClientRegistration, InitialAccessToken

# At most this much JSON in a registration request.
MAX_BODY_BYTES = 16 * 1024
RATE_LIMIT = "client_registration"


def error_response(error: RegistrationError) -> JsonResponse:
    response = JsonResponse(
        {"error": error.error, "error_description": error.description},
        status=error.status,
        json_dumps_params={"ensure_ascii": False},
    )
    response["Cache-Control"] = "no-store"
    if error.challenge:
        response["WWW-Authenticate"] = error.challenge
    return response


def bearer_token(request) -> str | None:
    """The token of an `Authorization: Bearer …` header, or None."""
    scheme, _space, token = request.headers.get("Authorization", "").partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token or not token.isascii() or not token.isprintable():
        return None
    return token


def missing_token() -> RegistrationError:
    # RFC 6750 §3.1: no error code in the challenge when no token was sent.
    return RegistrationError(
        "invalid_token", _("This request needs a bearer token."), 401, challenge="Bearer"
    )


def refused_initial_token() -> RegistrationError:
    return RegistrationError(
        "invalid_token", _("The initial access token is unknown, revoked, expired or used up."), 401
    )


def name_taken_meanwhile() -> RegistrationError:
    """A portal app took a name like the client's between the form's check and the write."""
    return RegistrationError(
        "invalid_client_metadata",
        _("client_name: An app with this name was registered a moment ago. Choose another name."),
    )


def read_metadata(request) -> dict:
    if len(request.body) > MAX_BODY_BYTES:
        raise RegistrationError(
            "invalid_client_metadata",
            _("The request body is larger than %(max)d bytes.") % {"max": MAX_BODY_BYTES},
        )
    try:
        metadata = json.loads(request.body or b"null")
    except (ValueError, UnicodeDecodeError):
        metadata = None
    if not isinstance(metadata, dict):
        raise RegistrationError("invalid_client_metadata", _("The request body must be a JSON object."))
    return metadata


def not_provided_urls(request) -> dict[str, str]:
    """The portal pages that stand in for a URL the client did not give (see forms.py)."""
    base = issuer(request).split("/", 3)[:3]
    origin = "/".join(base)
    return {
        field: origin + reverse("dynamic_registration:not_provided", args=[kind])
        for kind, field in NOT_PROVIDED_KINDS.items()
    }


NOT_PROVIDED_KINDS = {
    "website": "website_url",
    "privacy": "privacy_policy_url",
    "terms": "terms_of_service_url",
}


def client_information(request, registration: ClientRegistration, *, secret="", token="") -> dict:
    """The client information response (RFC 7591 §3.2.1, RFC 7592 §3)."""
    app = registration.application
    kept = registration.metadata
    body = {
        "client_id": app.client_id,
        "client_id_issued_at": int(registration.created.timestamp()),
        "client_name": app.name,
        "redirect_uris": app.redirect_uri_list,
        "grant_types": list(GRANT_TYPES),
        "response_types": list(RESPONSE_TYPES),
        "token_endpoint_auth_method": kept.get("token_endpoint_auth_method", PUBLIC_AUTH_METHOD)
        if app.client_type == ClientType.CONFIDENTIAL
        else PUBLIC_AUTH_METHOD,
        "scope": " ".join(app.scope_names),
        "registration_client_uri": request.build_absolute_uri(
            reverse("dynamic_registration:manage", args=[app.client_id])
        ),
    }
    for rfc, field in URL_FIELDS.items():
        if rfc in kept.get("given_urls", ()):
            body[rfc] = getattr(app, field)
    for name, value in kept.items():
        if name not in ("given_urls", "token_endpoint_auth_method"):
            body[name] = value
    if secret:
        body["client_secret"] = secret
        body["client_secret_expires_at"] = 0
    if token:
        body["registration_access_token"] = token
    return body


def _metadata_to_store(metadata: dict, method: str) -> dict:
    kept = kept_metadata(metadata)
    if method != PUBLIC_AUTH_METHOD:
        kept["token_endpoint_auth_method"] = method
    return kept


def _json(body: dict, status: int = 200) -> JsonResponse:
    response = JsonResponse(body, status=status, json_dumps_params={"ensure_ascii": False})
    response["Cache-Control"] = "no-store"
    return response


@method_decorator(csrf_exempt, name="dispatch")
@method_decorator(never_cache, name="dispatch")
class RegisterView(View):
    """RFC 7591 registration, under the portal policy (oauth_apps.models.PortalPolicy)."""

    http_method_names = ["post"]

    def post(self, request):
        retry_after = ratelimit.hit(
            RATE_LIMIT, ratelimit.by_ip(request), ratelimit.Rate.parse(settings.RATE_LIMITS[RATE_LIMIT])
        )
        if retry_after is not None:
            response = error_response(
                RegistrationError("too_many_requests", _("Too many registrations from this address."), 429)
            )
            response["Retry-After"] = str(retry_after)
            return response
        try:
            return self.register(request)
        except RegistrationError as error:
            return error_response(error)

    def register(self, request):
        policy = PortalPolicy.load().registration_policy
        if policy == RegistrationPolicy.OFF:
            raise RegistrationError(
                "access_denied",
                _(
                    "Dynamic client registration is switched off here. "
                    "Ask the portal's staff to register your app."
                ),
                status=403,
            )
        initial_token = None
        if policy == RegistrationPolicy.TOKEN:
            token = bearer_token(request)
            if token is None:
                raise missing_token()
            initial_token = services.find_initial_token(token)
            if initial_token is None:
                raise refused_initial_token()
        metadata = read_metadata(request)
        method = auth_method(metadata, confidential_allowed=initial_token is not None)
        check_flows(metadata)
        stored = _metadata_to_store(metadata, method)
        form = ClientMetadataForm(
            form_data(metadata, method=method),
            {"icon": services.default_icon()},
            not_provided=not_provided_urls(request),
        )
        if not form.is_valid():
            raise form.registration_error()
        services.prune_now_and_then()
        try:
            app, secret, token = services.register_client(form, metadata=stored, initial_token=initial_token)
        except services.InitialTokenRefused as refused:
            raise refused_initial_token() from refused
        except services.app_services.DuplicateName as taken:
            raise name_taken_meanwhile() from taken
        response = _json(
            client_information(request, app.dynamic_registration, secret=secret, token=token), status=201
        )
        response["Location"] = response_location(request, app.client_id)
        return response


def response_location(request, client_id: str) -> str:
    return request.build_absolute_uri(reverse("dynamic_registration:manage", args=[client_id]))


@method_decorator(csrf_exempt, name="dispatch")
@method_decorator(never_cache, name="dispatch")
class ManageView(View):
    """RFC 7592: read, update and delete a registration with its registration access token."""

    http_method_names = ["get", "put", "delete"]

    def dispatch(self, request, client_id):
        if request.method.lower() not in self.http_method_names:
            return self.http_method_not_allowed(request)
        token = bearer_token(request)
        registration = services.find_registration(client_id, token) if token else None
        if registration is None:
            # RFC 7592 §2: an unknown client or a wrong token is 401, never telling which.
            error = (
                missing_token()
                if token is None
                else RegistrationError(
                    "invalid_token", _("The registration access token is not valid for this client."), 401
                )
            )
            return error_response(error)
        try:
            return getattr(self, request.method.lower())(request, registration)
        except RegistrationError as error:
            return error_response(error)

    def get(self, request, registration):
        return _json(client_information(request, registration))

    def put(self, request, registration):
        app = registration.application
        metadata = read_metadata(request)
        if metadata.get("client_id") != app.client_id:
            raise RegistrationError(
                "invalid_client_metadata", _("client_id must be this client's client_id.")
            )
        current = (
            PUBLIC_AUTH_METHOD
            if app.is_public
            else registration.metadata.get("token_endpoint_auth_method", CONFIDENTIAL_AUTH_METHODS[0])
        )
        method = auth_method(metadata, confidential_allowed=not app.is_public)
        if "token_endpoint_auth_method" not in metadata:
            method = current
        if (method == PUBLIC_AUTH_METHOD) != app.is_public:
            raise RegistrationError(
                "invalid_client_metadata",
                _("token_endpoint_auth_method cannot change between public and confidential."),
            )
        check_flows(metadata)
        data = form_data(metadata, method=method)
        data["version"] = app.version
        form = ClientMetadataEditForm(data, {}, instance=app, not_provided=not_provided_urls(request))
        if not form.is_valid():
            raise form.registration_error()
        try:
            services.update_client(form, registration, metadata=_metadata_to_store(metadata, method))
        except services.app_services.EditConflict as conflict:
            raise RegistrationError(
                "invalid_client_metadata",
                _("The client changed while this update ran. Read it and try again."),
            ) from conflict
        except services.app_services.DuplicateName as taken:
            raise name_taken_meanwhile() from taken
        registration.application.refresh_from_db()
        return _json(client_information(request, registration))

    def delete(self, request, registration):
        services.delete_client(registration)
        response = HttpResponse(status=204)
        response["Cache-Control"] = "no-store"
        return response


class NotProvidedView(TemplateView):
    """What the consent screen links to when a self-registered client gave no website, policy or terms."""

    template_name = "dynamic_registration/not_provided.html"
    titles = {
        "website": gettext_lazy("No website given"),
        "privacy": gettext_lazy("No privacy policy given"),
        "terms": gettext_lazy("No terms of service given"),
    }

    def get_context_data(self, **kwargs):
        kind = kwargs["kind"]
        if kind not in NOT_PROVIDED_KINDS:
            raise Http404
        return {**super().get_context_data(**kwargs), "title": self.titles[kind], "kind": kind}


# --- the staff page: initial access tokens -------------------------------------------


class InitialTokenListView(NewTokenPageMixin, LoginRequiredMixin, FormView):
    """Make, list and revoke initial access tokens (who may: oauth_apps.access)."""

    template_name = "dynamic_registration/initial_tokens.html"
    form_class = InitialTokenForm

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not may_manage_initial_access_tokens(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        now = timezone.now()
        tokens = list(InitialAccessToken.objects.select_related("created_by"))
        for token in tokens:
            token.current_state = token.state(now)
        context.update(
            tokens=tokens,
            policy=PortalPolicy.load(),
            token_policy=RegistrationPolicy.TOKEN,
        )
        return context

    def post(self, request, *args, **kwargs):
        if "revoke" in request.POST:
            return self.revoke(request)
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        value, token = services.issue_initial_token(
            name=form.cleaned_data["name"],
            expires=form.expires(),
            max_uses=form.cleaned_data["max_uses"],
            actor=self.request.user,
        )
        return self.show_new_token(value, token)

    def revoke(self, request):
        pk = parse_pk(request.POST.get("revoke"))
        if pk is None or not services.revoke_initial_token(pk, actor=request.user):
            messages.error(request, _("There is no such live token. Nothing was changed."))
        else:
            messages.success(request, _("The token was revoked. It no longer registers clients."))
        return redirect("dynamic_registration:initial_tokens")
