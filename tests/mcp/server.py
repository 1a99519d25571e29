"""A small MCP server, built with the official SDK, that accepts only tokens of our portal.

It speaks streamable HTTP at /mcp, offers one tool (`whoami`), serves its own
protected-resource metadata naming our authorization server (the SDK does that from
AuthSettings), and validates every Bearer token through OUR introspection endpoint as a
confidential client marked as a resource server — including the audience: a token
not bound to this server (RFC 8707 `aud`) is refused, whatever else it may do.
"""

import socket
import threading
import time

import httpx2
import uvicorn
from mcp.server.auth.middleware.auth_context import get_access_token
from mcp.server.auth.provider import AccessToken
from mcp.server.auth.settings import AuthSettings
from mcp.server.mcpserver import MCPServer

SCOPE = "accounts.self:read"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class IntrospectingVerifier:
    """The SDK's TokenVerifier: ask the portal (RFC 7662) and check `aud` names this server."""

    def __init__(self, introspection_url: str, client_id: str, client_secret: str, resource: str):
        self.introspection_url = introspection_url
        self.credentials = (client_id, client_secret)
        self.resource = resource
        self.answers: list[dict] = []

    async def verify_token(self, token: str) -> AccessToken | None:
        async with httpx2.AsyncClient(timeout=10) as http:
            response = await http.post(self.introspection_url, data={"token": token}, auth=self.credentials)
        answer = response.json() if response.status_code == 200 else {"active": False}
        self.answers.append(answer)
        if not answer.get("active"):
            return None
        audiences = answer.get("aud") or []
        if isinstance(audiences, str):
            audiences = [audiences]
        if self.resource not in audiences:
            return None
        return AccessToken(
            token=token,
            client_id=answer["client_id"],
            scopes=answer.get("scope", "").split(),
            expires_at=answer.get("exp"),
            resource=self.resource,
            subject=answer.get("sub"),
            claims={"username": answer.get("username")},
        )


class ProtectedMCPServer:
    """The MCP server in a thread of its own (uvicorn), on a free loopback port."""

    def __init__(self, *, issuer: str, introspection_url: str, client_id: str, client_secret: str):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/mcp"
        self.verifier = IntrospectingVerifier(introspection_url, client_id, client_secret, self.url)
        self.mcp = MCPServer(
            "Portal test server",
            token_verifier=self.verifier,
            auth=AuthSettings(
                issuer_url=issuer,
                resource_server_url=self.url,
                required_scopes=[SCOPE],
                validate_token_resource=True,
            ),
        )

        @self.mcp.tool()
        def whoami() -> str:
            """The portal user name the caller's token was issued for."""
            token = get_access_token()
            return f"Signed in to the portal as {token.claims['username']}"

        app = self.mcp.streamable_http_app(host="127.0.0.1")
        config = uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning", lifespan="on")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self):
        self.thread.start()
        deadline = time.monotonic() + 15
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("the MCP server did not start")
            time.sleep(0.05)
        return self

    def __exit__(self, *exc):
        self.server.should_exit = True
        self.thread.join(timeout=15)
