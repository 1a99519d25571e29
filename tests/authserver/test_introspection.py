"""Introspection answers fully only to the token's own client and to resource servers marked by staff."""

import base64

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from oauth_apps.models import AuditAction, AuditEvent, OAuthApplication

from ..conftest import grant
from ..helpers import form_post_data

INTROSPECT_URL = "/oauth/introspect/"


def introspect(client_id, secret, token, how="basic"):
    client = Client()
    if how == "basic":
        basic = base64.b64encode(f"{client_id}:{secret}".encode()).decode()
        return client.post(INTROSPECT_URL, {"token": token}, HTTP_AUTHORIZATION=f"Basic {basic}")
    return client.post(INTROSPECT_URL, {"token": token, "client_id": client_id, "client_secret": secret})


@pytest.fixture
def token_of_first_app(make_app, user, token_for):
    app, secret = make_app(user, scopes=["files:read"])
    return app, secret, token_for(user, app, "files:read")


@pytest.mark.parametrize("how", ["basic", "post"])
def test_the_tokens_own_client_learns_everything(token_of_first_app, how):
    app, secret, token = token_of_first_app
    answer = introspect(app.client_id, secret, token, how).json()
    assert answer["active"] is True
    assert answer["client_id"] == app.client_id
    assert answer["scope"] == "files:read"
    assert answer["username"] == "alice"


@pytest.mark.parametrize("how", ["basic", "post"])
def test_another_client_learns_only_that_it_is_not_active(token_of_first_app, make_app, other_user, how):
    _app, _secret, token = token_of_first_app
    stranger, stranger_secret = make_app(other_user)
    response = introspect(stranger.client_id, stranger_secret, token, how)
    assert response.status_code == 200
    assert response.json() == {"active": False}


def test_a_marked_resource_server_learns_everything(token_of_first_app, make_app, other_user):
    app, _secret, token = token_of_first_app
    server, server_secret = make_app(other_user)
    OAuthApplication.objects.filter(pk=server.pk).update(is_resource_server=True)
    answer = introspect(server.client_id, server_secret, token).json()
    assert answer["active"] is True
    assert answer["client_id"] == app.client_id


def test_an_owner_cannot_mark_their_own_app_a_resource_server(user_client, user, make_app):
    app, _ = make_app(user)
    data = form_post_data(app, is_resource_server="on")
    user_client.post(reverse("oauth_apps:edit", args=[app.pk]), data)
    app.refresh_from_db()
    assert app.is_resource_server is False


def admin_post(client, action, app, *, confirmed=True):
    data = {"action": action, "_selected_action": [app.pk]}
    if confirmed:
        data["post"] = "yes"
    return client.post(reverse("admin:oauth_apps_oauthapplication_changelist"), data)


def test_staff_without_the_permission_cannot_mark(client, staff_user, user, make_app):
    app, _ = make_app(user)
    client.force_login(grant(staff_user, "view_oauthapplication", "change_oauthapplication"))
    changelist = client.get(reverse("admin:oauth_apps_oauthapplication_changelist")).content.decode()
    assert "mark_resource_servers" not in changelist
    admin_post(client, "mark_resource_servers", app)
    app.refresh_from_db()
    assert app.is_resource_server is False


def test_staff_with_the_permission_mark_and_unmark_in_the_admin(client, staff_user, user, make_app):
    app, _ = make_app(user)
    client.force_login(grant(staff_user, "view_oauthapplication", "mark_resource_server"))
    # First a confirmation that says what the flag allows, and nothing changes yet.
    page = admin_post(client, "mark_resource_servers", app, confirmed=False)
    assert page.status_code == 200
    assert "Let 1 application introspect every token?" in page.content.decode()
    app.refresh_from_db()
    assert app.is_resource_server is False
    admin_post(client, "mark_resource_servers", app)
    app.refresh_from_db()
    assert app.is_resource_server is True
    event = AuditEvent.objects.filter(action=AuditAction.UPDATE).get()
    assert event.changes == {"is_resource_server": {"old": False, "new": True}}
    assert event.actor == staff_user
    admin_post(client, "unmark_resource_servers", app)
    app.refresh_from_db()
    assert app.is_resource_server is False


def test_the_flag_shows_on_the_info_page_and_in_the_admin(user_client, user, make_app, admin_client):
    app, _ = make_app(user)
    marker = 'data-testid="resource-server">Only its own tokens'
    assert marker in user_client.get(app.get_absolute_url()).content.decode()
    OAuthApplication.objects.filter(pk=app.pk).update(is_resource_server=True)
    page = user_client.get(app.get_absolute_url()).content.decode()
    assert 'data-testid="resource-server">Resource server' in page
    change = admin_client.get(reverse("admin:oauth_apps_oauthapplication_change", args=[app.pk]))
    assert "Resource server" in change.content.decode()


def test_staff_with_view_only_cannot_disable_from_the_admin(client, user, make_app):
    app, _ = make_app(user)
    viewer = get_user_model().objects.create_user("viewer", is_staff=True)
    client.force_login(grant(viewer, "view_oauthapplication"))
    admin_post(client, "disable_apps", app)
    app.refresh_from_db()
    assert app.enabled is True
