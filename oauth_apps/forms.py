"""The registration (and edit) form: a ModelForm over OAuthApplication.

Every rule is enforced here on the server; the browser's checks are a courtesy.
Each error carries a stable code, which the tests assert. The model is the one
list of what an application has: `Meta.fields` picks what a person may edit,
and the audit diff (`changes()`) is derived from it and `changed_data`.
Cleaning only reads and raises: the pending icon and the credentials are the
views' business.
"""

from datetime import timedelta

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from common.forms import FormRenderer

from . import scopes as scope_catalog
from .icons import CleanIcon, clean_icon
from .models import MAX_ALLOWED_ORIGINS, MAX_REDIRECT_URIS, ClientType, OAuthApplication
from .ownership import PERSON_MAX_LENGTH, check_new_maintainer, check_recipient, find_person
from .services import ROTATION_GRACE_DEFAULT, GraceOutOfRange, check_grace
from .validators import clean_each, clean_origin, clean_redirect_uri, clean_web_url

# --- fields ------------------------------------------------------------------


def url_input(placeholder=""):
    # dir="ltr": a URL reads left to right even on an Arabic page.
    return forms.TextInput(
        attrs={"inputmode": "url", "spellcheck": "false", "placeholder": placeholder, "dir": "ltr"}
    )


class WebURLField(forms.CharField):
    """A website or legal page URL, checked and normalised by validators.clean_web_url."""

    def __init__(self, **kwargs):
        kwargs.setdefault("widget", url_input())
        kwargs.setdefault("error_messages", {"required": _("Enter the URL.")})
        super().__init__(**kwargs)

    def clean(self, value):
        value = super().clean(value)
        return clean_web_url(value) if value else value


class ListInput(forms.Widget):
    """Several inputs sharing one name; the template draws the rows."""

    def value_from_datadict(self, data, files, name):
        if hasattr(data, "getlist"):
            return [value for value in data.getlist(name) if value.strip()]
        value = data.get(name)
        if isinstance(value, list | tuple):
            return [str(item) for item in value if str(item).strip()]
        return [value] if value else []

    def value_omitted_from_data(self, data, files, name):
        return False


class URLListField(forms.Field):
    """A list of URLs stored space-separated (as the toolkit stores them); duplicates dropped.

    `clean_entry`, where set, checks and normalises one entry; every bad entry is
    reported together. (Redirect URLs are checked by the form: their rule depends
    on the client type.)
    """

    widget = ListInput

    clean_entry = None

    def __init__(self, label, max_entries, code, required_message, help_text, **kwargs):
        """`code` names the errors: `<code>_required`, `<code>_too_many`."""
        self.max_entries = max_entries
        self.code = code
        kwargs["error_messages"] = {"required": required_message, **kwargs.get("error_messages", {})}
        super().__init__(label=label, help_text=help_text, **kwargs)

    def to_python(self, value):
        if not value:
            return []
        if isinstance(value, str):
            return value.split()
        return [str(item) for item in value]

    def validate(self, value):
        if not value and self.required:
            raise ValidationError(self.error_messages["required"], code=f"{self.code}_required")
        if len(value) > self.max_entries:
            raise ValidationError(
                _("Enter at most %(max)d entries (you entered %(count)d)."),
                code=f"{self.code}_too_many",
                params={"max": self.max_entries, "count": len(value)},
            )

    def clean(self, value):
        entries = super().clean(value)
        if self.clean_entry is not None:
            entries = clean_each(entries, self.clean_entry)
        return " ".join(dict.fromkeys(entries))

    def prepare_value(self, value):
        return self.to_python(value)

    def has_changed(self, initial, data):
        return self.to_python(initial) != self.to_python(data)

    def audit_value(self, value):
        return self.to_python(value)

    def widget_attrs(self, widget):
        return {**super().widget_attrs(widget), "data-max": str(self.max_entries)}


class OriginListField(URLListField):
    clean_entry = staticmethod(clean_origin)


class ScopeSetField(forms.MultipleChoiceField):
    """The scope checkboxes; cleaned into the stored bit set, each write scope with its read scope."""

    widget = forms.CheckboxSelectMultiple

    def __init__(self, **kwargs):
        kwargs.setdefault("choices", [(scope.name, scope.name) for scope in scope_catalog.SCOPES])
        super().__init__(**kwargs)

    def prepare_value(self, value):
        if isinstance(value, int):
            return scope_catalog.names_from_bits(value)
        return value

    def clean(self, value):
        names = super().clean(value)
        return scope_catalog.to_bits(scope_catalog.with_implied(names))

    def has_changed(self, initial, data):
        if data is None or isinstance(data, int):
            return self.prepare_value(initial) != self.prepare_value(data)
        return scope_catalog.to_bits(scope_catalog.with_implied(data)) != (initial or 0)

    def audit_value(self, value):
        return scope_catalog.names_from_bits(value or 0)


class PublicClientField(forms.BooleanField):
    """The "public client (PKCE)" checkbox over the model's client_type."""

    def prepare_value(self, value):
        return value == ClientType.PUBLIC if isinstance(value, str) else bool(value)

    def clean(self, value):
        return ClientType.PUBLIC if super().clean(value) else ClientType.CONFIDENTIAL

    def has_changed(self, initial, data):
        return self.prepare_value(initial) != self.to_python(data)


class IconField(forms.FileField):
    """An uploaded icon, or one already checked (a CleanIcon the view carried over); cleans to a CleanIcon."""

    widget = forms.FileInput(attrs={"accept": ".png,.jpg,.jpeg,.svg,image/png,image/jpeg,image/svg+xml"})

    def to_python(self, data):
        if data is None or isinstance(data, CleanIcon):
            return data
        if getattr(data, "exceeded_limit", False):
            raise ValidationError(
                _("The icon is larger than 64 KiB. A 32×32 icon needs only a few KiB."), code="icon_too_large"
            )
        data.seek(0)
        return clean_icon(data.read())

    def validate(self, value):
        if value is None and self.required:
            raise ValidationError(_("Upload an icon: PNG, JPEG or SVG, 32×32 pixels."), code="icon_required")

    def clean(self, data, initial=None):
        value = self.to_python(data)
        self.validate(value)
        return value

    def has_changed(self, initial, data):
        return data is not None

    def audit_value(self, value):
        return value.sha256 if isinstance(value, CleanIcon) else value


# --- the form ----------------------------------------------------------------

# Never says whose app it is, nor how the names differ.
NAME_TAKEN_MESSAGE = _("An app named like this already exists. Choose another name.")

NO_REDIRECTS = _("Add at least one redirect URL.")
NO_ORIGINS = _("Add at least one allowed origin.")
DESCRIBED_BY_DOCUMENT = _(
    "This app describes itself in its metadata document: its details change when the document does, "
    "not here. You can still disable or delete it."
)
REDIRECT_HELP = _(
    "Where users are sent back after the consent screen: exact URLs, https (http only for "
    "127.0.0.1, [::1] and localhost). Add one for each environment, e.g. test and production."
)
ORIGIN_HELP = _(
    "Web pages that may call the API from a browser, as scheme://host[:port] with no path, "
    "e.g. https://app.example.com."
)


class ApplicationForm(forms.ModelForm):
    default_renderer = FormRenderer

    icon = IconField(
        label=_("App icon"), help_text=_("PNG, JPEG or SVG, exactly 32×32 pixels, up to 64 KiB.")
    )
    client_type = PublicClientField(
        label=_("Allow public client (PKCE)"),
        required=False,
        help_text=_(
            "For apps that cannot keep a secret (single-page and native apps): no client secret, "
            "PKCE alone proves the client. PKCE (S256) is required for every client either way."
        ),
    )
    redirect_uris = URLListField(
        _("Redirect URLs"), MAX_REDIRECT_URIS, "redirect_uris", NO_REDIRECTS, REDIRECT_HELP
    )
    allowed_origins = OriginListField(
        _("Allowed origins"), MAX_ALLOWED_ORIGINS, "allowed_origins", NO_ORIGINS, ORIGIN_HELP
    )
    scope_bits = ScopeSetField(
        label=_("Access scopes"),
        help_text=_("Choose what the app may do. Write includes Read."),
        error_messages={"required": _("Choose at least one scope.")},
    )

    class Meta:
        model = OAuthApplication
        fields = [
            "name",
            "website_url",
            "description",
            "client_type",
            "redirect_uris",
            "allowed_origins",
            "scope_bits",
            "privacy_policy_url",
            "terms_of_service_url",
        ]
        field_classes = {
            "website_url": WebURLField,
            "privacy_policy_url": WebURLField,
            "terms_of_service_url": WebURLField,
        }
        labels = {
            "name": _("App name"),
            "website_url": _("Website URL"),
            "description": _("Description"),
            "privacy_policy_url": _("Privacy policy URL"),
            "terms_of_service_url": _("Terms of Service URL"),
        }
        help_texts = {
            "name": _("Shown on consent screens and in the app list."),
            "website_url": _("The home page of your application, e.g. https://example.com"),
            "description": _("A short description, up to 255 characters."),
        }
        error_messages = {
            "name": {"required": _("Enter the app name.")},
            "website_url": {"required": _("Enter the website URL.")},
        }
        widgets = {
            "name": forms.TextInput(attrs={"autocomplete": "off"}),
            "website_url": url_input("https://example.com"),
            "privacy_policy_url": url_input("https://example.com/privacy"),
            "terms_of_service_url": url_input("https://example.com/terms"),
            "description": forms.Textarea(attrs={"rows": 3}),
        }

    field_order = ["name", "website_url", "icon"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:
            self.initial.setdefault("icon", self.instance.icon_id)
            self.fields["icon"].required = False
            self.fields["icon"].help_text = _(
                "Leave empty to keep the current icon. PNG, JPEG or SVG, exactly 32×32 pixels."
            )

    def add_prefix(self, field_name):
        # The page posts the names it always has (scripts and saved pages rely on them).
        return super().add_prefix(HTML_NAMES.get(field_name, field_name))

    def clean_name(self):
        # The model field's form field (names.NameFormField) has normalised and checked
        # the name; what is left is whether another app's name reads the same.
        name = self.cleaned_data["name"]
        if OAuthApplication.objects.name_taken(name, exclude_pk=self.instance.pk):
            raise ValidationError(NAME_TAKEN_MESSAGE, code="name_taken")
        return name

    def clean(self):
        cleaned = super().clean()
        # Which redirect URLs are allowed depends on the client type (private-use schemes).
        public = cleaned.get("client_type") == ClientType.PUBLIC
        if cleaned.get("redirect_uris"):
            try:
                uris = clean_each(
                    cleaned["redirect_uris"].split(),
                    lambda uri: clean_redirect_uri(uri, public_client=public),
                )
            except ValidationError as error:
                self.add_error("redirect_uris", error)
            else:
                cleaned["redirect_uris"] = " ".join(dict.fromkeys(uris))
        return cleaned

    def audited_fields(self) -> list[str]:
        """What the audit trail records: every model field on the form, and the icon."""
        return [*self._meta.fields, "icon"]

    def changes(self) -> dict:
        """`{"field": {"old": …, "new": …}}` for every audited field whose value really changed.

        `changed_data` names the candidates; comparing the normalised values drops
        a field typed differently but stored the same.
        """
        result = {}
        for name in self.changed_data:
            if name not in self.audited_fields():
                continue
            field = self.fields[name]
            show = getattr(field, "audit_value", lambda value: value)
            old, new = show(self.get_initial_for_field(field, name)), show(self.cleaned_data[name])
            if old != new:
                result[AUDIT_KEYS.get(name, name)] = {"old": old, "new": new}
        return result

    def changed_model_fields(self, changes: dict) -> list[str]:
        """The model fields behind `changes` (the icon is stored by the service)."""
        return [name for name in self._meta.fields if AUDIT_KEYS.get(name, name) in changes]


# The audit trail has said "scopes" since before scopes were stored as bits.
AUDIT_KEYS = {"scope_bits": "scopes"}
# What the page's inputs are called, where that is not the model field's name.
HTML_NAMES = {"scope_bits": "scopes", "client_type": "public_client"}


class ApplicationEditForm(ApplicationForm):
    """The registration form plus the version the editor started from."""

    version = forms.IntegerField(min_value=1, widget=forms.HiddenInput)
    # Whether the values are a metadata document's own (client_metadata/, on a refetch): only
    # those may change an app the document describes.
    from_metadata_document = False

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial.setdefault("version", self.instance.version)

    def clean(self):
        cleaned = super().clean()
        if self.instance.described_by_document and not self.from_metadata_document:
            raise ValidationError(DESCRIBED_BY_DOCUMENT, code="described_by_metadata_document")
        return cleaned

    def set_version(self, version: int) -> None:
        """Carry `version` in the redrawn form, so the next save is judged against it."""
        self.data = self.data.copy()
        self.data[self.add_prefix("version")] = str(version)


# --- rotating the secret -----------------------------------------------------

CUSTOM_GRACE = "custom"
# Seconds the old secret keeps working → how the choice reads; 7 days is the default.
# A context of their own: "7 days" is also the token form's "Expires after 7 days",
# which some languages word differently (German "nach 7 Tagen", here "7 Tage").
GRACE_CHOICES = [
    ("3600", pgettext_lazy("how long the old secret keeps working", "1 hour")),
    ("86400", pgettext_lazy("how long the old secret keeps working", "1 day")),
    ("604800", pgettext_lazy("how long the old secret keeps working", "7 days")),
    ("2592000", pgettext_lazy("how long the old secret keeps working", "30 days")),
    (CUSTOM_GRACE, _("Until a date and time I choose")),
]


class RotateSecretForm(forms.Form):
    """How long a rotation's old secret keeps working: a choice, or a moment within the bounds."""

    default_renderer = FormRenderer

    grace = forms.ChoiceField(
        label=_("The old secret keeps working for"),
        choices=GRACE_CHOICES,
        initial=str(int(ROTATION_GRACE_DEFAULT.total_seconds())),
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose how long the old secret keeps working.")},
    )
    until = forms.DateTimeField(
        label=_("Old secret works until"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"],
        help_text=_(
            "With “Until a date and time I choose”: in your time zone, from 1 hour to 30 days from now."
        ),
        error_messages={"invalid": _("Enter a date and time, e.g. 2030-01-31 14:00.")},
    )

    def clean(self):
        cleaned = super().clean()
        choice = cleaned.get("grace")
        if choice is None:
            return cleaned
        if choice != CUSTOM_GRACE:
            cleaned["grace_period"] = timedelta(seconds=int(choice))
            return cleaned
        until = cleaned.get("until")
        if until is None:
            if "until" not in self.errors:
                self.add_error(
                    "until",
                    ValidationError(_("Enter when the old secret stops working."), code="required"),
                )
            return cleaned
        try:
            cleaned["grace_period"] = check_grace(until - timezone.now())
        except GraceOutOfRange:
            self.add_error("until", grace_out_of_range_error())
        return cleaned


def grace_out_of_range_error() -> ValidationError:
    """The page's and the API's one message for a grace period outside the bounds."""
    return ValidationError(_("Choose a time from 1 hour to 30 days from now."), code=GraceOutOfRange.code)


# --- an app's people (oauth_apps/ownership.py) -----------------------------------------


class PersonForm(forms.Form):
    """Names one user by username or e-mail address; once valid, `cleaned_data["person"]` is the user.

    `check(app, person)` is the ownership rule the named user must pass (a
    ValidationError with a code, shown next to the field).
    """

    default_renderer = FormRenderer
    check = None

    person = forms.CharField(
        label=_("Username or e-mail address"),
        max_length=PERSON_MAX_LENGTH,
        error_messages={"required": _("Enter the username or e-mail address of a portal user.")},
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false", "dir": "auto"}),
    )

    def __init__(self, *args, app, **kwargs):
        self.app = app
        super().__init__(*args, **kwargs)

    def clean_person(self):
        person = find_person(self.cleaned_data["person"])
        type(self).check(self.app, person)
        return person


class MaintainerForm(PersonForm):
    check = staticmethod(check_new_maintainer)


class TransferForm(PersonForm):
    check = staticmethod(check_recipient)

    keep_as_maintainer = forms.BooleanField(
        label=_("Stay on as a co-maintainer after the transfer"),
        required=False,
        help_text=_("Otherwise you lose every right over the app once the new owner accepts."),
    )
