"""CORS: the token, userinfo and API endpoints answer the allowed origins of enabled apps only."""

import pytest
from django.urls import reverse

from authserver.cors import origin_allowed
from oauth_apps import origins
from oauth_apps.models import AllowedOrigin, OAuthApplication
from oauth_apps.services import bulk_set_enabled, set_enabled

from ..test_managing import post_data

PREFLIGHT = {"Origin": "https://app.example.com", "Access-Control-Request-Method": "POST"}


def preflight(client, path, origin="https://app.example.com"):
    return client.options(path, headers={**PREFLIGHT, "Origin": origin})


@pytest.mark.parametrize("path", ["/oauth/token/", "/oauth/userinfo/", "/api/2.0/people/@self"])
def test_a_preflight_from_an_allowed_origin_is_allowed(client, confidential_app, path):
    response = preflight(client, path)
    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == "https://app.example.com"
    assert "authorization" in response["Access-Control-Allow-Headers"]
    assert "Access-Control-Allow-Credentials" not in response


@pytest.mark.parametrize(
    "origin",
    [
        "https://evil.example.com",
        "https://app.example.co",
        "https://app.example.com.evil.com",
        "null",
        "HTTPS://APP.EXAMPLE.COM",
    ],
)
def test_a_preflight_from_another_origin_gets_no_cors_headers(client, confidential_app, origin):
    response = preflight(client, "/oauth/token/", origin=origin)
    assert "Access-Control-Allow-Origin" not in response


def test_removing_an_origin_in_the_edit_form_stops_it_at_once(client, confidential_app, user):
    app, _secret = confidential_app
    assert "Access-Control-Allow-Origin" in preflight(client, "/oauth/token/")
    client.force_login(user)
    response = client.post(
        reverse("oauth_apps:edit", args=[app.pk]),
        post_data(app, allowed_origins=["https://other.example.com"]),
    )
    assert response.status_code == 302
    client.logout()
    assert "Access-Control-Allow-Origin" not in preflight(client, "/oauth/token/")
    other = preflight(client, "/oauth/token/", origin="https://other.example.com")
    assert other["Access-Control-Allow-Origin"] == "https://other.example.com"


def test_a_registered_origin_is_allowed_at_once(client, form_data, png_icon, user):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(user)
    icon = SimpleUploadedFile("icon.png", png_icon, content_type="image/png")
    response = client.post(reverse("oauth_apps:create"), {**form_data, "icon": icon})
    assert response.status_code == 302
    client.logout()
    allowed = preflight(client, "/oauth/token/", origin="https://calendar.example.com")
    assert allowed["Access-Control-Allow-Origin"] == "https://calendar.example.com"


def test_deleting_an_app_removes_its_origins_from_the_index(client, confidential_app, user):
    app, _secret = confidential_app
    client.force_login(user)
    client.post(reverse("oauth_apps:delete", args=[app.pk]))
    assert not AllowedOrigin.objects.exists()
    assert "Access-Control-Allow-Origin" not in preflight(client, "/oauth/token/")


def test_an_origin_shared_by_two_apps_stays_allowed_while_one_of_them_is_enabled(
    client, confidential_app, make_app, user
):
    app, _secret = confidential_app
    other, _ = make_app(user, allowed_origins=["https://app.example.com", "https://b.example.com"])
    set_enabled(app, actor=user, enabled=False)
    assert preflight(client, "/oauth/token/")["Access-Control-Allow-Origin"] == "https://app.example.com"
    set_enabled(other, actor=user, enabled=False)
    assert "Access-Control-Allow-Origin" not in preflight(client, "/oauth/token/")
    set_enabled(other, actor=user, enabled=True)
    assert preflight(client, "/oauth/token/")["Access-Control-Allow-Origin"] == "https://app.example.com"
    bulk_set_enabled([other], actor=user, enabled=False)
    assert "Access-Control-Allow-Origin" not in preflight(client, "/oauth/token/")


class Clock:
    """time.monotonic for oauth_apps/origins.py, moved by hand."""

    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


@pytest.fixture
def clock(monkeypatch):
    clock = Clock()
    monkeypatch.setattr("oauth_apps.origins.time.monotonic", clock)
    return clock


def test_a_change_outside_the_services_takes_effect_within_the_documented_bound(
    client, confidential_app, clock, settings
):
    """Another process (or raw SQL) disabled the app: this one learns it within CORS_ORIGIN_CACHE_SECONDS."""
    app, _secret = confidential_app
    assert settings.CORS_ORIGIN_CACHE_SECONDS == 5
    assert preflight(client, "/oauth/token/")["Access-Control-Allow-Origin"] == "https://app.example.com"
    OAuthApplication.objects.filter(pk=app.pk).update(enabled=False)
    clock.now += 4.9
    assert preflight(client, "/oauth/token/")["Access-Control-Allow-Origin"] == "https://app.example.com"
    clock.now += 0.2
    assert "Access-Control-Allow-Origin" not in preflight(client, "/oauth/token/")


def test_an_unknown_origin_is_remembered_too_and_learnt_within_the_bound(
    client, confidential_app, clock, django_assert_num_queries
):
    app, _secret = confidential_app
    origin = "https://new.example.com"
    with django_assert_num_queries(1):
        assert "Access-Control-Allow-Origin" not in preflight(client, "/oauth/token/", origin=origin)
    with django_assert_num_queries(0):
        assert "Access-Control-Allow-Origin" not in preflight(client, "/oauth/token/", origin=origin)
    AllowedOrigin.objects.create(application=app, origin=origin)
    clock.now += 5.1
    assert preflight(client, "/oauth/token/", origin=origin)["Access-Control-Allow-Origin"] == origin


def test_with_no_remembering_every_preflight_asks_the_index(
    client, confidential_app, settings, django_assert_num_queries
):
    settings.CORS_ORIGIN_CACHE_SECONDS = 0
    for _ in range(2):
        with django_assert_num_queries(1):
            assert (
                preflight(client, "/oauth/token/")["Access-Control-Allow-Origin"] == "https://app.example.com"
            )


def test_the_remembered_answers_are_bounded(client, confidential_app, monkeypatch):
    monkeypatch.setattr("oauth_apps.origins.DECISIONS_KEPT", 3)
    for number in range(10):
        preflight(client, "/oauth/token/", origin=f"https://n{number}.example.com")
    assert list(origins._decisions) == [f"https://n{number}.example.com" for number in (7, 8, 9)]


def test_for_a_named_client_the_origin_is_decided_without_a_query(
    confidential_app, make_app, user, django_assert_num_queries
):
    app, _secret = confidential_app
    other, _ = make_app(user, allowed_origins=["https://other.example.com"])
    with django_assert_num_queries(0):
        assert origin_allowed("https://app.example.com", app)
        assert not origin_allowed("https://app.example.com", other)
        assert not origin_allowed("https://other.example.com", app)
    app.enabled = False
    assert not origin_allowed("https://app.example.com", app)


def test_a_disabled_apps_origin_gets_no_cors_headers(client, confidential_app):
    app, _secret = confidential_app
    OAuthApplication.objects.filter(pk=app.pk).update(enabled=False)
    assert "Access-Control-Allow-Origin" not in preflight(client, "/oauth/token/")


@pytest.mark.parametrize(
    "path", ["/oauth/authorize/", "/settings/developer-tools/oauth/", "/accounts/login/"]
)
def test_the_authorize_endpoint_and_portal_pages_never_send_cors_headers(client, confidential_app, path):
    response = client.get(path, headers={"Origin": "https://app.example.com"})
    assert "Access-Control-Allow-Origin" not in response
    assert "Access-Control-Allow-Origin" not in preflight(client, path)


def test_an_api_response_names_the_allowed_origin(client, confidential_app, user, token_for):
    app, _secret = confidential_app
    response = client.get(
        "/api/2.0/people/@self",
        headers={
            "Origin": "https://app.example.com",
            "Authorization": f"Bearer {token_for(user, app, 'accounts.self:read')}",
        },
    )
    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == "https://app.example.com"
    assert "origin" in response["Vary"].lower()


def test_the_origin_is_decided_with_one_query(
    client, confidential_app, make_app, user, django_assert_num_queries
):
    for _ in range(3):
        make_app(user, allowed_origins=["https://app.example.com.other.org"])
    with django_assert_num_queries(1):
        response = preflight(client, "/oauth/token/")
    assert response["Access-Control-Allow-Origin"] == "https://app.example.com"
