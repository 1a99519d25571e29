"""Certified client libraries (openid-client, oauth4webapi) against the live server.

Each library runs under Node (driver.mjs, pinned in package.json beside it, installed by
`make test` with `npm ci`; one Node process serves the whole session). Python plays the
person: it signs in and answers the consent screen with a requests session. Everything
a client does — discovery, building the authorization request, reading the redirect
back (state, iss, nonce), the code exchange with PKCE, ID token validation (signature
included), userinfo, refresh rotation and replay, introspection, revocation — is done
by the library, with its own checks. The only allowance is plain http, because the
live server listens on loopback.

One client is a metadata-document client that authenticates with private_key_jwt: its
document, served over TLS by the client-metadata tests' server, publishes an EC key,
and the library signs every token, refresh and revocation request with it.
"""

import json
import os
import select
import shutil
import subprocess
from datetime import timedelta
from pathlib import Path

import pytest
import requests
from jwcrypto import jwk

from authserver import signing_keys
from authserver.models import SigningKey
from tests.client_metadata.tls_server import DocumentServer, Route, trusted_document_server
from tests.live_consent import answer_consent, redirect_without_consent, signed_in_browser

HERE = Path(__file__).resolve().parent
LIBRARIES = ["openid-client", "oauth4webapi"]
CONFIDENTIAL_REDIRECT = "https://client.example.com/callback"
NATIVE_REDIRECT = "http://127.0.0.1:8765/callback"
SCOPE = "openid accounts.self:read"
DOCUMENT_HOST = "tools.cimd-test.net"
DOCUMENT_PATH = "/conformance/signing-client.json"
ANSWER_TIMEOUT = 60


class Driver:
    """One Node process for the whole session; one JSON line in, one JSON line out."""

    def __init__(self):
        node = shutil.which("node")
        if node is None or not (HERE / "node_modules" / "openid-client").is_dir():
            pytest.fail(
                "Node and the pinned client libraries are needed: run `make test`, or "
                "`npm ci --prefix tests/conformance` once."
            )
        self.process = subprocess.Popen(
            [node, str(HERE / "driver.mjs")],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            cwd=HERE,
            env={**os.environ, "NODE_NO_WARNINGS": "1"},
        )

    def __call__(self, request: dict) -> dict:
        self.process.stdin.write(json.dumps(request) + "\n")
        self.process.stdin.flush()
        ready, _, _ = select.select([self.process.stdout], [], [], ANSWER_TIMEOUT)
        if not ready:
            pytest.fail(f"the Node driver did not answer within {ANSWER_TIMEOUT} s")
        line = self.process.stdout.readline()
        if not line:
            pytest.fail("the Node driver stopped: " + self.process.stderr.read())
        answer = json.loads(line)
        assert "unexpected" not in answer, answer["unexpected"] if isinstance(answer, dict) else answer
        return answer

    def close(self):
        self.process.stdin.close()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()


@pytest.fixture(scope="session")
def run_driver():
    driver = Driver()
    yield driver
    driver.close()


@pytest.fixture
def portal(live_server):
    return live_server.url


@pytest.fixture
def clients(make_app, user):
    """One registered app per client authentication method, as the library will see it."""
    scopes = ["openid", "accounts.self:read"]
    confidential, secret = make_app(user, scopes=scopes, redirect_uris=[CONFIDENTIAL_REDIRECT])
    public, _none = make_app(user, public_client=True, scopes=scopes, redirect_uris=[NATIVE_REDIRECT])
    return {
        "basic": {
            "client_id": confidential.client_id,
            "client_secret": secret,
            "auth": "basic",
            "redirect_uri": CONFIDENTIAL_REDIRECT,
        },
        "post": {
            "client_id": confidential.client_id,
            "client_secret": secret,
            "auth": "post",
            "redirect_uri": CONFIDENTIAL_REDIRECT,
        },
        "none": {"client_id": public.client_id, "auth": "none", "redirect_uri": NATIVE_REDIRECT},
    }


@pytest.fixture
def signing_client(tmp_path_factory, settings, monkeypatch):
    """A metadata-document client whose document publishes an EC key (private_key_jwt)."""
    directory = tmp_path_factory.mktemp("conformance-document")
    with trusted_document_server(directory, DOCUMENT_HOST, settings, monkeypatch) as server:
        yield signing_client_served_by(server)


def signing_client_served_by(server: DocumentServer) -> dict:
    """Publish the signing client's document on `server`; return the client as the library sees it."""
    key = jwk.JWK.generate(kty="EC", crv="P-256", kid="conformance-1")
    url = server.url(DOCUMENT_PATH, DOCUMENT_HOST)
    document = {
        "client_id": url,
        "client_name": "Signing Agent",
        "redirect_uris": [NATIVE_REDIRECT],
        "scope": SCOPE,
        "token_endpoint_auth_method": "private_key_jwt",
        "jwks": {"keys": [key.export_public(as_dict=True)]},
    }
    server.routes[DOCUMENT_PATH] = Route(body=json.dumps(document).encode())
    return {
        "client_id": url,
        "auth": "private_key_jwt",
        "private_jwk": key.export_private(as_dict=True),
        "redirect_uri": NATIVE_REDIRECT,
    }


@pytest.fixture
def person(portal, user):
    return signed_in_browser(portal, "alice", "alice-password-1")


@pytest.fixture
def driver(run_driver):
    def call(command, library, portal, client, algorithm="oidc", **extra):
        return run_driver(
            {
                "command": command,
                "library": library,
                "issuer": portal,
                "algorithm": algorithm,
                "client": client,
                "scope": SCOPE,
                **extra,
            }
        )

    return call


@pytest.mark.parametrize("algorithm", ["oidc", "oauth2"])
@pytest.mark.parametrize("library", LIBRARIES)
def test_the_library_accepts_both_metadata_documents(driver, portal, clients, library, algorithm):
    seen = driver("discover", library, portal, clients["basic"], algorithm)["metadata"]
    path = "openid-configuration" if algorithm == "oidc" else "oauth-authorization-server"
    served = requests.get(f"{portal}/.well-known/{path}", timeout=10).json()
    assert seen == served
    assert seen["issuer"] == portal
    for endpoint in ("revocation_endpoint", "introspection_endpoint", "userinfo_endpoint", "jwks_uri"):
        assert seen[endpoint].startswith(portal + "/")


@pytest.mark.parametrize("auth", ["basic", "post", "none"])
@pytest.mark.parametrize("library", LIBRARIES)
def test_the_whole_flow_passes_the_librarys_checks(driver, portal, clients, person, user, library, auth):
    client = clients[auth]
    begun = driver("begin", library, portal, client)
    callback = answer_consent(person, begun["authorization_url"])
    result = driver("finish", library, portal, client, callback_url=callback, **_checks(begun))

    assert result["token"]["token_type"].lower() == "bearer"
    assert set(result["token"]["scope"].split()) == set(SCOPE.split())
    claims = result["id_token_claims"]
    assert claims["iss"] == portal
    assert claims["aud"] == client["client_id"]
    assert claims["sub"] == str(user.pk)
    assert claims["nonce"] == begun["nonce"]
    # iat (oauthlib, time.time()) and exp (the toolkit, now + 10 minutes) are stamped a moment
    # apart, each cut to whole seconds: a second boundary between the two makes 601.
    assert 0 < claims["exp"] - claims["iat"] <= 10 * 60 + 1
    assert result["userinfo"]["preferred_username"] == "alice"
    assert result["refresh_rotated"] is True
    assert result["revocation"]["ok"] is True
    assert result["refresh_after_revocation"]["failure"]["error"] == "invalid_grant"
    assert result["replay"]["failure"]["error"] == "invalid_grant"
    if auth == "none":
        # Introspection is for resource servers, which hold a secret (RFC 7662 §2.1).
        failure = result["introspection"]["failure"]
        assert failure["status"] == 401
        assert failure["challenges"][0]["scheme"].lower() == "basic"
    else:
        introspection = result["introspection"]["value"]
        assert introspection["active"] is True
        assert introspection["client_id"] == client["client_id"]


@pytest.mark.parametrize("library", LIBRARIES)
def test_a_metadata_document_client_signs_its_requests_with_private_key_jwt(
    driver, portal, signing_client, person, library
):
    begun = driver("begin", library, portal, signing_client)
    callback = answer_consent(person, begun["authorization_url"])
    result = driver("finish", library, portal, signing_client, callback_url=callback, **_checks(begun))
    # The server refuses this client any other way to authenticate, so each success
    # below is the library's signed assertion accepted.
    assert result["token"]["token_type"].lower() == "bearer"
    assert result["id_token_claims"]["aud"] == signing_client["client_id"]
    assert result["refresh_rotated"] is True
    assert result["revocation"]["ok"] is True
    assert result["refresh_after_revocation"]["failure"]["error"] == "invalid_grant"
    assert result["replay"]["failure"]["error"] == "invalid_grant"
    # Introspection is for resource servers registered in the portal.
    assert result["introspection"]["failure"]["status"] == 401


@pytest.mark.parametrize("library", LIBRARIES)
def test_a_reused_code_is_refused_and_the_first_tokens_stop_working(driver, portal, clients, person, library):
    client = clients["basic"]
    begun = driver("begin", library, portal, client)
    callback = answer_consent(person, begun["authorization_url"])
    result = driver(
        "finish",
        library,
        portal,
        client,
        callback_url=callback,
        reuse_code=True,
        resource_url=f"{portal}/api/2.0/people/@self",
        **_checks(begun),
    )
    assert result["code_reuse"]["failure"]["error"] == "invalid_grant"
    after = result["first_token_after_reuse"]["failure"]
    assert after["status"] == 401
    assert after["challenges"][0]["parameters"]["error"] == "invalid_token"


ERROR_CASES = {
    # name: (extra authorization parameters, how the person gets there, expected error)
    "deny": ({}, "deny", "access_denied"),
    "scope-not-registered": ({"scope": "openid rooms:write"}, "at_once", "invalid_scope"),
    "plain-pkce": ({"code_challenge_method": "plain"}, "at_once", "invalid_request"),
    "prompt-none-signed-in": ({"prompt": "none"}, "at_once", "consent_required"),
    "prompt-none-signed-out": ({"prompt": "none"}, "signed_out", "login_required"),
    "implicit": ({"response_type": "token"}, "at_once", "unsupported_response_type"),
    "hybrid": ({"response_type": "code id_token"}, "at_once", "unsupported_response_type"),
}


@pytest.mark.parametrize("case", list(ERROR_CASES))
@pytest.mark.parametrize("library", LIBRARIES)
def test_every_error_redirect_passes_the_librarys_response_validation(
    driver, portal, clients, person, library, case
):
    extra, how, expected = ERROR_CASES[case]
    client = clients["basic"]
    begun = driver("begin", library, portal, client, extra=extra)
    if how == "deny":
        location = answer_consent(person, begun["authorization_url"], allow=False)
    elif how == "signed_out":
        location = redirect_without_consent(requests.Session(), begun["authorization_url"])
    else:
        location = redirect_without_consent(person, begun["authorization_url"])
    assert location.startswith(client["redirect_uri"] + "?")

    result = driver("callback_error", library, portal, client, callback_url=location, **_checks(begun))
    # The library checked state and iss, then raised the error it read (not a protocol failure).
    assert result["accepted"] is False
    assert result["failure"]["name"] == "AuthorizationResponseError", result
    assert result["failure"]["error"] == expected


@pytest.mark.parametrize("library", LIBRARIES)
def test_the_library_validates_id_tokens_across_a_signing_key_rotation(
    driver, portal, clients, person, library
):
    """Before and after a rotation that switches signing at once (the library must fetch the
    JWKS again for the new kid; the default rotation publishes it minutes ahead)."""
    client = clients["basic"]
    # Start from the configured key alone: a key another test left waiting would make this
    # rotation a no-op (rotating while a key waits changes nothing, by design).
    SigningKey.objects.all().delete()
    signing_keys.clear_cache()
    kids, made = [], None
    for rotate in (False, True):
        if rotate:
            made = signing_keys.rotate(timedelta(0))
            assert made.created
        begun = driver("begin", library, portal, client)
        callback = answer_consent(person, begun["authorization_url"])
        result = driver("finish", library, portal, client, callback_url=callback, **_checks(begun))
        assert result["id_token_claims"]["nonce"] == begun["nonce"]
        kids.append(result["id_token_kid"])
    # The first token carries the key active before the rotation; the second, the key it made.
    assert kids[1] == made.key.kid
    assert kids[0] == made.previous.kid != made.key.kid


def _checks(begun: dict) -> dict:
    return {"code_verifier": begun["code_verifier"], "state": begun["state"], "nonce": begun["nonce"]}
