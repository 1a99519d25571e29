"""Developer Tools → OAuth 2.0: the list, registration, credentials, icons."""

import contextlib
import logging

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.db import DatabaseError
from django.http import Http404, HttpResponse, HttpResponseNotModified
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.cache import cache_control
from django.views.generic import DetailView, ListView, TemplateView

from . import scopes as scope_catalog
from .forms import ApplicationForm
from .models import Icon, OAuthApplication
from .pending_icons import PendingIcons
from .services import DuplicateName, register_application

logger = logging.getLogger(__name__)

CREDENTIALS_SESSION_KEY = "oauth_apps.credentials"
ICON_CSP = "default-src 'none'; style-src 'unsafe-inline'; sandbox"
PAGE_SIZE = 20


class OwnedApplicationMixin(LoginRequiredMixin):
    """Scope every lookup to what the user may see: staff see all, others their own."""

    def get_queryset(self):
        queryset = OAuthApplication.objects.all()
        if not self.request.user.is_staff:
            queryset = queryset.filter(user=self.request.user)
        return queryset


class ApplicationListView(OwnedApplicationMixin, ListView):
    template_name = "oauth_apps/application_list.html"
    context_object_name = "applications"
    paginate_by = PAGE_SIZE

    def get_queryset(self):
        return (
            super()
            .get_queryset()
            .select_related("user")
            .only(
                "id",
                "name",
                "client_id",
                "icon_id",
                "scope_bits",
                "enabled",
                "updated",
                "created",
                "user__username",
                "user__first_name",
                "user__last_name",
            )
            .order_by("-created", "-id")
        )


class ApplicationFormMixin:
    """Registration and edit share the Add/Remove round trip for no-JS browsers."""

    template_name = "oauth_apps/application_form.html"
    list_actions = {
        "add_redirect_uri": ("redirect_uris", None),
        "add_allowed_origin": ("allowed_origins", None),
        "remove_redirect_uri": ("redirect_uris", "remove"),
        "remove_allowed_origin": ("allowed_origins", "remove"),
    }

    def pending_icons(self):
        return PendingIcons(self.request.session)

    def list_rows(self, form, name, *, add=False, remove_index=None):
        rows = form.list_values(name)
        if remove_index is not None and 0 <= remove_index < len(rows):
            del rows[remove_index]
        if add or not rows:
            rows.append("")
        return rows

    def render_form(self, form, *, status=200, rows=None):
        rows = rows or {}
        context = {
            "form": form,
            "scope_groups": scope_catalog.groups(),
            "selected_scopes": form.selected_scopes(),
            "redirect_rows": rows.get("redirect_uris") or self.list_rows(form, "redirect_uris"),
            "origin_rows": rows.get("allowed_origins") or self.list_rows(form, "allowed_origins"),
            "icon_token": form.pending_icon_token if form.is_bound else "",
            **self.extra_context_data(),
        }
        return self.render_to_response(context, status=status)

    def extra_context_data(self):
        return {}

    def list_action(self, form):
        """Handle an Add/Remove button pressed without JavaScript; None if not one."""
        for action, (field, kind) in self.list_actions.items():
            if action not in self.request.POST:
                continue
            try:
                form.accept_icon()  # keep a good icon across the round trip
            except ValidationError as error:
                form.add_error("icon", error)
            if kind == "remove":
                try:
                    index = int(self.request.POST[action])
                except ValueError:
                    index = None
                rows = {field: self.list_rows(form, field, remove_index=index)}
            else:
                rows = {field: self.list_rows(form, field, add=True)}
            return self.render_form(form, rows=rows)
        return None


class ApplicationCreateView(LoginRequiredMixin, ApplicationFormMixin, TemplateView):
    def extra_context_data(self):
        return {"is_create": True}

    def get(self, request, *args, **kwargs):
        return self.render_form(ApplicationForm(pending_icons=self.pending_icons()))

    def post(self, request, *args, **kwargs):
        form = ApplicationForm(request.POST, request.FILES, pending_icons=self.pending_icons())
        response = self.list_action(form)
        if response is not None:
            return response
        if not form.is_valid():
            return self.render_form(form, status=400)
        try:
            app, secret = register_application(user=request.user, data=form.cleaned_data)
        except DuplicateName:
            form.add_error(
                "name",
                ValidationError(
                    _("An app with this name was registered a moment ago. Choose another name."),
                    code="name_taken",
                ),
            )
            return self.render_form(form, status=400)
        except DatabaseError:
            logger.exception("Registration could not be saved")
            # Django does not save the session on a 5xx; keep the parked icon anyway.
            with contextlib.suppress(DatabaseError):
                request.session.save()
            form.add_error(
                None,
                ValidationError(
                    _("The application could not be saved just now; nothing was stored. Please save again."),
                    code="save_failed",
                ),
            )
            return self.render_form(form, status=503)
        self.pending_icons().discard(form.cleaned_data["icon"].sha256)
        request.session[CREDENTIALS_SESSION_KEY] = {"app": app.pk, "secret": secret}
        return redirect("oauth_apps:credentials", pk=app.pk)


class ApplicationCredentialsView(OwnedApplicationMixin, DetailView):
    """The client ID, and the secret exactly once, right after it was made."""

    template_name = "oauth_apps/application_credentials.html"
    context_object_name = "app"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        stash = self.request.session.get(CREDENTIALS_SESSION_KEY) or {}
        secret = None
        if stash.get("app") == self.object.pk:
            secret = stash.get("secret")
            del self.request.session[CREDENTIALS_SESSION_KEY]
        context["secret"] = secret
        context["secret_shown"] = secret is not None
        return context

    def render_to_response(self, context, **kwargs):
        response = super().render_to_response(context, **kwargs)
        response["Cache-Control"] = "no-store"
        return response


class ApplicationDetailView(OwnedApplicationMixin, DetailView):
    template_name = "oauth_apps/application_detail.html"
    context_object_name = "app"

    def get_queryset(self):
        return super().get_queryset().select_related("user", "modified_by")


def _icon_response(data: bytes, content_type: str, etag: str, request) -> HttpResponse:
    if request.headers.get("If-None-Match") == etag:
        response = HttpResponseNotModified()
    else:
        response = HttpResponse(data, content_type=content_type)
    response["ETag"] = etag
    response["Content-Security-Policy"] = ICON_CSP
    response["X-Content-Type-Options"] = "nosniff"
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    return response


@cache_control(public=True, max_age=31536000, immutable=True)
def icon(request, sha256):
    """A stored icon: the URL holds the content hash, so it may be cached for ever."""
    stored = get_object_or_404(Icon, sha256=sha256)
    return _icon_response(bytes(stored.data), stored.content_type, f'"{sha256}"', request)


class PendingIconView(LoginRequiredMixin, View):
    """Preview of an icon parked in this user's session (see pending_icons)."""

    def get(self, request, sha256):
        pending = PendingIcons(request.session).get(sha256)
        if pending is None:
            raise Http404
        response = _icon_response(pending.data, pending.content_type, f'"{sha256}"', request)
        response["Cache-Control"] = "private, max-age=600"
        return response


def home(request):
    if request.user.is_authenticated:
        return redirect("oauth_apps:list")
    messages.info(request, _("Sign in to manage OAuth applications."))
    return redirect("login")
