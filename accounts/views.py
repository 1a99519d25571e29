"""A person's own settings, sign-in and the language switcher: where their choices are saved and applied."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.mixins import LoginRequiredMixin
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views import i18n
from django.views.decorators.http import require_POST
from django.views.generic import FormView

from . import timezones
from .forms import ProfileSettingsForm
from .languages import activate_for_request, is_offered, ui_locales_language, ui_locales_of_next
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
        language = fields["language"]
        if language:
            activate_for_request(self.request, language)  # the confirmation already in the new language
        messages.success(self.request, _("Saved. Dates are now shown in %(zone)s.") % {"zone": zone})
        response = redirect("settings")
        if language:
            _apply_language_cookie(response, language)
        else:
            # "Follow my browser": Accept-Language decides again.
            response.delete_cookie(settings.LANGUAGE_COOKIE_NAME, **_language_cookie_place())
        return response

    def form_invalid(self, form):
        return self.render_to_response(self.get_context_data(form=form), status=400)


def _language_cookie_place() -> dict:
    """Where the language cookie lives (Django's LANGUAGE_COOKIE_* settings): setting it and
    deleting it must name the same path, domain and SameSite, or the delete misses it."""
    return {
        "path": settings.LANGUAGE_COOKIE_PATH,
        "domain": settings.LANGUAGE_COOKIE_DOMAIN,
        "samesite": settings.LANGUAGE_COOKIE_SAMESITE,
    }


def _apply_language_cookie(response, language: str) -> None:
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        **_language_cookie_place(),
    )


class SignInView(auth_views.LoginView):
    """Django's sign-in, plus the person's saved language, which follows them to any browser."""

    def dispatch(self, request, *args, **kwargs):
        # On the way to a consent screen that asked for ui_locales, sign-in speaks that language too.
        next_url = request.POST.get(self.redirect_field_name) or request.GET.get(self.redirect_field_name, "")
        language = ui_locales_language(ui_locales_of_next(next_url))
        if language:
            activate_for_request(request, language)
        return super().dispatch(request, *args, **kwargs)

    def form_valid(self, form):
        response = super().form_valid(form)
        language = Profile.objects.filter(user=form.get_user()).values_list("language", flat=True).first()
        if language and is_offered(language):
            _apply_language_cookie(response, language)
        return response


@require_POST
def set_language(request):
    """Django's set_language (cookie, then back to `next`), remembered in the profile when signed in."""
    response = i18n.set_language(request)
    language = request.POST.get(i18n.LANGUAGE_QUERY_PARAMETER, "")
    if request.user.is_authenticated and is_offered(language):
        Profile.objects.update_or_create(user=request.user, defaults={"language": language})
    return response
