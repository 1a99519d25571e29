"""The form a person fills in to make a personal access token."""

from django import forms
from django.utils.translation import gettext_lazy as _

from common.token_pages import NewTokenForm, lifetime_field, token_name_field
from oauth_apps import scopes as scope_catalog

from .models import NAME_MAX_LENGTH, TOKEN_SCOPES

DEFAULT_EXPIRY_DAYS = 30


class TokenForm(NewTokenForm):
    name = token_name_field(
        _("What the token is for, e.g. “CI deploy of our apps”. Shown in the audit trail."),
        max_length=NAME_MAX_LENGTH,
    )
    scopes = forms.MultipleChoiceField(
        label=_("Scopes"),
        choices=[(name, scope_catalog.SCOPES_BY_NAME[name].description) for name in TOKEN_SCOPES],
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Write includes Read."),
        error_messages={"required": _("Choose at least one scope.")},
    )
    expires_in = lifetime_field(
        [(7, _("7 days")), (30, _("30 days")), (90, _("90 days")), (365, _("1 year"))],
        initial=DEFAULT_EXPIRY_DAYS,
    )

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        if not name:
            raise forms.ValidationError(_("Name the token."), code="required")
        return name

    def clean_scopes(self):
        return sorted(scope_catalog.with_implied(self.cleaned_data["scopes"]))
