"""Pages that make a token and show it once: personal API tokens, initial access tokens for registration."""

from datetime import timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .forms import FormRenderer


def token_name_field(help_text, *, max_length, field_class=forms.CharField):
    """The "Token name" field: what or whom the token is for, shown in the audit trail."""
    return field_class(
        label=_("Token name"),
        max_length=max_length,
        help_text=help_text,
        error_messages={"required": _("Name the token.")},
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )


def lifetime_field(choices, *, initial):
    """The "Expires after" field: a number of days, one of `choices`."""
    return forms.TypedChoiceField(label=_("Expires after"), coerce=int, choices=choices, initial=initial)


class NewTokenForm(forms.Form):
    """A form that makes a token; a subclass declares `name` and `expires_in` with the two fields above."""

    default_renderer = FormRenderer

    def expires(self):
        return timezone.now() + timedelta(days=self.cleaned_data["expires_in"])


class NewTokenPageMixin:
    """For a FormView whose valid form makes a token: the page shows the token once, never cached.

    The template gets `new_token` ({"value", "token"} right after making one,
    else None); an invalid form is redrawn with status 400.
    """

    new_token = None

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "new_token": self.new_token}

    def show_new_token(self, value: str, token):
        self.new_token = {"value": value, "token": token}
        response = self.render_to_response(self.get_context_data(form=self.form_class()))
        # Shown once: never from a cache, never from the back button.
        response["Cache-Control"] = "no-store"
        return response

    def form_invalid(self, form):
        return self.render_to_response(self.get_context_data(form=form), status=400)
