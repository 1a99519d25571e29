"""The application list's query: search, sort, filters and page size.

Everything comes from the query string, so any view of the list can be
bookmarked and shared. A bad value falls back to its default instead of failing:
a stale bookmark should still open the list.
"""

from dataclasses import dataclass

from django import forms
from django.db.models import F, Q, QuerySet
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from . import scopes as scope_catalog

DEFAULT_SORT = "-created"
# Each ordering is served by an index (see migration 0003): names are unique
# case-insensitively, so Lower("name") needs no tie-breaker; dates break ties by id.
SORTS = {
    "name": (Lower("name").asc(),),
    "-name": (Lower("name").desc(),),
    "created": ("created", "id"),
    "-created": ("-created", "-id"),
    "updated": ("updated", "id"),
    "-updated": ("-updated", "-id"),
}
SORT_LABELS = {
    "name": _("Name"),
    "created": _("Created"),
    "updated": _("Modified"),
}
PAGE_SIZES = (10, 20, 50, 100)
DEFAULT_PAGE_SIZE = 20
STATE_CHOICES = [("", _("Any state")), ("enabled", _("Enabled")), ("disabled", _("Disabled"))]


class ListQueryForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=255)
    sort = forms.ChoiceField(
        label=_("Sort by"),
        required=False,
        choices=[
            ("-created", _("Newest first")),
            ("created", _("Oldest first")),
            ("-updated", _("Recently modified")),
            ("updated", _("Least recently modified")),
            ("name", _("Name A–Z")),
            ("-name", _("Name Z–A")),
        ],
    )
    state = forms.ChoiceField(label=_("State"), required=False, choices=STATE_CHOICES)
    scope = forms.ChoiceField(
        label=_("Scope"),
        required=False,
        choices=[("", _("Any scope")), *((scope.name, scope.name) for scope in scope_catalog.SCOPES)],
    )
    per_page = forms.TypedChoiceField(
        label=_("Per page"),
        required=False,
        coerce=int,
        empty_value=DEFAULT_PAGE_SIZE,
        choices=[(size, size) for size in PAGE_SIZES],
    )


@dataclass(frozen=True)
class ListQuery:
    q: str = ""
    sort: str = DEFAULT_SORT
    state: str = ""
    scope: str = ""
    per_page: int = DEFAULT_PAGE_SIZE

    @classmethod
    def from_params(cls, params) -> "ListQuery":
        form = ListQueryForm(params)
        form.is_valid()  # invalid fields are simply missing from cleaned_data
        values = {name: value for name, value in form.cleaned_data.items() if value not in ("", None)}
        return cls(**values)

    @property
    def filtered(self) -> bool:
        return bool(self.q or self.state or self.scope)

    def apply(self, queryset: QuerySet) -> QuerySet:
        if self.q:
            # A pasted client ID matches exactly (its unique index); a name matches
            # anywhere, ignoring case (a trigram index serves it on PostgreSQL).
            queryset = queryset.filter(Q(name__icontains=self.q) | Q(client_id=self.q))
        if self.state:
            queryset = queryset.filter(enabled=self.state == "enabled")
        if self.scope:
            bit = scope_catalog.SCOPES_BY_NAME[self.scope].bit
            queryset = queryset.alias(has_scope=F("scope_bits").bitand(bit)).filter(has_scope=bit)
        return queryset.order_by(*SORTS[self.sort])
