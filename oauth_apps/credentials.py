"""A new client secret waits here, server-side, for the one page view that shows it to its owner.

The plaintext secret never goes into the session store (a table that keeps a
session for two weeks). `stash` puts it in the shared cache for
`STASH_SECONDS`, encrypted under a key derived from SECRET_KEY and a random
token; the session holds only that token. `take` returns it once and deletes
it; after `STASH_SECONDS` the cache drops it by itself.

Why the cache: production requires one cache shared by every worker (Redis,
or the database cache), so the worker that shows the page finds what another
worker stashed. Why encrypted: the database cache keeps an expired entry until
it culls it, and a database copy must not give the secret away; without
SECRET_KEY, which is not in the database, the entry is noise.
"""

import base64
import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core.cache import cache

SESSION_KEY = "oauth_apps.credentials"
STASH_SECONDS = 10 * 60
_CACHE_PREFIX = "credentials-stash:"


@dataclass(frozen=True)
class Stashed:
    app_pk: int
    secret: str
    # "created", "reset", "rotated" or "confidential": what the credentials page says about it.
    reason: str


def seal(key: bytes, plaintext: bytes, context: bytes) -> str:
    """`plaintext` encrypted and authenticated (AES-GCM) under `key`, bound to `context`; base64 text."""
    nonce = secrets.token_bytes(12)
    return base64.b64encode(nonce + AESGCM(key).encrypt(nonce, plaintext, context)).decode()


def unseal(key: bytes, sealed: str, context: bytes) -> bytes:
    """What `seal` sealed; ValueError if the key, the context or the text is not the one sealed."""
    try:
        raw = base64.b64decode(sealed)
        return AESGCM(key).decrypt(raw[:12], raw[12:], context)
    except (InvalidTag, ValueError, TypeError) as error:
        raise ValueError("not sealed under this key and context") from error


def _keys(token: str) -> tuple[str, bytes]:
    """The cache key and the encryption key for a token; neither reveals the other."""
    material = hmac.new(settings.SECRET_KEY.encode(), token.encode(), hashlib.sha512).digest()
    return _CACHE_PREFIX + hashlib.sha256(material[:32]).hexdigest(), material[32:]


def stash(request, app, secret: str, reason: str) -> None:
    """Keep `secret` for `request.user` to see once on `app`'s credentials page."""
    token = secrets.token_urlsafe(32)
    cache_key, key = _keys(token)
    payload = json.dumps({"app": app.pk, "user": request.user.pk, "secret": secret, "reason": reason})
    cache.set(cache_key, seal(key, payload.encode(), cache_key.encode()), timeout=STASH_SECONDS)
    previous = request.session.get(SESSION_KEY)
    if isinstance(previous, str):
        cache.delete(_keys(previous)[0])  # one secret waits per session
    request.session[SESSION_KEY] = token


def take(request, app) -> Stashed | None:
    """The secret stashed for this user and `app`, once; None if there is none (or it expired)."""
    token = request.session.get(SESSION_KEY)
    if not isinstance(token, str):
        request.session.pop(SESSION_KEY, None)
        return None
    cache_key, key = _keys(token)
    sealed = cache.get(cache_key)
    if sealed is None:
        del request.session[SESSION_KEY]  # expired
        return None
    try:
        data = json.loads(unseal(key, sealed, cache_key.encode()))
    except ValueError:
        cache.delete(cache_key)
        del request.session[SESSION_KEY]
        return None
    if data.get("app") != app.pk or data.get("user") != request.user.pk:
        return None  # it waits for its own app's page
    # Deleting is what makes it single-use: of two simultaneous requests only
    # one sees the delete succeed (Redis DEL and the database's DELETE say so).
    if not cache.delete(cache_key):
        return None
    del request.session[SESSION_KEY]
    return Stashed(app_pk=app.pk, secret=data["secret"], reason=data.get("reason", "created"))
