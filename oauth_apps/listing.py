"""The application list's query: search, sort, filters and page size.

Everything comes from the query string, so any view of the list can be
bookmarked and shared. A bad value falls back to its default instead of failing:
a stale bookmark should still open the list.
"""

from dataclasses import dataclass

from django import forms
from django.core.exceptions import EmptyResultSet
from django.core.paginator import Paginator
from django.db import connections
from django.db.models import F, QuerySet
from django.db.models.expressions import RawSQL
from django.db.models.functions import Lower
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from . import scopes as scope_catalog
from . import search_index
from .models import RegistrationSource

DEFAULT_SORT = "-created"


@dataclass(frozen=True)
class SortOrder:
    label: str  # as the Sort by control offers it
    ordering: tuple  # for order_by()


# The list's sorts, in the order the Sort by control offers them. Each ordering is served
# by an index (see migration 0003): names are unique case-insensitively, so Lower("name")
# needs no tie-breaker; dates break ties by id.
SORTS = {
    "-created": SortOrder(_("Newest first"), ("-created", "-id")),
    "created": SortOrder(_("Oldest first"), ("created", "id")),
    "-updated": SortOrder(_("Recently modified"), ("-updated", "-id")),
    "updated": SortOrder(_("Least recently modified"), ("updated", "id")),
    "name": SortOrder(_("Name A–Z"), (Lower("name").asc(),)),
    "-name": SortOrder(_("Name Z–A"), (Lower("name").desc(),)),
}
SORT_LABELS = {
    "name": _("Name"),
    "created": _("Created"),
    "updated": _("Modified"),
}
PAGE_SIZES = (10, 20, 50, 100)
# Client IDs are 40 characters; names this long without a space are not plausible.
CLIENT_ID_MIN_LENGTH = 32
DEFAULT_PAGE_SIZE = 20
# The list pages counts and pages through at most this many matches: past it the page
# says "more than 10,000" and the pages stop there (narrow with search or filters, or
# sort the other way). So no list page reads more index entries than this, whatever
# the number of apps.
COUNT_LIMIT = 10_000
# On SQLite a name search reads at most this many matches from its trigram index, the most
# recently registered first, and the list sorts and pages through those: a word that many
# names share ("calendar") otherwise reads every match's row to sort them, a number that
# grows with the apps. Past it the page says "more than 1,000 match", as past COUNT_LIMIT.
SEARCH_MATCH_LIMIT = 1_000
# A search this long first asks the index for any matches, which it reads faster than the newest
# (ListQuery.matching_ids): a text of 12 characters or more is rarely in more than 1,000 names.
FEW_MATCHES_LENGTH = 12
STATE_CHOICES = [
    ("", _("Any state")),
    ("enabled", _("Enabled")),
    ("disabled", _("Disabled")),
    # The review state (PortalPolicy.review_new_apps), filtered in the same one query.
    ("pending", _("Waiting for review")),
    ("rejected", _("Rejected")),
]
REVIEW_STATES = ("pending", "rejected")
# How the app came to exist (OAuthApplication.registration_source): the form, a metadata document, RFC 7591.
SOURCE_CHOICES = [("", _("Any way")), *RegistrationSource.choices]


class ListQueryForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=255)
    sort = forms.ChoiceField(
        label=_("Sort by"),
        required=False,
        choices=[(key, sort.label) for key, sort in SORTS.items()],
    )
    state = forms.ChoiceField(label=_("State"), required=False, choices=STATE_CHOICES)
    source = forms.ChoiceField(label=_("Registered through"), required=False, choices=SOURCE_CHOICES)
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
    source: str = ""
    scope: str = ""
    per_page: int = DEFAULT_PAGE_SIZE

    @classmethod
    def from_params(cls, params) -> "ListQuery":
        """The query in `params`; a value the form's field refuses is simply left at its default.

        Each value goes through `ListQueryForm`'s own field, as a bound form would
        clean it, without building a form (which deep-copies every field and its
        choices on each page view).
        """
        values = {}
        for name, field in ListQueryForm.base_fields.items():
            try:
                value = field.clean(field.widget.value_from_datadict(params, {}, name))
            except forms.ValidationError:
                continue
            if value not in ("", None):
                values[name] = value
        return cls(**values)

    @property
    def looks_like_client_id(self) -> bool:
        """A pasted client ID (long, no spaces) is looked up exactly, by its unique index.

        Anything else searches names: anywhere in the name, ignoring case. Asking
        for both in one OR would stop either index from serving the query.
        """
        return len(self.q) >= CLIENT_ID_MIN_LENGTH and not any(char.isspace() for char in self.q)

    @property
    def filtered(self) -> bool:
        return bool(self.q or self.state or self.source or self.scope)

    def searches_trigram_table(self, db: str) -> bool:
        """Is this a name search answered by SQLite's trigram table (three characters or more)?"""
        return (
            bool(self.q)
            and not self.looks_like_client_id
            and connections[db].vendor == "sqlite"
            and len(self.q) >= search_index.MIN_LENGTH
        )

    def matching_ids(self, db: str) -> list:
        """The ids SQLite's trigram table finds for `q`: at most SEARCH_MATCH_LIMIT + 1, the newest.

        Read once per query: the count, the candidates and the page all start
        from them. Asking the index again in each of those queries repeated its
        look-up, which costs the most for a long name (its every trigram's list is
        read: ~2 ms at 100,000 apps).
        """
        found = self.__dict__.get("_matching_ids")  # a frozen dataclass: kept beside its fields
        if found is None or found[0] != db:
            limit = SEARCH_MATCH_LIMIT + 1
            with connections[db].cursor() as cursor:
                ids = None
                if len(self.q) >= FEW_MATCHES_LENGTH:
                    # Likely few matches: any limit + 1 of them, read forward. If there are no
                    # more than the limit, they are all of them, so also the newest.
                    cursor.execute(*search_index.matching_ids_sql(self.q, limit + 1, newest=False))
                    ids = [int(row[0]) for row in cursor.fetchall()]
                if ids is None or len(ids) > limit:
                    cursor.execute(*search_index.matching_ids_sql(self.q, limit))
                    ids = [int(row[0]) for row in cursor.fetchall()]
            found = self.__dict__["_matching_ids"] = (db, ids)
        return found[1]

    def candidates(self, db: str) -> int | None:
        """How many matches a SQLite name search read (at most SEARCH_MATCH_LIMIT + 1), or None.

        Only with a filter after the search: a search alone counts its candidates already.
        """
        if not self.searches_trigram_table(db) or not (self.state or self.source or self.scope):
            return None
        return len(self.matching_ids(db))

    def count_limit(self, db: str) -> int:
        """How many matches this query counts and pages through at most (see `CappedPaginator`)."""
        return SEARCH_MATCH_LIMIT if self.searches_trigram_table(db) else COUNT_LIMIT

    def paginator_kwargs(self, db: str) -> dict:
        """What a `CappedPaginator` over this query's apps needs to know of it."""
        return {"limit": self.count_limit(db), "candidates": self.candidates(db)}

    def search_names(self, queryset: QuerySet) -> QuerySet:
        """Apps whose name contains `q`, ignoring case, found through an index where one serves.

        PostgreSQL: `icontains`, which its trigram index (migration 0003) answers.
        SQLite: the trigram FTS table (oauth_apps/search_index.py) for three
        characters or more, at most SEARCH_MATCH_LIMIT + 1 matches (the most
        recently registered), read once (`matching_ids`) and then looked up by
        id; shorter text scans the narrow list indexes.
        """
        if self.searches_trigram_table(queryset.db):
            ids = self.matching_ids(queryset.db)
            if not ids:
                return queryset.none()
            # The ids as SQL numbers: the database then knows how many there are (which a
            # parameter list would also tell it, at a parameter each to compile).
            return queryset.filter(pk__in=RawSQL(",".join(map(str, ids)), []))  # noqa: S611 -- integers read from the index
        return queryset.filter(name__icontains=self.q)

    def apply(self, queryset: QuerySet) -> QuerySet:
        if self.looks_like_client_id:
            queryset = queryset.filter(client_id=self.q)
        elif self.q:
            queryset = self.search_names(queryset)
        if self.state in REVIEW_STATES:
            queryset = queryset.filter(review_state=self.state)
        elif self.state:
            # `enabled IN (…)`, not Django's `NOT enabled`: SQLite only searches an index
            # (oauth_app_state_created_idx) for a comparison, never for a bare column.
            queryset = queryset.filter(enabled__in=[self.state == "enabled"])
        if self.source:
            queryset = queryset.filter(registration_source=self.source)
        if self.scope:
            bit = scope_catalog.SCOPES_BY_NAME[self.scope].bit
            queryset = queryset.alias(has_scope=F("scope_bits").bitand(bit)).filter(has_scope=bit)
        return self.order(queryset)

    def order(self, queryset: QuerySet) -> QuerySet:
        """`queryset` in this query's sort order (no search or filter)."""
        return queryset.order_by(*SORTS[self.sort].ordering)


class PagePaginator(Paginator):
    """Fetch a page in one query that first picks the page's ids, then their rows.

    `WHERE id IN (SELECT id … ORDER BY … LIMIT n OFFSET k)`: the inner select
    needs only indexed columns, so the database skips the first k rows inside
    an index (covering indexes, migration 0003) instead of reading k table rows,
    and only the n rows shown are read in full.
    """

    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        ids = self.object_list.values("pk")[bottom:top]
        page = self._get_page(self.object_list.filter(pk__in=ids), number, self)
        # The inner select alone, for a caller that writes the outer query itself (the list's rows).
        page.ids = ids
        return page


class CappedPaginator(PagePaginator):
    """The list page's paginator: counts and pages through at most `limit` matches (`COUNT_LIMIT`).

    The count is `SELECT COUNT(*) FROM (SELECT … LIMIT limit + 1)`, which stops
    reading after that many index entries; an exact `COUNT(*)` of a broad filter
    reads every match (90,000 of 100,000 apps for "enabled"). `capped` says when
    there are more: `count` is then `limit` and the last page ends there, so
    a page's OFFSET stays below it too.
    """

    def __init__(self, *args, limit: int | None = None, candidates: int | None = None, **kwargs):
        self.limit = COUNT_LIMIT if limit is None else limit
        # How many candidates a SQLite name search read (ListQuery.candidates): when the
        # search stopped at its limit, the filters after it saw only part of the
        # matches, so the count is capped even if fewer remain.
        self.candidates = candidates or 0
        super().__init__(*args, **kwargs)

    @cached_property
    def matches_seen(self) -> int:
        # No ORDER BY: any limit + 1 matches tell whether there are more.
        matches = self.object_list.order_by().values("pk")[: self.limit + 1]
        # SELECT COUNT(*) FROM (<matches>) written here: `matches.count()` says the same but
        # clones the query into an aggregation and compiles it twice on every page view.
        try:
            sql, params = matches.query.sql_with_params()
        except EmptyResultSet:  # nothing to look through (none())
            return 0
        with connections[matches.db].cursor() as cursor:
            cursor.execute(f"SELECT COUNT(*) FROM ({sql}) matches", params)  # noqa: S608 -- constant SQL, values are parameters
            return cursor.fetchone()[0]

    @property
    def capped(self) -> bool:
        return self.matches_seen > self.limit or self.candidates > SEARCH_MATCH_LIMIT

    @cached_property
    def count(self) -> int:
        return min(self.matches_seen, self.limit)
