"""Client authentication with a signed JWT: private_key_jwt (RFC 7523 §2.2, OpenID Connect Core §9).

The client sends `client_assertion_type=urn:ietf:params:oauth:client-assertion-type:jwt-bearer`
and `client_assertion`, a JWT it signed with one of the keys its metadata document
publishes (client_metadata/keys.py). The assertion is accepted when:

- it is signed with an asymmetric algorithm of ALGORITHMS (never `none`, never HS*: a
  key anyone can read cannot be a shared secret), and the signature verifies with a key
  of the client's set (the one its `kid` names; an unknown `kid` refetches a
  `jwks_uri` set once, see client_metadata.services.client_keys);
- `iss` and `sub` are both the client_id (and the request's `client_id`, if it has one);
- `aud` is, or contains, this server's issuer or its token endpoint URL (or the
  revocation endpoint's, when that is where it is sent);
- `exp` is in the future and at most MAX_LIFETIME_SECONDS away (with LEEWAY_SECONDS for
  clocks), `nbf`/`iat` not in the future;
- `jti` is present and not seen before for this client: each `jti` is remembered, in the
  cache every worker shares (settings.CACHES; production refuses a per-process one),
  until the assertion expires, and `cache.add` makes the first use win.

Any failure is `invalid_client` (401, RFC 6749 §5.2), with a description that says which
rule was broken.
"""

import base64
import binascii
import hashlib
import json
import time

from django.core.cache import cache
from jwcrypto import jws
from jwcrypto.common import JWException
from jwcrypto.jwk import JWK

ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
ALGORITHMS = ("RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA")
# An assertion is good for a single request: five minutes is plenty to send it.
MAX_LIFETIME_SECONDS = 5 * 60
LEEWAY_SECONDS = 30
MAX_ASSERTION_LENGTH = 8 * 1024


class AssertionRefused(Exception):
    """The assertion does not authenticate the client; the message says which rule it broke."""


def unverified_parts(assertion: str) -> tuple[dict, dict]:
    """The header and claims of a compact JWS, before anything is verified (to find the client)."""
    if not isinstance(assertion, str) or len(assertion) > MAX_ASSERTION_LENGTH or assertion.count(".") != 2:
        raise AssertionRefused("client_assertion is not a signed JWT in compact form.")
    try:
        header, claims = (json.loads(_b64decode(part)) for part in assertion.split(".")[:2])
    except (ValueError, binascii.Error, UnicodeDecodeError) as error:
        raise AssertionRefused("client_assertion is not a signed JWT in compact form.") from error
    if not isinstance(header, dict) or not isinstance(claims, dict):
        raise AssertionRefused("client_assertion is not a signed JWT in compact form.")
    return header, claims


def _b64decode(part: str) -> str:
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)).decode("utf-8")


def claimed_client_id(assertion: str) -> str | None:
    """The client the assertion says it is (`iss`), unverified; None if it names none."""
    _header, claims = unverified_parts(assertion)
    issuer = claims.get("iss")
    return issuer if isinstance(issuer, str) and issuer else None


def verify(assertion: str, *, client_id: str, key_set, audiences: set[str], now: float | None = None) -> dict:
    """The assertion's claims when it authenticates `client_id`; raises AssertionRefused otherwise.

    `key_set(refresh)` returns the client's JWKS (a dict); with refresh=True it may fetch
    it again (called once, when the `kid` is not in the set).
    """
    header, _claims = unverified_parts(assertion)
    algorithm = header.get("alg")
    if algorithm not in ALGORITHMS:
        raise AssertionRefused(
            "client_assertion must be signed with one of " + ", ".join(ALGORITHMS) + " (not none, not HS*)."
        )
    kid = header.get("kid")
    candidates = _keys_for(key_set(False), kid, algorithm)
    if not candidates and isinstance(kid, str):
        candidates = _keys_for(key_set(True), kid, algorithm)
    if not candidates:
        raise AssertionRefused("No key of this client matches the assertion's kid and alg.")
    claims = _verified_claims(assertion, candidates, algorithm)
    _check_claims(claims, client_id=client_id, audiences=audiences, now=time.time() if now is None else now)
    return claims


def _keys_for(jwks: dict | None, kid, algorithm: str) -> list[JWK]:
    """The client's keys that could have made this signature: the `kid` one, or all of the alg's type."""
    kty = {"RS": "RSA", "PS": "RSA", "ES": "EC", "Ed": "OKP"}[algorithm[:2]]
    found = []
    for data in (jwks or {}).get("keys", []):
        if data.get("kty") != kty or (kid is not None and data.get("kid") != kid):
            continue
        if data.get("alg") not in (None, algorithm):
            continue
        try:
            found.append(JWK(**data))
        except (JWException, ValueError, TypeError):
            continue
    return found


def _verified_claims(assertion: str, candidates: list[JWK], algorithm: str) -> dict:
    for key in candidates:
        token = jws.JWS()
        try:
            token.deserialize(assertion)
            token.allowed_algs = [algorithm]
            token.verify(key, alg=algorithm)
        except (JWException, ValueError, TypeError):
            continue
        try:
            claims = json.loads(token.payload)
        except ValueError:
            break
        if isinstance(claims, dict):
            return claims
        break
    raise AssertionRefused("The assertion's signature does not verify with this client's keys.")


def _check_claims(claims: dict, *, client_id: str, audiences: set[str], now: float) -> None:
    if claims.get("iss") != client_id or claims.get("sub") != client_id:
        raise AssertionRefused("The assertion's iss and sub must both be the client_id.")
    audience = claims.get("aud")
    named = [audience] if isinstance(audience, str) else audience if isinstance(audience, list) else []
    if not any(isinstance(value, str) and value in audiences for value in named):
        raise AssertionRefused("The assertion's aud must be this server's issuer or its token endpoint URL.")
    expires = claims.get("exp")
    if not isinstance(expires, int | float) or isinstance(expires, bool):
        raise AssertionRefused("The assertion must carry exp.")
    if expires <= now - LEEWAY_SECONDS:
        raise AssertionRefused("The assertion has expired.")
    if expires > now + MAX_LIFETIME_SECONDS + LEEWAY_SECONDS:
        raise AssertionRefused(f"The assertion's exp may be at most {MAX_LIFETIME_SECONDS} seconds away.")
    for name in ("nbf", "iat"):
        value = claims.get(name)
        if value is not None and (not isinstance(value, int | float) or value > now + LEEWAY_SECONDS):
            raise AssertionRefused(f"The assertion's {name} is in the future.")
    jti = claims.get("jti")
    if not isinstance(jti, str) or not jti or len(jti) > 256:
        raise AssertionRefused("The assertion must carry a jti.")
    key = "client-assertion:jti:" + hashlib.sha256(f"{client_id}\0{jti}".encode()).hexdigest()
    if not cache.add(key, 1, timeout=int(expires - now) + LEEWAY_SECONDS + 1):
        raise AssertionRefused("This assertion (its jti) was already used.")
