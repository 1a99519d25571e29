"""Fixtures for dynamic client registration: a registering client, and the consenting browser."""

import json

import pytest

from oauth_apps.models import PortalPolicy, RegistrationPolicy
from tests.authserver.conftest import Flow, token_for  # noqa: F401 -- a fixture shared with authserver

REGISTER_URL = "/oauth/register"
LOOPBACK_REDIRECT = "http://127.0.0.1:33418/callback"


def client_metadata(**overrides) -> dict:
    """What an MCP client sends (the fields it usually sets), with overrides; None drops a field."""
    metadata = {
        "client_name": "Claude Code",
        "redirect_uris": [LOOPBACK_REDIRECT],
        "grant_types": ["authorization_code", "refresh_token"],
        "response_types": ["code"],
        "token_endpoint_auth_method": "none",
        "scope": "accounts.self:read openid",
    }
    metadata.update(overrides)
    return {key: value for key, value in metadata.items() if value is not None}


def set_policy(value: RegistrationPolicy) -> None:
    policy = PortalPolicy.load()
    policy.registration_policy = value
    policy.save()


class Registrar:
    """Calls the registration endpoints as a client would (JSON bodies, bearer tokens)."""

    def __init__(self, client):
        self.client = client

    def register(self, body=None, *, token=None, raw=None, **overrides):
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        data = (
            raw if raw is not None else json.dumps(body if body is not None else client_metadata(**overrides))
        )
        return self.client.post(REGISTER_URL, data, content_type="application/json", headers=headers)

    def registered(self, **overrides) -> dict:
        response = self.register(**overrides)
        assert response.status_code == 201, response.content
        return response.json()

    def manage(self, method, info, body=None, *, token=None):
        token = info["registration_access_token"] if token is None else token
        url = info["registration_client_uri"]
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        call = getattr(self.client, method)
        if body is None:
            return call(url, headers=headers)
        return call(url, json.dumps(body), content_type="application/json", headers=headers)


@pytest.fixture
def registrar(client, db):
    return Registrar(client)


@pytest.fixture
def flow(user_client):
    return Flow(user_client)
