"""What the owner registered, as the Info page and the review queue show it: the form's fields.

Every field of `ApplicationForm.Meta.fields` is a fact, but those the pages show
elsewhere; in the form's order, except that description, website and scopes come
first as they always have. Each reads under the label the change history gives it
(history.FIELDS: "Website" where the form asks for the "Website URL"), else under
its form label, and is drawn by its form field's kind (`_app_facts.html`): a URL
as a link, a URL list as a list of code, the scope set as the consent screen's
lines, a yes/no as Yes or No, anything else as text ("—" when empty). So a new
field on the form is on both pages without a line of its own.
"""

from dataclasses import dataclass
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from . import history
from . import scopes as scope_catalog
from .forms import ApplicationForm, ScopeSetField, URLListField, WebURLField

# Shown elsewhere on both pages: the name and icon in the title, the client type as the
# authentication method.
SHOWN_ELSEWHERE = frozenset({"name", "icon", "client_type"})

# Description, website and scopes come first, as they always have; the other fields follow
# in the form's order.
FIRST = ("description", "website_url", "scope_bits")

YES, NO = _("Yes"), _("No")


@dataclass(frozen=True)
class Fact:
    name: str
    label: str
    kind: str  # "link", "list", "scopes", "boolean" or "text"
    value: Any
    dir: str = "auto"  # the text's direction: "ltr" for an address


def kind_of(field: forms.Field) -> str:
    if isinstance(field, ScopeSetField):
        return "scopes"
    if isinstance(field, URLListField):
        return "list"
    if isinstance(field, WebURLField | forms.URLField):
        return "link"
    if isinstance(field, forms.BooleanField):
        return "boolean"
    return "text"


def label_of(name: str, field: forms.Field) -> str:
    """How the change history names the field ("Website", not "Website URL"), else its form label."""
    return history.FIELDS[name].label if name in history.FIELDS else field.label


def fact_names() -> list[str]:
    """The form's fields the facts show, in the order they show them."""
    names = [name for name in ApplicationForm._meta.fields if name not in SHOWN_ELSEWHERE]
    return sorted(names, key=lambda name: FIRST.index(name) if name in FIRST else len(FIRST))


def _value(field: forms.Field, kind: str, stored):
    if kind == "scopes":
        return scope_catalog.from_bits(stored or 0)
    if kind == "list":
        return field.to_python(stored)
    if kind == "boolean":
        return YES if stored else NO
    if getattr(field, "choices", None) and not isinstance(field, forms.MultipleChoiceField):
        return dict(field.choices).get(stored, stored)
    return stored


def facts(app) -> list[Fact]:
    result = []
    for name in fact_names():
        field = ApplicationForm.base_fields[name]
        kind = kind_of(field)
        stored = app._meta.get_field(name).value_from_object(app)
        result.append(
            Fact(
                name=name,
                label=label_of(name, field),
                kind=kind,
                value=_value(field, kind, stored),
                dir="ltr" if isinstance(field, forms.EmailField) else "auto",
            )
        )
    return result
