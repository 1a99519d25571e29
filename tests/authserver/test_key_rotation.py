"""ID-token signing keys rotate without a failed request (authserver/signing_keys.py).

The clock is simulated: `django.utils.timezone.now` (tokens, grants, key states) and
the keys' per-process cache timer move together, so a rotation's whole life (publish
ahead, activation, retirement, leaving the JWKS) runs in a second. Several hosts are
simulated in one process by giving each its own copy of the cached keys.
"""

import json
import threading
from contextlib import contextmanager
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import Client
from django.utils import timezone
from jwcrypto import jwk, jws, jwt
from jwcrypto.common import JWException
from oauth2_provider.models import get_access_token_model
from oauth2_provider.settings import oauth2_settings

from authserver import signing_keys
from authserver.models import SigningKey

from ..helpers import run_in_threads
from .test_token import exchange, refresh

JWKS_URL = "/.well-known/jwks.json"
ID_TOKEN_SECONDS = oauth2_settings.ID_TOKEN_EXPIRE_SECONDS
DELAY = signing_keys.ACTIVATION_DELAY_SECONDS
PUBLISHED_AFTER_RETIRING = ID_TOKEN_SECONDS + signing_keys.PUBLISH_MARGIN_SECONDS


class Clock:
    def __init__(self):
        self.now = self.started = timezone.localtime()

    def __call__(self):
        return self.now

    def monotonic(self) -> float:
        return (self.now - self.started).total_seconds()

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@pytest.fixture
def clock(monkeypatch):
    simulated = Clock()
    monkeypatch.setattr(timezone, "now", simulated)
    monkeypatch.setattr(signing_keys, "monotonic", simulated.monotonic)
    return simulated


@pytest.fixture(autouse=True)
def _no_rate_limit(settings):
    # Hundreds of token requests from one client in a simulated hour.
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "token": "100000/h"}


class Hosts:
    """Several hosts in one process: each keeps its own copy of the keys it read."""

    def __init__(self, *names):
        self.caches = dict.fromkeys(names)

    @contextmanager
    def on(self, name):
        signing_keys._cache = self.caches[name]
        try:
            yield
        finally:
            self.caches[name] = signing_keys._cache


def header(token: str) -> dict:
    return jws.JWS.from_jose_token(token).jose_header


def unverified_claims(token: str) -> dict:
    return json.loads(jws.JWS.from_jose_token(token).objects["payload"])


def verifies(id_token: str, jwks_text: str, now) -> bool:
    """Does `id_token` verify against this JWKS and is it unexpired at `now`?"""
    try:
        token = jwt.JWT(jwt=id_token, key=jwk.JWKSet.from_json(jwks_text), algs=["RS256"], check_claims=False)
    except JWException:
        return False
    return json.loads(token.claims)["exp"] > now.timestamp()


def kids(jwks_text: str) -> list[str]:
    return [key["kid"] for key in json.loads(jwks_text)["keys"]]


# One client for every call: each new test Client loads the middleware again.
app_client = Client()


def jwks() -> str:
    response = app_client.get(JWKS_URL)
    assert response.status_code == 200
    return response.content.decode()


def id_token(flow, app, secret) -> str:
    code = flow.code(app, scope="openid")
    response = exchange(app_client, app, code, flow.verifier, secret=secret)
    assert response.status_code == 200, response.content
    return response.json()["id_token"]


def rotate(*args) -> str:
    out = StringIO()
    call_command("rotate_signing_key", *args, stdout=out)
    return out.getvalue()


def configured_kid() -> str:
    return jwk.JWK.from_pem(oauth2_settings.OIDC_RSA_PRIVATE_KEY.encode()).thumbprint()


def test_without_a_stored_key_the_configured_key_signs_and_is_the_jwks(flow, confidential_app, db):
    app, secret = confidential_app
    token = id_token(flow, app, secret)
    response = app_client.get(JWKS_URL)
    assert kids(response.content.decode()) == [configured_kid()]
    assert header(token)["kid"] == configured_kid()
    assert verifies(token, response.content.decode(), timezone.now())
    assert response["Cache-Control"] == f"public, max-age={signing_keys.JWKS_MAX_AGE_SECONDS}"
    assert response["Access-Control-Allow-Origin"] == "*"
    assert not SigningKey.objects.exists()


def test_the_first_rotation_stores_the_configured_key_with_its_kid_and_publishes_the_next(db, clock):
    output = rotate()
    old, new = SigningKey.objects.order_by("activates_at")
    assert old.kid == configured_kid()
    assert (old.origin, new.origin) == (SigningKey.Origin.CONFIGURATION, SigningKey.Origin.GENERATED)
    assert new.activates_at == clock.now + timedelta(seconds=DELAY)
    assert old.retired_at == new.activates_at
    assert old.published_until == new.activates_at + timedelta(seconds=PUBLISHED_AFTER_RETIRING)
    assert f"New key {new.kid} is published" in output
    # Published at once, the active key first; signing stays with the old one.
    assert kids(jwks()) == [old.kid, new.kid]
    assert signing_keys.current().signing_key().thumbprint() == old.kid
    listing = rotate("--list")
    assert f"{old.kid}  active  configuration" in listing
    assert f"{new.kid}  next  generated" in listing


def test_rotating_again_while_a_key_waits_changes_nothing(db, clock):
    rotate()
    waiting = SigningKey.objects.get(origin=SigningKey.Origin.GENERATED)
    again = rotate()
    assert f"Key {waiting.kid} is already waiting" in again
    assert SigningKey.objects.count() == 2
    # Once it signs, the next rotation is a new one.
    clock.advance(DELAY)
    rotate()
    assert SigningKey.objects.count() == 3
    states = {
        row.kid: signing_keys.state_of(row.activates_at, row.retired_at, row.published_until, clock.now)
        for row in SigningKey.objects.all()
    }
    assert sorted(states.values()) == ["active", "next", "retired"]
    assert states[waiting.kid] == "active"


def test_an_old_token_verifies_until_it_expires_and_new_tokens_carry_the_new_kid(
    flow, confidential_app, db, clock
):
    app, secret = confidential_app
    old_token = id_token(flow, app, secret)
    old_kid = header(old_token)["kid"]
    rotate()
    new_kid = SigningKey.objects.get(origin=SigningKey.Origin.GENERATED).kid

    clock.advance(DELAY)  # the new key signs from now
    new_token = id_token(flow, app, secret)
    assert header(new_token)["kid"] == new_kid != old_kid
    current = jwks()
    assert kids(current) == [new_kid, old_kid]
    assert verifies(old_token, current, clock.now)
    assert verifies(new_token, current, clock.now)

    # The old key stays published until every token it signed has expired, and a margin.
    clock.advance(PUBLISHED_AFTER_RETIRING - 1)
    assert kids(jwks()) == [new_kid, old_kid]
    clock.advance(1)
    signing_keys.clear_cache()
    after = jwks()
    assert kids(after) == [new_kid]
    assert not verifies(old_token, after, clock.now)
    assert "Deleted 1 expired key(s): " + old_kid in rotate("--prune")
    assert list(SigningKey.objects.values_list("kid", flat=True)) == [new_kid]
    assert "Deleted 0 expired key(s)." in rotate("--prune")


def new_tokens(flow, app, secret, refresh_token, elapsed) -> dict:
    """A code exchange (with a fresh consent), or a refresh when a refresh token is given; must succeed."""
    if refresh_token is None:
        code = flow.code(app, scope="openid")
        response = exchange(app_client, app, code, flow.verifier, secret=secret)
    else:
        response = refresh(app_client, app, refresh_token, secret)
    assert response.status_code == 200, (elapsed, response.content)
    return response.json()


def timeline(*moments_of_interest: int, end: int) -> list[int]:
    """Seconds from the start: every 10 s around each moment of interest, every minute otherwise."""
    dense = {t for moment in moments_of_interest for t in range(moment - 40, moment + 41, 10)}
    return sorted({*range(0, end, 60), *(t for t in dense if 0 <= t < end)})


def test_tokens_keep_flowing_through_a_rotation_on_several_hosts(flow, confidential_app, db, clock):
    """The issue's "done when": token requests throughout a rotation, none failing, each ID
    token verifying against the JWKS fetched at that moment (from another host), and
    against a JWKS a client kept as long as its max-age allows.

    Hosts a and b take turns signing and serving the JWKS, each keeping the keys it read
    for CACHE_SECONDS (around the rotation they are visited every 20 s, so they answer
    from keys read before it); host c runs the rotation.
    """
    app, secret = confidential_app
    hosts = Hosts("a", "b", "c")
    rotate_at = 120
    activation = rotate_at + DELAY
    left_jwks = activation + PUBLISHED_AFTER_RETIRING
    refresh_token = None
    client_jwks, client_jwks_fetched = None, None
    seen = []
    for number, elapsed in enumerate(timeline(rotate_at, activation, left_jwks, end=left_jwks + 120)):
        clock.now = clock.started + timedelta(seconds=elapsed)
        signing, serving = ("a", "b") if number % 2 else ("b", "a")
        if elapsed == rotate_at:
            with hosts.on("c"):
                rotate()
        with hosts.on(signing):
            tokens = new_tokens(flow, app, secret, None if number % 2 else refresh_token, elapsed)
        refresh_token = tokens["refresh_token"]
        with hosts.on(serving):
            fresh = jwks()
        assert verifies(tokens["id_token"], fresh, clock.now), elapsed
        # A client honouring Cache-Control: its JWKS is at most max-age old.
        if client_jwks is None or elapsed - client_jwks_fetched >= signing_keys.JWKS_MAX_AGE_SECONDS:
            client_jwks, client_jwks_fetched = fresh, elapsed
        assert verifies(tokens["id_token"], client_jwks, clock.now), elapsed
        # The server verified it too, to link it to the access token.
        jti = unverified_claims(tokens["id_token"])["jti"]
        assert get_access_token_model().objects.get(id_token__jti=jti).application_id == app.pk
        seen.append((elapsed, header(tokens["id_token"])["kid"], kids(fresh)))

    old_kid, new_kid = configured_kid(), SigningKey.objects.get(origin=SigningKey.Origin.GENERATED).kid
    assert [kid for _elapsed, kid, _published in seen] == [
        old_kid if elapsed < activation else new_kid for elapsed, _kid, _published in seen
    ]
    published = {elapsed: keys for elapsed, _kid, keys in seen}
    assert published[rotate_at - 10] == [old_kid]
    assert published[rotate_at + 40] == [old_kid, new_kid]  # every host publishes the next key
    assert published[activation] == [new_kid, old_kid]
    assert published[left_jwks - 10] == [new_kid, old_kid]
    assert published[left_jwks + 40] == [new_kid]


def test_private_keys_are_stored_encrypted_and_open_with_a_fallback_secret_key(db, settings):
    rotate()
    old, new = SigningKey.objects.order_by("activates_at")
    for row in (old, new):
        assert "PRIVATE KEY" not in row.private_key
        assert "PRIVATE KEY" in signing_keys.unseal_private_key(row.private_key, row.kid)
        # Sealed for its own kid: another row's text does not open under this one's.
        with pytest.raises(ValueError, match="cannot be decrypted"):
            signing_keys.unseal_private_key(row.private_key, (new if row is old else old).kid)
    assert signing_keys.unseal_private_key(old.private_key, old.kid) == oauth2_settings.OIDC_RSA_PRIVATE_KEY
    previous_secret = settings.SECRET_KEY
    settings.SECRET_KEY = "a-new-secret-key-" + "y" * 40
    with pytest.raises(ValueError, match="cannot be decrypted"):
        signing_keys.unseal_private_key(new.private_key, new.kid)
    settings.SECRET_KEY_FALLBACKS = [previous_secret]
    assert "PRIVATE KEY" in signing_keys.unseal_private_key(new.private_key, new.kid)


def test_the_command_refuses_bad_options_and_lists_the_configured_key_before_any_rotation(db):
    with pytest.raises(CommandError, match="0 or more"):
        rotate("--activate-in", "-5")
    with pytest.raises(CommandError, match="not both"):
        rotate("--list", "--prune")
    assert f"{configured_kid()}  active  (OIDC_RSA_PRIVATE_KEY" in rotate("--list")
    assert not SigningKey.objects.exists()


def test_activating_at_once_switches_signing_immediately(flow, confidential_app, db, clock):
    """`--activate-in 0`, for a key that must stop signing now; the old one stays published."""
    app, secret = confidential_app
    old_token = id_token(flow, app, secret)
    rotate("--activate-in", "0")
    new_kid = SigningKey.objects.get(origin=SigningKey.Origin.GENERATED).kid
    new_token = id_token(flow, app, secret)
    assert header(new_token)["kid"] == new_kid
    assert verifies(old_token, jwks(), clock.now)


def test_the_admin_shows_the_keys_read_only_and_never_the_private_key(admin_client, db):
    rotate()
    old, new = SigningKey.objects.order_by("activates_at")
    listing = admin_client.get("/admin/authserver/signingkey/")
    page = listing.content.decode()
    assert listing.status_code == 200
    assert old.kid in page
    assert new.kid in page
    assert "active: signs ID tokens" in page
    assert "next: published, signs from the date shown" in page
    assert f"/admin/authserver/signingkey/{new.pk}/change/" not in page  # the list is the whole view
    detail = admin_client.get(f"/admin/authserver/signingkey/{new.pk}/change/")
    assert detail.status_code == 200
    for response in (listing, detail):
        text = response.content.decode()
        assert new.private_key[:40] not in text
        assert "PRIVATE KEY" not in text
    assert admin_client.get("/admin/authserver/signingkey/add/").status_code == 403
    assert admin_client.post(f"/admin/authserver/signingkey/{new.pk}/delete/").status_code == 403
    assert SigningKey.objects.count() == 2


def test_the_server_reads_back_id_tokens_of_every_published_key_and_no_other(
    flow, confidential_app, db, clock
):
    """What the toolkit verifies itself (an ID token it links to an access token, an
    id_token_hint) is checked against the key its kid names, not only the active one."""
    from authserver.oauth2_validators import PortalValidator

    app, secret = confidential_app
    old_token = id_token(flow, app, secret)
    rotate("--activate-in", "0")
    validator = PortalValidator()
    assert str(validator._load_id_token(old_token).jti) == unverified_claims(old_token)["jti"]
    assert validator._load_id_token(id_token(flow, app, secret)) is not None
    assert validator._load_id_token("not.a.token") is None
    head, payload, signature = old_token.split(".")
    assert validator._load_id_token(f"{head}.{payload}.{signature[::-1]}") is None
    # Once the old key has left the JWKS, its tokens are not read back either.
    clock.advance(PUBLISHED_AFTER_RETIRING)
    signing_keys.clear_cache()
    assert validator._load_id_token(old_token) is None


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="two connections at once need a database server"
)
@pytest.mark.parametrize("stored_before", [False, True])
def test_two_hosts_rotating_at_once_make_one_new_key(stored_before):
    """Run by two hosts' schedulers at the same moment: one new key, the other run changes nothing."""
    if stored_before:
        signing_keys.rotate(timedelta(0))  # the table already holds keys; the rows are locked
    before = SigningKey.objects.count()
    start = threading.Barrier(2)
    results, errors = [], []

    def host():
        try:
            start.wait()
            results.append(signing_keys.rotate())
        except Exception as error:  # noqa: BLE001 (reported below)
            errors.append(error)
        finally:
            connection.close()

    run_in_threads(host, host)
    assert errors == []
    assert sorted(result.created for result in results) == [False, True]
    assert results[0].key.kid == results[1].key.kid
    added = 1 if stored_before else 2  # the first rotation also stores the configured key
    assert SigningKey.objects.count() == before + added


def test_one_app_keeps_running_through_a_secret_rotation_and_a_key_rotation_together(
    flow, confidential_app, user, db, clock
):
    """Issue 15's "done when" in one run: the owner rotates the client secret while the
    signing key rotates on another host. The app's instances move to the new secret a
    few minutes later. Not one token request fails, every ID token verifies against the
    JWKS of that moment, and the old secret stops working when its grace period ends."""
    from oauth_apps.services import rotate_secret

    app, old_secret = confidential_app
    hosts = Hosts("a", "b")
    secret_rotated_at, key_rotated_at, moved_at = 60, 90, 300
    grace = timedelta(hours=1)
    secret, new_secret, refresh_token = old_secret, None, None
    kids_seen = set()
    for number, elapsed in enumerate(timeline(secret_rotated_at, key_rotated_at, moved_at, end=DELAY + 600)):
        clock.now = clock.started + timedelta(seconds=elapsed)
        if elapsed == secret_rotated_at:
            new_secret = rotate_secret(app, actor=user, grace=grace).secret
        if elapsed == key_rotated_at:
            with hosts.on("b"):
                rotate()
        if elapsed == moved_at:
            secret = new_secret
        with hosts.on("a"):
            tokens = new_tokens(flow, app, secret, None if number % 3 == 0 else refresh_token, elapsed)
            refresh_token = tokens["refresh_token"]
            assert verifies(tokens["id_token"], jwks(), clock.now), elapsed
        kids_seen.add(header(tokens["id_token"])["kid"])

    assert len(kids_seen) == 2  # signed with the old key, then with the new one
    # The grace period over, the old secret fails like a wrong one; the new one works.
    clock.now = clock.started + timedelta(seconds=secret_rotated_at) + grace + timedelta(seconds=1)
    with hosts.on("a"):
        assert refresh(app_client, app, refresh_token, old_secret).status_code == 401
        assert refresh(app_client, app, refresh_token, new_secret).status_code == 200
