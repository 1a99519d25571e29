"""A local TLS server serving metadata documents, trusted only through CLIENT_METADATA_CA_BUNDLE."""

import json

import pytest

from client_metadata import fetcher

from .tls_server import DocumentServer, Route

REDIRECT_URI = "http://127.0.0.1:33418/callback"
DOCUMENT_PATH = "/oauth/client.json"
# Shorter than production's (5 s, connect 2 s) so the timeout tests are quick, yet with room
# for a loopback TLS fetch on a busy CI machine; a "slow" server is well past the deadline.
FETCH_TIMEOUT = 3.0
CONNECT_TIMEOUT = 2.0
SLOW = 2 * FETCH_TIMEOUT


@pytest.fixture(scope="session")
def document_server(tmp_path_factory):
    server = DocumentServer(tmp_path_factory.mktemp("client-metadata-tls"))
    yield server
    server.close()


class Documents:
    """The tests' handle on the server: what it serves, and where names resolve."""

    def __init__(self, server: DocumentServer, addresses: dict):
        self.server = server
        self.addresses = addresses
        self.lookups = []

    def url(self, path=DOCUMENT_PATH, host="tools.cimd-test.net"):
        return self.server.url(path, host)

    def document(self, path=DOCUMENT_PATH, host="tools.cimd-test.net", **members):
        document = {
            "client_id": self.url(path, host),
            "client_name": "Claude Code",
            "client_uri": "https://tools.cimd-test.net/",
            "redirect_uris": [REDIRECT_URI],
            "scope": "accounts.self:read openid",
            "token_endpoint_auth_method": "none",
            "grant_types": ["authorization_code", "refresh_token"],
            "response_types": ["code"],
        }
        document.update(members)
        return {key: value for key, value in document.items() if value is not None}

    def serve(self, path=DOCUMENT_PATH, document=None, *, raw=None, **route):
        body = raw if raw is not None else json.dumps(document or self.document(path)).encode()
        self.server.routes[path] = Route(body=body, **route)
        return self.url(path)

    def hits(self, path=DOCUMENT_PATH) -> int:
        return self.server.hits.get(path, 0)


@pytest.fixture
def documents(document_server, settings, monkeypatch):
    document_server.reset()
    settings.CLIENT_METADATA_CA_BUNDLE = str(document_server.ca_path)
    settings.CLIENT_METADATA_ALLOW_LOOPBACK = True
    settings.CLIENT_METADATA_TIMEOUT = FETCH_TIMEOUT
    settings.CLIENT_METADATA_CONNECT_TIMEOUT = CONNECT_TIMEOUT
    addresses = {"tools.cimd-test.net": ["127.0.0.1"], "other.cimd-test.net": ["127.0.0.1"]}
    handle = Documents(document_server, addresses)

    def resolve(host, port):
        handle.lookups.append(host)
        if host in addresses:
            return list(addresses[host])
        return fetcher.socket.gethostbyname_ex(host)[2] if host == "localhost" else []

    monkeypatch.setattr(fetcher, "resolve", resolve)
    return handle
