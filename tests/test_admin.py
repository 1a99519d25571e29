"""Django admin for support staff."""

import pytest
from django.urls import reverse

from oauth_apps.models import AuditAction, AuditEvent


@pytest.fixture
def admin_page(admin_client, user, make_app):
    app, secret = make_app(user, name="Support Test App", scopes=["rooms:write", "rooms:read"])
    return app, secret, admin_client


def test_changelist_searches_by_name_and_client_id(admin_page):
    app, _, client = admin_page
    url = reverse("admin:oauth_apps_oauthapplication_changelist")
    assert "Support Test App" in client.get(url, {"q": "support test"}).content.decode()
    assert "Support Test App" in client.get(url, {"q": app.client_id}).content.decode()
    assert "Support Test App" not in client.get(url, {"q": "nothing-like-it"}).content.decode()


def test_changelist_filters_by_scope(admin_page):
    _, _, client = admin_page
    url = reverse("admin:oauth_apps_oauthapplication_changelist")
    assert "Support Test App" in client.get(url, {"scope": "rooms:write"}).content.decode()
    assert "Support Test App" not in client.get(url, {"scope": "files:read"}).content.decode()


def test_change_page_never_shows_the_secret(admin_page):
    app, secret, client = admin_page
    page = client.get(reverse("admin:oauth_apps_oauthapplication_change", args=[app.pk])).content.decode()
    assert app.client_id in page
    assert "client_secret" not in page
    assert app.client_secret not in page
    assert secret not in page


def test_disable_action(admin_page):
    app, _, client = admin_page
    client.post(
        reverse("admin:oauth_apps_oauthapplication_changelist"),
        {"action": "disable_apps", "_selected_action": [app.pk], "post": "yes"},
    )
    app.refresh_from_db()
    assert app.enabled is False


def test_disable_action_goes_through_the_service(admin_page):
    app, _, client = admin_page
    client.post(
        reverse("admin:oauth_apps_oauthapplication_changelist"),
        {"action": "disable_apps", "_selected_action": [app.pk], "post": "yes"},
    )
    assert AuditEvent.objects.filter(application_pk=app.pk, action=AuditAction.DISABLE).exists()


def test_application_change_page_is_read_only(admin_page):
    app, _, client = admin_page
    url = reverse("admin:oauth_apps_oauthapplication_change", args=[app.pk])
    client.post(url, {"name": "Renamed in admin"})
    app.refresh_from_db()
    assert app.name == "Support Test App"


def test_audit_trail_is_listed_and_read_only(admin_page):
    app, _, client = admin_page
    event = AuditEvent.objects.get(application_pk=app.pk)
    listing = client.get(reverse("admin:oauth_apps_auditevent_changelist")).content.decode()
    assert "Support Test App" in listing
    assert client.get(reverse("admin:oauth_apps_auditevent_add")).status_code == 403
    assert client.post(reverse("admin:oauth_apps_auditevent_delete", args=[event.pk])).status_code == 403
    assert client.get(reverse("admin:oauth_apps_auditevent_change", args=[event.pk])).status_code == 200
