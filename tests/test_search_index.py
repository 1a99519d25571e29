"""Name search is answered by an index on both databases and stays in step with every write."""

import io

import pytest
from django.core.management import call_command
from django.db import connection
from django.urls import reverse

from oauth_apps import search_index, services
from oauth_apps.listing import CappedPaginator, ListQuery
from oauth_apps.models import OAuthApplication

from .test_list import SEARCH_QUERIES
from .test_managing import post_data

LIST_URL = reverse("oauth_apps:list")
sqlite_only = pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's own index")


def found(q, queryset=None) -> list[str]:
    queryset = OAuthApplication.objects.all() if queryset is None else queryset
    return sorted(ListQuery(q=q).apply(queryset).values_list("name", flat=True))


@pytest.fixture
def apps(user, make_app):
    return [
        make_app(user, name=name)[0]
        for name in ("Team Calendar", "calendar sync", "Mail 100% ready", 'Say "hello" bot', "École Planner")
    ]


def test_search_finds_text_anywhere_in_the_name_in_any_case(apps):
    assert found("CALENDAR") == ["Team Calendar", "calendar sync"]
    assert found("endar sy") == ["calendar sync"]
    assert found("nothing like it") == []


@pytest.mark.parametrize(
    ("q", "expected"),
    [("100%", ["Mail 100% ready"]), ('"hello"', ['Say "hello" bot']), ("l_o", []), ("%%%", [])],
)
def test_search_text_is_literal_never_a_pattern_or_query_syntax(apps, q, expected):
    assert found(q) == expected


def test_searches_shorter_than_a_trigram_still_work(apps):
    assert found("ma") == ["Mail 100% ready"]


def test_an_edit_a_rename_and_a_delete_keep_the_index_in_step(user, user_client, apps):
    team = apps[0]
    response = user_client.post(
        reverse("oauth_apps:edit", args=[team.pk]), post_data(team, name="Team Agenda")
    )
    assert response.status_code == 302
    assert found("calendar") == ["calendar sync"]
    assert found("agenda") == ["Team Agenda"]
    services.delete_application(apps[1], actor=user)
    assert found("calendar") == []


def test_apps_written_without_the_services_are_found(db):
    call_command("seed_apps", count=30, seed=3, stdout=io.StringIO())
    name = OAuthApplication.objects.order_by("pk").values_list("name", flat=True)[17]
    assert name in found(name[2:-1])


def test_the_list_page_searches_through_the_index(user_client, apps, django_assert_num_queries):
    with django_assert_num_queries(SEARCH_QUERIES):
        response = user_client.get(LIST_URL, {"q": "calend"})
    assert [app.name for app in response.context["applications"]] == ["calendar sync", "Team Calendar"]


@sqlite_only
def test_on_sqlite_the_search_reads_the_trigram_index_not_the_table(apps, django_assert_num_queries):
    query = ListQuery(q="calendar", state="enabled")
    with django_assert_num_queries(1):  # the index, once, however often the query is used
        query.apply(OAuthApplication.objects.all())
        assert query.candidates("default") == 2  # what the search read, for the filter after it
        query.apply(OAuthApplication.objects.all())
    assert ListQuery(q="calendar").candidates("default") is None  # no filter after the search
    with connection.cursor() as cursor:
        sql, params = search_index.matching_ids_sql("calendar", 10)
        cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
        assert "VIRTUAL TABLE INDEX" in str(cursor.fetchall())
    # The apps it found are read by their ids, never by a scan of the table.
    plan = ListQuery(q="calendar").apply(OAuthApplication.objects.all()).explain()
    assert "INTEGER PRIMARY KEY" in plan
    assert f"SCAN {OAuthApplication._meta.db_table}" not in plan.replace(" USING COVERING INDEX", "|")


@sqlite_only
def test_a_common_word_reads_at_most_the_search_limit_of_matches(user_client, user, make_app, monkeypatch):
    """A word many names share stops at SEARCH_MATCH_LIMIT + 1 matches (the newest), not at every one."""
    monkeypatch.setattr("oauth_apps.listing.SEARCH_MATCH_LIMIT", 3)
    made = [make_app(user, name=f"Shared word {number}")[0] for number in range(6)]
    make_app(user, name="Something else")
    assert ListQuery(q="shared").apply(OAuthApplication.objects.all()).count() == 4  # 3 + 1 tell "more"
    response = user_client.get(LIST_URL, {"q": "shared word", "sort": "name"})
    assert "More than 3 applications match" in response.content.decode()
    assert response.context["paginator"].capped
    # The pages show 3 of the 4 newest matches the search read, in the asked order; never an older one.
    shown = [app.name for app in response.context["applications"]]
    assert shown == sorted(shown)
    assert len(shown) == 3
    assert set(shown) <= {app.name for app in made[2:]}
    # Under the limit the count is exact.
    assert "1 application matches" in user_client.get(LIST_URL, {"q": "something"}).content.decode()
    # A filter after a search that stopped at its limit saw only part of the matches: still "more than".
    services.set_enabled(made[5], actor=user, enabled=False)
    filtered = user_client.get(LIST_URL, {"q": "shared word", "state": "enabled"})
    assert filtered.context["paginator"].capped
    assert "More than 3 applications match" in filtered.content.decode()  # 5 do


@sqlite_only
def test_triggers_lost_in_a_table_rebuild_are_put_back_after_migrate(apps):
    with connection.cursor() as cursor:
        for name in search_index.TRIGGERS:
            cursor.execute(f"DROP TRIGGER {name}")
    OAuthApplication.objects.filter(pk=apps[0].pk).update(name="Team Agenda")  # the index misses this
    assert found("agenda") == []
    call_command("migrate", "oauth_apps", verbosity=0)  # nothing to migrate, post_migrate still runs
    assert found("agenda") == ["Team Agenda"]
    OAuthApplication.objects.filter(pk=apps[0].pk).update(name="Team Roster")
    assert found("agenda") == []
    assert found("roster") == ["Team Roster"]


@sqlite_only
def test_the_capped_count_of_a_search_over_nothing_is_zero(db):
    query = ListQuery(q="calendar", state="enabled")  # a filter after the search: its candidates are counted
    paginator = CappedPaginator(
        query.apply(OAuthApplication.objects.none()),
        20,
        limit=query.count_limit("default"),
        candidates=query.candidates("default"),
    )
    assert (paginator.count, paginator.capped) == (0, False)


@sqlite_only
@pytest.mark.parametrize("few_matches_length", [3, 100])
def test_a_long_search_reads_any_matches_first_and_still_gets_the_newest(
    user, make_app, monkeypatch, django_assert_num_queries, few_matches_length
):
    """A long text first asks the index for any matches (ListQuery.matching_ids): with no more than the limit
    they are all of them; with more, it asks again for the newest, as a short text does at once."""
    monkeypatch.setattr("oauth_apps.listing.SEARCH_MATCH_LIMIT", 3)
    monkeypatch.setattr("oauth_apps.listing.FEW_MATCHES_LENGTH", few_matches_length)
    made = [make_app(user, name=f"Shared word {number}")[0] for number in range(6)]
    few = [make_app(user, name=f"Rare name {number}")[0] for number in range(2)]
    newest = {app.pk for app in made[2:]}  # the limit + 1 the search reads
    long_text = few_matches_length == 3
    with django_assert_num_queries(2 if long_text else 1):
        assert set(ListQuery(q="shared word").matching_ids("default")) == newest
    with django_assert_num_queries(1):
        assert set(ListQuery(q="rare name").matching_ids("default")) == {app.pk for app in few}
