"""The portal policy decides who may register: nobody, public clients, or holders of an initial token."""

import hashlib
from datetime import timedelta

import pytest
from django.utils import timezone

from dynamic_registration import services
from dynamic_registration.models import ClientRegistration, InitialAccessToken
from oauth_apps.models import AuditEvent, OAuthApplication, RegistrationPolicy
from tests.helpers import client_authenticates

from .conftest import set_policy


def initial_token(**overrides):
    values = {
        "name": "Partner agents",
        "expires": timezone.now() + timedelta(days=1),
        "max_uses": 2,
        "actor": None,
    }
    values.update(overrides)
    return services.issue_initial_token(**values)


def test_public_is_the_default(registrar):
    assert registrar.register().status_code == 201


def test_off_refuses_every_registration(registrar):
    set_policy(RegistrationPolicy.OFF)
    response = registrar.register()
    assert response.status_code == 403
    assert response.json()["error"] == "access_denied"
    assert "switched off" in response.json()["error_description"]
    assert not OAuthApplication.objects.exists()


def test_off_still_lets_a_registered_client_read_and_delete_itself(registrar):
    info = registrar.registered()
    set_policy(RegistrationPolicy.OFF)
    assert registrar.manage("get", info).status_code == 200
    assert registrar.manage("delete", info).status_code == 204


def test_a_token_in_public_mode_changes_nothing(registrar):
    response = registrar.register(token="anything", token_endpoint_auth_method="client_secret_basic")
    assert response.status_code == 400  # still public clients only


class TestTokenPolicy:
    @pytest.fixture(autouse=True)
    def _token_policy(self, db):
        set_policy(RegistrationPolicy.TOKEN)

    def test_without_a_token_registration_is_refused(self, registrar):
        response = registrar.register()
        assert response.status_code == 401
        assert response["WWW-Authenticate"] == "Bearer"
        assert not OAuthApplication.objects.exists()

    def test_with_an_unknown_token_registration_is_refused(self, registrar):
        response = registrar.register(token="not-a-token")
        assert response.status_code == 401
        assert response.json()["error"] == "invalid_token"
        assert response["WWW-Authenticate"] == 'Bearer error="invalid_token"'

    def test_a_token_registers_and_counts_its_use(self, registrar):
        value, row = initial_token()
        assert registrar.register(token=value).status_code == 201
        row.refresh_from_db()
        assert (row.uses, row.uses_left) == (1, 1)
        registration = ClientRegistration.objects.get()
        assert registration.initial_token == row
        event = AuditEvent.objects.get(application_pk=registration.application_id)
        assert event.via == "dynamic client registration (Partner agents)"

    def test_a_used_up_token_is_refused(self, registrar):
        value, row = initial_token(max_uses=1)
        assert registrar.register(token=value).status_code == 201
        response = registrar.register(token=value)
        assert response.status_code == 401
        assert OAuthApplication.objects.count() == 1
        row.refresh_from_db()
        assert row.uses == 1

    def test_an_expired_token_is_refused(self, registrar):
        value, row = initial_token()
        InitialAccessToken.objects.filter(pk=row.pk).update(expires=timezone.now() - timedelta(seconds=1))
        assert registrar.register(token=value).status_code == 401
        assert not OAuthApplication.objects.exists()

    def test_a_revoked_token_is_refused(self, registrar, staff_user):
        value, row = initial_token()
        assert services.revoke_initial_token(row.pk, actor=staff_user)
        assert registrar.register(token=value).status_code == 401
        assert not OAuthApplication.objects.exists()

    def test_a_refused_registration_does_not_spend_a_use(self, registrar):
        value, row = initial_token(max_uses=1)
        assert registrar.register(token=value, redirect_uris=["http://x.example.com/"]).status_code == 400
        row.refresh_from_db()
        assert row.uses == 0
        assert registrar.register(token=value).status_code == 201

    def test_the_last_use_is_counted_once_even_when_it_races(self, registrar, monkeypatch):
        value, row = initial_token(max_uses=1)
        found = services.find_initial_token(value)
        # Another registration spends the last use between this one's check and its insert.
        InitialAccessToken.objects.filter(pk=row.pk).update(uses=1)
        monkeypatch.setattr(services, "find_initial_token", lambda token: found)
        response = registrar.register(token=value)
        assert response.status_code == 401
        assert not OAuthApplication.objects.exists()
        row.refresh_from_db()
        assert row.uses == 1

    def test_a_token_holder_may_register_a_confidential_client(self, registrar):
        value, _row = initial_token()
        info = registrar.registered(token=value, token_endpoint_auth_method="client_secret_basic")
        assert info["token_endpoint_auth_method"] == "client_secret_basic"
        assert info["client_secret_expires_at"] == 0
        app = OAuthApplication.objects.get(client_id=info["client_id"])
        assert not app.is_public
        assert client_authenticates(info["client_id"], info["client_secret"])
        # Read back: the method stays what was registered, the secret is never shown again.
        body = registrar.manage("get", info).json()
        assert body["token_endpoint_auth_method"] == "client_secret_basic"
        assert "client_secret" not in body

    def test_omitted_auth_method_means_rfc_7591s_default_for_a_token_holder(self, registrar):
        value, _row = initial_token()
        info = registrar.registered(token=value, token_endpoint_auth_method=None)
        assert info["token_endpoint_auth_method"] == "client_secret_basic"
        assert info["client_secret"]

    def test_tokens_are_stored_hashed(self):
        value, row = initial_token()
        assert row.token_hash == hashlib.sha256(value.encode()).hexdigest()
        assert value.startswith(row.prefix)
        assert not InitialAccessToken.objects.filter(token_hash=value).exists()
