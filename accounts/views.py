"""A person's own settings."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.generic import FormView

from . import timezones
from .forms import ProfileSettingsForm
from .models import Profile


class SettingsView(LoginRequiredMixin, FormView):
    template_name = "accounts/settings.html"
    form_class = ProfileSettingsForm

    def profile(self) -> Profile:
        try:
            return self.request.user.profile
        except Profile.DoesNotExist:
            return Profile(user=self.request.user)

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs.update(instance=self.profile(), browser_zone=timezones.browser_zone(self.request))
        return kwargs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["zone_in_use"] = self.request.time_zone
        return context

    def form_valid(self, form):
        fields = {name: form.cleaned_data[name] for name in form.Meta.fields}
        # update_or_create: two first saves at once make one row, not an IntegrityError.
        Profile.objects.update_or_create(user=self.request.user, defaults=fields)
        zone = fields["time_zone"] or timezones.browser_zone(self.request) or settings.TIME_ZONE
        messages.success(self.request, _("Saved. Dates are now shown in %(zone)s.") % {"zone": zone})
        return redirect("settings")

    def form_invalid(self, form):
        return self.render_to_response(self.get_context_data(form=form), status=400)
