"""Settings → API tokens: made with a name, scopes and an expiry, shown once, stored hashed, revocable."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from clients_api.models import PersonalAccessToken

from .openapi_client import OpenApiClient

URL = "/settings/api-tokens/"


def create(client, **overrides):
    data = {"name": "CI deploy", "scopes": ["clients:write"], "expires_in": "30", "create": "1", **overrides}
    return client.post(URL, data)


def test_the_page_is_reached_from_the_settings_page(user_client):
    assert reverse("api_tokens:list") == URL
    assert URL in user_client.get(reverse("settings")).content.decode()


def test_a_new_token_is_shown_once_and_stored_hashed(user_client, user):
    response = create(user_client)
    value = response.context["new_token"]["value"]
    token = PersonalAccessToken.objects.get()
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    assert value in response.content.decode()
    assert value.startswith(f"dsp_{token.key}_")
    assert value.split("_", 2)[2] not in token.secret_hash
    assert token.secret_hash.startswith("client_secret_sha256$")
    assert value not in user_client.get(URL).content.decode()


def test_write_brings_read_and_the_expiry_is_as_chosen(user_client):
    create(user_client, expires_in="7")
    token = PersonalAccessToken.objects.get()
    assert token.scope_list == ["clients:read", "clients:write"]
    assert timedelta(days=6, hours=23) < token.expires - timezone.now() <= timedelta(days=7)


def test_the_new_token_works_against_the_api(user_client, client, user):
    value = create(user_client).context["new_token"]["value"]
    assert OpenApiClient(client, value)("listClients").status_code == 200
    assert PersonalAccessToken.objects.get().last_used is not None


@pytest.mark.parametrize(
    ("data", "field", "code"),
    [
        ({"name": "  "}, "name", "required"),
        ({"scopes": []}, "scopes", "required"),
        ({"scopes": ["files:read"]}, "scopes", "invalid_choice"),
        ({"expires_in": "3650"}, "expires_in", "invalid_choice"),
    ],
)
def test_bad_input_is_refused_next_to_its_field(user_client, data, field, code):
    response = create(user_client, **data)
    assert response.status_code == 400
    assert response.context["form"].has_error(field, code)
    assert not PersonalAccessToken.objects.exists()


def test_the_list_shows_last_use_and_state(user_client, user, api_token):
    api_token(user, name="Used one")
    PersonalAccessToken.objects.update(last_used=timezone.now() - timedelta(hours=2))
    api_token(user, name="Fresh one")
    text = user_client.get(URL).content.decode()
    assert "Used one" in text
    assert "2\xa0hours ago" in text or "2 hours ago" in text
    assert "Never" in text


def test_revoking_stops_the_token_at_once(user_client, client, user, api_token):
    value = api_token(user)
    token = PersonalAccessToken.objects.get()
    response = user_client.post(URL, {"revoke": str(token.pk)})
    assert response.status_code == 302
    assert PersonalAccessToken.objects.get().revoked is not None
    assert OpenApiClient(client, value)("listClients").status_code == 401


def test_another_users_token_cannot_be_revoked(user_client, other_user, api_token):
    api_token(other_user, name="Bob's token")
    token = PersonalAccessToken.objects.get()
    user_client.post(URL, {"revoke": str(token.pk)})
    assert PersonalAccessToken.objects.get().revoked is None
    assert "Bob" not in user_client.get(URL).content.decode()


def test_making_tokens_is_rate_limited(user_client, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "api_token": "1/h"}
    create(user_client)
    response = create(user_client, name="Second")
    assert response.status_code == 429
    assert PersonalAccessToken.objects.count() == 1
