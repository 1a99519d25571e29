"""/api/2.0/: the scopes decide, tokens only in the Authorization header."""

import json

import pytest

from oauth_apps.models import OAuthApplication

from .conftest import bearer

SELF_URL = "/api/2.0/people/@self"
PEOPLE_URL = "/api/2.0/people"


@pytest.mark.parametrize("scope", ["accounts.self:read", "accounts.self:write"])
def test_profile_needs_a_profile_scope(client, confidential_app, user, token_for, scope):
    app, _secret = confidential_app
    response = client.get(SELF_URL, headers=bearer(token_for(user, app, scope)))
    assert response.status_code == 200
    assert response.json()["userName"] == "alice"


def test_profile_without_the_scope_is_403_insufficient_scope(client, confidential_app, user, token_for):
    app, _secret = confidential_app
    response = client.get(SELF_URL, headers=bearer(token_for(user, app, "files:read")))
    assert response.status_code == 403
    challenge = response["WWW-Authenticate"]
    assert challenge.startswith("Bearer ")
    assert 'error="insufficient_scope"' in challenge
    assert 'scope="accounts.self:read accounts.self:write"' in challenge


def test_changing_the_display_name_needs_the_write_scope(client, confidential_app, user, token_for):
    app, _secret = confidential_app
    response = client.put(
        SELF_URL,
        json.dumps({"firstName": "Ada"}),
        content_type="application/json",
        headers=bearer(token_for(user, app, "accounts.self:read")),
    )
    assert response.status_code == 403
    user.refresh_from_db()
    assert user.first_name == ""


def test_put_changes_the_display_name(client, confidential_app, user, token_for):
    app, _secret = confidential_app
    response = client.put(
        SELF_URL,
        json.dumps({"firstName": " Ada ", "lastName": "Lovelace"}),
        content_type="application/json",
        headers=bearer(token_for(user, app, "accounts.self:write")),
    )
    assert response.status_code == 200
    assert response.json()["displayName"] == "Ada Lovelace"
    user.refresh_from_db()
    assert (user.first_name, user.last_name) == ("Ada", "Lovelace")


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ("not json", "invalid_json"),
        ("[1, 2]", "not_an_object"),
        ("{}", "empty"),
        ('{"firstName": 5}', "not_a_string"),
        ('{"firstName": "' + "x" * 151 + '"}', "too_long"),
        ('{"firstName": "a\\u0000b"}', "control_chars"),
        ('{"email": "x@example.com"}', "unknown_field"),
    ],
)
def test_put_with_bad_input_is_400_with_a_json_error(client, confidential_app, user, token_for, body, code):
    app, _secret = confidential_app
    response = client.put(
        SELF_URL,
        body,
        content_type="application/json",
        headers=bearer(token_for(user, app, "accounts.self:write")),
    )
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_request"
    assert response.json()["code"] == code


def test_people_lists_accounts_page_by_page(
    client, confidential_app, user, other_user, staff_user, token_for
):
    app, _secret = confidential_app
    headers = bearer(token_for(user, app, "accounts:read"))
    first = client.get(PEOPLE_URL, {"count": 2}, headers=headers).json()
    second = client.get(PEOPLE_URL, {"count": 2, "startIndex": 2}, headers=headers).json()
    assert first["total"] == 3
    assert [person["userName"] for person in first["items"] + second["items"]] == ["alice", "bob", "carol"]


def test_people_needs_an_accounts_scope(client, confidential_app, user, token_for):
    app, _secret = confidential_app
    response = client.get(PEOPLE_URL, headers=bearer(token_for(user, app, "accounts.self:write")))
    assert response.status_code == 403
    assert 'scope="accounts:read accounts:write"' in response["WWW-Authenticate"]


@pytest.mark.parametrize("query", [{"count": 0}, {"count": 101}, {"startIndex": -1}, {"count": "x"}])
def test_people_refuses_bad_paging(client, confidential_app, user, token_for, query):
    app, _secret = confidential_app
    response = client.get(PEOPLE_URL, query, headers=bearer(token_for(user, app, "accounts:read")))
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_paging"


def test_no_token_is_401_with_a_bearer_challenge(client, db):
    response = client.get(SELF_URL)
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer ")


def test_a_signed_in_session_is_not_an_api_credential(user_client):
    assert user_client.get(SELF_URL).status_code == 401


@pytest.mark.parametrize("token_kind", ["unknown", "expired", "of a disabled app"])
def test_a_bad_expired_or_disabled_token_is_401_invalid_token(
    client, confidential_app, user, token_for, token_kind
):
    app, _secret = confidential_app
    token = "nope" if token_kind == "unknown" else token_for(user, app, "accounts.self:read", expires_in=3600)
    if token_kind == "expired":
        token = token_for(user, app, "accounts.self:read", expires_in=-5)
    if token_kind == "of a disabled app":
        OAuthApplication.objects.filter(pk=app.pk).update(enabled=False)
    response = client.get(SELF_URL, headers=bearer(token))
    assert response.status_code == 401
    assert 'error="invalid_token"' in response["WWW-Authenticate"]


def test_a_token_in_the_query_string_is_refused(client, confidential_app, user, token_for):
    app, _secret = confidential_app
    token = token_for(user, app, "accounts.self:read")
    response = client.get(SELF_URL, {"access_token": token})
    assert response.status_code == 400
    assert 'error="invalid_request"' in response["WWW-Authenticate"]
