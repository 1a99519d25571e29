"""Sign-in and the language switcher: where a person's language choice is saved and applied."""

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.views import i18n
from django.views.decorators.http import require_POST

from .languages import activate_for_request, is_offered, ui_locales_language, ui_locales_of_next
from .models import Profile


def _apply_language_cookie(response, language: str) -> None:
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
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
