"""Authorized apps (every user) and an app's developer tools (its owner)."""

import base64
import hashlib

import pytest
from django.urls import reverse
from oauth2_provider.models import get_access_token_model

from authserver.models import DeveloperToken
from oauth_apps.models import AuditAction, AuditEvent, OAuthApplication

from ..conftest import grant
from .conftest import bearer, query_of

AccessToken = get_access_token_model()
AUTHORIZED_APPS_URL = "/settings/authorized-apps/"
SELF_URL = "/api/2.0/people/@self"


def developer_url(app):
    return reverse("authserver:developer_tools", args=[app.pk])


def test_authorized_apps_lists_what_each_app_may_do(user_client, confidential_app, user, token_for):
    app, _secret = confidential_app
    token_for(user, app, "accounts.self:read accounts.self:write")
    response = user_client.get(AUTHORIZED_APPS_URL)
    page = response.content.decode()
    assert app.name in page
    assert "View and manage basic information about your profile" in page
    assert "View basic information about your profile" not in page


def test_authorized_apps_is_empty_without_grants(user_client):
    response = user_client.get(AUTHORIZED_APPS_URL)
    assert response.status_code == 200
    assert "You have not authorized any application." in response.content.decode()


def test_authorized_apps_shows_only_the_users_own_grants(user_client, make_app, other_user, token_for):
    app, _secret = make_app(other_user)
    token_for(other_user, app, "files:read")
    assert app.name not in user_client.get(AUTHORIZED_APPS_URL).content.decode()


def test_authorized_apps_query_count_does_not_grow_with_apps(
    user_client, make_app, user, token_for, django_assert_num_queries
):
    for _ in range(5):
        app, _secret = make_app(user)
        token_for(user, app, "files:read")
    # session, user, access tokens, refresh tokens, apps
    with django_assert_num_queries(5):
        response = user_client.get(AUTHORIZED_APPS_URL)
    assert len(response.context["authorizations"]) == 5


def test_revoking_an_app_stops_its_tokens_for_this_user_only(
    user_client, client, confidential_app, user, other_user, token_for
):
    app, _secret = confidential_app
    mine = token_for(user, app, "accounts.self:read")
    theirs = token_for(other_user, app, "accounts.self:read")
    response = user_client.post(AUTHORIZED_APPS_URL, {"application": app.pk})
    assert response.status_code == 302
    assert client.get(SELF_URL, headers=bearer(mine)).status_code == 401
    assert client.get(SELF_URL, headers=bearer(theirs)).status_code == 200


def test_revoking_an_app_stops_its_refresh_token(user_client, flow, confidential_app, client):
    app, secret = confidential_app
    code = flow.code(app)
    tokens = client.post(
        "/oauth/token/",
        {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": app.redirect_uri_list[0],
            "code_verifier": flow.verifier,
            "client_id": app.client_id,
            "client_secret": secret,
        },
    ).json()
    user_client.post(AUTHORIZED_APPS_URL, {"application": app.pk})
    response = client.post(
        "/oauth/token/",
        {
            "grant_type": "refresh_token",
            "refresh_token": tokens["refresh_token"],
            "client_id": app.client_id,
            "client_secret": secret,
        },
    )
    assert response.json()["error"] == "invalid_grant"


def test_developer_tools_are_the_owners(user_client, make_app, other_user):
    app, _secret = make_app(other_user)
    assert user_client.get(developer_url(app)).status_code == 404
    assert user_client.post(developer_url(app), {"generate": "1"}).status_code == 404


def test_developer_tools_of_another_users_app_need_the_change_permission(client, make_app, user, staff_user):
    """Staff status alone opens nothing (it did before issue 13); the change permission does."""
    app, _secret = make_app(user)
    client.force_login(staff_user)
    assert client.get(developer_url(app)).status_code == 404
    grant(staff_user, "change_oauthapplication")
    assert client.get(developer_url(app)).status_code == 200


def test_developer_token_is_shown_once_and_works(user_client, client, confidential_app):
    app, _secret = confidential_app
    response = user_client.post(developer_url(app), {"generate": "1"})
    token = response.context["developer_token"]
    assert response["Cache-Control"] == "no-store"
    assert client.get(SELF_URL, headers=bearer(token)).status_code == 200
    stored = AccessToken.objects.get(application=app)
    assert set(stored.scope.split()) == set(app.scope_names)
    assert AuditEvent.objects.filter(application=app, action=AuditAction.TOKEN_GENERATED).count() == 1
    assert "developer_token" not in user_client.get(developer_url(app)).context


def test_a_new_developer_token_replaces_the_old_one(user_client, client, confidential_app):
    app, _secret = confidential_app
    first = user_client.post(developer_url(app), {"generate": "1"}).context["developer_token"]
    second = user_client.post(developer_url(app), {"generate": "1"}).context["developer_token"]
    assert client.get(SELF_URL, headers=bearer(first)).status_code == 401
    assert client.get(SELF_URL, headers=bearer(second)).status_code == 200
    assert DeveloperToken.objects.filter(application=app).count() == 1


def test_no_developer_token_for_a_disabled_app(user_client, confidential_app):
    app, _secret = confidential_app
    OAuthApplication.objects.filter(pk=app.pk).update(enabled=False)
    response = user_client.post(developer_url(app), {"generate": "1"})
    assert "developer_token" not in response.context
    assert not AccessToken.objects.exists()


def test_revoke_token_revokes_a_token_of_this_app(user_client, client, confidential_app, user, token_for):
    app, _secret = confidential_app
    token = token_for(user, app, "accounts.self:read")
    response = user_client.post(developer_url(app), {"revoke": "1", "token": f"  {token} "}, follow=True)
    assert "The token was revoked" in response.content.decode()
    assert client.get(SELF_URL, headers=bearer(token)).status_code == 401
    event = AuditEvent.objects.get(application=app, action=AuditAction.TOKEN_REVOKED)
    assert event.changes == {"token_type": "access_token"}


@pytest.mark.parametrize("which", ["other app", "garbage"])
def test_revoke_token_refuses_what_is_not_this_apps(
    user_client, client, confidential_app, make_app, user, token_for, which
):
    app, _secret = confidential_app
    other, _other_secret = make_app(user)
    token = token_for(user, other, "files:read") if which == "other app" else "not-a-token"
    response = user_client.post(developer_url(app), {"revoke": "1", "token": token}, follow=True)
    assert "That is not a live token of this application" in response.content.decode()
    assert not AuditEvent.objects.filter(action=AuditAction.TOKEN_REVOKED).exists()
    if which == "other app":
        assert client.get("/api/2.0/people", headers=bearer(token)).status_code == 403  # still valid


def test_auth_button_links_to_authorize_with_state_and_a_pkce_pair(user_client, confidential_app):
    app, _secret = confidential_app
    context = user_client.get(developer_url(app)).context
    params = query_of(context["authorize_url"])
    digest = hashlib.sha256(context["code_verifier"].encode()).digest()
    assert params["code_challenge"] == base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
    assert params["code_challenge_method"] == "S256"
    assert params["state"] == context["state"]
    assert params["redirect_uri"] == app.redirect_uri_list[0]
    assert set(params["scope"].split()) == set(app.scope_names)
    assert context["authorize_url"].startswith("http://testserver/oauth/authorize/?")


def test_the_auth_button_link_opens_the_consent_screen(user_client, confidential_app):
    app, _secret = confidential_app
    url = user_client.get(developer_url(app)).context["authorize_url"]
    response = user_client.get(url.removeprefix("http://testserver"))
    assert response.status_code == 200
    assert "would like the ability to access" in response.content.decode()


def test_the_top_navigation_links_authorized_apps(user_client):
    assert f'href="{AUTHORIZED_APPS_URL}"' in user_client.get(AUTHORIZED_APPS_URL).content.decode()


def test_revoking_answers_alike_for_another_users_app_and_a_missing_one(
    user_client, make_app, other_user, token_for
):
    """Authorized apps is no oracle of which app ids exist."""
    app, _secret = make_app(other_user)
    token_for(other_user, app, "files:read")
    missing = OAuthApplication.objects.order_by("-pk").first().pk + 1000
    answers = []
    for pk in (app.pk, missing):
        response = user_client.post(AUTHORIZED_APPS_URL, {"application": pk}, follow=True)
        answers.append(
            (response.redirect_chain, response.status_code, [str(m) for m in response.context["messages"]])
        )
    assert answers[0] == answers[1]
    assert answers[0][0] == [(AUTHORIZED_APPS_URL, 302)]
    assert AccessToken.objects.filter(application=app, user=other_user).exists()
