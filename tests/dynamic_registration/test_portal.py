"""Self-registered clients in the portal: the list says how each app came to be and filters by it;
staff disable and delete them like any other app; staff make initial access tokens on their page."""

import hashlib

import pytest
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse

from dynamic_registration.models import ClientRegistration, InitialAccessToken
from oauth_apps.models import AuditAction, AuditEvent, OAuthApplication
from tests.authserver.conftest import Flow
from tests.conftest import grant

LIST_URL = reverse("oauth_apps:list")
TOKENS_URL = reverse("dynamic_registration:initial_tokens")


@pytest.fixture
def staff_client(client, staff_user):
    client.force_login(
        grant(staff_user, "view_all_applications", "change_oauthapplication", "delete_oauthapplication")
    )
    return client


@pytest.fixture
def mixed_apps(registrar, make_app, user):
    make_app(user, name="Team Calendar")
    return registrar.registered(client_name="Claude Code")


def names(response):
    return [app.name for app in response.context["applications"]]


def test_the_list_says_how_each_app_was_registered(staff_client, mixed_apps):
    page = staff_client.get(LIST_URL).content.decode()
    assert 'data-source="dcr"' in page
    assert 'data-source="manual"' in page
    assert "Dynamic client registration" in page
    assert "Registered in the portal" in page


@pytest.mark.parametrize(
    ("source", "expected"),
    [("", ["Claude Code", "Team Calendar"]), ("manual", ["Team Calendar"]), ("dcr", ["Claude Code"])],
)
def test_the_list_filters_by_how_apps_were_registered(staff_client, mixed_apps, source, expected):
    assert sorted(names(staff_client.get(LIST_URL, {"source": source}))) == expected


def test_an_unknown_source_falls_back_to_all(staff_client, mixed_apps):
    assert len(names(staff_client.get(LIST_URL, {"source": "carrier-pigeon"}))) == 2


def test_the_management_api_says_and_filters_too(api, mixed_apps, staff_user, api_token, client):
    staff = grant(staff_user, "view_all_applications")
    token = api_token(staff, scopes=("clients:read",))
    response = client.get(
        "/api/2.0/oauth/clients", {"source": "dcr"}, headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status_code == 200
    items = response.json()["items"]
    assert [(item["name"], item["source"], item["owner"]) for item in items] == [("Claude Code", "dcr", None)]


def test_the_info_page_says_how_the_app_was_registered(staff_client, mixed_apps):
    app = OAuthApplication.objects.get(client_id=mixed_apps["client_id"])
    page = staff_client.get(app.get_absolute_url()).content.decode()
    assert "Dynamic client registration" in page


def test_staff_disable_a_self_registered_client_and_it_can_no_longer_sign_anyone_in(
    staff_client, mixed_apps, staff_user, user
):
    app = OAuthApplication.objects.get(client_id=mixed_apps["client_id"])
    response = staff_client.post(reverse("oauth_apps:disable", args=[app.pk]))
    assert response.status_code == 302
    app.refresh_from_db()
    assert not app.enabled
    assert AuditEvent.objects.filter(
        application_pk=app.pk, action=AuditAction.DISABLE, actor=staff_user
    ).exists()
    # The consent screen refuses a disabled client.
    browser = Client()
    browser.force_login(user)
    assert Flow(browser).authorize(app, scope="accounts.self:read").status_code != 200


def test_staff_delete_a_self_registered_client_with_its_registration(staff_client, mixed_apps, registrar):
    app = OAuthApplication.objects.get(client_id=mixed_apps["client_id"])
    staff_client.post(reverse("oauth_apps:delete", args=[app.pk]))
    assert not OAuthApplication.objects.filter(pk=app.pk).exists()
    assert not ClientRegistration.objects.exists()
    assert registrar.manage("get", mixed_apps).status_code == 401


def test_the_audit_trail_shows_the_registration(staff_client, mixed_apps):
    app = OAuthApplication.objects.get(client_id=mixed_apps["client_id"])
    page = staff_client.get(app.get_absolute_url()).content.decode()
    assert "dynamic client registration" in page


# --- the staff page of initial access tokens --------------------------------------------------


def token_staff(staff_user):
    staff_user.user_permissions.add(
        Permission.objects.get(
            content_type__app_label="dynamic_registration", codename="add_initialaccesstoken"
        )
    )
    return type(staff_user).objects.get(pk=staff_user.pk)


def test_anonymous_visitors_are_sent_to_sign_in(client, db):
    response = client.get(TOKENS_URL)
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_people_without_the_permission_are_refused(client, user, staff_user):
    for person in (user, staff_user):
        client.force_login(person)
        assert client.get(TOKENS_URL).status_code == 403
        assert client.post(TOKENS_URL, {"name": "x", "expires_in": "7", "max_uses": "1"}).status_code == 403
    assert not InitialAccessToken.objects.exists()


def test_the_list_links_to_the_page_only_for_those_who_may_use_it(client, user, staff_user):
    client.force_login(user)
    assert TOKENS_URL not in client.get(LIST_URL).content.decode()
    client.force_login(token_staff(staff_user))
    assert TOKENS_URL in client.get(LIST_URL).content.decode()


def test_staff_make_a_token_that_is_shown_once_and_stored_hashed(client, staff_user):
    client.force_login(token_staff(staff_user))
    response = client.post(TOKENS_URL, {"name": "Partner agents", "expires_in": "7", "max_uses": "3"})
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    value = response.context["new_token"]["value"]
    assert value in response.content.decode()
    row = InitialAccessToken.objects.get()
    assert (row.name, row.max_uses, row.uses, row.created_by) == ("Partner agents", 3, 0, staff_user)
    assert row.token_hash == hashlib.sha256(value.encode()).hexdigest()
    page = client.get(TOKENS_URL).content.decode()
    assert value not in page
    assert "3 of 3" in page


@pytest.mark.parametrize(
    "data",
    [
        {"name": "", "expires_in": "7", "max_uses": "1"},
        {"name": "Partner", "expires_in": "7", "max_uses": "0"},
        {"name": "Partner", "expires_in": "7", "max_uses": "1001"},
        {"name": "Partner", "expires_in": "9999", "max_uses": "1"},
        {"name": "Bad\u202ename", "expires_in": "7", "max_uses": "1"},
    ],
)
def test_a_bad_token_form_is_refused_next_to_the_field(client, staff_user, data):
    client.force_login(token_staff(staff_user))
    response = client.post(TOKENS_URL, data)
    assert response.status_code == 400
    assert response.context["form"].errors
    assert not InitialAccessToken.objects.exists()


def test_staff_revoke_a_token(client, staff_user):
    client.force_login(token_staff(staff_user))
    client.post(TOKENS_URL, {"name": "Partner agents", "expires_in": "7", "max_uses": "3"})
    row = InitialAccessToken.objects.get()
    response = client.post(TOKENS_URL, {"revoke": str(row.pk)}, follow=True)
    assert "It no longer registers clients." in response.content.decode()
    row.refresh_from_db()
    assert row.revoked is not None
    assert row.revoked_by == staff_user
    again = client.post(TOKENS_URL, {"revoke": str(row.pk)}, follow=True)
    assert "There is no such live token." in again.content.decode()
    assert client.post(TOKENS_URL, {"revoke": "not-a-number"}, follow=True).status_code == 200
