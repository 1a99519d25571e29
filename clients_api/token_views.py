"""Settings → API tokens: make, list and revoke personal access tokens."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.generic import FormView

from common import ratelimit
from common.token_pages import NewTokenPageMixin
from oauth_apps.access import parse_pk

from . import tokens
from .forms import TokenForm

MAX_LIVE_TOKENS = 50


class TokenListView(NewTokenPageMixin, LoginRequiredMixin, FormView):
    template_name = "clients_api/tokens.html"
    form_class = TokenForm

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["tokens"] = self.request.user.personal_access_tokens.all()
        return context

    def post(self, request, *args, **kwargs):
        if "revoke" in request.POST:
            return self.revoke(request)
        limited = ratelimit.check(request, "api_token")
        if limited is not None:
            return limited
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        live = self.request.user.personal_access_tokens.filter(revoked__isnull=True).count()
        if live >= MAX_LIVE_TOKENS:
            form.add_error(
                None,
                ngettext(
                    "You have %(count)d token already. Revoke one you no longer use first.",
                    "You have %(count)d tokens already. Revoke one you no longer use first.",
                    live,
                )
                % {"count": live},
            )
            return self.form_invalid(form)
        value, token = tokens.issue(
            self.request.user,
            name=form.cleaned_data["name"],
            scopes=form.cleaned_data["scopes"],
            expires=form.expires(),
        )
        return self.show_new_token(value, token)

    def revoke(self, request):
        pk = parse_pk(request.POST.get("revoke"))
        token = tokens.revoke(request.user, pk) if pk is not None else None
        if token is None:
            messages.error(request, _("There is no such live token. Nothing was changed."))
        else:
            messages.success(
                request, _("The token “%(name)s” was revoked. It no longer works.") % {"name": token.name}
            )
        return redirect("api_tokens:list")
