"""The official MCP SDK (Python `mcp`), as an MCP client that has never seen this portal.

A small MCP server built with the same SDK (tests/mcp/server.py) accepts only our
tokens, checked through our introspection endpoint with their audience. The SDK's
client gets a 401, discovers our authorization server through the server's
protected-resource metadata, registers itself, sends a person (Dana, in Chromium)
through our consent screen with PKCE and a resource indicator, and calls the tool.
Then an administrator finds the client in the portal's list and turns it off, and the
client's next call fails.
"""

import json
import re
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from django.contrib.auth import get_user_model
from mcp.shared.auth import OAuthClientMetadata
from oauth2_provider.models import get_access_token_model
from playwright.sync_api import expect

from oauth_apps.models import OAuthApplication, RegistrationSource
from tests.client_metadata.tls_server import DocumentServer, Route, trusted_document_server
from tests.conftest import grant
from tests.mcp.client import MCPClientRun, MemoryStorage
from tests.mcp.server import SCOPE, ProtectedMCPServer, free_port

from .conftest import PASSWORD, signed_in_at

pytestmark = pytest.mark.browser

CLIENT_NAME = "Notes Agent"
LIST = "/settings/developer-tools/oauth/"
DOCUMENT_HOST = "tools.cimd-test.net"
DOCUMENT_PATH = "/mcp/notes-agent.json"


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
    expect(page.get_by_text(CLIENT_NAME).first).to_be_visible()
    page.get_by_role("button", name="Allow").click()
    page.wait_for_url(re.compile(re.escape(callback_prefix) + ".*"))
    assert seen, "the browser never reached the client's redirect URI"
    run.come_back(seen[-1])
    return authorization_url


def query_of(url: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(url).query)


@pytest.fixture
def document_host(tmp_path_factory, settings, monkeypatch):
    """A local TLS server for the client's metadata document, trusted through CLIENT_METADATA_CA_BUNDLE."""
    directory = tmp_path_factory.mktemp("mcp-client-document")
    with trusted_document_server(directory, DOCUMENT_HOST, settings, monkeypatch) as server:
        yield server


class Agent:
    """An MCP client that knows only the MCP server's URL, and publishes a metadata document."""

    def __init__(self, mcp_server, document_server: DocumentServer):
        self.mcp_server = mcp_server
        self.callback = f"http://127.0.0.1:{free_port()}/callback"
        self.storage = MemoryStorage()
        self.document_server = document_server
        self.document_url = document_server.url(DOCUMENT_PATH, DOCUMENT_HOST)
        document = {
            "client_id": self.document_url,
            "client_name": CLIENT_NAME,
            "client_uri": f"https://{DOCUMENT_HOST}/",
            "redirect_uris": [self.callback],
            "token_endpoint_auth_method": "none",
            "grant_types": ["authorization_code", "refresh_token"],
            "response_types": ["code"],
            "scope": SCOPE,
        }
        document_server.routes[DOCUMENT_PATH] = Route(body=json.dumps(document).encode())

    def document_fetches(self) -> int:
        return self.document_server.hits.get(DOCUMENT_PATH, 0)

    def start(self) -> MCPClientRun:
        """One run of the SDK client calling the `whoami` tool."""
        metadata = OAuthClientMetadata(
            client_name=CLIENT_NAME,
            redirect_uris=[self.callback],
            grant_types=["authorization_code", "refresh_token"],
            response_types=["code"],
            token_endpoint_auth_method="none",
        )
        return MCPClientRun(
            self.mcp_server.url, self.storage, metadata, self.document_url, name="whoami"
        ).start()


def test_an_mcp_client_identified_by_its_metadata_document_connects_and_is_shut_off(
    page, open_page, live_server, mcp_server, document_host
):
    agent = Agent(mcp_server, document_host)
    app = connects(page, live_server, agent)
    assert agent.storage.client_info.client_id == agent.document_url
    assert app.registration_source == RegistrationSource.METADATA_DOCUMENT
    assert agent.document_fetches() >= 1
    shut_off_by_an_administrator(open_page, live_server, agent, app)


def test_with_metadata_documents_off_an_mcp_client_registers_dynamically_and_is_shut_off(
    page, open_page, live_server, mcp_server, document_host, settings
):
    settings.CLIENT_METADATA_DOCUMENTS_ENABLED = False
    agent = Agent(mcp_server, document_host)
    app = connects(page, live_server, agent)
    assert app.registration_source == RegistrationSource.DYNAMIC
    assert agent.storage.client_info.client_id != agent.document_url
    assert agent.document_fetches() == 0
    shut_off_by_an_administrator(open_page, live_server, agent, app)


def connects(page, live_server, agent: Agent):
    """The SDK client, knowing only the MCP server's URL, ends up calling its tool as Dana."""
    mcp_server, storage = agent.mcp_server, agent.storage
    run = agent.start()
    authorization_url = consent_in_chromium(page, run, agent.callback, sign_in=True)
    run.finish()
    assert run.error is None, repr(run.error)
    assert run.result.content[0].text == "Signed in to the portal as dana"

    app = OAuthApplication.objects.get(client_id=storage.client_info.client_id)
    asked = query_of(authorization_url)
    assert asked["client_id"] == [app.client_id]
    assert asked["resource"] == [mcp_server.url]
    assert asked["code_challenge_method"] == ["S256"]
    assert asked["scope"] == [SCOPE]
    token = get_access_token_model().objects.get(application=app)
    assert token.resource == [mcp_server.url]
    assert mcp_server.verifier.answers[-1]["aud"] == [mcp_server.url]
    # The token is for the MCP server only: our own API refuses it.
    api = requests.get(
        f"{live_server.url}/api/2.0/people/@self",
        headers={"Authorization": f"Bearer {storage.tokens.access_token}"},
        timeout=10,
    )
    assert api.status_code == 401
    return app


def shut_off_by_an_administrator(open_page, live_server, agent: Agent, app):
    """Staff find the client in the portal's list (its Info page says how it was registered)
    and turn it off there; the client's next call fails, and asking Dana again is refused."""
    staff = get_user_model().objects.create_user("root", "root@example.com", PASSWORD, is_staff=True)
    grant(staff, "view_all_applications", "change_oauthapplication")
    admin = signed_in_at(open_page(), live_server, username="root", path=LIST)
    switch = admin.get_by_role("switch", name=f"Enabled — {CLIENT_NAME}")
    expect(switch).to_be_visible()
    admin.goto(f"{live_server.url}{LIST}{app.pk}/")
    expect(admin.get_by_test_id("source")).to_have_text(app.get_registration_source_display())
    admin.go_back()
    switch.click()
    admin.locator("[data-confirm-panel]").get_by_role("button", name="Disable").click()
    admin.get_by_text(f"{CLIENT_NAME} is disabled").wait_for()
    assert not OAuthApplication.objects.get(pk=app.pk).enabled

    mcp_server = agent.mcp_server
    again = agent.start()
    page = open_page()
    page.goto(again.next_authorization_url())
    expect(page.get_by_text("This application is disabled").first).to_be_visible()
    again.come_back(None)
    again.finish()
    assert again.result is None
    assert "Refused" in repr(again.error), repr(again.error)
    assert mcp_server.verifier.answers[-1] == {"active": False}
