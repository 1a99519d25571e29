"""Writes of the authorization server's portal features. Views call these."""

import unicodedata

from django.utils.translation import gettext as _

NAME_MAX_LENGTH = 150  # Django's first_name / last_name columns
PROFILE_FIELDS = {"firstName": "first_name", "lastName": "last_name"}


class InvalidProfile(Exception):
    def __init__(self, message: str, *, code: str, field: str = ""):
        super().__init__(message)
        self.message = message
        self.code = code
        self.field = field


def _clean_name(field: str, value) -> str:
    if not isinstance(value, str):
        raise InvalidProfile(
            _("%(field)s must be a string.") % {"field": field}, code="not_a_string", field=field
        )
    value = value.strip()
    if any(unicodedata.category(char) in ("Cc", "Cf", "Zl", "Zp") for char in value):
        raise InvalidProfile(
            _("%(field)s must not contain control characters.") % {"field": field},
            code="control_chars",
            field=field,
        )
    if len(value) > NAME_MAX_LENGTH:
        raise InvalidProfile(
            _("%(field)s must be at most %(max)d characters.") % {"field": field, "max": NAME_MAX_LENGTH},
            code="too_long",
            field=field,
        )
    return value


def update_display_name(user, data):
    """Set the user's first and/or last name from an API body like {"firstName": "Ada"}."""
    if not isinstance(data, dict):
        raise InvalidProfile(_("The body must be a JSON object."), code="not_an_object")
    unknown = sorted(set(data) - set(PROFILE_FIELDS))
    if unknown:
        raise InvalidProfile(
            _("Unknown field %(field)s: only firstName and lastName can be changed.") % {"field": unknown[0]},
            code="unknown_field",
            field=unknown[0],
        )
    if not data:
        raise InvalidProfile(_("Send firstName, lastName or both."), code="empty")
    changes = {PROFILE_FIELDS[key]: _clean_name(key, value) for key, value in data.items()}
    for attribute, value in changes.items():
        setattr(user, attribute, value)
    user.save(update_fields=list(changes))
    return user
