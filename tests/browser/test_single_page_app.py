"""A single-page app on another loopback origin signs in with oauth4webapi in Chromium.

The page (tests/browser/spa/) is served by a small server on 127.0.0.1, the portal by
the live server on localhost: two origins, as in production. It runs authorization
code + PKCE as a public client, exchanges the code by fetch (CORS on the token
endpoint), calls /api/2.0/people/@self and reads the WWW-Authenticate challenge of a
403, which only works because the portal exposes that header to scripts.
"""

import json
import threading
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

SPA = Path(__file__).resolve().parent / "spa"
OAUTH4WEBAPI = Path(__file__).resolve().parent.parent / "conformance/node_modules/oauth4webapi/build/index.js"


class SpaHandler(SimpleHTTPRequestHandler):
    """index.html at / and /callback, app.js, the library, and a config.js the test writes."""

    config = b""

    def do_GET(self):  # noqa: N802 (http.server's name)
        path = self.path.split("?", 1)[0]
        if path in ("/", "/callback"):
            self._send(SPA / "index.html", "text/html; charset=utf-8")
        elif path == "/app.js":
            self._send(SPA / "app.js", "text/javascript")
        elif path == "/oauth4webapi.js":
            self._send(OAUTH4WEBAPI, "text/javascript")
        elif path == "/config.js":
            self._reply(self.config, "text/javascript")
        else:
            self.send_error(404)

    def _send(self, file: Path, content_type: str):
        self._reply(file.read_bytes(), content_type)

    def _reply(self, body: bytes, content_type: str):
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def spa_server():
    if not OAUTH4WEBAPI.is_file():
        pytest.fail("oauth4webapi is missing: run `make test` or `npm ci --prefix tests/conformance`")
    handler = type("Handler", (SpaHandler,), {})
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(handler, directory=str(SPA)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield handler, f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_a_single_page_app_signs_in_calls_the_api_and_reads_the_challenge(
    page, live_server, spa_server, make_app, user
):
    handler, origin = spa_server
    redirect_uri = f"{origin}/callback"
    app, _none = make_app(
        user,
        public_client=True,
        scopes=["openid", "accounts.self:read"],
        redirect_uris=[redirect_uri],
        allowed_origins=[origin],
    )
    config = {
        "issuer": live_server.url,
        "client_id": app.client_id,
        "redirect_uri": redirect_uri,
        "api": f"{live_server.url}/api/2.0",
    }
    handler.config = f"export default {json.dumps(config)};".encode()

    page.goto(f"{origin}/")
    page.wait_for_url(f"{live_server.url}/accounts/login/**")
    page.get_by_label("Username").fill("alice")
    page.get_by_label("Password").fill("alice-password-1")
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("button", name="Allow").click()
    page.wait_for_url(f"{redirect_uri}?**")
    page.locator("#result:not(:empty)").wait_for()
    result = json.loads(page.locator("#result").text_content())

    assert "failure" not in result, result
    assert result["iss"] == live_server.url
    assert result["sub"] == str(user.pk)
    assert result["profile"]["userName"] == "alice"
    assert result["challenge"]["status"] == 403
    assert result["challenge"]["scheme"].lower() == "bearer"
    assert result["challenge"]["parameters"]["error"] == "insufficient_scope"
    assert result["challenge"]["parameters"]["scope"] == "accounts:read accounts:write"
