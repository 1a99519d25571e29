"""The registration (and edit) form.

Every rule is enforced here on the server; the browser's checks are a courtesy.
Each error carries a stable code, which the tests assert.
"""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from . import scopes as scope_catalog
from .icons import CleanIcon, clean_icon
from .models import (
    DESCRIPTION_MAX_LENGTH,
    MAX_ALLOWED_ORIGINS,
    MAX_REDIRECT_URIS,
    NAME_MAX_LENGTH,
    NAME_MIN_LENGTH,
    OAuthApplication,
)
from .pending_icons import PendingIcons
from .validators import clean_origin, clean_redirect_uri, clean_web_url


class ListInput(forms.Widget):
    """Several inputs sharing one name; the template draws the rows."""

    def value_from_datadict(self, data, files, name):
        if hasattr(data, "getlist"):
            return [value for value in data.getlist(name) if value.strip()]
        value = data.get(name)
        if isinstance(value, list | tuple):
            return [item for item in value if str(item).strip()]
        return [value] if value else []

    def value_omitted_from_data(self, data, files, name):
        return False


class URLListField(forms.Field):
    widget = ListInput

    def __init__(self, *, max_entries, required_code, too_many_code, **kwargs):
        self.max_entries = max_entries
        self.required_code = required_code
        self.too_many_code = too_many_code
        super().__init__(**kwargs)

    def to_python(self, value):
        if not value:
            return []
        if isinstance(value, str):
            value = value.split()
        return [str(item) for item in value]

    def validate(self, value):
        if not value:
            raise ValidationError(self.error_messages["required"], code=self.required_code)
        if len(value) > self.max_entries:
            raise ValidationError(
                _("Enter at most %(max)d entries (you entered %(count)d)."),
                code=self.too_many_code,
                params={"max": self.max_entries, "count": len(value)},
            )


def _dedupe(values):
    seen = set()
    return [value for value in values if not (value in seen or seen.add(value))]


class ApplicationForm(forms.Form):
    name = forms.CharField(
        label=_("App name"),
        min_length=NAME_MIN_LENGTH,
        max_length=NAME_MAX_LENGTH,
        help_text=_("Shown on consent screens and in the app list."),
        error_messages={"required": _("Enter the app name.")},
    )
    website_url = forms.CharField(
        label=_("Website URL"),
        max_length=2048,
        help_text=_("The home page of your application, e.g. https://example.com"),
        error_messages={"required": _("Enter the website URL.")},
    )
    icon = forms.FileField(
        label=_("App icon"),
        required=False,
        help_text=_("PNG, JPEG or SVG, exactly 32×32 pixels, up to 64 KiB."),
    )
    icon_token = forms.CharField(required=False, widget=forms.HiddenInput)
    description = forms.CharField(
        label=_("Description"),
        required=False,
        max_length=DESCRIPTION_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    public_client = forms.BooleanField(
        label=_("Allow public client (PKCE)"),
        required=False,
        help_text=_(
            "For apps that cannot keep a secret (single-page and native apps): no client secret, "
            "PKCE alone proves the client. PKCE (S256) is required for every client either way."
        ),
    )
    redirect_uris = URLListField(
        label=_("Redirect URLs"),
        max_entries=MAX_REDIRECT_URIS,
        required_code="redirect_uris_required",
        too_many_code="redirect_uris_too_many",
        error_messages={"required": _("Add at least one redirect URL.")},
    )
    allowed_origins = URLListField(
        label=_("Allowed origins"),
        max_entries=MAX_ALLOWED_ORIGINS,
        required_code="allowed_origins_required",
        too_many_code="allowed_origins_too_many",
        error_messages={"required": _("Add at least one allowed origin.")},
    )
    scopes = forms.MultipleChoiceField(
        label=_("Access scopes"),
        choices=[(scope.name, scope.name) for scope in scope_catalog.SCOPES],
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one scope.")},
    )
    privacy_policy_url = forms.CharField(
        label=_("Privacy policy URL"), max_length=2048, error_messages={"required": _("Enter the URL.")}
    )
    terms_of_service_url = forms.CharField(
        label=_("Terms of Service URL"), max_length=2048, error_messages={"required": _("Enter the URL.")}
    )

    def __init__(
        self, *args, pending_icons: PendingIcons, instance: OAuthApplication | None = None, **kwargs
    ):
        self.pending_icons = pending_icons
        self.instance = instance
        self.clean_icon_value: CleanIcon | None = None
        if instance is not None and "initial" not in kwargs:
            kwargs["initial"] = initial_from_instance(instance)
        super().__init__(*args, **kwargs)
        if instance is not None:
            self.fields["icon"].help_text = _(
                "Leave empty to keep the current icon. PNG, JPEG or SVG, exactly 32×32 pixels."
            )

    # --- single fields -------------------------------------------------------
    def clean_name(self):
        name = self.cleaned_data["name"]
        taken = OAuthApplication.objects.named(name)
        if self.instance is not None:
            taken = taken.exclude(pk=self.instance.pk)
        if taken.exists():
            raise ValidationError(
                _("An app named “%(name)s” already exists. Choose another name."),
                code="name_taken",
                params={"name": name},
            )
        return name

    def clean_website_url(self):
        return clean_web_url(self.cleaned_data["website_url"])

    def clean_privacy_policy_url(self):
        return clean_web_url(self.cleaned_data["privacy_policy_url"])

    def clean_terms_of_service_url(self):
        return clean_web_url(self.cleaned_data["terms_of_service_url"])

    def clean_allowed_origins(self):
        return _clean_each(self.cleaned_data["allowed_origins"], clean_origin)

    def clean_scopes(self):
        names = scope_catalog.with_implied(self.cleaned_data["scopes"])
        return [scope.name for scope in scope_catalog.SCOPES if scope.name in names]

    def clean_icon(self):
        return self.accept_icon()

    def accept_icon(self) -> CleanIcon | None:
        """Check an uploaded icon and park it, or pick up the one parked before."""
        upload = self.files.get(self.add_prefix("icon")) if self.files else None
        if upload is not None:
            if getattr(upload, "exceeded_limit", False):
                raise ValidationError(
                    _("The icon is larger than 64 KiB. A 32×32 icon needs only a few KiB."),
                    code="icon_too_large",
                )
            upload.seek(0)
            icon = clean_icon(upload.read())
            self.pending_icons.put(icon)
            self.clean_icon_value = icon
            return icon
        token = (self.data.get(self.add_prefix("icon_token")) or "").strip()
        icon = self.pending_icons.get(token)
        if icon is not None:
            self.clean_icon_value = icon
            return icon
        if self.instance is not None:
            return None  # keep the current icon
        raise ValidationError(_("Upload an icon: PNG, JPEG or SVG, 32×32 pixels."), code="icon_required")

    # --- across fields -------------------------------------------------------
    def clean(self):
        cleaned = super().clean()
        public = bool(cleaned.get("public_client"))
        if "redirect_uris" in cleaned:
            try:
                cleaned["redirect_uris"] = _clean_each(
                    cleaned["redirect_uris"], lambda uri: clean_redirect_uri(uri, public_client=public)
                )
            except ValidationError as error:
                self.add_error("redirect_uris", error)
        return cleaned

    @property
    def pending_icon_token(self) -> str:
        """The parked icon to carry to the next submission, if any."""
        if self.clean_icon_value is not None:
            return self.clean_icon_value.sha256
        token = (self.data.get(self.add_prefix("icon_token")) or "").strip() if self.is_bound else ""
        return token if self.pending_icons.get(token) else ""

    def list_values(self, name: str) -> list[str]:
        """What the user typed in a list field, for redrawing the rows."""
        if self.is_bound:
            return self.fields[name].widget.value_from_datadict(self.data, self.files, self.add_prefix(name))
        return list(self.initial.get(name, []))

    def selected_scopes(self) -> set[str]:
        if self.is_bound:
            return (
                set(self.data.getlist(self.add_prefix("scopes"))) if hasattr(self.data, "getlist") else set()
            )
        return set(self.initial.get("scopes", []))


def _clean_each(values, clean_one):
    """Clean every entry, report all bad ones together, and drop duplicates."""
    cleaned, errors = [], []
    for value in values:
        try:
            cleaned.append(clean_one(value))
        except ValidationError as error:
            errors.extend(error.error_list)
    if errors:
        raise ValidationError(errors)
    return _dedupe(cleaned)


def initial_from_instance(app: OAuthApplication) -> dict:
    return {
        "name": app.name,
        "website_url": app.website_url,
        "description": app.description,
        "public_client": app.is_public,
        "redirect_uris": app.redirect_uri_list,
        "allowed_origins": app.allowed_origin_list,
        "scopes": app.scope_names,
        "privacy_policy_url": app.privacy_policy_url,
        "terms_of_service_url": app.terms_of_service_url,
    }


class ApplicationEditForm(ApplicationForm):
    """The registration form plus the version the editor started from."""

    version = forms.IntegerField(min_value=1, widget=forms.HiddenInput)

    def __init__(self, *args, instance: OAuthApplication, **kwargs):
        if "initial" not in kwargs:
            kwargs["initial"] = {**initial_from_instance(instance), "version": instance.version}
        super().__init__(*args, instance=instance, **kwargs)

    def set_version(self, version: int) -> None:
        """Carry `version` in the redrawn form, so the next save is judged against it."""
        self.data = self.data.copy()
        self.data[self.add_prefix("version")] = str(version)
