"""CORS: the token, userinfo and API endpoints answer the allowed origins of enabled apps only."""

import pytest

from oauth_apps.models import OAuthApplication

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


def test_removing_an_origin_stops_it_at_once(client, confidential_app):
    app, _secret = confidential_app
    assert "Access-Control-Allow-Origin" in preflight(client, "/oauth/token/")
    OAuthApplication.objects.filter(pk=app.pk).update(allowed_origins="https://other.example.com")
    assert "Access-Control-Allow-Origin" not in preflight(client, "/oauth/token/")


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
