"""RFC 7592: read, update and delete a registration with its registration access token, and nothing else."""

import pytest

from dynamic_registration.models import ClientRegistration
from oauth_apps.models import AuditAction, AuditEvent, OAuthApplication

from .conftest import client_metadata


@pytest.fixture
def info(registrar):
    return registrar.registered()


def test_read_returns_the_registration_without_secrets(registrar, info):
    response = registrar.manage("get", info)
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    body = response.json()
    assert body["client_id"] == info["client_id"]
    assert body["client_name"] == "Claude Code"
    assert body["registration_client_uri"] == info["registration_client_uri"]
    assert "registration_access_token" not in body
    assert "client_secret" not in body


@pytest.mark.parametrize("token", [None, "", "wrong-token", "Basic abc"])
def test_without_its_token_the_registration_is_not_readable(registrar, info, token):
    response = registrar.manage("get", info, token=token or "")
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_one_clients_token_does_not_open_another_client(registrar, info):
    other = registrar.registered()
    response = registrar.manage("get", info, token=other["registration_access_token"])
    assert response.status_code == 401
    assert response.json()["error"] == "invalid_token"
    assert response["WWW-Authenticate"] == 'Bearer error="invalid_token"'


def test_an_unknown_client_id_is_401_not_404(registrar, info):
    url = info["registration_client_uri"].replace(info["client_id"], "x" * 40)
    response = registrar.manage("get", {**info, "registration_client_uri": url})
    assert response.status_code == 401


def test_update_replaces_the_metadata_through_the_portals_rules(registrar, info):
    body = client_metadata(
        client_id=info["client_id"],
        client_name="Claude Code (work laptop)",
        redirect_uris=["http://127.0.0.1:40000/callback", "http://[::1]:40000/callback"],
        scope="accounts.self:read",
        client_uri="https://agent.example.com",
    )
    response = registrar.manage("put", info, body)
    assert response.status_code == 200, response.content
    assert response.json()["client_name"] == "Claude Code (work laptop)"
    assert response.json()["client_uri"] == "https://agent.example.com"
    app = OAuthApplication.objects.get(client_id=info["client_id"])
    assert app.name == "Claude Code (work laptop)"
    assert app.redirect_uri_list == ["http://127.0.0.1:40000/callback", "http://[::1]:40000/callback"]
    assert app.scope_names == ["accounts.self:read"]
    assert app.website_url == "https://agent.example.com"
    event = AuditEvent.objects.filter(application_pk=app.pk, action=AuditAction.UPDATE).get()
    assert event.via == "dynamic client registration"
    assert event.changes["name"] == {"old": "Claude Code", "new": "Claude Code (work laptop)"}


def test_an_update_that_leaves_out_a_url_goes_back_to_the_portal_page(registrar):
    info = registrar.registered(client_uri="https://agent.example.com")
    response = registrar.manage("put", info, client_metadata(client_id=info["client_id"]))
    assert response.status_code == 200
    assert "client_uri" not in response.json()
    app = OAuthApplication.objects.get(client_id=info["client_id"])
    assert app.website_url == "http://testserver/oauth/self-registered/website/"


@pytest.mark.parametrize(
    ("overrides", "error"),
    [
        ({"client_id": None}, "invalid_client_metadata"),
        ({"client_id": "someone-else"}, "invalid_client_metadata"),
        ({"token_endpoint_auth_method": "client_secret_basic"}, "invalid_client_metadata"),
        ({"redirect_uris": ["http://agent.example.com/cb"]}, "invalid_redirect_uri"),
        ({"scope": "nope"}, "invalid_client_metadata"),
        ({"client_name": ""}, "invalid_client_metadata"),
    ],
)
def test_a_bad_update_changes_nothing(registrar, info, overrides, error):
    before = OAuthApplication.objects.get(client_id=info["client_id"])
    body = client_metadata(client_id=info["client_id"], client_name="Renamed", **{})
    body.update(overrides)
    body = {key: value for key, value in body.items() if value is not None}
    response = registrar.manage("put", info, body)
    assert response.status_code == 400
    assert response.json()["error"] == error
    after = OAuthApplication.objects.get(client_id=info["client_id"])
    assert (after.name, after.version, after.redirect_uris) == (
        before.name,
        before.version,
        before.redirect_uris,
    )


def test_delete_removes_the_client_and_its_token_stops_working(registrar, info):
    response = registrar.manage("delete", info)
    assert response.status_code == 204
    assert not OAuthApplication.objects.filter(client_id=info["client_id"]).exists()
    assert not ClientRegistration.objects.exists()
    event = AuditEvent.objects.get(client_id=info["client_id"], action=AuditAction.DELETE)
    assert event.via == "dynamic client registration"
    assert registrar.manage("get", info).status_code == 401


def test_other_methods_are_not_offered(registrar, info):
    response = registrar.client.post(
        info["registration_client_uri"],
        "{}",
        content_type="application/json",
        headers={"Authorization": f"Bearer {info['registration_access_token']}"},
    )
    assert response.status_code == 405
