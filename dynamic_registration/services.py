"""Registering, managing and pruning self-registered clients; making initial access tokens.

Every write to an application goes through oauth_apps.services (register,
update, delete: each with its audit event), inside `audit.acting_through`, so
the trail says the change came through dynamic client registration.
"""

import functools
import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from oauth_apps import audit
from oauth_apps import services as app_services
from oauth_apps.icons import CleanIcon, clean_icon
from oauth_apps.models import OAuthApplication, RegistrationSource

from .models import ClientRegistration, InitialAccessToken

# What the audit trail records as the means of each change.
VIA_REGISTRATION = "dynamic client registration"
VIA_PRUNING = "dynamic client registration: removed, no token obtained in time"

# The icon of every self-registered client: logo_uri is never fetched.
DEFAULT_ICON_SVG = (
    b'<svg xmlns="http://www.w3.org/2000/svg" width="32" height="32" viewBox="0 0 32 32">'
    b'<rect width="32" height="32" rx="6" fill="#5b6b7f"/>'
    b'<rect x="9" y="10" width="14" height="12" rx="3" fill="#ffffff"/>'
    b'<circle cx="13" cy="16" r="1.6" fill="#5b6b7f"/><circle cx="19" cy="16" r="1.6" fill="#5b6b7f"/>'
    b'<rect x="15" y="5" width="2" height="5" fill="#ffffff"/></svg>'
)

# The opportunistic pruning runs at most this often (per shared cache).
PRUNE_INTERVAL = timedelta(minutes=10)
PRUNE_CACHE_KEY = "dynamic_registration:pruned"


@functools.cache
def default_icon() -> CleanIcon:
    """The default icon, through the icon pipeline like any upload."""
    return clean_icon(DEFAULT_ICON_SVG)


def new_token() -> str:
    return secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


class InitialTokenRefused(Exception):
    """The initial access token is unknown, revoked, expired or used up."""


def find_initial_token(token: str) -> InitialAccessToken | None:
    """The usable initial access token `token` stands for, or None."""
    return InitialAccessToken.objects.usable().filter(token_hash=hash_token(token)).first()


def register_client(form, *, metadata: dict, initial_token: InitialAccessToken | None = None):
    """Create the client from a valid ClientMetadataForm; return (app, client secret, registration token).

    The initial access token's use is counted in the same transaction, by a
    conditional UPDATE: of two registrations racing for its last use, one wins.
    Raises InitialTokenRefused (nothing written) when it has no use left.
    """
    registration_token = new_token()
    app = form.instance
    app.registration_source = RegistrationSource.DYNAMIC
    via = VIA_REGISTRATION if initial_token is None else f"{VIA_REGISTRATION} ({initial_token.name})"
    with transaction.atomic(), audit.acting_through(via):
        if initial_token is not None:
            used = InitialAccessToken.objects.usable().filter(pk=initial_token.pk).update(uses=F("uses") + 1)
            if not used:
                raise InitialTokenRefused(initial_token.pk)
        app, secret = app_services.register_application(app, user=None, icon=form.cleaned_data["icon"])
        ClientRegistration.objects.create(
            application=app,
            token_hash=hash_token(registration_token),
            metadata=metadata,
            initial_token=initial_token,
        )
    return app, secret, registration_token


def find_registration(client_id: str, token: str) -> ClientRegistration | None:
    """The registration of `client_id` if `token` is its registration access token, else None."""
    registration = (
        ClientRegistration.objects.select_related("application").filter(token_hash=hash_token(token)).first()
    )
    if registration is None or not secrets.compare_digest(registration.application.client_id, client_id):
        return None
    return registration


def update_client(form, registration: ClientRegistration, *, metadata: dict) -> app_services.UpdateResult:
    """Apply a valid ClientMetadataEditForm (RFC 7592 update) through the portal's update service."""
    with transaction.atomic(), audit.acting_through(VIA_REGISTRATION):
        result = app_services.update_application(form, actor=None)
        ClientRegistration.objects.filter(pk=registration.pk).update(metadata=metadata)
    registration.metadata = metadata
    return result


def delete_client(registration: ClientRegistration) -> None:
    """The client deletes itself (RFC 7592): as staff deleting it, with its tokens; the trail stays."""
    with audit.acting_through(VIA_REGISTRATION):
        app_services.delete_application(registration.application, actor=None)


def note_token_issued(sender, request, token, **kwargs) -> None:
    """The token endpoint issued `token`: its client, if self-registered, is in use and is kept.

    One UPDATE per code exchange (none on refresh: a refresh token comes from an
    exchange that already marked its client).
    """
    if request.POST.get("grant_type") == "refresh_token":
        return
    ClientRegistration.objects.filter(application_id=token.application_id, first_token_at=None).update(
        first_token_at=timezone.now()
    )


def unused_ttl() -> timedelta:
    return timedelta(hours=settings.DYNAMIC_REGISTRATION_UNUSED_HOURS)


def prune_unused(now=None) -> int:
    """Delete self-registered clients that obtained no token within the allowed time; return how many.

    Each deletion is audited like any other (the trail names the reason in `via`).
    """
    cutoff = (now or timezone.now()) - unused_ttl()
    stale = OAuthApplication.objects.filter(
        registration_source=RegistrationSource.DYNAMIC,
        dynamic_registration__first_token_at=None,
        dynamic_registration__created__lt=cutoff,
    ).only(*audit.APP_FIELDS)
    apps = list(stale)
    if not apps:
        return 0
    with audit.acting_through(VIA_PRUNING):
        return app_services.bulk_delete(apps, actor=None)


def prune_now_and_then() -> int:
    """Prune at most once per PRUNE_INTERVAL (called as clients register); return how many went."""
    if not cache.add(PRUNE_CACHE_KEY, 1, timeout=int(PRUNE_INTERVAL.total_seconds())):
        return 0
    return prune_unused()


# --- initial access tokens (staff) --------------------------------------------------

TOKEN_PREFIX_LENGTH = 6


def issue_initial_token(*, name: str, expires, max_uses: int, actor) -> tuple[str, InitialAccessToken]:
    """Make an initial access token; return it (shown once, stored only hashed) with its row."""
    token = new_token()
    row = InitialAccessToken.objects.create(
        name=name,
        token_hash=hash_token(token),
        prefix=token[:TOKEN_PREFIX_LENGTH],
        expires=expires,
        max_uses=max_uses,
        created_by=actor,
    )
    return token, row


def revoke_initial_token(pk: int, *, actor) -> bool:
    """Revoke a live initial access token; False when there is none with this id."""
    return bool(
        InitialAccessToken.objects.filter(pk=pk, revoked=None).update(
            revoked=timezone.now(), revoked_by=actor
        )
    )
