"""What an application looks like in the API, and how a request body becomes the pages' form.

The body's field names are the names the pages post (the form's html names), so
the form's own error names, codes and messages come back unchanged. This module
only checks the JSON *shape* (a list where the form expects rows, a string where
it expects text); every rule is the form's.
"""

import base64
import binascii
import json

from django import forms
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from oauth_apps.forms import HTML_NAMES, ApplicationEditForm, ApplicationForm, URLListField
from oauth_apps.icons import MAX_ICON_BYTES

from .problems import field_error

# Shown in a representation, ignored when sent back: a read-modify-write script
# may PUT what it got.
READ_ONLY = frozenset(
    {
        "id",
        "client_id",
        "client_type",
        "icon_url",
        "icon_sha256",
        "enabled",
        "source",
        "review",
        "secret_rotation",
        "version",
        "owner",
        "maintainers",
    }
    | {"created", "updated", "links"}
)
DATA_URL_PREFIX = "data:"


class BadBody(Exception):
    def __init__(self, errors: list[dict]):
        super().__init__("bad request body")
        self.errors = errors


# Form fields the answer shows as more than their stored value: the client type is also
# answered as the `public_client` the form posts.
ANSWER_ENTRIES = {
    "client_type": lambda app: {"public_client": app.is_public, "client_type": app.client_type},
}


def form_values(app) -> dict:
    """Every field of the registration form as the answer shows it, in the form's order.

    A field's value is what it stores, or, where the form field converts it for the
    audit trail (`audit_value`), that: a URL list is a list, the scope set its names.
    """
    values = {}
    for name in ApplicationForm._meta.fields:
        if name in ANSWER_ENTRIES:
            values.update(ANSWER_ENTRIES[name](app))
            continue
        field = ApplicationForm.base_fields[name]
        value = app._meta.get_field(name).value_from_object(app)
        convert = getattr(field, "audit_value", None)
        values[HTML_NAMES.get(name, name)] = convert(value) if convert else value
    return values


def represent(app, request) -> dict:
    absolute = request.build_absolute_uri
    rotation = None
    if app.rotation_in_progress:
        last_used = app.previous_secret_last_used
        rotation = {
            "old_secret_expires": app.previous_secret_expires.isoformat(),
            "old_secret_last_used": last_used.isoformat() if last_used else None,
        }
    return {
        "id": app.pk,
        "client_id": app.client_id,
        # Every field the form edits, under the name it is sent back with.
        **form_values(app),
        "icon_url": absolute(app.icon_url),
        "icon_sha256": app.icon_id,
        "enabled": app.enabled,
        "source": app.registration_source,
        "secret_rotation": rotation,
        # Staff review (docs/managing-apps.md, "Reviewing new apps"): only "approved" signs anyone in.
        "review": {
            "state": app.review_state,
            "note": app.review_note or None,
            "reviewed_at": app.reviewed_at.isoformat() if app.reviewed_at else None,
        },
        "version": app.version,
        "owner": app.user.get_username() if app.user_id else None,
        # Read-only: the owner changes them on the app's People page (docs/managing-apps.md).
        "maintainers": [maintainer.user.get_username() for maintainer in app.maintainers.all()],
        "created": app.created.isoformat(),
        "updated": app.updated.isoformat(),
        "links": {
            "self": absolute(reverse("clients_api:client", args=[app.pk])),
            "audit": absolute(reverse("clients_api:audit", args=[app.pk])),
            "page": absolute(app.get_absolute_url()),
        },
    }


def represent_event(event) -> dict:
    return {
        "id": event.pk,
        "action": event.action,
        "actor": event.actor_name or None,
        "via": event.via or None,
        "app_version": event.app_version,
        "changes": event.changes,
        "created": event.created.isoformat(),
    }


def etag(app) -> str:
    return f'"{app.version}"'


def read_body(request, *, multipart: bool) -> tuple[dict, dict]:
    """The body as (data, files) for the form: JSON, or (registration only) multipart as the pages post it."""
    content_type = request.content_type or ""
    if multipart and content_type == "multipart/form-data":
        return request.POST, request.FILES
    if content_type not in ("application/json", "application/merge-patch+json"):
        message = (
            _("Send the body as application/json or multipart/form-data.")
            if multipart
            else _("Send the body as application/json.")
        )
        raise BadBody([field_error("", "unsupported_media_type", message)])
    try:
        data = json.loads(request.body or b"null")
    except (UnicodeDecodeError, ValueError):
        raise BadBody([field_error("", "invalid_json", _("The body is not valid JSON."))]) from None
    if not isinstance(data, dict):
        raise BadBody([field_error("", "invalid_json", _("The body must be a JSON object."))])
    return data, {}


def json_type(field) -> type:
    """The JSON type a form field is sent as: what the API checks and its document describes."""
    if isinstance(field, forms.MultipleChoiceField | URLListField):
        return list
    if isinstance(field, forms.BooleanField):
        return bool
    return str


# One whole sentence per JSON type, so a translation never has an English word inserted.
TYPE_MESSAGES = {
    list: gettext_lazy("“%(name)s” must be a JSON array of strings."),
    bool: gettext_lazy("“%(name)s” must be a JSON boolean."),
    str: gettext_lazy("“%(name)s” must be a JSON string."),
    int: gettext_lazy("“%(name)s” must be a JSON integer."),
}


def type_error(name: str, expected: type) -> dict:
    return field_error(name, "invalid_type", TYPE_MESSAGES[expected] % {"name": name})


def form_input(data: dict, form_class=ApplicationEditForm) -> tuple[dict, dict]:
    """A JSON object as the form's (data, files): unknown fields and wrong JSON types are refused.

    The icon may come as base64 (or a data: URL) and is handed to the form as the
    file a page would upload, so it takes the same pipeline (size cap included).
    """
    names = {HTML_NAMES.get(name, name): name for name in form_class.base_fields if name != "version"}
    errors, values, files = [], {}, {}
    for key, value in data.items():
        if key in READ_ONLY:
            continue
        if key not in names:
            errors.append(
                field_error(key, "unknown_field", _("There is no field named “%(name)s”.") % {"name": key})
            )
            continue
        field = form_class.base_fields[names[key]]
        if key == "icon":
            if value is None:
                continue
            try:
                files["icon"] = icon_upload(value)
            except BadBody as bad:
                errors.extend(bad.errors)
            continue
        expected = json_type(field)
        if value is None and expected is not bool:
            value = [] if expected is list else ""
        if not isinstance(value, expected) or (
            expected is list and not all(isinstance(v, str) for v in value)
        ):
            errors.append(type_error(key, expected))
            continue
        values[key] = value
    if errors:
        raise BadBody(errors)
    return values, files


def icon_upload(value) -> SimpleUploadedFile:
    if not isinstance(value, str):
        raise BadBody([field_error("icon", "invalid_type", _("“icon” must be a base64 string."))])
    text = value.strip()
    if text.startswith(DATA_URL_PREFIX):
        text = text.partition(",")[2]
    # Base64 is 4/3 of the bytes: refuse far-too-large icons before decoding them.
    if len(text) > (MAX_ICON_BYTES + 3) * 4 // 3 + 4:
        upload = SimpleUploadedFile("icon", b"")
        upload.exceeded_limit = True
        return upload
    try:
        data = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise BadBody(
            [field_error("icon", "icon_invalid_base64", _("The icon is not valid base64."))]
        ) from None
    upload = SimpleUploadedFile("icon", data)
    upload.exceeded_limit = len(data) > MAX_ICON_BYTES
    return upload


def current_values(app) -> dict:
    """Every field of `app` as the edit form would post it untouched (what PATCH starts from)."""
    form = ApplicationEditForm(instance=app)
    return {
        form[name].html_name: form[name].value() for name in form.fields if name not in ("icon", "version")
    }
