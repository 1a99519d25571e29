"""The Django admin for support staff: branded, actions that ask first, the audit trail as CSV."""

import csv
import io

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.urls import reverse

from oauth_apps.models import AuditAction, AuditEvent, OAuthApplication

from .helpers import client_authenticates, give_tokens, token_count

CHANGELIST = reverse("admin:oauth_apps_oauthapplication_changelist")
AUDIT_LIST = reverse("admin:oauth_apps_auditevent_changelist")
AUDIT_EXPORT = reverse("admin:oauth_apps_auditevent_export")


@pytest.fixture
def app_with_secret(user, make_app):
    app, secret = make_app(user, name="Support Target", scopes=["files:read"])
    give_tokens(app, user)  # an access token, a refresh token and a pending code
    return app, secret


@pytest.fixture
def app(app_with_secret):
    return app_with_secret[0]


def admin_url(name, app):
    return reverse(f"admin:oauth_apps_oauthapplication_{name}", args=[app.pk])


@pytest.fixture
def viewer(db, client):
    """A staff member who may only look at applications and the audit trail."""
    person = get_user_model().objects.create_user(
        "vera", "vera@example.com", "vera-password-1", is_staff=True
    )
    person.user_permissions.set(
        Permission.objects.filter(codename__in=["view_oauthapplication", "view_auditevent"])
    )
    client.force_login(person)
    return client


def test_the_admin_carries_the_portals_name(admin_client):
    page = admin_client.get(reverse("admin:index")).content.decode()
    assert (
        "<title>Support: applications, their audit trail and people | DocSpace Portal administration" in page
    )
    assert ">DocSpace Portal administration</a>" in page


# --- the application's page ----------------------------------------------------------


def test_change_page_uses_our_help_texts_and_hides_internal_fields(admin_client, app):
    page = admin_client.get(admin_url("change", app)).content.decode()
    assert "Allowed URIs list, space separated" not in page
    assert "Allowed origins list to enable CORS" not in page
    assert "A request must name one of these exactly." in page
    assert "field-version" not in page
    assert 'name="_save"' not in page
    assert "https://app.example.com/callback</code>" in page


def test_change_page_offers_disable_reset_and_the_audit_trail(admin_client, app):
    page = admin_client.get(admin_url("change", app)).content.decode()
    assert f'href="{admin_url("disable", app)}"' in page
    assert f'href="{admin_url("reset_secret", app)}"' in page
    assert f'href="{AUDIT_LIST}?app={app.client_id}"' in page


def test_disable_from_the_change_page_says_what_is_revoked_first(admin_client, app):
    confirm = admin_client.get(admin_url("disable", app))
    app.refresh_from_db()
    assert confirm.status_code == 200
    assert app.enabled is True
    assert (
        "The authorizations of 1 person are revoked: 2 tokens and 1 pending code stop working at once."
        in confirm.content.decode()
    )


def test_disable_from_the_change_page_goes_through_the_service(admin_client, admin_user, app):
    response = admin_client.post(admin_url("disable", app))
    app.refresh_from_db()
    assert response.url == admin_url("change", app)
    assert app.enabled is False
    assert token_count(app.pk) == 0
    assert AuditEvent.objects.get(application_pk=app.pk, action=AuditAction.DISABLE).actor == admin_user


def test_enable_from_the_change_page(admin_client, app, user):
    OAuthApplication.objects.filter(pk=app.pk).update(enabled=False)
    assert "Nothing is revoked." in admin_client.get(admin_url("enable", app)).content.decode()
    admin_client.post(admin_url("enable", app))
    app.refresh_from_db()
    assert app.enabled is True
    assert AuditEvent.objects.filter(application_pk=app.pk, action=AuditAction.ENABLE).exists()


def test_reset_secret_asks_then_kills_the_old_secret_and_shows_no_new_one(admin_client, app_with_secret):
    app, old_secret = app_with_secret
    confirm = admin_client.get(admin_url("reset_secret", app)).content.decode()
    assert "2 tokens and 1 pending code" in confirm
    response = admin_client.post(admin_url("reset_secret", app), follow=True)
    page = response.content.decode()
    app.refresh_from_db()
    assert not client_authenticates(app.client_id, old_secret)
    assert token_count(app.pk) == 0
    assert AuditEvent.objects.filter(application_pk=app.pk, action=AuditAction.SECRET_RESET).exists()
    assert "Nobody was shown the new secret" in page
    assert "client_secret" not in page


def test_a_public_app_offers_no_secret_reset(admin_client, user, make_app):
    public, _ = make_app(user, public_client=True, redirect_uris=["com.example.app:/cb"])
    page = admin_client.get(admin_url("change", public)).content.decode()
    assert admin_url("reset_secret", public) not in page
    admin_client.post(admin_url("reset_secret", public))
    assert not AuditEvent.objects.filter(application_pk=public.pk, action=AuditAction.SECRET_RESET).exists()


def test_saving_the_change_page_is_refused(admin_client, app):
    response = admin_client.post(admin_url("change", app), {"name": "Renamed"})
    app.refresh_from_db()
    assert response.status_code == 403
    assert app.name == "Support Target"


def test_owner_sees_on_the_apps_page_that_support_reset_the_secret(admin_client, app, user, client):
    admin_client.post(admin_url("reset_secret", app))
    client.force_login(user)
    page = client.get(app.get_absolute_url()).content.decode()
    assert 'data-testid="secret-reset-by-other"' in page
    assert "admin" in page.split('data-testid="secret-reset-by-other"')[1].split("</div>")[0]


# --- staff who may only look ------------------------------------------------------------


def test_view_only_staff_get_no_action_links_and_no_actions(viewer, app):
    page = viewer.get(admin_url("change", app)).content.decode()
    assert admin_url("disable", app) not in page
    assert admin_url("reset_secret", app) not in page
    assert "disable_apps" not in viewer.get(CHANGELIST).content.decode()


@pytest.mark.parametrize("name", ["disable", "reset_secret"])
@pytest.mark.parametrize("method", ["get", "post"])
def test_view_only_staff_cannot_act(viewer, app, name, method):
    response = getattr(viewer, method)(admin_url(name, app))
    app.refresh_from_db()
    assert response.status_code == 403
    assert app.enabled is True
    assert token_count(app.pk) == 3


# --- list actions ask first ------------------------------------------------------------


def test_the_disable_list_action_asks_first_and_names_what_is_revoked(admin_client, app):
    response = admin_client.post(CHANGELIST, {"action": "disable_apps", "_selected_action": [app.pk]})
    page = response.content.decode()
    app.refresh_from_db()
    assert response.status_code == 200
    assert app.enabled is True
    assert "Disable 1 application?" in page
    assert "Support Target" in page
    assert "2 tokens and 1 pending code" in page
    assert f'name="_selected_action" value="{app.pk}"' in page


def test_confirming_the_list_action_disables_through_the_service(admin_client, app):
    admin_client.post(CHANGELIST, {"action": "disable_apps", "_selected_action": [app.pk], "post": "yes"})
    app.refresh_from_db()
    assert app.enabled is False
    assert token_count(app.pk) == 0


def test_the_enable_list_action_asks_first_too(admin_client, app):
    OAuthApplication.objects.filter(pk=app.pk).update(enabled=False)
    page = admin_client.post(CHANGELIST, {"action": "enable_apps", "_selected_action": [app.pk]}).content
    app.refresh_from_db()
    assert "Enable 1 application?" in page.decode()
    assert app.enabled is False


# --- the audit trail -----------------------------------------------------------------


@pytest.fixture
def trail(user, other_user, make_app):
    first, _ = make_app(user, name="First Audited")
    second, _ = make_app(other_user, name="Second Audited")
    AuditEvent.objects.create(
        application_pk=second.pk,
        application_name='=HYPERLINK("https://evil.example")',
        client_id=second.client_id,
        actor_name="@mallory",
        action=AuditAction.DISABLE,
        changes={"authorizations_revoked": 2},
    )
    return first, second


def listed_names(response) -> set[str]:
    page = response.content.decode()
    return {name for name in ("First Audited", "Second Audited", "HYPERLINK") if name in page}


def test_the_trail_filters_by_application_actor_and_action(admin_client, trail):
    first, second = trail
    assert listed_names(admin_client.get(AUDIT_LIST, {"app": first.client_id})) == {"First Audited"}
    assert listed_names(admin_client.get(AUDIT_LIST, {"app": "second"})) == {"Second Audited"}
    assert listed_names(admin_client.get(AUDIT_LIST, {"actor": "BOB"})) == {"Second Audited"}
    assert listed_names(admin_client.get(AUDIT_LIST, {"action": "disable"})) == {"HYPERLINK"}


def test_the_trail_reads_in_words(admin_client, trail):
    page = admin_client.get(AUDIT_LIST, {"action": "disable"}).content.decode()
    assert "Disabled (2 authorizations revoked)" in page
    assert "authorizations_revoked" not in page


def rows(response) -> list[list[str]]:
    body = b"".join(response.streaming_content).decode()
    return list(csv.reader(io.StringIO(body)))


def test_the_trail_exports_as_csv_with_the_lists_filters(admin_client, trail):
    first, _ = trail
    response = admin_client.get(AUDIT_EXPORT, {"app": first.client_id})
    table = rows(response)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="audit-trail-')
    assert table[0][:3] == ["When (UTC)", "Action", "Application id"]
    assert [row[3] for row in table[1:]] == ["First Audited"]


def test_csv_cells_that_a_spreadsheet_would_run_are_quoted(admin_client, trail):
    table = rows(admin_client.get(AUDIT_EXPORT, {"action": "disable"}))
    row = table[1]
    assert row[3] == '\'=HYPERLINK("https://evil.example")'
    assert row[5] == "'@mallory"
    assert row[6] == "Disabled (2 authorizations revoked)"


def test_the_export_action_exports_the_selected_records(admin_client, trail):
    event = AuditEvent.objects.filter(application_name="First Audited").get()
    response = admin_client.post(AUDIT_LIST, {"action": "export_csv", "_selected_action": [event.pk]})
    assert [row[3] for row in rows(response)[1:]] == ["First Audited"]


def test_export_needs_permission_to_view_the_trail(client, trail, db):
    person = get_user_model().objects.create_user("sam", "sam@example.com", "sam-password-1", is_staff=True)
    client.force_login(person)
    assert client.get(AUDIT_EXPORT).status_code == 403


def test_view_only_staff_may_export(viewer, trail):
    assert viewer.get(AUDIT_EXPORT).status_code == 200
