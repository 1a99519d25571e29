"""Making, checking and revoking personal access tokens.

A token reads `dsp_<key>_<secret>`: the key finds the row, the secret is checked
against a salted SHA-256 (oauth_apps/hashers.py: the secret is 256 random bits
made here, so a slow password hash would only cost CPU on every call).
"""

import secrets

from django.contrib.auth.hashers import check_password, make_password
from django.utils import timezone

from common.last_used import touch_last_used

from .models import PersonalAccessToken

PREFIX = "dsp"
HASHER = "client_secret_sha256"


def issue(user, *, name: str, scopes: list[str], expires) -> tuple[str, PersonalAccessToken]:
    """Make a token for `user`; return the token (shown once, never stored) and its row."""
    key = secrets.token_hex(6)
    secret = secrets.token_urlsafe(32)
    token = PersonalAccessToken.objects.create(
        user=user,
        name=name,
        key=key,
        secret_hash=make_password(secret, hasher=HASHER),
        scopes=" ".join(scopes),
        expires=expires,
    )
    return f"{PREFIX}_{key}_{secret}", token


def looks_like_personal_token(value: str) -> bool:
    return value.startswith(f"{PREFIX}_")


def authenticate(value: str) -> PersonalAccessToken | None:
    """The live token `value` stands for, with its user; None for anything else."""
    parts = value.split("_", 2)
    if len(parts) != 3 or parts[0] != PREFIX or not parts[1].isalnum() or len(parts[1]) > 16:
        return None
    token = (
        PersonalAccessToken.objects.select_related("user")
        .filter(key=parts[1], revoked__isnull=True, expires__gt=timezone.now(), user__is_active=True)
        .first()
    )
    if token is None or not check_password(parts[2], token.secret_hash):
        return None
    return token


def touch(token: PersonalAccessToken) -> None:
    """Note that the token was used now, writing at most once a minute (common/last_used.py)."""
    token.last_used = touch_last_used(PersonalAccessToken, token.pk, "last_used", token.last_used)


def revoke(user, pk: int) -> PersonalAccessToken | None:
    """Revoke one of `user`'s own tokens; None when there is no such live token."""
    token = PersonalAccessToken.objects.filter(user=user, pk=pk, revoked__isnull=True).first()
    if token is None:
        return None
    PersonalAccessToken.objects.filter(pk=token.pk).update(revoked=timezone.now())
    return token
