"""RFC 7591 client metadata, checked by the registration form's own rules.

A registration request is turned into the data the portal's registration form
(oauth_apps.forms.ApplicationForm) reads, and that form decides: name rules and
look-alike names (names.py), redirect URL rules (validators.py), the scope
catalog (scopes.py). Nothing here re-states a rule; this module only maps RFC
7591's field names onto the form's and the form's errors back onto RFC 7591's
error codes.

Where a client registering itself differs from a person filling in the form:

- `client_uri`, `policy_uri` and `tos_uri` are optional (RFC 7591 §2). A missing
  one is stored, after validation, as the address of a portal page that says the
  app did not give it (views.not_provided_urls), so the consent screen's links
  stay honest.
- No allowed origins (RFC 7591 has no such field) and no uploaded icon: the
  portal's default icon (`logo_uri` is not fetched).
- The name may read like another self-registered client's (many clients call
  themselves "Claude Code"), never like an app registered in the portal.
"""

from django import forms as django_forms
from django.utils.translation import gettext_lazy as _

from common.token_pages import NewTokenForm, lifetime_field, token_name_field
from oauth_apps.forms import ApplicationEditForm, ApplicationForm
from oauth_apps.models import NAME_MAX_LENGTH
from oauth_apps.names import NameFormField

# What the client may say, and what the portal offers.
GRANT_TYPES = ("authorization_code", "refresh_token")
RESPONSE_TYPES = ("code",)
PUBLIC_AUTH_METHOD = "none"
CONFIDENTIAL_AUTH_METHODS = ("client_secret_basic", "client_secret_post")
AUTH_METHODS = (PUBLIC_AUTH_METHOD, *CONFIDENTIAL_AUTH_METHODS)
# Registered when the request names no scope (RFC 7591 §2 lets the server choose).
DEFAULT_SCOPES = ("accounts.self:read",)
# Free-form fields kept and read back as sent (RFC 7591 §2), each at most this long.
KEPT_FIELDS = ("software_id", "software_version")
KEPT_MAX_LENGTH = 255

# RFC 7591 name → the form field (its model field) it fills.
URL_FIELDS = {
    "client_uri": "website_url",
    "policy_uri": "privacy_policy_url",
    "tos_uri": "terms_of_service_url",
}
# The form field → the RFC 7591 name an error is reported under.
RFC_NAMES = {
    "name": "client_name",
    "redirect_uris": "redirect_uris",
    "scope_bits": "scope",
    "client_type": "token_endpoint_auth_method",
    **{field: rfc for rfc, field in URL_FIELDS.items()},
}


class RegistrationError(Exception):
    """A request refused with an RFC 7591 §3.2.2 error (or an RFC 6750 one for a bad token)."""

    def __init__(self, error: str, description: str, status: int = 400, *, challenge: str = ""):
        super().__init__(description)
        self.error = error
        self.description = str(description)
        self.status = status
        # The WWW-Authenticate of a 401 (RFC 6750 §3): bare when no token was sent.
        self.challenge = challenge or ('Bearer error="invalid_token"' if status == 401 else "")


def invalid_metadata(description) -> RegistrationError:
    return RegistrationError("invalid_client_metadata", description)


def _string(metadata: dict, name: str) -> str | None:
    value = metadata.get(name)
    if value is None:
        return None
    if not isinstance(value, str):
        raise invalid_metadata(_("%(field)s must be a string.") % {"field": name})
    return value


def _string_list(metadata: dict, name: str) -> list[str] | None:
    value = metadata.get(name)
    if value is None:
        return None
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise invalid_metadata(_("%(field)s must be an array of strings.") % {"field": name})
    return value


def auth_method(metadata: dict, *, confidential_allowed: bool) -> str:
    """The token endpoint authentication method to register.

    Omitted, it is `none` when only public clients may register (RFC 7591 §3.2.1
    lets the server substitute a value; the response says which), else RFC 7591's
    default, `client_secret_basic`.
    """
    method = _string(metadata, "token_endpoint_auth_method")
    if method is None:
        return CONFIDENTIAL_AUTH_METHODS[0] if confidential_allowed else PUBLIC_AUTH_METHOD
    if method not in AUTH_METHODS:
        raise invalid_metadata(
            _("token_endpoint_auth_method must be one of: %(methods)s.")
            % {"methods": ", ".join(AUTH_METHODS)}
        )
    if method != PUBLIC_AUTH_METHOD and not confidential_allowed:
        raise invalid_metadata(
            _(
                'Only public clients (token_endpoint_auth_method "none", with PKCE) may register without an '
                "initial access token."
            )
        )
    return method


def check_flows(metadata: dict) -> None:
    """Only the authorization code flow (with refresh tokens) is offered."""
    grant_types = _string_list(metadata, "grant_types")
    if grant_types is not None:
        unsupported = sorted(set(grant_types) - set(GRANT_TYPES))
        if unsupported or "authorization_code" not in grant_types:
            raise invalid_metadata(
                _("grant_types may contain only %(supported)s, and must contain authorization_code.")
                % {"supported": ", ".join(GRANT_TYPES)}
            )
    response_types = _string_list(metadata, "response_types")
    if response_types is not None and set(response_types) != set(RESPONSE_TYPES):
        raise invalid_metadata(_('response_types may contain only "code".'))


def kept_metadata(metadata: dict) -> dict:
    """The free-form fields the portal keeps and reads back, and which optional URLs were given."""
    kept = {}
    for name in KEPT_FIELDS:
        value = _string(metadata, name)
        if value is not None:
            if len(value) > KEPT_MAX_LENGTH:
                raise invalid_metadata(
                    _("%(field)s is longer than %(max)d characters.")
                    % {"field": name, "max": KEPT_MAX_LENGTH}
                )
            kept[name] = value
    kept["given_urls"] = sorted(rfc for rfc in URL_FIELDS if metadata.get(rfc) not in (None, ""))
    return kept


def form_data(metadata: dict, *, method: str) -> dict:
    """The registration form's input for this client metadata (names as the form's page posts them)."""
    if not isinstance(metadata, dict):
        raise invalid_metadata(_("The request body must be a JSON object."))
    name = _string(metadata, "client_name")
    if not name:
        raise invalid_metadata(_("client_name is required: it is shown on the consent screen."))
    redirect_uris = _string_list(metadata, "redirect_uris")
    if not redirect_uris:
        raise RegistrationError(
            "invalid_redirect_uri", _("redirect_uris must list at least one redirect URL.")
        )
    scope = _string(metadata, "scope")
    data = {
        "name": name,
        "redirect_uris": redirect_uris,
        "scopes": scope.split() if scope and scope.strip() else list(DEFAULT_SCOPES),
        "public_client": method == PUBLIC_AUTH_METHOD,
    }
    for rfc, field in URL_FIELDS.items():
        data[field] = _string(metadata, rfc) or ""
    return data


class ClientMetadataFormMixin:
    """The registration form's rules for a client registering itself (see the module's docstring)."""

    def __init__(self, *args, not_provided: dict[str, str], **kwargs):
        super().__init__(*args, **kwargs)
        self.not_provided = not_provided
        for field in (*URL_FIELDS.values(), "allowed_origins", "icon"):
            self.fields[field].required = False

    def is_valid(self):
        """Valid by the form's (and the model's) rules; then a URL not given becomes its portal page.

        The portal page is filled in after validation: it is the portal's own
        address, not something the client asserted.
        """
        valid = super().is_valid()
        if valid:
            for field, url in self.not_provided.items():
                if not self.cleaned_data.get(field):
                    self.cleaned_data[field] = url
                    setattr(self.instance, field, url)
        return valid

    def registration_error(self) -> RegistrationError:
        """The form's first error as RFC 7591 reports it (redirect URLs have their own code)."""
        for field, errors in self.errors.as_data().items():
            message = " ".join(str(message) for error in errors for message in error.messages)
            if field == "redirect_uris":
                return RegistrationError("invalid_redirect_uri", f"redirect_uris: {message}")
            if field in RFC_NAMES:
                return invalid_metadata(f"{RFC_NAMES[field]}: {message}")
            return invalid_metadata(message)
        raise ValueError("the form has no errors")


class ClientMetadataForm(ClientMetadataFormMixin, ApplicationForm):
    """A new client's metadata."""


class ClientMetadataEditForm(ClientMetadataFormMixin, ApplicationEditForm):
    """A registered client's new metadata (RFC 7592 update)."""


# --- the staff page's form -------------------------------------------------------------

INITIAL_TOKEN_MAX_USES = 1000


class InitialTokenForm(NewTokenForm):
    """Make an initial access token: who it is for, how long it lasts, how many clients it may register."""

    name = token_name_field(
        _("Who the token is for, e.g. “Partner X's agents”. Shown in the audit trail."),
        max_length=NAME_MAX_LENGTH,
        field_class=NameFormField,
    )
    expires_in = lifetime_field(
        [(1, _("1 day")), (7, _("7 days")), (30, _("30 days")), (90, _("90 days"))], initial=7
    )
    max_uses = django_forms.IntegerField(
        label=_("Use limit"),
        min_value=1,
        max_value=INITIAL_TOKEN_MAX_USES,
        initial=1,
        help_text=_("How many clients may register with this token, from 1 to %(max)d.")
        % {"max": INITIAL_TOKEN_MAX_USES},
        error_messages={"required": _("Enter how many clients may register with this token.")},
    )
