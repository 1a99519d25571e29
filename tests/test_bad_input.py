"""Malformed ids and client IDs are a 4xx on both databases, never a 500."""

import pytest
from django.test import Client
from django.urls import reverse

from oauth_apps.access import parse_pk

BAD_IDS = ["abc", "", "1.5", "-1", "0", "1" * 30, "9223372036854775808", "١٢", "\x00"]


@pytest.mark.parametrize("value", ["1", "42", "9223372036854775807"])
def test_parse_pk_accepts_database_ids(value):
    assert parse_pk(value) == int(value)


@pytest.mark.parametrize("value", [*BAD_IDS, None, 5])
def test_parse_pk_refuses_anything_else(value):
    assert parse_pk(value) is None


@pytest.fixture
def browser_client(user):
    client = Client(raise_request_exception=False)
    client.force_login(user)
    return client


@pytest.mark.parametrize("value", BAD_IDS)
def test_revoking_an_authorization_with_a_bad_id_changes_nothing(browser_client, value):
    # The same answer as for an unknown or another user's app (no existence oracle), never a 500.
    response = browser_client.post(reverse("authserver:authorized_apps"), {"application": value})
    assert response.status_code == 302


@pytest.mark.parametrize("value", BAD_IDS)
def test_bulk_action_with_a_bad_id_selects_nothing(browser_client, value):
    response = browser_client.post(reverse("oauth_apps:bulk"), {"action": "delete", "ids": [value]})
    assert response.status_code == 302


@pytest.mark.parametrize("client_id", ["\x00", "abc\x00def", "é" * 10, "x" * 300, "\n"])
def test_authorize_with_an_impossible_client_id_is_an_error_page(browser_client, client_id):
    response = browser_client.get(reverse("oauth2_provider:authorize"), {"client_id": client_id})
    assert response.status_code == 400


@pytest.mark.parametrize("client_id", ["\x00", "abc\x00def"])
@pytest.mark.parametrize(
    "endpoint", ["oauth2_provider:token", "oauth2_provider:introspect", "oauth2_provider:revoke-token"]
)
def test_token_endpoints_with_an_impossible_client_id_refuse_the_client(db, endpoint, client_id):
    client = Client(raise_request_exception=False)
    response = client.post(
        reverse(endpoint),
        {
            "grant_type": "refresh_token",
            "refresh_token": "x",
            "token": "x",
            "client_id": client_id,
            "client_secret": "s",
        },
    )
    assert response.status_code in (400, 401)
