"""The audit trail in words: "Redirect URLs: added https://…; removed …".

Reads an event's `changes` generically: an update is `{field: {"old": …, "new": …}}`
and each field is worded by its kind (a list, scopes, a URL, text, a choice) from
FIELDS, so a new field needs one row there, and a field missing from it still reads
well (its model label, values compared as lists or text). Other actions carry
details such as `{"authorizations_revoked": 2}`, worded by DETAILS.

Every value an app's owner wrote is escaped (format_html) and isolated with <bdi>,
so a right-to-left or hostile name can neither inject markup nor reorder the line.
"""

import html
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime

from django.core.exceptions import FieldDoesNotExist
from django.utils.html import conditional_escape, format_html, format_html_join, strip_tags
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from accounts.templatetags.portal_time import when

from . import scopes as scope_catalog
from .models import AuditAction, AuditEvent, ClientType, OAuthApplication

# --- values -------------------------------------------------------------------------


def fmt(template: str, **values) -> SafeString:
    """`template % values` with each value escaped unless already safe (format_html, %-style).

    The template is a translated string (trusted); the values may be anything an
    app's owner typed.
    """
    return mark_safe(template % {key: conditional_escape(value) for key, value in values.items()})  # noqa: S308


def _as_list(value) -> list[str]:
    """A list value as recorded (a list, or a space-separated string as the model stores it)."""
    if value in (None, ""):
        return []
    if isinstance(value, list | tuple):
        return [str(item) for item in value]
    return str(value).split()


def _as_scopes(value) -> list[str]:
    if isinstance(value, int) and not isinstance(value, bool):
        return scope_catalog.names_from_bits(value)
    return _as_list(value)


def _codes(items: Iterable[str]) -> SafeString:
    return format_html_join(", ", "<code>{}</code>", ((item,) for item in items))


def _text(value) -> SafeString:
    return format_html("“<bdi>{}</bdi>”", value)


def _url(value) -> SafeString:
    return format_html("<code>{}</code>", value)


def _joined(parts) -> SafeString:
    return SafeString("; ".join(conditional_escape(part) for part in parts))


def revoked_phrase(count: int) -> str:
    return ngettext("%(count)d authorization revoked", "%(count)d authorizations revoked", count) % {
        "count": count
    }


# --- one field of an update ---------------------------------------------------------


def _added_and_removed(old_items, new_items, *, added_text, removed_text, key) -> list:
    """The phrases for what a list gained and lost, each list in its own words."""
    added = [item for item in new_items if item not in old_items]
    removed = [item for item in old_items if item not in new_items]
    parts = []
    if added:
        parts.append(fmt(added_text, **{key: _codes(added)}))
    if removed:
        parts.append(fmt(removed_text, **{key: _codes(removed)}))
    return parts


def _list_change(label, old, new, revoked=None) -> SafeString:
    words = {"added_text": _("added %(items)s"), "removed_text": _("removed %(items)s"), "key": "items"}
    parts = _added_and_removed(_as_list(old), _as_list(new), **words)
    return fmt(_("%(field)s: %(change)s"), field=label, change=_joined(parts or [_("reordered")]))


def _scope_change(label, old, new, revoked=None) -> SafeString:
    words = {"added_text": _("%(scopes)s added"), "removed_text": _("%(scopes)s removed"), "key": "scopes"}
    parts = _added_and_removed(_as_scopes(old), _as_scopes(new), **words)
    line = fmt(_("%(field)s: %(change)s"), field=label, change=_joined(parts))
    if revoked is not None:
        line = format_html("{} ({})", line, revoked_phrase(revoked))
    return line


def _value_change(show: Callable) -> Callable:
    def change(label, old, new, revoked=None) -> SafeString:
        if old in (None, ""):
            return fmt(_("%(field)s: set to %(new)s"), field=label, new=show(new))
        if new in (None, ""):
            return fmt(_("%(field)s: removed (was %(old)s)"), field=label, old=show(old))
        return fmt(_("%(field)s: %(old)s → %(new)s"), field=label, old=show(old), new=show(new))

    return change


def _client_type_label(value) -> str:
    if isinstance(value, bool):  # a "public client" checkbox
        value = ClientType.PUBLIC if value else ClientType.CONFIDENTIAL
    try:
        return ClientType(value).label
    except ValueError:
        return str(value)


def _state_label(value) -> str:
    return _("enabled") if value else _("disabled")


def _icon_change(label, old, new, revoked=None) -> SafeString:
    return fmt(_("%(field)s: replaced"), field=label)


@dataclass(frozen=True)
class FieldWording:
    label: str
    change: Callable


_text_change = _value_change(_text)
_url_change = _value_change(_url)
_client_type_change = _value_change(_client_type_label)
_state_change = _value_change(_state_label)

# Field name (as the audit records it) → its label and how a change of it reads.
FIELDS = {
    "name": FieldWording(gettext_lazy("Name"), _text_change),
    "website_url": FieldWording(gettext_lazy("Website"), _url_change),
    "description": FieldWording(gettext_lazy("Description"), _text_change),
    "icon": FieldWording(gettext_lazy("Icon"), _icon_change),
    "client_type": FieldWording(gettext_lazy("Authentication method"), _client_type_change),
    "public_client": FieldWording(gettext_lazy("Authentication method"), _client_type_change),
    "redirect_uris": FieldWording(gettext_lazy("Redirect URLs"), _list_change),
    "allowed_origins": FieldWording(gettext_lazy("Allowed origins"), _list_change),
    "scopes": FieldWording(gettext_lazy("Scopes"), _scope_change),
    "scope_bits": FieldWording(gettext_lazy("Scopes"), _scope_change),
    "privacy_policy_url": FieldWording(gettext_lazy("Privacy policy"), _url_change),
    "terms_of_service_url": FieldWording(gettext_lazy("Terms of Service"), _url_change),
    "enabled": FieldWording(gettext_lazy("State"), _state_change),
}


def field_wording(name: str, old=None, new=None) -> FieldWording:
    """FIELDS' row, or one made from the model's label for a field not listed there."""
    if name in FIELDS:
        return FIELDS[name]
    try:
        label = capfirst(OAuthApplication._meta.get_field(name).verbose_name)
    except FieldDoesNotExist:
        label = capfirst(name.replace("_", " "))
    is_list = isinstance(old, list | tuple) or isinstance(new, list | tuple)
    return FieldWording(label, _list_change if is_list else _text_change)


def describe_field(name: str, change, revoked: int | None = None) -> SafeString:
    if not isinstance(change, dict) or not {"old", "new"} & change.keys():
        change = {"old": None, "new": change}
    old, new = change.get("old"), change.get("new")
    wording = field_wording(name, old, new)
    return wording.change(wording.label, old, new, revoked)


# --- details of the other actions ------------------------------------------------


def _expires(value) -> SafeString:
    try:
        moment = datetime.fromisoformat(str(value))
    except ValueError:
        return fmt(_("Valid until %(time)s"), time=value)
    return fmt(_("Valid until %(time)s"), time=when(moment))


def _token_type(value) -> str:
    kinds = {"access_token": _("an access token"), "refresh_token": _("a refresh token")}
    return fmt(_("Revoked %(kind)s"), kind=kinds.get(value, value))


# Detail key → how it reads. Counts of revoked authorizations go into the summary instead.
DETAILS = {
    "name": lambda value: fmt(_("Name: %(name)s"), name=_text(value)),
    "scopes": lambda value: fmt(_("Scopes: %(scopes)s"), scopes=_codes(_as_scopes(value))),
    "scopes_withdrawn": lambda value: fmt(_("Scopes withdrawn: %(scopes)s"), scopes=_codes(value)),
    "expires": _expires,
    "token_type": _token_type,
    "seeded": lambda value: _("Made by the demo data command"),
}
REVOKED_KEYS = ("authorizations_revoked", "revoked")


def describe_detail(key: str, value) -> SafeString:
    if key in DETAILS:
        return DETAILS[key](value)
    label = capfirst(key.replace("_", " "))
    if isinstance(value, list | tuple):
        return fmt(_("%(field)s: %(value)s"), field=label, value=_codes(value))
    return fmt(_("%(field)s: %(value)s"), field=label, value=_text(value))


# --- whole events -------------------------------------------------------------------


@dataclass
class Entry:
    event: AuditEvent
    summary: str
    details: list[SafeString] = field(default_factory=list)

    @property
    def text(self) -> str:
        """The entry as one plain line (CSV export, admin list)."""
        lines = [self.summary, *(html.unescape(strip_tags(line)) for line in self.details)]
        return "; ".join(lines)


def _summary(event: AuditEvent, revoked: int | None) -> str:
    action = event.action
    if action == AuditAction.UPDATE:
        count = len(event.changes or {})
        return ngettext("Edited %(count)d field", "Edited %(count)d fields", count) % {"count": count}
    if action == AuditAction.TOKEN_REVOKED and "scopes_withdrawn" in (event.changes or {}):
        label = _("Authorizations revoked because scopes were withdrawn")
    else:
        label = str(AuditAction(action).label) if action in AuditAction.values else action
    if revoked is not None:
        return _("%(action)s (%(revoked)s)") % {"action": label, "revoked": revoked_phrase(revoked)}
    return label


def describe(event: AuditEvent, folded_revoked: int | None = None) -> Entry:
    """One event in words; `folded_revoked` is the count of a revocation its edit caused."""
    changes = event.changes if isinstance(event.changes, dict) else {}
    if event.action == AuditAction.UPDATE:
        details = [
            describe_field(name, change, folded_revoked if name in ("scopes", "scope_bits") else None)
            for name, change in changes.items()
        ]
        return Entry(event, _summary(event, None), details)
    revoked = next((changes[key] for key in REVOKED_KEYS if isinstance(changes.get(key), int)), None)
    details = [describe_detail(key, value) for key, value in changes.items() if key not in REVOKED_KEYS]
    return Entry(event, _summary(event, revoked), details)


def _edit_key(event: AuditEvent):
    return (event.application_pk, event.app_version)


def entries(events: Iterable[AuditEvent]) -> list[Entry]:
    """Events in words, newest first as given.

    An edit that withdrew scopes is recorded as the update and, in the same
    transaction (same app version), the revocation it caused: shown as one entry,
    "Scopes: files:write removed (2 authorizations revoked)".
    """
    events = list(events)
    updates = {_edit_key(e) for e in events if e.action == AuditAction.UPDATE}
    caused = {
        _edit_key(e): e
        for e in events
        if e.action == AuditAction.TOKEN_REVOKED
        and isinstance(e.changes, dict)
        and "scopes_withdrawn" in e.changes
        and _edit_key(e) in updates
    }
    result = []
    for event in events:
        if event.action == AuditAction.TOKEN_REVOKED and caused.get(_edit_key(event)) is event:
            continue
        revocation = caused.get(_edit_key(event)) if event.action == AuditAction.UPDATE else None
        folded = revocation.changes.get("revoked") if revocation is not None else None
        result.append(describe(event, folded))
    return result
