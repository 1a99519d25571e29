"""The official MCP SDK (Python `mcp`), as an MCP client that has never seen this portal.

A small MCP server built with the same SDK (tests/mcp/server.py) accepts only our
tokens, checked through our introspection endpoint with their audience. The SDK's
client gets a 401, discovers our authorization server through the server's
protected-resource metadata, registers itself, sends a person (Dana, in Chromium)
through our consent screen with PKCE and a resource indicator, and calls the tool.
Then an administrator finds the client in the portal's list and turns it off, and the
client's next call fails.
"""

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from mcp.shared.auth import OAuthClientInformationFull, OAuthClientMetadata
from oauth2_provider.models import get_access_token_model

from oauth_apps import services
from oauth_apps.models import OAuthApplication
from tests.mcp.client import MCPClientRun, MemoryStorage, Refused
from tests.mcp.server import SCOPE, ProtectedMCPServer, free_port

from .conftest import PASSWORD

pytestmark = pytest.mark.browser

CLIENT_NAME = "Notes Agent"


@pytest.fixture
def mcp_server(live_server, make_app, dana, settings):
    """The MCP server, introspecting as a confidential app an administrator marked a resource server."""
    app, secret = make_app(dana, name="MCP tool server")
    OAuthApplication.objects.filter(pk=app.pk).update(is_resource_server=True)
    server = ProtectedMCPServer(
        issuer=live_server.url,
        introspection_url=f"{live_server.url}/oauth/introspect/",
        client_id=app.client_id,
        client_secret=secret,
    )
    # Our authorization server issues tokens for it (RFC 8707): PORTAL_RESOURCE_INDICATORS.
    settings.RESOURCE_INDICATORS = [server.url]
    with server:
        yield server


def client_metadata(redirect_uri: str) -> OAuthClientMetadata:
    return OAuthClientMetadata(
        client_name=CLIENT_NAME,
        redirect_uris=[redirect_uri],
        grant_types=["authorization_code", "refresh_token"],
        response_types=["code"],
        token_endpoint_auth_method="none",
    )


def consent_in_chromium(page, run: MCPClientRun, callback_prefix: str, *, sign_in: bool) -> str:
    """Open the SDK's authorization URL, sign in, click Allow; return where the browser was sent."""
    authorization_url = run.next_authorization_url()
    seen = []

    def catch(route):
        seen.append(route.request.url)
        route.fulfill(status=200, content_type="text/plain", body="You may close this window.")

    page.route(re.compile(re.escape(callback_prefix) + ".*"), catch)
    page.goto(authorization_url)
    if sign_in:
        page.get_by_label("Username").fill("dana")
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url("**/oauth/authorize/?**")
    assert page.get_by_text(CLIENT_NAME).first.is_visible()
    page.get_by_role("button", name="Allow").click()
    page.wait_for_url(re.compile(re.escape(callback_prefix) + ".*"))
    assert seen, "the browser never reached the client's redirect URI"
    run.come_back(seen[-1])
    return authorization_url


def query_of(url: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(url).query)


def test_an_mcp_client_with_a_stored_registration_connects_through_our_consent_screen(
    page, live_server, mcp_server, make_app, dana
):
    callback = f"http://127.0.0.1:{free_port()}/callback"
    app, _secret = make_app(
        dana, name=CLIENT_NAME, public_client=True, redirect_uris=[callback], scopes=[SCOPE]
    )
    registration = OAuthClientInformationFull(
        client_id=app.client_id, redirect_uris=[callback], token_endpoint_auth_method="none"
    )
    storage = MemoryStorage(registration)
    run = MCPClientRun(mcp_server.url, storage, client_metadata(callback), name="whoami").start()

    authorization_url = consent_in_chromium(page, run, callback, sign_in=True)

    run.finish()
    assert run.error is None, repr(run.error)
    assert run.result.content[0].text == "Signed in to the portal as dana"
    asked = query_of(authorization_url)
    assert asked["resource"] == [mcp_server.url]
    assert asked["code_challenge_method"] == ["S256"]
    assert asked["scope"] == [SCOPE]
    token = get_access_token_model().objects.get(application=app)
    assert token.resource == [mcp_server.url]
    assert mcp_server.verifier.answers[-1]["aud"] == [mcp_server.url]
    # The token is for the MCP server only: our own API refuses it.
    import requests

    api = requests.get(
        f"{live_server.url}/api/2.0/people/@self",
        headers={"Authorization": f"Bearer {storage.tokens.access_token}"},
        timeout=10,
    )
    assert api.status_code == 401

    # An administrator turns the client off: its next call fails, and asking again is refused.
    staff = type(dana).objects.create_user(
        "root", "root@example.com", PASSWORD, is_staff=True, is_superuser=True
    )
    services.set_enabled(OAuthApplication.objects.get(pk=app.pk), actor=staff, enabled=False)
    again = MCPClientRun(mcp_server.url, storage, client_metadata(callback), name="whoami").start()
    page.goto(again.next_authorization_url())
    assert page.get_by_text("This application is disabled").first.is_visible()
    again.come_back(None)
    again.finish()
    assert again.result is None
    assert isinstance(again.error, Refused) or "Refused" in repr(again.error), repr(again.error)
    assert mcp_server.verifier.answers[-1] == {"active": False}
