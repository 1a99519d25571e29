"""A fetched Client ID Metadata Document, checked with the registration form's own rules.

draft-ietf-oauth-client-id-metadata-document: the document is JSON, its
`client_id` equals the URL it was fetched from, and the portal takes from it
`client_name`, `client_uri`, `logo_uri`, `redirect_uris`, `scope`,
`token_endpoint_auth_method` (with `jwks` or `jwks_uri` for private_key_jwt, see
keys.py), `policy_uri` and `tos_uri`. The values go through
`MetadataDocumentForm`, the registration form (oauth_apps/forms.py) with the
client type fixed to public, so the name, URL, redirect URL and scope rules are
the form's, error codes included.
"""

import json
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from oauth_apps import scopes as scope_catalog
from oauth_apps.forms import ApplicationEditForm, ApplicationForm
from oauth_apps.icons import CleanIcon, clean_icon
from oauth_apps.validators import clean_web_url

from . import keys

# The portal's icon for a client whose document names no logo.
DEFAULT_ICON_PATH = Path(__file__).resolve().parent / "default_icon.svg"

# Which document member each form field comes from, to name it in errors.
DOCUMENT_MEMBERS = {
    "name": "client_name",
    "website_url": "client_uri",
    "privacy_policy_url": "policy_uri",
    "terms_of_service_url": "tos_uri",
    "redirect_uris": "redirect_uris",
    "scope_bits": "scope",
    "icon": "logo_uri",
    "client_type": "token_endpoint_auth_method",
    "allowed_origins": "client_id",
    "description": "client_name",
    "__all__": "client_id",
}
# Members that must hold text, and the one that must hold a list of text.
TEXT_MEMBERS = ("client_name", "client_uri", "logo_uri", "policy_uri", "tos_uri", "scope")
SUPPORTED_AUTH_METHODS = ("none", "private_key_jwt")


class DocumentRefused(Exception):
    """The document (or its URL) breaks a rule; `code` is stable, `message` says which."""

    def __init__(self, code: str, message: str):
        self.code = code
        self.message = str(message)
        super().__init__(code, self.message)


@dataclass(frozen=True)
class CheckedDocument:
    """What a document says, checked: the form's data, and the logo through the icon pipeline."""

    document: dict
    data: dict
    logo_uri: str
    # How the client authenticates at the token endpoint, and (private_key_jwt) its keys:
    # the inline key set, or the URL to fetch it from.
    auth_method: str = "none"
    jwks: dict | None = None
    jwks_uri: str = ""


def check_client_id_url(url: str) -> str:
    """Refuse a client_id URL the draft does not allow; return its host (with a port, if any)."""
    if len(url) > 255:
        raise DocumentRefused("client_id_too_long", _("A client_id URL may be at most 255 characters long."))
    try:
        normalised = clean_web_url(url)
    except ValidationError as error:
        raise DocumentRefused("client_id_invalid", " ".join(error.messages)) from error
    parts = urlsplit(url)
    if normalised != url or parts.scheme != "https":
        raise DocumentRefused(
            "client_id_invalid",
            _("A client_id URL must use https and be written in lower case, exactly as it is served."),
        )
    segments = parts.path.split("/")
    if parts.path in ("", "/") or parts.fragment or "#" in url or "." in segments or ".." in segments:
        raise DocumentRefused(
            "client_id_invalid",
            _("A client_id URL must have a path, without “.” or “..” segments and without a fragment."),
        )
    return parts.netloc


def parse_document(body: bytes, content_type: str, url: str) -> dict:
    """The JSON object in `body`, whose client_id must be `url` exactly."""
    if content_type != "application/json" and not content_type.endswith("+json"):
        raise DocumentRefused(
            "invalid_client_metadata",
            _("The document must be served as application/json (it was served as %(type)s).")
            % {"type": content_type or "?"},
        )
    try:
        document = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as error:
        raise DocumentRefused("invalid_client_metadata", _("The document is not valid JSON.")) from error
    if not isinstance(document, dict):
        raise DocumentRefused("invalid_client_metadata", _("The document must be a JSON object."))
    if document.get("client_id") != url:
        raise DocumentRefused(
            "client_id_mismatch",
            _("The document’s client_id must be exactly the URL it is served from, %(url)s.") % {"url": url},
        )
    return document


def check_members(document: dict, url: str) -> CheckedDocument:
    """Check the members' types and the client authentication; build the form's data."""
    for member in TEXT_MEMBERS:
        if member in document and not isinstance(document[member], str):
            raise member_error(member, _("must be a string"))
    uris = document.get("redirect_uris")
    if not isinstance(uris, list) or not uris or not all(isinstance(uri, str) for uri in uris):
        raise member_error("redirect_uris", _("must be a non-empty list of URLs"))
    method = document.get("token_endpoint_auth_method", "none")
    if method not in SUPPORTED_AUTH_METHODS:
        raise DocumentRefused(
            "invalid_client_metadata",
            _(
                "token_endpoint_auth_method %(method)s is not supported: a client identified by a metadata "
                "document uses none (PKCE alone) or private_key_jwt (with jwks or jwks_uri)."
            )
            % {"method": method if isinstance(method, str) else "?"},
        )
    jwks, jwks_uri = None, ""
    if method == "private_key_jwt":
        if ("jwks" in document) == ("jwks_uri" in document):
            raise DocumentRefused(
                "invalid_client_metadata",
                _("token_endpoint_auth_method private_key_jwt needs exactly one of jwks or jwks_uri."),
            )
        if "jwks" in document:
            jwks = keys.check_jwks(document["jwks"])
        else:
            jwks_uri = keys.check_jwks_uri(document["jwks_uri"])
    if "client_secret" in document or "client_secret_expires_at" in document:
        raise DocumentRefused(
            "invalid_client_metadata", _("A metadata document must not contain a client secret.")
        )
    host = urlsplit(url).netloc
    website = document.get("client_uri") or f"https://{host}/"
    data = {
        "name": document.get("client_name") or host,
        "website_url": website,
        "description": "",
        "public_client": "on",
        "redirect_uris": uris,
        "allowed_origins": [],
        # A document is written for every server a client meets, so it may name no
        # scope: then the client may ask for any scope of the catalog, and the
        # consent screen lists each one it asks for. Named scopes must be in the catalog.
        "scopes": (document.get("scope") or "").split() or [scope.name for scope in scope_catalog.SCOPES],
        "privacy_policy_url": document.get("policy_uri") or website,
        "terms_of_service_url": document.get("tos_uri") or website,
    }
    return CheckedDocument(
        document=document,
        data=data,
        logo_uri=document.get("logo_uri") or "",
        auth_method=method,
        jwks=jwks,
        jwks_uri=jwks_uri,
    )


def member_error(member: str, problem) -> DocumentRefused:
    return DocumentRefused("invalid_client_metadata", f"{member}: {problem}")


def default_icon() -> CleanIcon:
    return clean_icon(DEFAULT_ICON_PATH.read_bytes())


def check_logo(body: bytes) -> CleanIcon:
    """The logo through the icon pipeline (oauth_apps/icons.py), as an upload would go."""
    try:
        return clean_icon(body)
    except ValidationError as error:
        raise member_error("logo_uri", " ".join(error.messages)) from error


class MetadataDocumentForm(ApplicationForm):
    """The registration form for a document's values: always a public client, no allowed origins.

    Origins stay empty: a metadata-document client gets no CORS access (a browser
    app must be registered in the portal).
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["allowed_origins"].required = False


class MetadataDocumentEditForm(MetadataDocumentForm, ApplicationEditForm):
    """The same, over an app already made from the document (a refetch)."""

    from_metadata_document = True


def form_refusal(form) -> DocumentRefused:
    """The form's errors as one refusal, each naming the document member it came from."""
    parts = []
    for field_name, errors in form.errors.as_data().items():
        messages = " ".join(message for error in errors for message in error.messages)
        parts.append(f"{DOCUMENT_MEMBERS.get(field_name, field_name)}: {messages}")
    return DocumentRefused("invalid_client_metadata", " ".join(parts))
