"""ID-token signing keys that rotate: one signs, the retired ones stay published until their tokens expire.

Where the keys live: the `SigningKey` table (authserver/models.py), so every host
signs with the same key and publishes the same JWKS without copying files around;
a rotation made on one host is seen by all. The private keys are sealed (AES-GCM,
oauth_apps/credentials.py) under a key derived from SECRET_KEY, which is not in the
database: a copy of the database alone does not give them away.

The configured key (OIDC_RSA_PRIVATE_KEY / _FILE, or the development key) is the
first key: while the table is empty it signs, and the first rotation stores it as
a row (same PEM, same `kid`) before adding the new key. Once the table has a key,
the configuration is no longer read for signing.

Time decides every state, so all hosts agree without being told:

- next: created, published in the JWKS, not signing yet (`activates_at` is ahead);
- active: signs (`activates_at` passed, `retired_at` empty or ahead); one at a time;
- retired: no longer signs, still published until `published_until` (its last
  token's expiry plus a margin);
- expired: past `published_until`, left out of the JWKS; `--prune` deletes it.

A rotation publishes the new key `ACTIVATION_DELAY_SECONDS` before it signs: long
enough for every process to reload its keys (`CACHE_SECONDS`) and for every client's
cached JWKS to expire (`JWKS_MAX_AGE_SECONDS`). So no client is handed a token whose
`kid` its JWKS does not list, and no host signs with a key another host's JWKS lacks.

Each process keeps the keys for `CACHE_SECONDS` (one query per process per period,
not one per token). The private key is decrypted once per load.
"""

import hashlib
import hmac
import json
import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from time import monotonic

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from jwcrypto import jwk
from oauth2_provider.settings import oauth2_settings
from oauth2_provider.utils import jwk_from_pem

from common.datadir import new_signing_key
from oauth_apps.credentials import seal, unseal

from .models import SigningKey

logger = logging.getLogger(__name__)

# How long a process keeps the keys it read; a new key reaches every process within this.
CACHE_SECONDS = 30
# How long clients may cache the JWKS (its Cache-Control max-age).
JWKS_MAX_AGE_SECONDS = 5 * 60
# How long a new key is published before it signs (the default of `rotate_signing_key`).
ACTIVATION_DELAY_SECONDS = CACHE_SECONDS + JWKS_MAX_AGE_SECONDS
# Published after the last token it signed expired: clock skew between hosts and clients.
PUBLISH_MARGIN_SECONDS = 5 * 60

NEXT, ACTIVE, RETIRED, EXPIRED = "next", "active", "retired", "expired"
STATE_LABELS = {
    NEXT: _("next: published, signs from the date shown"),
    ACTIVE: _("active: signs ID tokens"),
    RETIRED: _("retired: published until its last tokens expire"),
    EXPIRED: _("expired: no longer published"),
}
_ENCRYPTION_PURPOSE = b"authserver.signing_keys"


def _encryption_key(secret: str) -> bytes:
    return hmac.new(secret.encode(), _ENCRYPTION_PURPOSE, hashlib.sha256).digest()


def seal_private_key(pem: str, kid: str) -> str:
    return seal(_encryption_key(settings.SECRET_KEY), pem.encode(), kid.encode())


def unseal_private_key(sealed: str, kid: str) -> str:
    """The PEM; tries SECRET_KEY, then SECRET_KEY_FALLBACKS. ValueError when none opens it."""
    for secret in (settings.SECRET_KEY, *settings.SECRET_KEY_FALLBACKS):
        try:
            return unseal(_encryption_key(secret), sealed, kid.encode()).decode()
        except ValueError:
            continue
    raise ValueError(f"signing key {kid} cannot be decrypted with SECRET_KEY or SECRET_KEY_FALLBACKS")


def public_jwk(key: jwk.JWK) -> dict:
    """What the JWKS publishes for `key`."""
    return {"alg": "RS256", "use": "sig", "kid": key.thumbprint(), **json.loads(key.export_public())}


def state_of(activates_at, retired_at, published_until, now: datetime) -> str:
    if published_until is not None and published_until <= now:
        return EXPIRED
    if activates_at is not None and activates_at > now:
        return NEXT
    if retired_at is not None and retired_at <= now:
        return RETIRED
    return ACTIVE


@dataclass
class Key:
    kid: str
    public: dict
    activates_at: datetime | None
    retired_at: datetime | None
    published_until: datetime | None
    sealed: str = ""
    pem: str = ""
    _private: jwk.JWK | None = field(default=None, repr=False)

    def state(self, now: datetime) -> str:
        return state_of(self.activates_at, self.retired_at, self.published_until, now)

    def public_key(self) -> jwk.JWK:
        """Enough to verify what this key signed; needs no decryption."""
        return jwk.JWK(**self.public)

    def private(self) -> jwk.JWK:
        if self._private is None:
            # Decrypted and parsed once per process: a kid names one key for good, and
            # jwcrypto keeps the parsed key ready to sign (parsing an RSA key is slow).
            parsed = _parsed.get(self.kid)
            if parsed is None:
                parsed = jwk.JWK.from_pem((self.pem or unseal_private_key(self.sealed, self.kid)).encode())
                _parsed[self.kid] = parsed
            self._private = parsed
        return self._private


class KeySet:
    """Keys in order of activation (the configured key alone, while the table is empty)."""

    def __init__(self, keys: list[Key]):
        self.keys = keys

    def signing_key(self, now: datetime | None = None) -> jwk.JWK:
        """The active key, the one ID tokens are signed with now."""
        now = now or timezone.now()
        active = [key for key in self.keys if key.state(now) == ACTIVE]
        if not active:
            raise ImproperlyConfigured(
                "No active ID-token signing key: set OIDC_RSA_PRIVATE_KEY (or _FILE) or run "
                "`manage.py rotate_signing_key`."
            )
        # One at a time by construction; were there two, the newer one signs (keys are in
        # order of activation).
        return active[-1].private()

    def published(self, now: datetime | None = None) -> list[dict]:
        """The JWKS's keys: the active one first, then the next one, then the retired ones."""
        now = now or timezone.now()
        order = {ACTIVE: 0, NEXT: 1, RETIRED: 2}
        shown = [key for key in self.keys if key.state(now) in order]
        return [key.public for key in sorted(shown, key=lambda key: order[key.state(now)])]

    def find(self, kid: str, now: datetime | None = None) -> Key | None:
        """The published key with this `kid`, to verify a token we signed."""
        now = now or timezone.now()
        return next((key for key in self.keys if key.kid == kid and key.state(now) != EXPIRED), None)


_cache: tuple[float, KeySet] | None = None
# kid → the private key, decrypted and parsed; only for keys still published.
_parsed: dict[str, jwk.JWK] = {}


def clear_cache() -> None:
    global _cache
    _cache = None


def _configured_key() -> Key | None:
    pem = oauth2_settings.OIDC_RSA_PRIVATE_KEY
    if not pem:
        return None
    private = jwk_from_pem(pem)  # the toolkit's, cached per process
    return Key(
        kid=private.thumbprint(),
        public=public_jwk(private),
        activates_at=None,
        retired_at=None,
        published_until=None,
        pem=pem,
        _private=private,
    )


def _load() -> KeySet:
    now = timezone.now()
    # Each row's columns as a Key names them: the public JWK as `public`, the sealed private key as `sealed`.
    rows = (
        SigningKey.objects.filter(Q(published_until__isnull=True) | Q(published_until__gt=now))
        .order_by("activates_at")
        .values(
            "kid",
            "activates_at",
            "retired_at",
            "published_until",
            public=F("public_jwk"),
            sealed=F("private_key"),
        )
    )
    keys = [Key(**row) for row in rows]
    if not keys:
        configured = _configured_key()
        keys = [configured] if configured else []
    for kid in set(_parsed) - {key.kid for key in keys}:
        _parsed.pop(kid, None)  # pruned or expired
    return KeySet(keys)


def current() -> KeySet:
    """The keys, read at most once per `CACHE_SECONDS` in this process."""
    global _cache
    cached = _cache
    if cached is not None and monotonic() < cached[0]:
        return cached[1]
    keys = _load()
    _cache = (monotonic() + CACHE_SECONDS, keys)
    return keys


# --- Rotation (run by `manage.py rotate_signing_key`) -------------------------


@dataclass(frozen=True)
class Rotation:
    key: SigningKey  # the new key (or the one already waiting)
    previous: SigningKey | None  # the key it replaces
    created: bool  # False: a rotation was already under way; nothing changed


def publish_after_retiring() -> timedelta:
    """How long a key stays published once it stops signing: its last ID token's lifetime, and a margin."""
    return timedelta(seconds=oauth2_settings.ID_TOKEN_EXPIRE_SECONDS + PUBLISH_MARGIN_SECONDS)


def _new_row(pem: str, origin: str, activates_at: datetime) -> SigningKey:
    private = jwk.JWK.from_pem(pem.encode())
    kid = private.thumbprint()
    return SigningKey.objects.create(
        kid=kid,
        public_jwk=public_jwk(private),
        private_key=seal_private_key(pem, kid),
        origin=origin,
        activates_at=activates_at,
    )


def _rotate_once(activate_in: timedelta, now: datetime) -> Rotation:
    with transaction.atomic():
        # Of two rotations at once, the second waits here for the first to commit, then
        # reads again (a new statement sees what the first added) and finds its key.
        list(SigningKey.objects.select_for_update().values_list("pk", flat=True))
        rows = list(SigningKey.objects.order_by("activates_at"))
        if not rows and oauth2_settings.OIDC_RSA_PRIVATE_KEY:
            # The configured key becomes the first row, same kid: tokens it signed keep verifying.
            rows = [_new_row(oauth2_settings.OIDC_RSA_PRIVATE_KEY, SigningKey.Origin.CONFIGURATION, now)]
        waiting = [row for row in rows if row.activates_at > now]
        if waiting:
            return Rotation(key=waiting[-1], previous=None, created=False)
        active = [
            row
            for row in rows
            if state_of(row.activates_at, row.retired_at, row.published_until, now) == ACTIVE
        ]
        previous = active[-1] if active else None
        # With nothing signing yet, the new key signs at once.
        activates_at = now + activate_in if previous else now
        key = _new_row(new_signing_key(), SigningKey.Origin.GENERATED, activates_at)
        if previous is not None:
            previous.retired_at = activates_at
            previous.published_until = activates_at + publish_after_retiring()
            previous.save(update_fields=["retired_at", "published_until"])
    logger.info(
        "ID-token signing key %s signs from %s; %s retires then, published until %s",
        key.kid,
        key.activates_at.isoformat(),
        previous.kid if previous else "no key",
        previous.published_until.isoformat() if previous else "-",
    )
    return Rotation(key=key, previous=previous, created=True)


def rotate(activate_in: timedelta = timedelta(seconds=ACTIVATION_DELAY_SECONDS), now: datetime | None = None):
    """Add a new key that signs after `activate_in`; the active key retires then.

    Idempotent: while a new key waits to sign, running it again changes nothing and
    returns that key. Safe on any one host, and on several at once (rows are locked;
    two first rotations racing to import the configured key meet on its unique kid,
    and the loser runs again and finds the winner's key).
    """
    now = now or timezone.now()
    try:
        rotation = _rotate_once(activate_in, now)
    except IntegrityError:
        rotation = _rotate_once(activate_in, now)
    clear_cache()
    return rotation


def prune(now: datetime | None = None) -> list[str]:
    """Delete the keys past their `published_until`; their kids."""
    now = now or timezone.now()
    expired = SigningKey.objects.filter(published_until__lte=now)
    kids = list(expired.values_list("kid", flat=True))
    expired.delete()
    for kid in kids:
        logger.info("ID-token signing key %s deleted: no token it signed is still valid", kid)
    clear_cache()
    return kids
