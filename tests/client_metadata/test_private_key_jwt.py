"""private_key_jwt: a metadata document publishes public keys, the client signs its token requests."""

import base64
import json
import time
import uuid

import pytest
from jwcrypto import jwk, jwt

from client_metadata import services
from client_metadata.models import FetchFailure, MetadataDocument
from oauth_apps.models import OAuthApplication
from tests.authserver.conftest import TOKEN_URL, Flow

from .conftest import REDIRECT_URI
from .test_authorize import client_for, nothing_stored, refused

pytestmark = pytest.mark.django_db

ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
ISSUER = "http://testserver"
TOKEN_ENDPOINT = "http://testserver/oauth/token/"
REVOKE_URL = "/oauth/revoke/"


@pytest.fixture
def flow(user_client):
    return Flow(user_client)


def new_key(kid="key-1", kty="EC"):
    if kty == "RSA":
        return jwk.JWK.generate(kty="RSA", size=2048, kid=kid)
    return jwk.JWK.generate(kty="EC", crv="P-256", kid=kid)


def public_set(*keys) -> dict:
    return {"keys": [key.export_public(as_dict=True) for key in keys]}


def b64(data: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def assertion(key, client_id, *, alg=None, kid=None, **overrides) -> str:
    now = int(time.time())
    claims = {
        "iss": client_id,
        "sub": client_id,
        "aud": TOKEN_ENDPOINT,
        "exp": now + 60,
        "iat": now,
        "jti": uuid.uuid4().hex,
    }
    claims.update(overrides)
    claims = {name: value for name, value in claims.items() if value is not None}
    alg = alg or ("RS256" if key.get("kty") == "RSA" else "ES256")
    token = jwt.JWT(header={"alg": alg, "kid": kid or key.get("kid")}, claims=claims)
    token.make_signed_token(key)
    return token.serialize()


def signed_client(documents, *keys, **members):
    """The URL of a served private_key_jwt document with these keys inline."""
    document = documents.document(
        token_endpoint_auth_method="private_key_jwt", jwks=public_set(*keys), **members
    )
    return documents.serve(document=document)


def exchange(client, flow, url, code, **authentication):
    data = {"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT_URI}
    data["code_verifier"] = flow.verifier
    data.update(authentication)
    return client.post(TOKEN_URL, {key: value for key, value in data.items() if value is not None})


def signed(value):
    return {"client_assertion_type": ASSERTION_TYPE, "client_assertion": value}


def assert_invalid_client(response, words=""):
    assert response.status_code == 401, response.content
    body = response.json()
    assert body["error"] == "invalid_client"
    assert words in body.get("error_description", ""), body


@pytest.mark.parametrize("kty", ["EC", "RSA"])
def test_code_and_pkce_exchange_with_a_signed_assertion(documents, flow, client, kty):
    key = new_key(kty=kty)
    url = signed_client(documents, key)
    code = flow.code(client_for(url), scope="accounts.self:read")
    record = MetadataDocument.objects.get(url=url)
    assert record.token_endpoint_auth_method == "private_key_jwt"
    assert record.jwks == public_set(key)
    response = exchange(client, flow, url, code, **signed(assertion(key, url)))
    assert response.status_code == 200, response.content
    tokens = response.json()
    # The refresh grant is authenticated the same way, with a new assertion (aud: the issuer).
    refreshed = client.post(
        TOKEN_URL,
        {
            "grant_type": "refresh_token",
            "refresh_token": tokens["refresh_token"],
            **signed(assertion(key, url, aud=ISSUER)),
        },
    )
    assert refreshed.status_code == 200, refreshed.content
    # So is revocation.
    revoked = client.post(
        REVOKE_URL,
        {
            "token": refreshed.json()["refresh_token"],
            **signed(assertion(key, url, aud=[ISSUER, "https://x.test/"])),
        },
    )
    assert revoked.status_code == 200, revoked.content


def test_the_client_id_parameter_may_be_sent_and_must_match(documents, flow, client):
    key = new_key()
    url = signed_client(documents, key)
    code = flow.code(client_for(url))
    other = "https://tools.cimd-test.net/other.json"
    response = exchange(client, flow, url, code, client_id=other, **signed(assertion(key, url)))
    assert_invalid_client(response, "client_id")
    response = exchange(client, flow, url, code, client_id=url, **signed(assertion(key, url)))
    assert response.status_code == 200, response.content


def hs256(client_id) -> str:
    secret = jwk.JWK.generate(kty="oct", size=256)
    now = int(time.time())
    token = jwt.JWT(
        header={"alg": "HS256"},
        claims={"iss": client_id, "sub": client_id, "aud": TOKEN_ENDPOINT, "exp": now + 60, "jti": "h"},
    )
    token.make_signed_token(secret)
    return token.serialize()


def unsigned(client_id) -> str:
    now = int(time.time())
    claims = {"iss": client_id, "sub": client_id, "aud": TOKEN_ENDPOINT, "exp": now + 60, "jti": "n"}
    return f"{b64({'alg': 'none', 'kid': 'key-1'})}.{b64(claims)}."


# Each: how to make a bad assertion for (key, url), and the words of the refusal.
BAD_ASSERTIONS = {
    "wrong key": (lambda key, url: assertion(new_key(), url), "signature"),
    # An iss naming another client_id (none stored here): an unknown client.
    "wrong iss": (lambda key, url: assertion(key, url, iss="https://tools.cimd-test.net/x.json"), ""),
    "wrong sub": (lambda key, url: assertion(key, url, sub="someone"), "iss and sub"),
    "wrong aud": (lambda key, url: assertion(key, url, aud="https://elsewhere.test/token"), "aud"),
    "no aud": (lambda key, url: assertion(key, url, aud=None), "aud"),
    "expired": (lambda key, url: assertion(key, url, exp=int(time.time()) - 120), "expired"),
    "too long": (lambda key, url: assertion(key, url, exp=int(time.time()) + 3600), "at most"),
    "no exp": (lambda key, url: assertion(key, url, exp=None), "exp"),
    "no jti": (lambda key, url: assertion(key, url, jti=None), "jti"),
    "issued later": (lambda key, url: assertion(key, url, iat=int(time.time()) + 600), "future"),
    "alg none": (lambda key, url: unsigned(url), "not none"),
    "alg HS256": (lambda key, url: hs256(url), "not HS"),
    "not a JWT": (lambda key, url: "not-a-jwt", "compact"),
}


@pytest.mark.parametrize("case", list(BAD_ASSERTIONS))
def test_a_bad_assertion_is_invalid_client(documents, flow, client, case):
    key = new_key()
    url = signed_client(documents, key)
    code = flow.code(client_for(url))
    make, words = BAD_ASSERTIONS[case]
    assert_invalid_client(exchange(client, flow, url, code, **signed(make(key, url))), words)
    # The code was not spent: the client, signing properly, still gets its tokens.
    assert exchange(client, flow, url, code, **signed(assertion(key, url))).status_code == 200


def test_a_replayed_assertion_is_refused(documents, flow, client):
    key = new_key()
    url = signed_client(documents, key)
    code = flow.code(client_for(url))
    once = assertion(key, url)
    response = exchange(client, flow, url, code, **signed(once))
    assert response.status_code == 200
    refresh = {"grant_type": "refresh_token", "refresh_token": response.json()["refresh_token"]}
    assert_invalid_client(client.post(TOKEN_URL, {**refresh, **signed(once)}), "already used")
    assert client.post(TOKEN_URL, {**refresh, **signed(assertion(key, url))}).status_code == 200


def test_a_signing_client_cannot_authenticate_as_a_public_one(documents, flow, client):
    key = new_key()
    url = signed_client(documents, key)
    code = flow.code(client_for(url))
    # No assertion: the client_id alone (public client authentication) is refused.
    assert_invalid_client(exchange(client, flow, url, code, client_id=url))
    # The assertion without its type, or the type without an assertion.
    assert_invalid_client(
        exchange(client, flow, url, code, client_assertion=assertion(key, url)), "client_assertion_type"
    )
    assert_invalid_client(exchange(client, flow, url, code, client_assertion_type=ASSERTION_TYPE), "missing")
    # A secret, alone or beside the assertion.
    assert_invalid_client(exchange(client, flow, url, code, client_id=url, client_secret="guess"))
    assert_invalid_client(
        exchange(client, flow, url, code, client_secret="guess", **signed(assertion(key, url))), "one client"
    )
    assert exchange(client, flow, url, code, **signed(assertion(key, url))).status_code == 200


def test_a_public_client_cannot_present_an_assertion(documents, flow, client):
    key = new_key()
    url = documents.serve(document=documents.document(jwks=public_set(key)))
    code = flow.code(client_for(url))
    response = exchange(client, flow, url, code, **signed(assertion(key, url)))
    assert_invalid_client(response, "does not authenticate with private_key_jwt")
    assert exchange(client, flow, url, code, client_id=url).status_code == 200


def test_keys_from_a_jwks_uri_are_fetched_and_refreshed_once_for_an_unknown_kid(
    documents, flow, client, monkeypatch
):
    first, second = new_key("first"), new_key("second")
    jwks_url = documents.serve("/jwks.json", raw=json.dumps(public_set(first)).encode())
    url = documents.serve(
        document=documents.document(token_endpoint_auth_method="private_key_jwt", jwks_uri=jwks_url)
    )
    code = flow.code(client_for(url))
    assert documents.hits("/jwks.json") == 1
    assert MetadataDocument.objects.get(url=url).jwks == public_set(first)
    response = exchange(client, flow, url, code, **signed(assertion(first, url)))
    assert response.status_code == 200, response.content
    assert documents.hits("/jwks.json") == 1  # fresh: reused
    # The client rotates its key: an assertion with the new kid refetches the set once.
    documents.serve("/jwks.json", raw=json.dumps(public_set(first, second)).encode())
    refresh = {"grant_type": "refresh_token", "refresh_token": response.json()["refresh_token"]}
    # Within KEY_REFETCH_MIN_SECONDS of the last fetch, an unknown kid fetches nothing.
    assert_invalid_client(client.post(TOKEN_URL, {**refresh, **signed(assertion(second, url))}), "kid")
    assert documents.hits("/jwks.json") == 1
    monkeypatch.setattr(services, "KEY_REFETCH_MIN_SECONDS", 0)
    response = client.post(TOKEN_URL, {**refresh, **signed(assertion(second, url))})
    assert response.status_code == 200, response.content
    assert documents.hits("/jwks.json") == 2
    # A made-up kid refetches once more and is refused.
    refresh["refresh_token"] = response.json()["refresh_token"]
    assert_invalid_client(client.post(TOKEN_URL, {**refresh, **signed(assertion(new_key("nobody"), url))}))
    assert documents.hits("/jwks.json") == 3


def test_keys_that_can_no_longer_be_fetched_refuse_the_client_and_are_recorded(
    documents, flow, client, settings
):
    key = new_key()
    jwks_url = documents.serve("/jwks.json", raw=json.dumps(public_set(key)).encode())
    url = documents.serve(
        document=documents.document(token_endpoint_auth_method="private_key_jwt", jwks_uri=jwks_url)
    )
    code = flow.code(client_for(url))
    MetadataDocument.objects.filter(url=url).update(keys_fresh_until=None)
    documents.serve("/jwks.json", raw=b"", status=404)
    assert_invalid_client(
        exchange(client, flow, url, code, **signed(assertion(key, url))), "could not be fetched"
    )
    failure = FetchFailure.objects.get(url=url)
    assert failure.last_code == "jwks_unavailable"
    assert "404" in failure.last_message
    assert documents.hits("/jwks.json") == 2  # at registration, then the failed refetch
    # Within KEY_REFETCH_MIN_SECONDS a failed fetch is not tried again, even with a made-up kid:
    # the client is refused without a request to its key set's host.
    for key_to_sign in (key, new_key("made-up")):
        assert_invalid_client(
            exchange(client, flow, url, code, **signed(assertion(key_to_sign, url))), "could not be fetched"
        )
    assert documents.hits("/jwks.json") == 2
    assert FetchFailure.objects.get(url=url).attempts == 1


KEY = new_key()
PRIVATE = KEY.export_private(as_dict=True)


@pytest.mark.parametrize(
    ("members", "words"),
    [
        ({"jwks": {"keys": [PRIVATE]}}, "private"),
        ({"jwks": {"keys": [{"kty": "oct", "k": "c2VjcmV0"}]}}, "private"),
        ({"jwks": {"keys": [{"kty": "oct", "kid": "x"}]}}, "RSA, EC and OKP"),
        ({"jwks": {"keys": []}}, "JSON Web Key Set"),
        ({"jwks": {"keys": [{"kty": "RSA", "n": "AQAB", "e": "AQAB"}]}}, "jwks:"),
        ({"jwks": public_set(KEY), "jwks_uri": "https://tools.cimd-test.net/jwks.json"}, "exactly one"),
        ({"jwks_uri": "http://tools.cimd-test.net/jwks.json"}, "jwks_uri"),
    ],
)
def test_a_document_with_bad_keys_is_refused_and_nothing_is_stored(documents, flow, members, words):
    url = documents.serve(
        document=documents.document(token_endpoint_auth_method="private_key_jwt", **members)
    )
    page = refused(flow, url)
    assert page.context["reason"] == "invalid_client_metadata"
    assert words in page.context["message"], page.context["message"]
    assert nothing_stored()


@pytest.mark.parametrize("address", ["10.0.0.7", "169.254.169.254", "fe80::1"])
def test_a_jwks_uri_on_a_private_address_is_refused_and_nothing_is_stored(documents, flow, address):
    documents.addresses["other.cimd-test.net"] = [address]
    jwks_url = documents.server.url("/jwks.json", "other.cimd-test.net")
    documents.serve("/jwks.json", raw=json.dumps(public_set(KEY)).encode())
    document = documents.document(token_endpoint_auth_method="private_key_jwt", jwks_uri=jwks_url)
    url = documents.serve(document=document)
    page = refused(flow, url)
    assert page.context["reason"] == "invalid_client_metadata"
    assert page.context["message"].startswith("jwks_uri:")
    assert address in page.context["message"]
    assert documents.hits("/jwks.json") == 0
    assert nothing_stored()


def test_the_info_page_says_the_client_signs_its_requests(documents, flow, client, settings):
    from django.contrib.auth import get_user_model

    key = new_key()
    url = signed_client(documents, key)
    flow.authorize(client_for(url))
    app = OAuthApplication.objects.get(client_id=url)
    admin = get_user_model().objects.create_superuser("root", "root@example.com", "root-password-1")
    client.force_login(admin)
    page = client.get(app.get_absolute_url()).content.decode()
    method = page.split('data-testid="auth-method">')[1].split("</dd>")[0]
    assert "Signed JWT (private_key_jwt)" in method
    assert "metadata document publishes" in method
    assert "Public" not in method


def test_introspection_answers_an_assertion_with_a_401(documents, flow, client):
    """Introspection is for resource servers registered with a secret, not for signing clients."""
    key = new_key()
    url = signed_client(documents, key)
    code = flow.code(client_for(url))
    token = exchange(client, flow, url, code, **signed(assertion(key, url))).json()["access_token"]
    response = client.post("/oauth/introspect/", {"token": token, **signed(assertion(key, url))})
    assert response.status_code == 401
    assert response.json()["error"] == "invalid_client"
    response = client.post("/oauth/introspect/", {"token": token, "client_id": url, "client_secret": "x"})
    assert response.status_code == 401
    # A bad assertion is a 401 too, not an error page.
    bad = assertion(key, url, aud="https://elsewhere.test/")
    response = client.post("/oauth/introspect/", {"token": token, **signed(bad)})
    assert response.status_code == 401
