"""Developer Tools → OAuth 2.0: the list, registration, one app's pages and actions, icons."""

import contextlib
import logging
import string
from collections.abc import Sequence
from datetime import datetime
from html import escape as html_escape
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import EmptyResultSet, ValidationError
from django.db import DatabaseError, connections
from django.db.models import F, Q
from django.db.models.functions import Lower
from django.http import Http404, HttpResponse, HttpResponseNotModified
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404, redirect
from django.template.loader import render_to_string
from django.urls import get_script_prefix, reverse
from django.utils.formats import localize
from django.utils.html import conditional_escape
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, gettext_lazy, ngettext
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.cache import cache_control
from django.views.generic import CreateView, DetailView, ListView, UpdateView
from django.views.generic.base import TemplateResponseMixin
from django.views.generic.detail import SingleObjectMixin

from accounts.templatetags.portal_time import Dates
from common import ratelimit

from . import credentials
from . import scopes as scope_catalog
from .access import (
    MAINTAINER_ACTIONS,
    Action,
    OwnedApplicationMixin,
    Role,
    abilities,
    may_act_on_others,
    may_manage_initial_access_tokens,
    may_see_secret,
    parse_pk,
    pending_offers_for,
)
from .consent import consent_context
from .forms import DESCRIBED_BY_DOCUMENT, ApplicationEditForm, ApplicationForm, RotateSecretForm
from .listing import (
    PAGE_SIZES,
    SORT_LABELS,
    SORTS,
    CappedPaginator,
    ListQuery,
    ListQueryForm,
)
from .models import (
    AuditAction,
    AuditEvent,
    ClientType,
    Icon,
    Maintainer,
    OAuthApplication,
    RegistrationSource,
    ReviewState,
)
from .pending_icons import PendingIcons
from .services import (
    DuplicateName,
    EditConflict,
    RotationInProgress,
    bulk_delete,
    bulk_set_enabled,
    delete_application,
    end_rotation,
    register_application,
    reset_secret,
    rotate_secret,
    set_enabled,
    update_application,
)

logger = logging.getLogger(__name__)

ICON_CSP = "default-src 'none'; style-src 'unsafe-inline'; sandbox"
HISTORY_LENGTH = 50
# Bulk actions act on what one page can show.
MAX_BULK = max(PAGE_SIZES)
LIST_COLUMNS = (
    "id",
    "name",
    "client_type",
    "icon_id",
    "scope_bits",
    "enabled",
    "review_state",
    "registration_source",
    "updated",
    "created",
    "user_id",
)
# The owner's name beside each row, read in the same query (no User object per row).
OWNER_COLUMNS = {
    "owner_username": F("user__username"),
    "owner_first_name": F("user__first_name"),
    "owner_last_name": F("user__last_name"),
}
# What list_rows reads for each row, in this order: the model's columns, then the
# annotations (the owner's name, and whether the user co-maintains the app).
ROW_COLUMNS = (*LIST_COLUMNS, *OWNER_COLUMNS, "co_maintained")


class ApplicationListView(OwnedApplicationMixin, ListView):
    """The list: one COUNT and one page of rows per view, whatever the size or filters."""

    template_name = "oauth_apps/application_list.html"
    context_object_name = "applications"
    paginator_class = CappedPaginator
    access_action = Action.LIST

    def get(self, request, *args, **kwargs):
        self.query = ListQuery.from_params(request.GET)
        return super().get(request, *args, **kwargs)

    def get_paginate_by(self, queryset):
        return self.query.per_page

    def get_paginator(self, queryset, per_page, **kwargs):
        return super().get_paginator(queryset, per_page, **self.query.paginator_kwargs(queryset.db), **kwargs)

    def paginate_queryset(self, queryset, page_size):
        # get_page() turns a stale or garbled page number into the nearest real
        # page, where ListView would answer 404.
        paginator = self.get_paginator(queryset, page_size)
        page = paginator.get_page(self.request.GET.get("page"))
        return paginator, page, page.object_list, page.has_other_pages()

    def get_queryset(self):
        # The page's rows are read by the ids the filtered query picks (page.ids), in a
        # query written once (rows_sql): the shown columns, the owner's name and each row's
        # role (an EXISTS per row, not a query per row). The page's object_list is never read.
        return self.query.apply(super().get_queryset())

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        # What the rows' menus may offer on other people's apps (their own: everything).
        others_can = {action.value: may_act_on_others(self.request.user, action) for action in MENU_ACTIONS}
        columns = sort_columns(self.query.sort)
        page = context["page_obj"]
        context["applications"] = list_rows(
            context["applications"].db, page.ids, self.query.sort, self.request, others_can
        )
        # The table's body in one piece: a template loop over the rows costs a lookup per row.
        context["rows_html"] = context["applications"].html
        context.update(
            row_menu=row_menu(self.request),
            query=self.query,
            sort_columns=columns,
            # The filter and sort controls, in page order, each with the value it marks
            # ("Any scope" is never marked: the browser picks it).
            filter_controls=filter_controls(
                (
                    ("state", self.query.state),
                    ("source", self.query.source),
                    ("scope", self.query.scope or None),
                    ("sort", self.query.sort),
                    ("per_page", self.query.per_page),
                )
            ),
            may_manage_initial_tokens=may_manage_initial_access_tokens(self.request.user),
            # {% csrf_token %} in the page's frame: the token the rows carry (in place of the
            # context processor's, which would mask the secret once more).
            csrf_token=page_token(self.request),
            here=self.request.get_full_path(),
            # The links that change one parameter of this page's query (the column headers,
            # the pages), as `{% querystring %}` makes them but without a deep copy each.
            **page_links(self.request.GET, context["page_obj"], context["paginator"], columns),
            # Apps other users offer to this one: a banner with a link to the offers page.
            offers_waiting=pending_offers_for(self.request.user).count(),
        )
        return context


class QueryString:
    """What `{% querystring key=value … %}` writes for `params` (request.GET), escaped for an attribute.

    The tag deep-copies the query and encodes every value again for each link
    (a dozen a page); here each value is encoded once per page, and a link
    encodes only what it changes. The text is QueryDict.urlencode()'s: keys in
    their order, a changed key in its place, a new one last, a removed one gone.
    """

    def __init__(self, params):
        self.params = params
        self.encoded = {key: [self.encode(key, value) for value in values] for key, values in params.lists()}

    def encode(self, key, value) -> str:
        encoding = self.params.encoding
        return urlencode({key.encode(encoding): str(value).encode(encoding)})

    def __call__(self, **changes) -> str:
        encoded = dict(self.encoded)
        for key, value in changes.items():
            if value is None:
                encoded.pop(key, None)
            else:
                encoded[key] = [self.encode(key, value)]
        if not encoded and not self.encoded:
            return ""
        return mark_safe(html_escape("?" + "&".join(item for items in encoded.values() for item in items)))  # noqa: S308 -- escaped


def page_links(params, page, paginator, columns: dict) -> dict:
    """The column headers' sort links (into `columns`) and the pagination's links and items."""
    querystring = QueryString(params)
    for column in columns.values():
        column["href"] = querystring(sort=column["next"], page=None)
    numbers = paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1)
    ellipsis = paginator.ELLIPSIS
    # `is`: the range yields the paginator's ELLIPSIS itself, and `==` would translate it for every number.
    page_range = [(n, None if n is ellipsis else querystring(page=n)) for n in numbers]
    return {
        "pages": pages_html(page_range, page.number, ellipsis),
        "previous_page": querystring(page=page.previous_page_number()) if page.has_previous() else "",
        "next_page": querystring(page=page.next_page_number()) if page.has_next() else "",
    }


def pages_html(page_range, current, ellipsis) -> str:
    """The pagination's `<li>`s, as a template loop over `page_range` would write them."""
    # The template's {% blocktranslate with number=number %}: the same message, the number escaped.
    link = _('<span class="visually-hidden">Page </span>%(number)s')
    items = []
    for number, href in page_range:
        if number is ellipsis:
            item = '<li><span aria-hidden="true">…</span></li>\n    '
        elif number == current:
            item = f'<li><span aria-current="page">{conditional_escape(localize(number))}</span></li>\n    '
        else:
            text = link % {"number": conditional_escape(localize(number))}
            item = f'<li><a href="{href}">{text}</a></li>'
        items.append(f"\n    {item}\n  ")
    return mark_safe("".join(items))  # noqa: S308 -- hrefs escaped by querystring(), numbers here


# The list's <select> controls as drawn for a language and the values they mark.
_FILTER_CONTROLS = {}


def filter_controls(selected: tuple) -> str:
    """The list's <select> controls (ListQueryForm's fields), each with its label and options, as HTML.

    Drawn here, as a template loop over them would draw them, and remembered per
    language and marked values (at most 1,024 combinations): only these change them.
    """
    key = (get_language(), selected)
    html = _FILTER_CONTROLS.get(key)
    if html is None:
        html = mark_safe("".join(f"\n{list_control(name, value)}\n  " for name, value in selected))  # noqa: S308 -- escaped
        if len(_FILTER_CONTROLS) < 1024:
            _FILTER_CONTROLS[key] = html
    return html


def list_control(name: str, selected) -> str:
    """One of the list's <select> controls, from ListQueryForm's field `name`: its label and options."""
    field = ListQueryForm.base_fields[name]
    control = "list-" + name.replace("_", "-")
    return (
        f'  <div class="control">\n    <label for="{control}">{conditional_escape(field.label)}</label>\n'
        f'    <select id="{control}" name="{name}">{options_html(field.choices, selected)}</select>\n  </div>'
    )


def options_html(choices, selected) -> str:
    """`<option>`s for `choices` ((value, label) pairs), `selected` marked, every value and label escaped."""
    return mark_safe(  # noqa: S308 -- escaped below
        "".join(
            f'<option value="{html_escape(str(value))}"{" selected" if value == selected else ""}>'
            f"{html_escape(str(label))}</option>"
            for value, label in choices
        )
    )


# A pk no real row has, swapped for each row's own in the URLs reversed once per page.
_ROW_PK = 987654321987
# The row menu (oauth_apps/_row_menu.html) as drawn per language, with marks for this request's values.
_ROW_MENUS = {}
_CSRF_MARK = "\x00csrf\x00"
_HERE_MARK = "\x00here\x00"


def page_token(request) -> str:
    """The CSRF token for every form on this page, masked once.

    Each `get_token()` call masks the secret anew (32 random characters); the
    list's forms (the row switches, the row menu, the page frame's forms through
    the context's `csrf_token`) can all carry the same one.
    """
    token = getattr(request, "_page_csrf_token", None)
    if token is None:
        token = request._page_csrf_token = get_token(request)
    return token


def row_menu(request) -> str:
    """The list's row menu `<template>`: its ten URLs and labels drawn once per language and process.

    Only the CSRF token and the page's address differ between requests; they go
    in place of their marks, escaped as the template would escape them.
    """
    key = (get_language(), get_script_prefix())
    menu = _ROW_MENUS.get(key)
    if menu is None:
        menu = _ROW_MENUS[key] = render_to_string(
            "oauth_apps/_row_menu.html", {"row_pk": _ROW_PK, "here": _HERE_MARK, "csrf_token": _CSRF_MARK}
        )
    here = html_escape(request.get_full_path())
    return mark_safe(menu.replace(_CSRF_MARK, html_escape(page_token(request))).replace(_HERE_MARK, here))  # noqa: S308 -- escaped


# What a row may offer in its menu, by the action that allows it (data-if in the list template).
MENU_ACTIONS = (Action.CHANGE, Action.RESET_SECRET, Action.ROTATE_SECRET, Action.DELETE)


# The parts of a row that depend only on the language and the script prefix: URLs reversed for
# a placeholder id, escaped labels, badges. Drawn once per language and process, as `_ROW_MENUS`.
_ROW_PARTS = {}


def _row_parts() -> tuple:
    key = (get_language(), get_script_prefix())
    parts = _ROW_PARTS.get(key)
    if parts is None:
        parts = _ROW_PARTS[key] = _draw_row_parts()
    return parts


def _row_template(labels: dict) -> str:
    """ROW_HTML as a %-format: this language's labels in place, `%s` for each of ROW_VALUES in turn.

    `%` with a tuple fills a row in about a quarter of the time str.format takes with keywords.
    """
    out, values = [], []
    for text, field, _spec, _conversion in string.Formatter().parse(ROW_HTML):
        out.append(text.replace("%", "%%"))
        if field in labels:
            out.append(labels[field].replace("%", "%%"))
        elif field is not None:
            out.append("%s")
            values.append(field)
    if tuple(values) != ROW_VALUES:
        raise ValueError(f"ROW_HTML asks for {values}, list_rows fills in {ROW_VALUES}")
    return "".join(out)


def _draw_row_parts() -> tuple:
    # Escaped once: the ids that replace the placeholder are digits.
    urls = {
        name: html_escape(reverse(f"oauth_apps:{name}", args=[_ROW_PK]))
        for name in ("detail", "disable", "enable")
    }
    labels = {
        "enabled": html_escape(_("Enabled")),
        "disabled": html_escape(_("Disabled")),
        "select": html_escape(_("Select")),
        "actions": html_escape(_("Actions for")),
        "creator": html_escape(_("Owner")),
        "maintainer": html_escape(_("Co-maintainer")),
        "modified": html_escape(_("Modified")),
        "created": html_escape(_("Created")),
        "source_label": html_escape(_("Registered through")),
    }
    # Each way an app is registered: its value and its label, escaped.
    sources = {value: (html_escape(value), html_escape(label)) for value, label in RegistrationSource.choices}
    review_badges = {
        state: f'<span class="state {state}" data-testid="review-badge">{html_escape(label)}</span>'
        for state, label in (
            (ReviewState.PENDING, _("Waiting for review")),
            (ReviewState.REJECTED, _("Rejected")),
        )
    }
    maintainer_tag = f' <span class="tag" data-testid="role">{labels["maintainer"]}</span>'
    # ROW_HTML with this language's labels in place: a row fills in only its own values.
    return urls, labels, sources, review_badges, maintainer_tag, _row_template(labels)


# A set of scopes (scope_bits) as the list's tags: the scopes' names, the same in every language.
_SCOPE_TAGS = {}


# The registration sources whose apps are edited here (OAuthApplication.is_document_source).
EDITABLE_SOURCES = frozenset(
    source for source in RegistrationSource.values if not OAuthApplication.is_document_source(source)
)


def list_rows(db: str, ids, sort: str, request, others_can: dict) -> list:
    """The page's apps, each with its table row as HTML, built in Python once per row.

    Reversing URLs per row and rendering each row's cells through template
    lookups and filters was most of the list's rendering time (see
    docs/managing-apps.md, "Growth"); here the URLs are reversed for a placeholder
    id that each row replaces with its own, and the labels translated and put in
    the row's HTML, once per language and process (`_row_parts`). What a row may
    offer is worked out once per kind of row (own, co-maintained, someone
    else's; its state, client type and source), an icon's URL and an owner's
    name once per page, a set of scopes once per process, and every value is
    escaped as it goes into the row.
    """
    user_pk = request.user.pk
    placeholder = f"/{_ROW_PK}/"
    urls, labels, sources, review_badges, maintainer_tag, row_template = _row_parts()
    # Their own apps: everything; co-maintained ones: what a co-maintainer may (access.py);
    # other people's: what their permissions allow.
    menus = {
        role: [
            action.value
            for action in MENU_ACTIONS
            if role == Role.OWNER
            or others_can[action.value]
            or (role == Role.MAINTAINER and action in MAINTAINER_ACTIONS)
        ]
        for role in (Role.OWNER, Role.MAINTAINER, None)
    }
    change = Action.CHANGE.value
    here = html_escape(request.get_full_path())
    csrf = html_escape(page_token(request))
    dates = Dates()
    icon_placeholder = "0" * 64
    icon_url = html_escape(reverse("oauth_apps:icon", args=[icon_placeholder]))
    # What each of these is drawn as, remembered for the rest of the page (a set of scopes: for the process).
    icons, creators, kinds = {}, {}, {}
    rows = []
    for values in page_values(db, ids, sort, request.user):
        (pk, name, client_type, icon_id, scope_bits, enabled, review_state, source, updated, created, user_id,
         owner_username, owner_first_name, owner_last_name, co_maintained) = values  # fmt: skip
        own = f"/{pk}/"
        url = urls["detail"].replace(placeholder, own)
        role = Role.OWNER if user_id == user_pk else Role.MAINTAINER if co_maintained else None
        editable = source in EDITABLE_SOURCES
        kind = (role, enabled, client_type != ClientType.PUBLIC, editable)
        may_html, may_change = kinds.get(kind) or (None, None)
        if may_html is None:
            may = [*menus[role], "enabled" if enabled else "disabled"]
            if client_type != ClientType.PUBLIC:
                may.append("confidential")
            if editable:
                may.append("editable")
            may_html, may_change = kinds[kind] = (html_escape(" ".join(may)), change in may)
        name = html_escape(name)
        state = labels["enabled" if enabled else "disabled"]
        if not may_change:
            state_cell = state
        elif enabled:
            state_cell = SWITCH_ON.format(
                action=urls["disable"].replace(placeholder, own), here=here, label=state, name=name
            )
        else:
            state_cell = SWITCH_OFF.format(
                action=urls["enable"].replace(placeholder, own), here=here, csrf=csrf, label=state, name=name
            )
        if review_state in review_badges:
            state_cell += review_badges[review_state]
        scopes = _SCOPE_TAGS.get(scope_bits)
        if scopes is None:
            names = scope_catalog.names_from_bits(scope_bits)
            scopes = "".join(f'<li class="tag">{html_escape(n)}</li>' for n in names)
            if len(_SCOPE_TAGS) < 4096:  # a few hundred sets in practice
                _SCOPE_TAGS[scope_bits] = scopes
        icon = icons.get(icon_id)
        if icon is None:
            icon = icons[icon_id] = icon_url.replace(icon_placeholder, html_escape(icon_id))
        creator = creators.get(user_id)
        if creator is None:
            creator = creators[user_id] = (
                # As User.get_full_name(), else the username.
                html_escape(f"{owner_first_name} {owner_last_name}".strip() or owner_username)
                if user_id
                else "—"
            )
        source_value, source_name = sources.get(source) or (html_escape(source), "")
        # ROW_VALUES, in order.
        row_html = row_template % (
            pk,
            may_html,
            pk,
            name,
            icon,
            url,
            name,
            maintainer_tag if role == Role.MAINTAINER else "",
            state_cell,
            creator,
            source_value,
            source_name,
            dates.html(updated),
            dates.html(created, "date"),
            scopes,
            url,
            name,
        )
        rows.append((values, role, row_html))
    return PageRows(db, rows)


_ROWS_SQL = {}


def rows_sql(connection, sort: str) -> tuple[str, str]:
    """The list's rows query around a page's ids: the SQL before the ids' select, and after it.

    SELECT ROW_COLUMNS FROM the apps LEFT JOIN their owners WHERE id IN (<ids>)
    ORDER BY the sort (listing.SORTS), with the user's id as its one parameter
    (in the co-maintainer EXISTS, as `access.maintains` asks it).
    """
    key = (connection.vendor, sort)
    if key not in _ROWS_SQL:
        name = connection.ops.quote_name
        apps, users, maintainers = OAuthApplication._meta, get_user_model()._meta, Maintainer._meta

        def app(field):
            return f"a.{name(apps.get_field(field).column)}"

        # OWNER_COLUMNS: F("user__<field>") each.
        owner = [
            users.get_field(expression.name.split("__")[1]).column for expression in OWNER_COLUMNS.values()
        ]
        columns = [app(field) for field in LIST_COLUMNS] + [f"u.{name(column)}" for column in owner]
        columns.append(
            f"EXISTS(SELECT 1 FROM {name(maintainers.db_table)} m"  # noqa: S608 -- names from the models
            f" WHERE m.{name(maintainers.get_field('application').column)} = a.{name(apps.pk.column)}"
            f" AND m.{name(maintainers.get_field('user').column)} = %s)"
        )
        order = []
        for item in SORTS[sort].ordering:
            if isinstance(item, str):
                order.append(f"{app(item.lstrip('-'))} {'DESC' if item.startswith('-') else 'ASC'}")
            else:  # Lower("name").asc() / .desc()
                field = item.expression.source_expressions[0].name
                order.append(f"LOWER({app(field)}) {'DESC' if item.descending else 'ASC'}")
        _ROWS_SQL[key] = (
            f"SELECT {', '.join(columns)} FROM {name(apps.db_table)} a"  # noqa: S608 -- names from the models
            f" LEFT OUTER JOIN {name(users.db_table)} u"
            f" ON a.{name(apps.get_field('user').column)} = u.{name(users.pk.column)}"
            f" WHERE a.{name(apps.pk.column)} IN (",
            f") ORDER BY {', '.join(order)}",
        )
    return _ROWS_SQL[key]


# Where `page_values` finds the columns the ORM would convert: the two dates and the two booleans.
_DATE_COLUMNS = (ROW_COLUMNS.index("updated"), ROW_COLUMNS.index("created"))
_BOOLEAN_COLUMNS = (ROW_COLUMNS.index("enabled"), ROW_COLUMNS.index("co_maintained"))


def page_values(db: str, ids, sort: str, user) -> list:
    """The page's rows: ROW_COLUMNS of the apps `ids` (the page's inner select) picks, in `sort`'s order.

    What the ORM reads for `apps.only(*LIST_COLUMNS).annotate(**OWNER_COLUMNS,
    co_maintained=…).filter(pk__in=ids).values_list(*ROW_COLUMNS)`, with only the
    inner select compiled: the outer query is `rows_sql`'s, written once per
    process (compiling the whole took ~0.3 ms a page view). The ORM also passes
    every value of every row through the backend's converters; here only the
    values a driver gives differently are converted: SQLite gives a date as text
    (or a naive datetime) in the connection's zone and a boolean as 0 or 1,
    PostgreSQL both as Python values already.
    """
    connection = connections[db]
    try:
        ids_sql, ids_params = ids.query.sql_with_params()
    except EmptyResultSet:  # none()
        return []
    head, tail = rows_sql(connection, sort)
    sql, params = f"{head}{ids_sql}{tail}", (user.pk, *ids_params)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    if connection.vendor == "postgresql":  # psycopg gives aware datetimes and booleans
        return rows
    zone = connection.timezone
    converted = []
    for row in rows:
        row = list(row)
        for column in _DATE_COLUMNS:
            value = row[column]
            if isinstance(value, str):  # as django.db.backends.sqlite3 converts it
                value = datetime.fromisoformat(value)
            if value is not None and value.tzinfo is None:
                value = value.replace(tzinfo=zone)
            row[column] = value
        for column in _BOOLEAN_COLUMNS:
            if row[column] in (0, 1):  # as django.db.backends.sqlite3 converts it
                row[column] = bool(row[column])
        converted.append(tuple(row))
    return converted


class PageRows(Sequence):
    """The list page's apps: its rows' HTML at once, and each app as a model instance only if asked for.

    The page is drawn from `html` alone, built from plain values (`list_rows`);
    making a model instance per row was a third of the list's time. Code that
    reads the page's apps (tests, a debugger) gets instances as the ORM would
    make them, with the row's `role` and `row_html` on each.
    """

    def __init__(self, db: str, rows: list):
        self.db = db
        self.rows = rows
        self.html = mark_safe("    ".join(row_html for _values, _role, row_html in rows))  # noqa: S308 -- escaped in list_rows

    def __len__(self):
        return len(self.rows)

    def __getitem__(self, index):
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        values, role, row_html = self.rows[index]
        stored = dict(zip(LIST_COLUMNS, values, strict=False))
        names = [field.attname for field in OAuthApplication._meta.concrete_fields if field.attname in stored]
        app = OAuthApplication.from_db(self.db, names, [stored[name] for name in names])
        app.owner_username, app.owner_first_name, app.owner_last_name, app.co_maintained = values[-4:]
        app.role = role
        app.row_html = mark_safe(row_html)  # noqa: S308 -- escaped in list_rows
        return app


# One row of the list (application_list.html); "Without JavaScript the ⋯ cell is a link to
# the Info page, which holds every action; with it, it opens the row menu."
ROW_HTML = """<tr data-app-id="{pk}" data-may="{may}">
      <td class="select-col"><input type="checkbox" name="ids" value="{pk}" form="bulk-form" data-select-row \
aria-label="{select} {name}"></td>
      <td class="name-cell"><span class="app-name"><img src="{icon}" width="32" height="32" alt=""> \
<a href="{url}">{name}</a></span>{role}</td>
      <td class="state-cell">{state}</td>
      <td class="meta-cell"><span class="cell-label">{creator}: </span>{creator_name}</td>
      <td class="meta-cell source-cell" data-source="{source}">\
<span class="cell-label">{source_label}: </span>{source_name}</td>
      <td class="meta-cell"><span class="cell-label">{modified}: </span>{updated}</td>
      <td class="meta-cell"><span class="cell-label">{created}: </span>{created_on}</td>
      <td class="scopes-cell"><ul class="tags">{scopes}</ul></td>
      <td class="menu-cell row-menu"><a class="button small" href="{url}" data-row-menu>\
<span aria-hidden="true">⋯</span><span class="visually-hidden">{actions} {name}</span></a></td>
    </tr>
"""
# What a row fills into ROW_HTML (every other field is a label), in the order they appear.
ROW_VALUES = (
    "pk",
    "may",
    "pk",
    "name",
    "icon",
    "url",
    "name",
    "role",
    "state",
    "creator_name",
    "source",
    "source_name",
    "updated",
    "created_on",
    "scopes",
    "url",
    "name",
)
SWITCH_ON = (
    '\n        <form method="get" action="{action}" data-confirm-dialog>'
    '<input type="hidden" name="next" value="{here}">\n'
    '          <button type="submit" class="switch on" role="switch" aria-checked="true">'
    '<span class="switch-track" aria-hidden="true"></span>{label}'
    '<span class="visually-hidden"> — {name}</span></button></form>\n        '
)
SWITCH_OFF = (
    '\n        <form method="post" action="{action}">'
    '<input type="hidden" name="csrfmiddlewaretoken" value="{csrf}">'
    '<input type="hidden" name="next" value="{here}">\n'
    '          <button type="submit" class="switch off" role="switch" aria-checked="false">'
    '<span class="switch-track" aria-hidden="true"></span>{label}'
    '<span class="visually-hidden"> — {name}</span></button></form>\n        '
)


def sort_columns(current: str) -> dict:
    """For each sortable column: the sort its header link asks for, and aria-sort."""
    columns = {}
    for key in SORT_LABELS:
        if current == key:
            columns[key] = {"next": f"-{key}", "aria": "ascending"}
        elif current == f"-{key}":
            columns[key] = {"next": key, "aria": "descending"}
        else:
            columns[key] = {"next": key if key == "name" else f"-{key}", "aria": "none"}
    return columns


class PendingIconMixin:
    """Carry an accepted icon across submissions, so a form error never asks for it again.

    The form only checks what it is given; this parks a good icon in the session
    (see pending_icons) and hands it back to the form as already checked.
    """

    icon_field = "icon"
    token_field = "icon_token"  # noqa: S105 (a form field's name)

    def pending_icons(self):
        return PendingIcons(self.request.session)

    def form_files(self):
        files = self.request.FILES
        if self.request.FILES.get(self.icon_field) is None:
            parked = self.pending_icons().get(self.request.POST.get(self.token_field, "").strip())
            if parked is not None:
                files = files.copy()
                files[self.icon_field] = parked
        return files

    def park_icon(self, form) -> str:
        """Park the form's checked icon (if any) and return its token."""
        icon = form.cleaned_data.get(self.icon_field) if hasattr(form, "cleaned_data") else None
        if icon is None:
            return ""
        return self.pending_icons().put(icon)


class ApplicationFormMixin(PendingIconMixin):
    """Registration and edit: one form, Add/Remove round trips for browsers without JavaScript."""

    template_name = "oauth_apps/application_form.html"
    list_actions = {
        "add_redirect_uri": ("redirect_uris", "add"),
        "add_allowed_origin": ("allowed_origins", "add"),
        "remove_redirect_uri": ("redirect_uris", "remove"),
        "remove_allowed_origin": ("allowed_origins", "remove"),
    }
    icon_token = ""

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        if "files" in kwargs:
            kwargs["files"] = self.form_files()
        return kwargs

    def post(self, request, *args, **kwargs):
        action = next((name for name in self.list_actions if name in request.POST), None)
        if action is None:
            return super().post(request, *args, **kwargs)
        self.object = self.get_object()
        return self.list_action(action)

    def list_action(self, action):
        """Add or remove one row and redraw what was typed: no validation, no errors until Save."""
        form = self.get_form()
        name, kind = self.list_actions[action]
        initial = {
            field: form[field].data if field != "icon" else None for field in form.fields if field != "icon"
        }
        rows = list(initial[name])
        if kind == "remove":
            with contextlib.suppress(ValueError, IndexError):
                del rows[int(self.request.POST[action])]
        else:
            rows.append("")
        initial[name] = rows
        # A good icon is kept across the round trip; a bad one waits for Save to be reported.
        with contextlib.suppress(ValidationError):
            icon = form.fields["icon"].clean(form["icon"].data)
            self.icon_token = self.pending_icons().put(icon) if icon is not None else ""
        redrawn = self.get_form_class()(initial=initial, instance=form.instance)
        return self.render_to_response(self.get_context_data(form=redrawn))

    def form_invalid(self, form, status=400):
        self.icon_token = self.park_icon(form)
        return self.render_to_response(self.get_context_data(form=form), status=status)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(scope_groups=scope_catalog.groups(), icon_token=self.icon_token, blank_rows=[""])
        return context


class ApplicationCreateView(LoginRequiredMixin, ApplicationFormMixin, CreateView):
    form_class = ApplicationForm

    def get_object(self, queryset=None):
        return None  # a new application

    def form_valid(self, form):
        icon = form.cleaned_data["icon"]
        try:
            app, secret = register_application(form.instance, user=self.request.user, icon=icon)
        except DuplicateName:
            form.add_error(
                "name",
                ValidationError(
                    _("An app with this name was registered a moment ago. Choose another name."),
                    code="name_taken",
                ),
            )
            return self.form_invalid(form)
        except DatabaseError:
            logger.exception("Registration could not be saved")
            form.add_error(
                None,
                ValidationError(
                    _("The application could not be saved just now; nothing was stored. Please save again."),
                    code="save_failed",
                ),
            )
            response = self.form_invalid(form, status=503)
            # Django does not save the session on a 5xx; keep the parked icon anyway.
            with contextlib.suppress(DatabaseError):
                self.request.session.save()
            return response
        self.pending_icons().discard(icon.sha256)
        if secret:
            credentials.stash(self.request, app, secret, "created")
        return redirect("oauth_apps:credentials", pk=app.pk)


class ApplicationCredentialsView(OwnedApplicationMixin, DetailView):
    """The client ID, and the secret exactly once, right after it was made."""

    template_name = "oauth_apps/application_credentials.html"
    context_object_name = "app"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        # Only the owner or a co-maintainer ever takes a secret out of the stash (oauth_apps/credentials.py);
        # the stash is the session's own, so it holds only a secret this person made.
        sees = may_see_secret(self.request.user, self.object)
        stashed = credentials.take(self.request, self.object) if sees else None
        context["secret"] = stashed.secret if stashed else None
        context["secret_shown"] = stashed is not None
        context["reason"] = stashed.reason if stashed else ""
        return context

    def render_to_response(self, context, **kwargs):
        response = super().render_to_response(context, **kwargs)
        response["Cache-Control"] = "no-store"
        return response


class ApplicationDetailView(OwnedApplicationMixin, DetailView):
    """The Info page: every fact, the consent screen as users see it, the history."""

    template_name = "oauth_apps/application_detail.html"
    context_object_name = "app"

    def get_queryset(self):
        return (
            super().get_queryset().select_related("user", "modified_by", "reviewed_by").defer("client_secret")
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        app = self.object
        first_redirect = app.redirect_uri_list[0] if app.redirect_uris else ""
        can = abilities(self.request.user, app)
        context.update(
            history=AuditEvent.objects.filter(application_pk=app.pk)[:HISTORY_LENGTH],
            can=can,
            # Someone else (support staff) gave the app a secret nobody was shown: tell those who run it.
            secret_reset_by_other=secret_made_by_someone_else(app) if can["see_secret"] else None,
            maintainer_count=Maintainer.objects.filter(application=app).count(),
            # The preview is the real consent screen, as the Auth button's link would open it.
            **consent_context(app, app.scope_names, first_redirect),
        )
        return context


def secret_made_by_someone_else(app) -> AuditEvent | None:
    """The event that last gave `app` a secret, if someone other than its owner did it.

    Staff who reset a secret (or make a public client confidential) never see the
    new secret; the owner learns from this on the app's page that the secret they
    hold stopped working and that a reset gives them one they can see.
    """
    latest = (
        AuditEvent.objects.filter(application_pk=app.pk)
        .filter(
            Q(action=AuditAction.SECRET_RESET)
            | Q(action=AuditAction.CREATE)
            | Q(action=AuditAction.UPDATE, changes__client_type__new=ClientType.CONFIDENTIAL)
        )
        .only("actor_id", "actor_name", "action", "created")
        .first()
    )
    if latest is None or latest.action == AuditAction.CREATE or latest.actor_id == app.user_id:
        return None
    if Maintainer.objects.filter(application=app, user_id=latest.actor_id).exists():
        return None  # a co-maintainer made it, and was shown it
    return latest


class DescribedByDocument(Exception):
    def __init__(self, app):
        super().__init__(app.pk)
        self.app = app


class ApplicationUpdateView(OwnedApplicationMixin, ApplicationFormMixin, UpdateView):
    """Edit every field; a save based on an older version is refused, never merged."""

    form_class = ApplicationEditForm
    context_object_name = "app"
    conflict = None
    access_action = Action.CHANGE

    def get_context_data(self, **kwargs):
        return super().get_context_data(conflict=self.conflict, **kwargs)

    def get_object(self, queryset=None):
        app = super().get_object(queryset)
        if app.described_by_document:
            raise DescribedByDocument(app)
        return app

    def dispatch(self, request, *args, **kwargs):
        try:
            return super().dispatch(request, *args, **kwargs)
        except DescribedByDocument as described:
            # No form to offer: the next fetch of the document would undo any edit.
            messages.info(request, DESCRIBED_BY_DOCUMENT)
            return redirect(described.app)

    def form_valid(self, form):
        try:
            result = update_application(form, actor=self.request.user)
        except DuplicateName:
            form.add_error(
                "name",
                ValidationError(
                    _("An app with this name was saved a moment ago. Choose another name."), code="name_taken"
                ),
            )
            return self.form_invalid(form)
        except EditConflict as conflict:
            if conflict.current is None:
                raise Http404 from None
            return self.render_conflict(form, conflict.current)
        if form.cleaned_data.get("icon") is not None:
            self.pending_icons().discard(form.cleaned_data["icon"].sha256)
        return self.saved(result)

    def saved(self, result):
        request = self.request
        if not result.changed:
            messages.info(request, _("Nothing changed, so nothing was saved."))
            return redirect(result.app)
        if result.revoked:
            messages.warning(
                request,
                _("Scopes were taken away, so every existing token and authorization was revoked."),
            )
        if "review_state" in result.changes:
            if result.app.review_state == ReviewState.PENDING:
                messages.info(request, _("The app was submitted for review again."))
            else:
                messages.info(request, _("The portal no longer reviews new apps, so the app is approved."))
        if result.secret and may_see_secret(request.user, result.app):
            credentials.stash(request, result.app, result.secret, "confidential")
            messages.success(request, _("Saved. The app is now a confidential client with a new secret."))
            return redirect("oauth_apps:credentials", pk=result.app.pk)
        if result.secret:
            messages.success(
                request,
                _(
                    "Saved. The app is now a confidential client. Its new secret is shown to nobody: "
                    "its owner is told on the app's page to reset it to get one."
                ),
            )
            return redirect(result.app)
        messages.success(request, _("Saved your changes to %(name)s.") % {"name": result.app.name})
        return redirect(result.app)

    def render_conflict(self, form, current):
        """Show what was saved meanwhile; the next Save is judged against that version."""
        expected_version = form.cleaned_data["version"]
        self.object = current
        self.conflict = {
            "events": AuditEvent.objects.filter(
                application_pk=current.pk, app_version__gt=expected_version
            ).order_by("created", "id"),
            "version": current.version,
        }
        form.set_version(current.version)
        return self.form_invalid(form, status=409)


def safe_next(request, default: str) -> str:
    """The page to return to after an action: a local URL from `next`, else `default`."""
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return default


class ConfirmView(OwnedApplicationMixin, SingleObjectMixin, TemplateResponseMixin, View):
    """GET shows a real confirmation page (JS may show it as a dialog); POST acts."""

    template_name = "oauth_apps/confirm.html"
    context_object_name = "app"

    def get_queryset(self):
        return super().get_queryset().defer("client_secret")

    def get(self, request, *args, **kwargs):
        self.object = self.get_object()
        context = self.get_context_data(
            next=safe_next(request, self.object.get_absolute_url()),
            cancel_url=safe_next(request, self.object.get_absolute_url()),
            action_url=request.path,
            **self.confirmation(),
        )
        return self.render_to_response(context)

    def post(self, request, *args, **kwargs):
        self.object = self.get_object()
        return self.perform()

    # What the page asks; "%(name)s" in the title or message stands for the app's name.
    # A view whose page says more overrides confirmation().
    title = message = warning = button = ""
    button_class = "danger"

    def confirmation(self) -> dict:
        names = {"name": self.object.name}
        return {
            "title": self.title % names,
            "message": self.message % names,
            "warning": self.warning,
            "button": self.button,
            "button_class": self.button_class,
        }

    def perform(self):
        raise NotImplementedError


REVOKES_AUTHORIZATIONS = gettext_lazy("All active consents and authorizations will be revoked.")


class ApplicationDisableView(ConfirmView):
    access_action = Action.CHANGE

    title = gettext_lazy("Disable %(name)s?")
    message = gettext_lazy("The app will no longer be able to sign users in or obtain tokens.")
    warning = REVOKES_AUTHORIZATIONS
    button = gettext_lazy("Disable")

    def perform(self):
        if set_enabled(self.object, actor=self.request.user, enabled=False):
            messages.success(
                self.request,
                _("%(name)s is disabled; its authorizations were revoked.") % {"name": self.object.name},
            )
        return redirect(safe_next(self.request, self.object.get_absolute_url()))


class ApplicationEnableView(OwnedApplicationMixin, SingleObjectMixin, View):
    """Enabling takes nothing away from anyone, so it needs no confirmation."""

    http_method_names = ["post"]
    access_action = Action.CHANGE

    def post(self, request, *args, **kwargs):
        self.object = self.get_object()
        if set_enabled(self.object, actor=request.user, enabled=True):
            messages.success(request, _("%(name)s is enabled.") % {"name": self.object.name})
        return redirect(safe_next(request, self.object.get_absolute_url()))


class ApplicationResetSecretView(ConfirmView):
    access_action = Action.RESET_SECRET

    def get_queryset(self):
        return super().get_queryset().filter(client_type=ClientType.CONFIDENTIAL)

    title = gettext_lazy("Reset the secret of %(name)s?")
    message = gettext_lazy(
        "A new secret is made and shown once. The current secret stops working immediately, "
        "so update the app's configuration right away."
    )
    warning = REVOKES_AUTHORIZATIONS
    button = gettext_lazy("Reset secret")

    def perform(self):
        limited = ratelimit.check(self.request, "secret_reset")
        if limited is not None:
            return limited
        secret = reset_secret(self.object, actor=self.request.user)
        if may_see_secret(self.request.user, self.object):
            credentials.stash(self.request, self.object, secret, "reset")
            return redirect("oauth_apps:credentials", pk=self.object.pk)
        # Staff: the secret is reset, and shown to nobody.
        messages.success(
            self.request,
            _(
                "The secret of %(name)s was reset: the old one no longer works. The new secret is shown "
                "to nobody; the owner is told on the app's page to reset it to get one they can see."
            )
            % {"name": self.object.name},
        )
        return redirect(self.object)


class ApplicationRotateSecretView(ConfirmView):
    """A new secret while the current one keeps working for a chosen time (services.rotate_secret).

    The owner's alone (oauth_apps/access.py). A public client, or an app whose
    previous rotation still accepts its old secret, gets the page with the
    reason instead of the form (409).
    """

    template_name = "oauth_apps/rotate_secret.html"
    access_action = Action.ROTATE_SECRET

    title = gettext_lazy("Rotate the secret of %(name)s?")
    message = gettext_lazy(
        "A new secret is made and shown once. The current secret keeps working until the time you "
        "choose, so you can move every instance of the app to the new one without downtime. "
        "Tokens are not revoked."
    )
    button = gettext_lazy("Rotate secret")
    button_class = "primary"

    def refusal(self) -> tuple[str, str] | None:
        """(code, message) when this app cannot be rotated now; the codes are the API's too."""
        if self.object.is_public:
            return "public_client", _(
                "A public client has no secret to rotate: it proves itself with PKCE alone."
            )
        if self.object.rotation_in_progress:
            return RotationInProgress.code, _(
                "The old secret of the last rotation still works. End it on the app's page before "
                "rotating again, so no instance is cut off by surprise."
            )
        return None

    def render_form(self, form, status=200):
        refusal = self.refusal()
        back = safe_next(self.request, self.object.get_absolute_url())
        context = self.get_context_data(
            next=back,
            cancel_url=back,
            action_url=self.request.path,
            form=None if refusal else form,
            refusal_code=refusal[0] if refusal else "",
            refusal=refusal[1] if refusal else "",
            **self.confirmation(),
        )
        return self.render_to_response(context, status=409 if refusal else status)

    def get(self, request, *args, **kwargs):
        self.object = self.get_object()
        return self.render_form(RotateSecretForm())

    def post(self, request, *args, **kwargs):
        self.object = self.get_object()
        form = RotateSecretForm(request.POST)
        if self.refusal() or not form.is_valid():
            return self.render_form(form, status=400)
        limited = ratelimit.check(request, "secret_reset")
        if limited is not None:
            return limited
        try:
            rotation = rotate_secret(self.object, actor=request.user, grace=form.cleaned_data["grace_period"])
        except RotationInProgress:
            self.object.refresh_from_db()
            return self.render_form(form)
        credentials.stash(request, self.object, rotation.secret, "rotated")
        return redirect("oauth_apps:credentials", pk=self.object.pk)


class ApplicationEndRotationView(ConfirmView):
    """The owner ends a rotation's old secret before its time (services.end_rotation)."""

    access_action = Action.ROTATE_SECRET

    title = gettext_lazy("End the old secret of %(name)s now?")
    message = gettext_lazy(
        "Only the new secret works from now on. An instance of the app still using the old one "
        "can no longer get tokens."
    )
    button = gettext_lazy("End the old secret")

    def perform(self):
        if end_rotation(self.object, actor=self.request.user):
            messages.success(
                self.request,
                _("The old secret of %(name)s no longer works.") % {"name": self.object.name},
            )
        else:
            messages.info(self.request, _("No old secret was working, so nothing changed."))
        return redirect(safe_next(self.request, self.object.get_absolute_url()))


class ApplicationDeleteView(ConfirmView):
    access_action = Action.DELETE

    title = gettext_lazy("Delete %(name)s?")
    message = gettext_lazy(
        "The application “%(name)s”, its tokens and its grants are deleted. This cannot be undone; "
        "its change history is kept."
    )
    warning = REVOKES_AUTHORIZATIONS
    button = gettext_lazy("Delete")

    def perform(self):
        name, own_page = self.object.name, self.object.get_absolute_url()
        delete_application(self.object, actor=self.request.user)
        messages.success(self.request, _("%(name)s was deleted.") % {"name": name})
        target = safe_next(self.request, reverse("oauth_apps:list"))
        if target.split("?")[0].startswith(own_page):
            target = reverse("oauth_apps:list")
        return redirect(target)


class BulkActionView(OwnedApplicationMixin, TemplateResponseMixin, View):
    """Enable, disable or delete the apps ticked in the list, after a confirmation.

    Ids come from the browser and are only a wish: the action applies to the
    ones this user may see, and silently skips the rest.
    """

    template_name = "oauth_apps/confirm.html"
    # What each bulk action needs on every app it touches (oauth_apps/access.py).
    actions = {"enable": Action.CHANGE, "disable": Action.CHANGE, "delete": Action.DELETE}

    def selection(self, params):
        action = params.get("action")
        if action not in self.actions:
            return None, []
        self.access_action = self.actions[action]
        ids = [pk for pk in map(parse_pk, params.getlist("ids")) if pk is not None][:MAX_BULK]
        apps = self.get_queryset().filter(pk__in=ids).defer("client_secret").order_by(Lower("name"))
        return action, list(apps)

    def nothing_selected(self, request):
        messages.warning(request, _("Select at least one application first."))
        return redirect(safe_next(request, reverse("oauth_apps:list")))

    def get(self, request, *args, **kwargs):
        action, apps = self.selection(request.GET)
        if action is None or not apps:
            return self.nothing_selected(request)
        count = len(apps)
        texts = {
            "enable": (
                ngettext("Enable %(count)d application?", "Enable %(count)d applications?", count),
                _("Enable"),
                "",
                "primary",
            ),
            "disable": (
                ngettext("Disable %(count)d application?", "Disable %(count)d applications?", count),
                _("Disable"),
                str(REVOKES_AUTHORIZATIONS),
                "danger",
            ),
            "delete": (
                ngettext("Delete %(count)d application?", "Delete %(count)d applications?", count),
                _("Delete"),
                _("Their tokens and grants are deleted, all authorizations revoked. This cannot be undone."),
                "danger",
            ),
        }
        title, button, warning, button_class = texts[action]
        back = safe_next(request, reverse("oauth_apps:list"))
        context = {
            "title": title % {"count": count},
            "message": _("These applications are affected:"),
            "warning": warning,
            "button": f"{button} ({count})",
            "button_class": button_class,
            "app_names": [app.name for app in apps],
            "hidden": [("action", action), *(("ids", app.pk) for app in apps)],
            "action_url": request.path,
            "next": back,
            "cancel_url": back,
        }
        return self.render_to_response(context)

    def post(self, request, *args, **kwargs):
        action, apps = self.selection(request.POST)
        if action is None or not apps:
            return self.nothing_selected(request)
        if action == "delete":
            count = bulk_delete(apps, actor=request.user)
            text = ngettext("%(count)d application deleted.", "%(count)d applications deleted.", count)
        else:
            count = bulk_set_enabled(apps, actor=request.user, enabled=action == "enable")
            if action == "enable":
                text = ngettext("%(count)d application enabled.", "%(count)d applications enabled.", count)
            else:
                text = ngettext("%(count)d application disabled.", "%(count)d applications disabled.", count)
        messages.success(request, text % {"count": count})
        return redirect(safe_next(request, reverse("oauth_apps:list")))


def _icon_response(data: bytes, content_type: str, etag: str, request) -> HttpResponse:
    if request.headers.get("If-None-Match") == etag:
        response = HttpResponseNotModified()
    else:
        response = HttpResponse(data, content_type=content_type)
    response["ETag"] = etag
    response["Content-Security-Policy"] = ICON_CSP
    response["X-Content-Type-Options"] = "nosniff"
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    return response


@cache_control(public=True, max_age=31536000, immutable=True)
def icon(request, sha256):
    """A stored icon: the URL holds the content hash, so it may be cached for ever."""
    stored = get_object_or_404(Icon, sha256=sha256)
    return _icon_response(bytes(stored.data), stored.content_type, f'"{sha256}"', request)


class PendingIconView(LoginRequiredMixin, View):
    """Preview of an icon parked in this user's session (see pending_icons)."""

    def get(self, request, sha256):
        pending = PendingIcons(request.session).get(sha256)
        if pending is None:
            raise Http404
        response = _icon_response(pending.data, pending.content_type, f'"{sha256}"', request)
        response["Cache-Control"] = "private, max-age=600"
        return response


def home(request):
    if request.user.is_authenticated:
        return redirect("oauth_apps:list")
    messages.info(request, _("Sign in to manage OAuth applications."))
    return redirect("login")
