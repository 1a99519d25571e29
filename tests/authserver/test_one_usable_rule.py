"""One rule decides whether an app may be used at all: change it in the model, and every path follows.

The rule is `OAuthApplication.usable` (and `usable_filter` for queries). Here it is
replaced by one that refuses a single app that is still enabled, as a future state
(awaiting review, blocked…) would; every path that serves a client must then refuse it.
"""

import pytest
from django.db.models import Q

from oauth_apps.models import OAuthApplication

from .conftest import bearer
from .test_cors import preflight
from .test_introspection import introspect

pytestmark = pytest.mark.django_db


@pytest.fixture
def refused(monkeypatch, confidential_app):
    app, _secret = confidential_app
    usable_filter = OAuthApplication.usable_filter

    def only_others(prefix=""):
        return usable_filter(prefix) & ~Q(**{f"{prefix}pk": app.pk})

    monkeypatch.setattr(OAuthApplication, "usable", property(lambda self: self.enabled and self.pk != app.pk))
    monkeypatch.setattr(OAuthApplication, "usable_filter", staticmethod(only_others))
    return app


def test_the_api_refuses_its_tokens(client, refused, user, token_for):
    token = token_for(user, refused, "accounts.self:read")
    response = client.get("/api/2.0/people/@self", headers=bearer(token))
    assert response.status_code == 401


def test_introspection_calls_its_tokens_inactive(refused, user, token_for, make_app):
    token = token_for(user, refused, "accounts.self:read")
    server, server_secret = make_app(user)
    OAuthApplication.objects.filter(pk=server.pk).update(is_resource_server=True)
    assert introspect(server.client_id, server_secret, token).json() == {"active": False}


def test_cors_no_longer_allows_its_origin(client, refused):
    assert "Access-Control-Allow-Origin" not in preflight(client, "/oauth/token/")


def test_the_consent_screen_refuses_it(user_client, refused):
    response = user_client.get(
        "/oauth/authorize/",
        {
            "response_type": "code",
            "client_id": refused.client_id,
            "redirect_uri": refused.redirect_uri_list[0],
        },
    )
    assert response.status_code == 403
    assert "Location" not in response
