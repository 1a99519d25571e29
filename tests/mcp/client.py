"""The official MCP SDK as an MCP client, run in a thread of its own.

The SDK does the whole OAuth dance itself (OAuthClientProvider): on the server's 401 it
reads the protected-resource metadata, then our authorization server's metadata,
registers itself (a client ID metadata document, or dynamic registration, or the
stored registration it is given), builds the authorization request with PKCE and the
resource indicator, exchanges the code and retries. Two things it leaves to its host
application, which the test plays: opening the authorization URL in a browser
(`redirect_handler`) and reading the redirect back (`callback_handler`). Here they hand
the URL to the test's thread, which drives Chromium, and wait for the redirect it saw.
"""

import queue
import threading
from urllib.parse import parse_qs, urlsplit

import anyio
import httpx2
from mcp.client.auth import OAuthClientProvider
from mcp.client.session import ClientSession
from mcp.client.streamable_http import streamable_http_client
from mcp.shared.auth import (
    AuthorizationCodeResult,
    OAuthClientInformationFull,
    OAuthClientMetadata,
    OAuthToken,
)

WAIT = 60


class MemoryStorage:
    """The SDK's TokenStorage: what the client remembers between runs (tokens, registration)."""

    def __init__(self, client_info: OAuthClientInformationFull | None = None):
        self.tokens: OAuthToken | None = None
        self.client_info = client_info

    async def get_tokens(self):
        return self.tokens

    async def set_tokens(self, tokens):
        self.tokens = tokens

    async def get_client_info(self):
        return self.client_info

    async def set_client_info(self, client_info):
        self.client_info = client_info


class Refused(Exception):
    """The person did not come back with a code (the authorization server said no)."""


class MCPClientRun:
    """One run of the SDK client: connect, initialize, call a tool; in its own thread."""

    def __init__(self, server_url, storage, metadata: OAuthClientMetadata, client_metadata_url=None, **tool):
        self.server_url = server_url
        self.storage = storage
        self.metadata = metadata
        self.client_metadata_url = client_metadata_url
        self.tool = tool
        self.authorization_urls: queue.Queue[str] = queue.Queue()
        self.redirects: queue.Queue[str | None] = queue.Queue()
        self.result = None
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._run, daemon=True)

    def start(self):
        self.thread.start()
        return self

    def next_authorization_url(self) -> str:
        return self.authorization_urls.get(timeout=WAIT)

    def come_back(self, redirect_url: str | None):
        """The URL the browser was sent back to, or None when it never came back."""
        self.redirects.put(redirect_url)

    def finish(self):
        self.thread.join(timeout=WAIT)
        assert not self.thread.is_alive(), "the MCP client did not finish"
        return self

    async def _redirect_handler(self, url: str) -> None:
        self.authorization_urls.put(url)

    async def _callback_handler(self) -> AuthorizationCodeResult:
        url = await anyio.to_thread.run_sync(lambda: self.redirects.get(timeout=WAIT), abandon_on_cancel=True)
        if url is None:
            raise Refused("the authorization server sent no code back")
        query = {key: values[0] for key, values in parse_qs(urlsplit(url).query).items()}
        if "code" not in query:
            raise Refused(query.get("error", "no code"))
        return AuthorizationCodeResult(code=query["code"], state=query.get("state"), iss=query.get("iss"))

    async def _call(self):
        provider = OAuthClientProvider(
            server_url=self.server_url,
            client_metadata=self.metadata,
            storage=self.storage,
            redirect_handler=self._redirect_handler,
            callback_handler=self._callback_handler,
            client_metadata_url=self.client_metadata_url,
        )
        async with (
            httpx2.AsyncClient(auth=provider, timeout=30) as http,
            streamable_http_client(self.server_url, http_client=http) as (read, write),
            ClientSession(read, write) as session,
        ):
            await session.initialize()
            return await session.call_tool(self.tool["name"], self.tool.get("arguments", {}))

    def _run(self):
        try:
            self.result = anyio.run(self._call)
        except BaseException as error:  # noqa: BLE001 - reported to the test's thread
            self.error = error
