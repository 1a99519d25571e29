"""The application list: search, sort, filters, pagination, bulk actions, query count."""

import pytest
from django.db import connection
from django.urls import reverse

from oauth_apps import services
from oauth_apps.listing import ListQuery
from oauth_apps.models import AuditAction, AuditEvent, OAuthApplication

from .conftest import grant
from .helpers import give_tokens, token_count

LIST_URL = reverse("oauth_apps:list")
BULK_URL = reverse("oauth_apps:bulk")


def names(response):
    return [app.name for app in response.context["applications"]]


@pytest.fixture
def three_apps(user, make_app):
    alpha, _ = make_app(user, name="Alpha Calendar", scopes=["files:read"])
    beta, _ = make_app(user, name="beta Mail", scopes=["rooms:read", "rooms:write"])
    gamma, _ = make_app(user, name="Gamma Calendar", scopes=["openid"])
    services.set_enabled(beta, actor=user, enabled=False)
    return alpha, beta, gamma


def test_newest_first_by_default(user_client, three_apps):
    assert names(user_client.get(LIST_URL)) == ["Gamma Calendar", "beta Mail", "Alpha Calendar"]


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("name", ["Alpha Calendar", "beta Mail", "Gamma Calendar"]),
        ("-name", ["Gamma Calendar", "beta Mail", "Alpha Calendar"]),
        ("created", ["Alpha Calendar", "beta Mail", "Gamma Calendar"]),
        ("-updated", ["beta Mail", "Gamma Calendar", "Alpha Calendar"]),
    ],
)
def test_sorts(user_client, three_apps, sort, expected):
    assert names(user_client.get(LIST_URL, {"sort": sort})) == expected


def test_search_by_name_ignores_case_and_matches_anywhere(user_client, three_apps):
    assert names(user_client.get(LIST_URL, {"q": "CALENDAR", "sort": "name"})) == [
        "Alpha Calendar",
        "Gamma Calendar",
    ]


def test_search_by_client_id(user_client, three_apps):
    assert names(user_client.get(LIST_URL, {"q": three_apps[1].client_id})) == ["beta Mail"]


def test_filter_by_state_and_scope(user_client, three_apps):
    assert names(user_client.get(LIST_URL, {"state": "disabled"})) == ["beta Mail"]
    assert names(user_client.get(LIST_URL, {"scope": "openid"})) == ["Gamma Calendar"]
    assert names(user_client.get(LIST_URL, {"state": "enabled", "scope": "rooms:write"})) == []


def test_no_match_says_so_and_offers_to_clear(user_client, three_apps):
    page = user_client.get(LIST_URL, {"q": "zzz"}).content.decode()
    assert "No applications match" in page


def test_bad_parameters_fall_back_to_defaults(user_client, three_apps):
    response = user_client.get(
        LIST_URL, {"sort": "password", "state": "x", "scope": "nope", "per_page": "7", "page": "x"}
    )
    assert response.status_code == 200
    assert response.context["query"] == ListQuery()


def test_page_size_and_total_count(user_client, user, make_app):
    for _ in range(12):
        make_app(user)
    response = user_client.get(LIST_URL, {"per_page": "10", "page": "2"})
    assert len(response.context["applications"]) == 2
    assert response.context["paginator"].count == 12
    assert "12 applications" in response.content.decode()


def test_past_the_count_limit_the_list_says_more_than_and_pages_stop_there(
    user_client, user, make_app, monkeypatch
):
    monkeypatch.setattr("oauth_apps.listing.COUNT_LIMIT", 12)
    apps = [make_app(user, scopes=["openid"])[0] for _ in range(14)]
    newest_first = [app.name for app in reversed(apps)]
    response = user_client.get(LIST_URL, {"per_page": "10"})
    page = response.content.decode()
    assert "More than 12 applications" in page
    assert "The pages show the first 12" in page
    assert response.context["paginator"].capped
    assert response.context["paginator"].num_pages == 2
    assert names(response) == newest_first[:10]
    # A page past the end is the last page, which ends at the limit: never the two oldest.
    last = user_client.get(LIST_URL, {"per_page": "10", "page": "99"})
    assert names(last) == newest_first[10:12]
    filtered = user_client.get(LIST_URL, {"scope": "openid"}).content.decode()
    assert "More than 12 applications match" in filtered
    oldest_first = user_client.get(LIST_URL, {"sort": "created", "per_page": "10"})
    assert names(oldest_first) == [app.name for app in apps][:10]


def test_at_the_count_limit_the_count_is_exact(user_client, user, make_app, monkeypatch):
    monkeypatch.setattr("oauth_apps.listing.COUNT_LIMIT", 5)
    for _ in range(5):
        make_app(user)
    response = user_client.get(LIST_URL)
    page = response.content.decode()
    assert "5 applications" in page
    assert "More than" not in page
    assert "The pages show" not in page
    assert not response.context["paginator"].capped


def test_a_page_past_the_end_shows_the_last_page(user_client, three_apps):
    response = user_client.get(LIST_URL, {"per_page": "10", "page": "99"})
    assert response.status_code == 200
    assert len(response.context["applications"]) == 3


def test_links_keep_the_query(user_client, user, make_app):
    for _ in range(11):
        make_app(user, scopes=["openid"])
    page = user_client.get(LIST_URL, {"scope": "openid", "per_page": "10", "sort": "name"}).content.decode()
    assert 'href="?scope=openid&amp;per_page=10&amp;sort=name&amp;page=2"' in page


def test_ordinary_users_see_only_their_apps(client, other_user, three_apps):
    client.force_login(other_user)
    assert names(client.get(LIST_URL)) == []


def test_staff_see_every_app_only_with_the_permission(client, staff_user, three_apps):
    client.force_login(staff_user)
    assert len(names(client.get(LIST_URL))) == 0  # is_staff alone is no master key (issue 13)
    grant(staff_user, "view_all_applications")
    assert len(names(client.get(LIST_URL))) == 3


# --- a fixed number of queries -------------------------------------------------------

# Session, user, the ids of the apps the user co-maintains, one COUNT, one page of rows
# (owners joined in, each row's role as an EXISTS), and the count of apps offered to the user (the banner).
LIST_QUERIES = 6
# On SQLite a name search of three characters or more reads the trigram index once, first
# (ListQuery.matching_ids); the count and the page then look its matches up by id.
SEARCH_QUERIES = LIST_QUERIES + (connection.vendor == "sqlite")


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"page": "2", "per_page": "10"},
        {"q": "app", "state": "enabled", "scope": "files:read", "sort": "name"},
        {"sort": "-updated", "per_page": "100"},
        {"source": "manual", "state": "enabled"},
    ],
)
def test_list_query_count_does_not_grow_with_the_number_of_apps(
    user_client, user, make_app, django_assert_num_queries, params
):
    queries = SEARCH_QUERIES if params.get("q") else LIST_QUERIES
    for _ in range(3):
        make_app(user)
    with django_assert_num_queries(queries):
        small = user_client.get(LIST_URL, params)
    for _ in range(30):
        make_app(user)
    with django_assert_num_queries(queries):
        large = user_client.get(LIST_URL, params)
    assert len(large.context["applications"]) >= len(small.context["applications"]) > 0


def test_staff_list_query_count_is_the_same(
    client, staff_user, user, other_user, make_app, django_assert_num_queries
):
    for owner in (user, other_user, user):
        make_app(owner)
    client.force_login(grant(staff_user, "view_all_applications"))
    # No co-maintained ids to read (they see every app), plus the staff member's own and
    # group permissions, read in one query once per request (accounts/backends.py).
    with django_assert_num_queries(SEARCH_QUERIES):
        response = client.get(LIST_URL, {"q": "number", "sort": "-name"})
    assert len(response.context["applications"]) == 3


# --- bulk actions -----------------------------------------------------------------


def test_bulk_confirmation_names_how_many(user_client, three_apps):
    alpha, beta, _ = three_apps
    response = user_client.get(BULK_URL, {"action": "delete", "ids": [alpha.pk, beta.pk]})
    page = response.content.decode()
    assert "Delete 2 applications?" in page
    assert "Alpha Calendar" in page
    assert OAuthApplication.objects.count() == 3


@pytest.mark.parametrize(("action", "enabled"), [("disable", False), ("enable", True)])
def test_bulk_enable_and_disable(user_client, user, three_apps, action, enabled):
    alpha, beta, gamma = three_apps
    response = user_client.post(BULK_URL, {"action": action, "ids": [alpha.pk, beta.pk, gamma.pk]})
    assert response.status_code == 302
    assert set(OAuthApplication.objects.values_list("enabled", flat=True)) == {enabled}


def test_bulk_disable_revokes_and_records_each_app(user_client, user, other_user, three_apps):
    alpha, _, gamma = three_apps
    give_tokens(alpha, other_user)
    user_client.post(BULK_URL, {"action": "disable", "ids": [alpha.pk, gamma.pk]})
    assert token_count(alpha.pk) == 0
    assert AuditEvent.objects.filter(action=AuditAction.DISABLE).count() == 3  # beta was disabled earlier


def test_bulk_delete(user_client, three_apps):
    alpha, beta, gamma = three_apps
    user_client.post(BULK_URL, {"action": "delete", "ids": [alpha.pk, gamma.pk]})
    assert list(OAuthApplication.objects.values_list("name", flat=True)) == ["beta Mail"]
    assert AuditEvent.objects.filter(action=AuditAction.DELETE).count() == 2


@pytest.mark.parametrize("action", ["enable", "disable", "delete"])
def test_bulk_ignores_a_forged_id_of_another_users_app(client, other_user, user, make_app, action):
    mine, _ = make_app(other_user, name="Mallory Own")
    theirs, _ = make_app(user, name="Victim App")
    services.set_enabled(theirs, actor=user, enabled=action == "disable")
    theirs.refresh_from_db()
    client.force_login(other_user)
    confirm = client.get(BULK_URL, {"action": action, "ids": [mine.pk, theirs.pk]}).content.decode()
    client.post(BULK_URL, {"action": action, "ids": [mine.pk, theirs.pk]})
    theirs_after = OAuthApplication.objects.get(pk=theirs.pk)
    assert "Victim App" not in confirm
    assert (theirs_after.version, theirs_after.enabled) == (theirs.version, theirs.enabled)
    assert not AuditEvent.objects.filter(application_pk=theirs.pk, actor=other_user).exists()


def test_bulk_with_only_forged_ids_does_nothing(client, other_user, user, make_app):
    theirs, _ = make_app(user)
    client.force_login(other_user)
    response = client.post(BULK_URL, {"action": "delete", "ids": [theirs.pk]}, follow=True)
    assert OAuthApplication.objects.filter(pk=theirs.pk).exists()
    assert "Select at least one application" in response.content.decode()


def test_bulk_with_an_unknown_action_does_nothing(user_client, three_apps):
    user_client.post(BULK_URL, {"action": "drop", "ids": [three_apps[0].pk]})
    assert OAuthApplication.objects.count() == 3


def test_row_links_are_the_real_urls(user_client, three_apps):
    page = user_client.get(LIST_URL).content.decode()
    alpha = three_apps[0]
    row = page.split(f'data-app-id="{alpha.pk}"')[1].split("</tr>")[0]
    assert 'data-may="change reset_secret rotate_secret delete enabled confidential editable"' in row
    assert f'action="{reverse("oauth_apps:disable", args=[alpha.pk])}"' in row
    # The ⋯ link goes to the Info page (every action is there) until JavaScript opens the menu.
    assert f'href="{alpha.get_absolute_url()}" data-row-menu' in row
    # The menu, rendered once, holds reversed URLs for a placeholder id that the script
    # replaces with the row's: with alpha's id in place they are alpha's real URLs.
    template = page.split('<template id="row-menu-template"')[1].split("</template>")[0]
    placeholder = template.split('data-pk="')[1].split('"')[0]
    menu = template.replace(f"/{placeholder}/", f"/{alpha.pk}/")
    for name in (
        "oauth_apps:detail",
        "oauth_apps:edit",
        "oauth_apps:disable",
        "oauth_apps:reset_secret",
        "oauth_apps:rotate_secret",
        "oauth_apps:delete",
        "authserver:developer_tools",
    ):
        assert f'data-href="{reverse(name, args=[alpha.pk])}' in menu, name
    assert f'data-action="{reverse("oauth_apps:enable", args=[alpha.pk])}"' in menu


def test_the_row_menu_is_rendered_once_whatever_the_number_of_rows(user_client, user, make_app):
    for _ in range(12):
        make_app(user)
    page = user_client.get(LIST_URL, {"per_page": 10}).content.decode()
    assert page.count("data-row-menu") == 10
    assert page.count('id="row-menu-template"') == 1
    assert page.count("Reset secret") == 1


def test_the_info_page_behind_the_row_menu_link_offers_every_action(user_client, three_apps):
    alpha = three_apps[0]
    info = user_client.get(alpha.get_absolute_url()).content.decode()
    for name in ("edit", "disable", "reset_secret", "delete"):
        assert reverse(f"oauth_apps:{name}", args=[alpha.pk]) in info
    for anchor in ("auth-button", "developer-token", "revoke-token"):
        assert reverse("authserver:developer_tools", args=[alpha.pk]) + f"#{anchor}" in info


def test_list_breadcrumb_ends_at_the_oauth_tab(user_client):
    page = user_client.get(reverse("oauth_apps:list"), {"q": "x"}).content.decode()
    breadcrumb = page.split('<nav class="breadcrumbs"')[1].split("</nav>")[0]
    assert "/settings/developer-tools/oauth/" not in breadcrumb.replace(
        'href="/settings/developer-tools/oauth/"', ""
    )
    assert 'aria-current="page"' not in breadcrumb


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's plan; PostgreSQL's follows statistics")
@pytest.mark.parametrize("state", ["enabled", "disabled"])
def test_the_state_filter_searches_its_index_instead_of_scanning_every_app(db, state):
    """The count and the page of a state (+ scope) filter read that state's entries only, by its index."""
    queryset = ListQuery(state=state, scope="rooms:write").apply(OAuthApplication.objects.all())
    counted = queryset.order_by().values("pk")[:10_001]
    for plan in (counted.explain(), queryset.values("pk")[100:200].explain()):
        assert "SEARCH oauth_apps_oauthapplication USING COVERING INDEX oauth_app_state_created_idx" in plan
        assert "SCAN oauth_apps_oauthapplication" not in plan


@pytest.mark.parametrize("sort", ["-created", "created", "-updated", "updated", "name", "-name"])
@pytest.mark.parametrize("params", [{}, {"state": "disabled"}, {"q": "number"}])
def test_the_rows_query_written_once_reads_what_the_orm_reads(user, other_user, make_app, sort, params):
    """`page_values` writes the rows' outer query itself (oauth_apps/views.py `rows_sql`): the same rows,
    values and types as the ORM's `values_list(*ROW_COLUMNS)` of the same page, in every sort."""
    from django.db.models import Exists, OuterRef

    from oauth_apps.models import Maintainer
    from oauth_apps.views import LIST_COLUMNS, OWNER_COLUMNS, ROW_COLUMNS, page_values

    apps = [make_app(owner)[0] for owner in (user, other_user, other_user, user, other_user)]
    Maintainer.objects.create(application=apps[1], user=user)
    OAuthApplication.objects.filter(pk__in=[apps[0].pk, apps[2].pk]).update(enabled=False)
    OAuthApplication.objects.filter(pk=apps[4].pk).update(user=None)
    query = ListQuery(sort=sort, **params)
    everything = OAuthApplication.objects.all()
    ids = query.apply(everything).values("pk")[1:4]
    co_maintained = Exists(Maintainer.objects.filter(application=OuterRef("pk"), user=user))
    annotated = everything.only(*LIST_COLUMNS).annotate(**OWNER_COLUMNS, co_maintained=co_maintained)
    orm = list(query.order(annotated).filter(pk__in=ids).values_list(*ROW_COLUMNS))
    written = page_values("default", ids, sort, user)
    assert [tuple(row) for row in written] == [tuple(row) for row in orm]
    assert [[type(value) for value in row] for row in written] == [
        [type(value) for value in row] for row in orm
    ]
    assert orm


QUERIES = ["", "page=2", "q=caf%C3%A9+%26+co&state=disabled&page=3", "a=1&a=2&sort=-name", "x=%E2%9C%93&y="]


@pytest.mark.parametrize("query", QUERIES)
def test_page_links_write_what_the_querystring_tag_writes(query):
    """QueryString (the column headers' and pages' links) encodes each value once per page: the same text as
    changing a copy of the query and urlencode() it, as `{% querystring %}` does."""
    import copy

    from django.http import QueryDict
    from django.utils.html import escape

    from oauth_apps.views import QueryString

    params = QueryDict(query)
    links = QueryString(params)
    for changes in ({"page": 5}, {"sort": "name", "page": None}, {"page": None}, {"q": "a b&c"}, {"a": None}):
        expected = copy.copy(params)
        for key, value in changes.items():
            if value is None:
                expected.pop(key, None)
            else:
                expected[key] = value
        assert links(**changes) == (escape(f"?{expected.urlencode()}") if expected or params else "")


def test_pagination_marks_gaps_and_the_current_page():
    from django.core.paginator import Paginator
    from django.utils import translation

    from oauth_apps.views import pages_html

    paginator = Paginator(range(200), 10)
    numbers = paginator.get_elided_page_range(10, on_each_side=2, on_ends=1)
    page_range = [(n, None if n is paginator.ELLIPSIS else f"?page={n}") for n in numbers]
    with translation.override("en"):
        html = pages_html(page_range, 10, paginator.ELLIPSIS)
    assert html.count('<span aria-hidden="true">…</span>') == 2
    assert '<span aria-current="page">10</span>' in html
    assert '<a href="?page=1"><span class="visually-hidden">Page </span>1</a>' in html
    assert '<a href="?page=20">' in html
    assert '<a href="?page=5">' not in html
