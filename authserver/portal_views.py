"""Portal pages: the apps a user authorized, and an app owner's developer tools."""

import base64
import hashlib
import secrets
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.views.generic import DetailView, TemplateView

from oauth_apps.access import Action, OwnedApplicationMixin, parse_pk
from oauth_apps.models import OAuthApplication

from . import services


def _no_store(response):
    response["Cache-Control"] = "no-store"
    return response


class AuthorizedAppsView(LoginRequiredMixin, TemplateView):
    """Settings → Authorized apps: every app that can act for the signed-in user."""

    template_name = "authserver/authorized_apps.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["authorizations"] = services.authorizations_of(self.request.user)
        return context

    def post(self, request, *args, **kwargs):
        # One answer whether the id is malformed, unknown, or an app that holds
        # nothing of this user's (someone else's, say): the page is no oracle of
        # which apps exist.
        pk = parse_pk(request.POST.get("application"))
        app = OAuthApplication.objects.filter(pk=pk).only("id", "name").first() if pk else None
        if app is not None and services.revoke_user_authorization(request.user, app):
            messages.success(request, _("%(app)s can no longer access your account.") % {"app": app.name})
        else:
            messages.info(request, _("That app had no access to your account, so nothing changed."))
        return redirect("authserver:authorized_apps")


def pkce_pair() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    return verifier, challenge


class DeveloperToolsView(OwnedApplicationMixin, DetailView):
    """An app's developer tools: developer token, revoke a token, the sign-in button."""

    template_name = "authserver/developer_tools.html"
    context_object_name = "app"
    # Tokens and sign-in links made here act with the app: the owner's, or staff allowed to change it.
    access_action = Action.CHANGE

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        app = self.object
        verifier, challenge = pkce_pair()
        state = secrets.token_urlsafe(16)
        params = {
            "response_type": "code",
            "client_id": app.client_id,
            "redirect_uri": app.redirect_uri_list[0],
            "scope": " ".join(app.scope_names),
            "state": state,
            "code_challenge": challenge,
            "code_challenge_method": "S256",
        }
        url = self.request.build_absolute_uri(reverse("oauth2_provider:authorize")) + "?" + urlencode(params)
        context.update(
            {
                "authorize_url": url,
                "button_html": format_html('<a href="{}" rel="noopener">Sign in with DocSpace</a>', url),
                "state": state,
                "code_verifier": verifier,
                "code_challenge": challenge,
            }
        )
        return context

    def render_to_response(self, context, **response_kwargs):
        return _no_store(super().render_to_response(context, **response_kwargs))

    def post(self, request, *args, **kwargs):
        self.object = app = self.get_object()
        context = self.get_context_data(object=app)
        if "generate" in request.POST:
            try:
                value, token = services.generate_developer_token(request.user, app)
            except services.ApplicationDisabled:
                messages.error(request, _("The application is disabled: enable it to generate a token."))
            except services.ApplicationNotApproved:
                messages.error(
                    request,
                    _(
                        "The application has not been approved by the portal's administrators, "
                        "so no token can be made for it."
                    ),
                )
            else:
                context["developer_token"] = value
                context["developer_token_expires"] = token.expires
        elif "revoke" in request.POST:
            kind = services.revoke_pasted_token(app, request.user, request.POST.get("token", ""))
            if kind is None:
                messages.error(
                    request,
                    _("That is not a live token of this application. Nothing was changed."),
                )
            else:
                messages.success(request, _("The token was revoked. It no longer works."))
            return redirect("authserver:developer_tools", pk=app.pk)
        return self.render_to_response(context)
