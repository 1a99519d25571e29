"""Fixtures for the authorization server: registered apps, PKCE pairs, a consenting user."""

import base64
import hashlib
import secrets
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest

REDIRECT_URI = "https://app.example.com/callback"
AUTHORIZE_URL = "/oauth/authorize/"
TOKEN_URL = "/oauth/token/"


def pkce_pair() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    return verifier, challenge


def query_of(url: str) -> dict[str, str]:
    return {key: values[0] for key, values in parse_qs(urlsplit(url).query).items()}


@pytest.fixture
def confidential_app(make_app, user):
    """(app, secret) for a confidential client with profile, accounts and openid scopes."""
    return make_app(
        user,
        scopes=["accounts.self:write", "accounts:read", "openid", "files:read"],
        allowed_origins=["https://app.example.com"],
    )


@pytest.fixture
def public_app(make_app, user):
    app, _secret = make_app(
        user,
        public_client=True,
        redirect_uris=["com.example.app:/oauth2redirect", "http://127.0.0.1:8765/callback"],
        scopes=["accounts.self:read", "openid"],
        allowed_origins=["https://spa.example.com"],
    )
    return app


class Flow:
    """Drives the authorize endpoint with Django's test client, as a signed-in browser."""

    def __init__(self, client):
        self.client = client

    def params(self, app, **overrides):
        verifier, challenge = pkce_pair()
        self.verifier = verifier
        params = {
            "response_type": "code",
            "client_id": app.client_id,
            "redirect_uri": app.redirect_uri_list[0],
            "state": "state-123",
            "code_challenge": challenge,
            "code_challenge_method": "S256",
        }
        params.update(overrides)
        return {key: value for key, value in params.items() if value is not None}

    def authorize(self, app, **overrides):
        return self.client.get(f"{AUTHORIZE_URL}?{urlencode(self.params(app, **overrides))}")

    def consent(self, app, *, allow=True, **overrides):
        """GET the consent screen, then post its form back; return the redirect response."""
        page = self.authorize(app, **overrides)
        assert page.status_code == 200, page.content[:500]
        form = {bound.name: bound.value() for bound in page.context["form"]}
        data = {key: value for key, value in form.items() if value not in (None, "", False)}
        if allow:
            data["allow"] = "Allow"
        else:
            data.pop("allow", None)
        return self.client.post(page.request["PATH_INFO"] + "?" + page.request["QUERY_STRING"], data)

    def code(self, app, **overrides) -> str:
        response = self.consent(app, **overrides)
        assert response.status_code == 302, response.content[:500]
        return query_of(response["Location"])["code"]


@pytest.fixture
def flow(user_client):
    return Flow(user_client)


@pytest.fixture
def token_for(db):
    """Store an access token for (user, app, scope) and return its value."""
    from datetime import timedelta

    from django.utils import timezone
    from oauth2_provider.models import get_access_token_model, set_token_value

    def make(user, app, scope, *, expires_in=3600):
        value = secrets.token_urlsafe(30)
        token = get_access_token_model()(
            user=user, application=app, scope=scope, expires=timezone.now() + timedelta(seconds=expires_in)
        )
        set_token_value(token, value)
        token.save()
        return value

    return make


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}
