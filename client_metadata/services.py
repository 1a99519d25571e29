"""Clients that identify themselves with a metadata document: fetch, check, store, block.

`ensure_client(client_id, redirect_uri)` is what the authorize endpoint asks
first. For a client_id that is an https URL it returns the app made from the
document, fetching the document when the stored copy is no longer fresh, or
raises `Refused` (nothing stored). Every write goes through oauth_apps.services,
so the audit trail records it: the first fetch is the app's `create` (no actor,
via "client ID metadata document"), a refetch that changes something an
`update`, a block the `disable` of each app it matches. A fetch that fails, or a
document that is refused, is kept for staff as a `FetchFailure` (one row per URL).

`client_keys(app)` is what the token endpoint asks for a client that signs its
requests (private_key_jwt): the document's inline keys, or those at its `jwks_uri`,
fetched again when no longer fresh or when an assertion names a key not among them.
"""

import logging
import secrets
import time
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from hashlib import sha256

from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from common import ratelimit
from oauth_apps import audit
from oauth_apps import services as app_services
from oauth_apps.icons import MAX_ICON_BYTES, CleanIcon
from oauth_apps.models import OAuthApplication, RegistrationSource

from . import documents, keys
from .fetcher import FetchError, fetch
from .models import AuthMethod, BlockedClient, BlockKind, FetchFailure, MetadataDocument

logger = logging.getLogger(__name__)
# (requested redirect URI, application) -> allowed?
RedirectRule = Callable[[str, OAuthApplication], bool]

# What the audit trail says the changes came through.
VIA = "client ID metadata document"
# How often a request waiting for another one's fetch looks again.
POLL_SECONDS = 0.05
DOCUMENT_ACCEPT = "application/json"
LOGO_ACCEPT = "image/png, image/jpeg, image/svg+xml"
# An assertion naming a key the stored set lacks refetches the set, at most this often per client.
KEY_REFETCH_MIN_SECONDS = 60


class Refused(Exception):
    """The client cannot be used: `code` is stable (docs/error-codes.md), `message` says why."""

    def __init__(self, code: str, message, *, status: int = 400):
        self.code = code
        self.message = str(message)
        self.status = status
        super().__init__(code, self.message)


def is_document_client_id(client_id) -> bool:
    """Is this client_id a metadata-document URL (rather than an ID the portal issued)?"""
    return (
        settings.CLIENT_METADATA_DOCUMENTS_ENABLED
        and isinstance(client_id, str)
        and client_id[:8].lower() == "https://"
    )


class FetchLimited(Refused):
    """Too many fetches for one person (RATE_LIMITS["client_metadata"]); answered with a 429."""

    def __init__(self, retry_after: int):
        super().__init__("fetch_rate_limited", "", status=429)
        self.retry_after = retry_after


def ensure_client(
    client_id: str, *, redirect_uri: str | None, fetch_key: str | None, redirect_allowed: RedirectRule
) -> OAuthApplication | None:
    """The app for a metadata-document client_id, fetched if need be; None for other client_ids.

    `redirect_allowed(uri, app)` is the authorization server's redirect rule
    (authserver/redirects.py), handed in so this app does not reach into that one:
    a fetched document must allow the request's `redirect_uri` before it is stored.

    `fetch_key` names who asks (common.ratelimit's key): each fetch counts against
    RATE_LIMITS["client_metadata"] for it. With None (a visitor who has not signed
    in) nothing is fetched: the stored app, if any, is returned as it is, so
    strangers cannot make the portal fetch URLs; the fetch happens after sign-in.
    """
    if not is_document_client_id(client_id):
        return None
    try:
        host = documents.check_client_id_url(client_id)
    except documents.DocumentRefused as refused:
        raise Refused(refused.code, refused.message) from refused
    if is_blocked(client_id, host):
        raise Refused(
            "client_blocked",
            _("An administrator of this portal has blocked this application. Nothing was shared with it."),
            status=403,
        )
    record = MetadataDocument.objects.select_related("application").filter(url=client_id).first()
    if record is not None and (record.fresh_until > timezone.now() or not record.application.enabled):
        return record.application
    if fetch_key is None:
        return record.application if record is not None else None
    retry_after = ratelimit.hit(
        "client_metadata", fetch_key, ratelimit.Rate.parse(settings.RATE_LIMITS["client_metadata"])
    )
    if retry_after is not None:
        raise FetchLimited(retry_after)
    try:
        fetched = fetch_once(client_id)
        return store(client_id, fetched, record, redirect_uri=redirect_uri, redirect_allowed=redirect_allowed)
    except documents.DocumentRefused as refused:
        logger.warning(
            "Client metadata document %s refused: %s (%s)", client_id, refused.message, refused.code
        )
        if refused.code != "fetch_in_progress":
            record_failure(client_id, refused.code, refused.message)
        raise Refused(refused.code, refused.message) from refused


# --- fetching, once per URL at a time -------------------------------------------------


@dataclass(frozen=True)
class Fetched:
    """One fetch of a document and its logo, checked as far as can be without the database."""

    checked: documents.CheckedDocument
    icon: CleanIcon
    fresh_seconds: int
    # private_key_jwt with a jwks_uri: the key set fetched from it, and for how long it is reused.
    fetched_keys: dict | None = None
    keys_fresh_seconds: int = 0


def fetch_once(url: str, work: Callable[[str], object] | None = None, *, kind: str = "document"):
    """Fetch `url`, or wait for the fetch of it already under way and take its result.

    `work(url)` fetches and checks (the document and its logo and keys by default);
    `kind` keeps the locks of different fetches of one URL apart.

    The lock and the result live in the shared cache (Redis or the database in
    production, so across processes; the per-process cache of development holds
    them for one process). Whoever takes the lock fetches and leaves the result
    (or the refusal) under the lock's token; the others poll for it. A holder
    that dies leaves a lock that expires after the fetch's time limit.
    """
    work = work or _fetch_and_check
    key = f"client-metadata:lock:{kind}:" + sha256(url.encode()).hexdigest()
    wait = settings.CLIENT_METADATA_TIMEOUT * 2 + 1
    deadline = time.monotonic() + wait
    while True:
        token = secrets.token_hex(8)
        if cache.add(key, token, timeout=wait):
            try:
                result = work(url)
            except documents.DocumentRefused as refused:
                result = refused
            cache.set(f"{key}:{token}", result, timeout=wait)
            cache.delete(key)
            break
        result = _result_of_holder(key, cache.get(key), deadline)
        if result is not None:
            break
        if time.monotonic() >= deadline:
            raise documents.DocumentRefused(
                "fetch_in_progress", _("The document is being fetched by another request; try again shortly.")
            )
    if isinstance(result, documents.DocumentRefused):
        raise result
    return result


def _result_of_holder(key: str, holder: str | None, deadline: float):
    """What the lock's holder left, or None when it let go without a result (or time ran out)."""
    while holder is not None and time.monotonic() < deadline:
        result = cache.get(f"{key}:{holder}")
        if result is not None or cache.get(key) != holder:
            return result if result is not None else cache.get(f"{key}:{holder}")
        time.sleep(POLL_SECONDS)
    return None


def _fetch_and_check(url: str) -> Fetched:
    try:
        response = fetch(url, max_bytes=settings.CLIENT_METADATA_MAX_BYTES, accept=DOCUMENT_ACCEPT)
    except FetchError as error:
        raise documents.DocumentRefused(f"fetch_{error.code}", error.message) from error
    document = documents.parse_document(response.body, response.content_type, url)
    checked = documents.check_members(document, url)
    icon = documents.default_icon()
    if checked.logo_uri:
        if not checked.logo_uri.startswith("https://"):
            raise documents.DocumentRefused("invalid_client_metadata", _("logo_uri: must be an https URL"))
        try:
            logo = fetch(checked.logo_uri, max_bytes=MAX_ICON_BYTES, accept=LOGO_ACCEPT)
        except FetchError as error:
            raise documents.DocumentRefused(
                "invalid_client_metadata", f"logo_uri: {error.message}"
            ) from error
        icon = documents.check_logo(logo.body)
    fetched_keys, keys_fresh = None, 0
    if checked.jwks_uri:
        fetched_keys, keys_fresh = fetch_keys(checked.jwks_uri)
    return Fetched(
        checked=checked,
        icon=icon,
        fresh_seconds=fresh_seconds(response.headers),
        fetched_keys=fetched_keys,
        keys_fresh_seconds=keys_fresh,
    )


def fetch_keys(jwks_uri: str) -> tuple[dict, int]:
    """The key set at `jwks_uri`, checked, and how long it may be reused (within the documents' bounds)."""
    try:
        response = fetch(jwks_uri, max_bytes=keys.MAX_JWKS_BYTES, accept=keys.JWKS_ACCEPT)
    except FetchError as error:
        raise documents.member_error("jwks_uri", error.message) from error
    return keys.parse_jwks(response.body), fresh_seconds(response.headers)


def fresh_seconds(headers: dict[str, str]) -> int:
    """How long a document may be reused: its caching headers, within the floor and the ceiling."""
    floor = settings.CLIENT_METADATA_CACHE_MIN_SECONDS
    ceiling = settings.CLIENT_METADATA_CACHE_MAX_SECONDS
    directives = {}
    for part in headers.get("cache-control", "").split(","):
        name, _sep, value = part.strip().partition("=")
        directives[name.strip().lower()] = value.strip().strip('"')
    seconds = 0
    if "no-store" in directives or "no-cache" in directives:
        seconds = 0
    elif directives.get("max-age", "").isdigit():
        seconds = int(directives["max-age"])
    elif "expires" in headers:
        try:
            expires = parsedate_to_datetime(headers["expires"])
            date = parsedate_to_datetime(headers["date"]) if "date" in headers else datetime.now(UTC)
            seconds = int((expires - date).total_seconds())
        except (TypeError, ValueError, IndexError, OverflowError):
            seconds = 0
    return max(floor, min(ceiling, seconds))


# --- storing ---------------------------------------------------------------------------


def store(
    url: str,
    fetched: Fetched,
    record: MetadataDocument | None,
    *,
    redirect_uri: str | None,
    redirect_allowed: RedirectRule | None = None,
) -> OAuthApplication:
    """Make or update the app from a fetched document; refuse it (storing nothing) if it breaks a rule."""
    if record is None:
        form = documents.MetadataDocumentForm(fetched.checked.data, files={"icon": fetched.icon})
    else:
        app = record.application
        data = {**fetched.checked.data, "version": str(app.version)}
        form = documents.MetadataDocumentEditForm(data, files={"icon": fetched.icon}, instance=app)
    if not form.is_valid():
        raise documents.form_refusal(form)
    candidate = form.instance
    candidate.client_type = OAuthApplication.CLIENT_PUBLIC
    if redirect_uri is not None and not redirect_allowed(redirect_uri, candidate):
        raise documents.DocumentRefused(
            "redirect_uri_not_in_document",
            _("The redirect URL in this request is not one of the document’s redirect_uris."),
        )
    now = timezone.now()
    checked = fetched.checked
    kept = {
        "fetched": now,
        "fresh_until": now + timedelta(seconds=fetched.fresh_seconds),
        "document": checked.document,
        "token_endpoint_auth_method": checked.auth_method,
        "jwks_uri": checked.jwks_uri,
        "jwks": checked.jwks or fetched.fetched_keys or {},
        "keys_fetched": now if checked.jwks_uri else None,
        "keys_fresh_until": now + timedelta(seconds=fetched.keys_fresh_seconds) if checked.jwks_uri else None,
    }
    if record is None:
        return _create(url, form, fetched.icon, kept)
    # EditConflict: another request stored this same fetch a moment ago.
    with audit.acting_through(VIA), suppress(app_services.EditConflict):
        app_services.update_application(form, actor=None)
    MetadataDocument.objects.filter(pk=record.pk).update(**kept)
    return OAuthApplication.objects.get(pk=record.application_id)


def _create(url, form, icon: CleanIcon, kept: dict) -> OAuthApplication:
    app = form.save(commit=False)
    app.client_id = url
    app.registration_source = RegistrationSource.METADATA_DOCUMENT
    try:
        with transaction.atomic(), audit.acting_through(VIA):
            app, _secret = app_services.register_application(app, user=None, icon=icon)
            MetadataDocument.objects.create(application=app, url=url, **kept)
    except (IntegrityError, app_services.DuplicateName):
        # Two requests stored the same first fetch at once: the other one won.
        record = MetadataDocument.objects.select_related("application").filter(url=url).first()
        if record is None:
            raise
        return record.application
    return app


# --- keys of clients that sign their token requests (private_key_jwt) --------------------


class KeysUnavailable(Exception):
    """The client's keys could not be fetched; it cannot authenticate now (recorded as a failure)."""


def client_keys(app: OAuthApplication, *, refresh: bool = False) -> dict | None:
    """The public key set of a private_key_jwt metadata-document client; None for every other client.

    Keys from a `jwks_uri` are fetched again once no longer fresh, or with `refresh`
    (an assertion named a key not in the set) if the last fetch is older than
    KEY_REFETCH_MIN_SECONDS, so a stream of made-up key IDs costs one fetch a minute.
    Raises KeysUnavailable when a needed fetch fails: stale keys are not trusted. A
    failed fetch is not tried again for KEY_REFETCH_MIN_SECONDS either, so a key set
    host that is down or slow cannot be made to cost a fetch per request.
    """
    if not app.described_by_document:
        return None
    record = MetadataDocument.objects.filter(application=app).first()
    if record is None or not record.signs_requests:
        return None
    if not record.jwks_uri:
        return record.jwks
    now = timezone.now()
    stale = record.keys_fresh_until is None or record.keys_fresh_until <= now
    may_refetch = record.keys_fetched is None or now - record.keys_fetched >= timedelta(
        seconds=KEY_REFETCH_MIN_SECONDS
    )
    if not stale and not (refresh and may_refetch):
        return record.jwks
    failed_recently = f"client-metadata:keys-failed:{record.pk}"
    if (message := cache.get(failed_recently)) is not None:
        raise KeysUnavailable(message)
    try:
        fetched, seconds = fetch_once(record.jwks_uri, fetch_keys, kind="jwks")
    except documents.DocumentRefused as refused:
        logger.warning("Keys of %s could not be fetched: %s", app.client_id, refused.message)
        if refused.code != "fetch_in_progress":
            record_failure(app.client_id, "jwks_unavailable", refused.message)
            cache.set(failed_recently, str(refused.message), timeout=KEY_REFETCH_MIN_SECONDS)
        raise KeysUnavailable(refused.message) from refused
    MetadataDocument.objects.filter(pk=record.pk).update(
        jwks=fetched, keys_fetched=now, keys_fresh_until=now + timedelta(seconds=seconds)
    )
    return fetched


def uses_private_key_jwt(app: OAuthApplication) -> bool:
    """Must this client authenticate with a signed assertion (and never as a public client)?"""
    return (
        app.described_by_document
        and MetadataDocument.objects.filter(
            application=app, token_endpoint_auth_method=AuthMethod.PRIVATE_KEY_JWT
        ).exists()
    )


# --- failed fetches, for staff ---------------------------------------------------------


def record_failure(url: str, code: str, message) -> None:
    """Count a failed fetch (or a refused document) of `url` in its one row; drop rows long quiet.

    One row per URL however often it fails, and rows not failed again within
    CLIENT_METADATA_FAILURE_RETENTION_DAYS are deleted here, so the table stays
    small whatever URLs people make the portal fetch.
    """
    now = timezone.now()
    last = {"last_failed": now, "last_code": code[:64], "last_message": str(message)[:500]}
    url = url[:2048]
    if not FetchFailure.objects.filter(url=url).update(attempts=F("attempts") + 1, **last):
        try:
            with transaction.atomic():
                FetchFailure.objects.create(url=url, first_failed=now, **last)
        except IntegrityError:
            # Another request recorded this URL's first failure a moment ago.
            FetchFailure.objects.filter(url=url).update(attempts=F("attempts") + 1, **last)
    cutoff = now - timedelta(days=settings.CLIENT_METADATA_FAILURE_RETENTION_DAYS)
    FetchFailure.objects.filter(last_failed__lt=cutoff).delete()


# --- blocking --------------------------------------------------------------------------


def host_of(url: str) -> str:
    return url[len("https://") :].split("/", 1)[0].lower()


def is_blocked(url: str, host: str) -> bool:
    return BlockedClient.objects.filter(
        Q(kind=BlockKind.URL, value=url) | Q(kind=BlockKind.HOST, value=host.lower())
    ).exists()


def matching_apps(kind: str, value: str):
    """The metadata-document apps a block of `kind` and `value` covers."""
    apps = OAuthApplication.objects.filter(registration_source=RegistrationSource.METADATA_DOCUMENT)
    if kind == BlockKind.URL:
        return apps.filter(client_id=value)
    return apps.filter(Q(client_id__startswith=f"https://{value}/"))


def normalise_block_value(kind: str, value: str) -> str:
    """The stored form of what staff typed; raises documents.DocumentRefused for a malformed one."""
    value = value.strip()
    if kind == BlockKind.URL:
        documents.check_client_id_url(value)
        return value
    host = value.lower()
    if "://" in host:
        host = host_of(host) if host.startswith("https://") else ""
    if not host or "/" in host or "@" in host or any(char.isspace() for char in host):
        raise documents.DocumentRefused(
            "block_host_invalid", _("Enter a host name such as tools.example.com (with :port if not 443).")
        )
    return host


def block(kind: str, value: str, *, actor, reason: str = "") -> tuple[BlockedClient, int]:
    """Block a document URL or a host; disable (and revoke) every app it covers. Returns (block, disabled)."""
    value = normalise_block_value(kind, value)
    with transaction.atomic():
        blocked, _created = BlockedClient.objects.get_or_create(
            kind=kind, value=value, defaults={"reason": reason, "created_by": actor}
        )
        with audit.acting_through(f"blocked {kind}: {value}"[:200]):
            disabled = app_services.bulk_set_enabled(
                matching_apps(kind, value).filter(enabled=True), actor=actor, enabled=False
            )
    return blocked, disabled


def unblock(blocked: BlockedClient) -> None:
    """Remove a block. The apps it disabled stay disabled until staff enable them."""
    blocked.delete()
