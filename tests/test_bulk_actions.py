"""Bulk enable, disable and delete: a fixed number of queries, and the same records as one by one."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from authserver.services import generate_developer_token
from oauth_apps import services
from oauth_apps.models import AllowedOrigin, AuditAction, AuditEvent, OAuthApplication
from oauth_apps.names import name_key

from .helpers import give_tokens, token_count

BULK_URL = reverse("oauth_apps:bulk")


def copies(app, count):
    """`count` apps like `app` (names and client IDs differ), each holding its own tokens."""
    made = OAuthApplication.objects.bulk_create(
        OAuthApplication(
            **{
                field.attname: getattr(app, field.attname)
                for field in OAuthApplication._meta.concrete_fields
                if not field.primary_key
            }
            | {
                "name": f"Copy {number:03} of {app.name}",
                "name_key": name_key(f"Copy {number:03} of {app.name}"),
                "client_id": f"copy-{number:03}-{app.client_id}",
            }
        )
        for number in range(count)
    )
    return list(OAuthApplication.objects.filter(name__startswith="Copy ").order_by("name"))[: len(made)]


@pytest.fixture
def apps_with_tokens(user, other_user, make_app):
    def make(count):
        template, _ = make_app(user, name="Template app")
        made = copies(template, count)
        for app in made:
            give_tokens(app, other_user)
        generate_developer_token(user, made[0])
        return made

    return make


def queries_for(client, action, apps) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.post(BULK_URL, {"action": action, "ids": [app.pk for app in apps]})
    assert response.status_code == 302
    return len(captured)


@pytest.mark.parametrize("action", ["disable", "delete"])
def test_a_bulk_action_costs_the_same_queries_for_one_app_and_for_a_hundred(
    user_client, apps_with_tokens, action
):
    apps = apps_with_tokens(101)
    one = queries_for(user_client, action, apps[:1])
    hundred = queries_for(user_client, action, apps[1:])
    assert one == hundred
    assert not any(token_count(app.pk) for app in apps)
    assert AuditEvent.objects.filter(action=action).count() == 101


def test_bulk_enable_costs_the_same_queries_for_one_app_and_for_a_hundred(
    user_client, user, apps_with_tokens
):
    apps = apps_with_tokens(101)
    OAuthApplication.objects.filter(pk__in=[app.pk for app in apps]).update(enabled=False)
    one = queries_for(user_client, "enable", apps[:1])
    hundred = queries_for(user_client, "enable", apps[1:])
    assert one == hundred
    assert OAuthApplication.objects.filter(enabled=True).count() == 102  # with the template
    assert AuditEvent.objects.filter(action=AuditAction.ENABLE).count() == 101


def audit_of(app_pk) -> list[tuple]:
    return list(
        AuditEvent.objects.filter(application_pk=app_pk)
        .exclude(action=AuditAction.TOKEN_GENERATED)
        .order_by("id")
        .values_list("action", "app_version", "changes", "actor_name", "application_name", "client_id")
    )


def without_name(rows):
    return [(action, version, changes, actor) for action, version, changes, actor, _name, _cid in rows]


@pytest.mark.parametrize("action", ["disable", "delete", "enable"])
def test_bulk_records_and_revokes_what_one_by_one_does(user, apps_with_tokens, action):
    alone, together, *rest = apps_with_tokens(4)
    alone_pk, together_pk = alone.pk, together.pk  # a deleted instance forgets its pk
    generate_developer_token(user, together)  # both now hold a developer token and three rows
    if action == "enable":
        for app in (alone, together):
            services.set_enabled(app, actor=user, enabled=False)
            app.refresh_from_db()
    if action == "delete":
        services.delete_application(alone, actor=user)
        services.bulk_delete([together, *rest], actor=user)
    else:
        services.set_enabled(alone, actor=user, enabled=action == "enable")
        services.bulk_set_enabled([together, *rest], actor=user, enabled=action == "enable")
    assert without_name(audit_of(alone_pk)) == without_name(audit_of(together_pk))
    last = audit_of(together_pk)[-1]
    assert (last[0], last[4], last[5]) == (action, together.name, together.client_id)
    if action != "enable":
        assert last[2] == {"authorizations_revoked": 5}  # 2 access tokens, 1 developer record, refresh, grant
        assert token_count(together_pk) == token_count(alone_pk) == 0


def test_bulk_disable_skips_apps_already_disabled(user, apps_with_tokens):
    first, second = apps_with_tokens(2)
    services.set_enabled(first, actor=user, enabled=False)
    assert services.bulk_set_enabled([first, second], actor=user, enabled=False) == 1
    assert AuditEvent.objects.filter(application_pk=first.pk, action=AuditAction.DISABLE).count() == 1


def test_bulk_delete_of_an_app_deleted_meanwhile_records_only_the_others(user, apps_with_tokens):
    gone, kept = apps_with_tokens(2)
    pks = [gone.pk, kept.pk]
    stale = OAuthApplication.objects.get(pk=gone.pk)
    services.delete_application(gone, actor=user)
    assert services.bulk_delete([stale, kept], actor=user) == 1
    assert AuditEvent.objects.filter(action=AuditAction.DELETE).count() == 2
    assert not OAuthApplication.objects.filter(pk__in=pks).exists()
    assert not AllowedOrigin.objects.filter(application_id__in=pks).exists()
