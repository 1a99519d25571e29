"""Writes of the authorization server's portal features. Views call these."""

import hashlib
import unicodedata
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from oauth2_provider.models import (
    get_access_token_model,
    get_grant_model,
    get_id_token_model,
    get_refresh_token_model,
    revoke_access_token,
    set_token_value,
)
from oauth2_provider.settings import oauth2_settings
from oauthlib.common import generate_token

from oauth_apps import audit
from oauth_apps import scopes as scope_catalog
from oauth_apps.models import AuditAction, OAuthApplication
from oauth_apps.services import revoke_authorizations

from .models import DeveloperToken

AccessToken = get_access_token_model()
RefreshToken = get_refresh_token_model()
IDToken = get_id_token_model()
Grant = get_grant_model()

NAME_MAX_LENGTH = 150  # Django's first_name / last_name columns
PROFILE_FIELDS = {"firstName": "first_name", "lastName": "last_name"}


class InvalidProfile(Exception):
    def __init__(self, message: str, *, code: str, field: str = ""):
        super().__init__(message)
        self.message = message
        self.code = code
        self.field = field


def _clean_name(field: str, value) -> str:
    if not isinstance(value, str):
        raise InvalidProfile(
            _("%(field)s must be a string.") % {"field": field}, code="not_a_string", field=field
        )
    value = value.strip()
    if any(unicodedata.category(char) in ("Cc", "Cf", "Zl", "Zp") for char in value):
        raise InvalidProfile(
            _("%(field)s must not contain control characters.") % {"field": field},
            code="control_chars",
            field=field,
        )
    if len(value) > NAME_MAX_LENGTH:
        raise InvalidProfile(
            _("%(field)s must be at most %(max)d characters.") % {"field": field, "max": NAME_MAX_LENGTH},
            code="too_long",
            field=field,
        )
    return value


def update_display_name(user, data):
    """Set the user's first and/or last name from an API body like {"firstName": "Ada"}."""
    if not isinstance(data, dict):
        raise InvalidProfile(_("The body must be a JSON object."), code="not_an_object")
    unknown = sorted(set(data) - set(PROFILE_FIELDS))
    if unknown:
        raise InvalidProfile(
            _("Unknown field %(field)s: only firstName and lastName can be changed.") % {"field": unknown[0]},
            code="unknown_field",
            field=unknown[0],
        )
    if not data:
        raise InvalidProfile(_("Send firstName, lastName or both."), code="empty")
    changes = {PROFILE_FIELDS[key]: _clean_name(key, value) for key, value in data.items()}
    for attribute, value in changes.items():
        setattr(user, attribute, value)
    user.save(update_fields=list(changes))
    return user


@dataclass(frozen=True)
class Authorization:
    """An app that can currently act for a user: what it may do, and since when."""

    application: OAuthApplication
    scopes: list[scope_catalog.Scope]
    last_authorized: datetime


def authorizations_of(user) -> list[Authorization]:
    """Apps holding a live token of `user`: an unexpired access token or an unrevoked refresh token.

    Three queries whatever the number of apps and tokens.
    """
    now = timezone.now()
    scopes: dict[int, set[str]] = defaultdict(set)
    latest: dict[int, datetime] = {}

    def note(app_id, scope, created):
        scopes[app_id].update((scope or "").split())
        latest[app_id] = max(latest.get(app_id, created), created)

    for app_id, scope, created in AccessToken.objects.filter(user=user, expires__gt=now).values_list(
        "application_id", "scope", "created"
    ):
        note(app_id, scope, created)
    for app_id, scope, created in RefreshToken.objects.filter(user=user, revoked__isnull=True).values_list(
        "application_id", "access_token__scope", "created"
    ):
        note(app_id, scope, created)
    apps = OAuthApplication.objects.filter(pk__in=latest).only(
        "id", "name", "icon_id", "website_url", "enabled", "client_id"
    )
    rows = [
        Authorization(
            application=app,
            scopes=scope_catalog.consent_lines(scopes[app.pk]),
            last_authorized=latest[app.pk],
        )
        for app in apps
    ]
    return sorted(rows, key=lambda row: row.last_authorized, reverse=True)


def revoke_user_authorization(user, app: OAuthApplication) -> int:
    """Withdraw `user`'s consent from `app`: every token and code it holds for them stops working."""
    with transaction.atomic():
        return revoke_authorizations(app, user=user)


def generate_developer_token(user, app: OAuthApplication) -> tuple[str, AccessToken]:
    """A new access token for `user` with all of `app`'s scopes, replacing their previous one.

    The value is returned once; only its checksum is stored.
    """
    if not app.usable:
        raise ApplicationDisabled(app.name)
    value = generate_token()
    expires = timezone.now() + timedelta(seconds=oauth2_settings.ACCESS_TOKEN_EXPIRE_SECONDS)
    with transaction.atomic():
        AccessToken.objects.filter(
            pk__in=DeveloperToken.objects.filter(user=user, application=app).values("access_token_id")
        ).delete()
        token = AccessToken(user=user, application=app, scope=" ".join(app.scope_names), expires=expires)
        set_token_value(token, value)
        token.save()
        DeveloperToken.objects.create(user=user, application=app, access_token=token)
        audit.record(
            app,
            user,
            AuditAction.TOKEN_GENERATED,
            {"scopes": app.scope_names, "expires": expires.isoformat()},
        )
    return value, token


def revoke_pasted_token(app: OAuthApplication, actor, value: str) -> str | None:
    """Revoke an access or refresh token of `app`; return its kind, or None if it is not one of app's."""
    value = (value or "").strip()
    if not value:
        return None
    checksum = hashlib.sha256(value.encode()).hexdigest()
    with transaction.atomic():
        access = AccessToken.objects.filter(token_checksum=checksum, application=app).first()
        if access is not None:
            revoke_access_token(access)
            kind = "access_token"
        else:
            refresh = RefreshToken.objects.filter(
                token_checksum=checksum, application=app, revoked__isnull=True
            ).first()
            if refresh is None:
                return None
            refresh.revoke()
            kind = "refresh_token"
        audit.record(app, actor, AuditAction.TOKEN_REVOKED, {"token_type": kind})
    return kind


class ApplicationDisabled(Exception):
    """Tokens are not issued for a disabled app."""
