"""Writes that take more than one step. Views call these; models stay plain."""

from collections.abc import Iterable
from dataclasses import dataclass

from django.contrib.auth.hashers import make_password
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from oauth2_provider.generators import generate_client_secret
from oauth2_provider.models import (
    get_access_token_model,
    get_grant_model,
    get_id_token_model,
    get_refresh_token_model,
)
from oauth2_provider.settings import oauth2_settings

from . import audit
from .icons import CleanIcon
from .models import AuditAction, Icon, OAuthApplication
from .names import name_key


class DuplicateName(Exception):
    """Another app took the name between the form's check and the insert."""


def store_icon(icon: CleanIcon) -> Icon:
    """Store a checked icon once per content; identical icons share a row."""
    stored, _created = Icon.objects.get_or_create(
        sha256=icon.sha256, defaults={"content_type": icon.content_type, "data": icon.data}
    )
    return stored


def register_application(app: OAuthApplication, *, user, icon: CleanIcon) -> tuple[OAuthApplication, str]:
    """Save a new app (the form's unsaved instance) with its icon; return it with its one-time secret.

    The secret is "" for a public client, which authenticates with PKCE alone.
    """
    secret = "" if app.is_public else generate_client_secret()
    app.user = user
    app.modified_by = user
    app.authorization_grant_type = OAuthApplication.GRANT_AUTHORIZATION_CODE
    app.algorithm = OAuthApplication.RS256_ALGORITHM
    app.client_secret = secret
    # An empty secret must stay empty, not become the hash of "".
    app.hash_client_secret = not app.is_public
    try:
        with transaction.atomic():
            app.icon = store_icon(icon)
            app.save()
            audit.record(app, user, AuditAction.CREATE, {"name": app.name, "scopes": app.scope_names})
    except IntegrityError as error:
        if OAuthApplication.objects.filter(name_key=name_key(app.name)).exists():
            raise DuplicateName(app.name) from error
        raise
    return app, secret


def revoke_authorizations(app: OAuthApplication, *, user=None) -> int:
    """Revoke every grant and token the app holds (for `user` only, if given); return how many.

    Deleting the rows is the revocation: the toolkit looks tokens up by value,
    so a deleted token is an unknown one from that moment on.
    """
    owner = {} if user is None else {"user": user}
    removed = 0
    models = (
        get_refresh_token_model(),
        get_access_token_model(),
        get_id_token_model(),
        get_grant_model(),
    )
    for model in models:
        count, _ = model.objects.filter(application=app, **owner).delete()
        removed += count
    return removed


@dataclass(frozen=True)
class Authorizations:
    """What revoke_authorizations() would remove from some apps: shown before it is done."""

    users: int
    tokens: int
    codes: int


def count_authorizations(apps: Iterable[OAuthApplication]) -> Authorizations:
    ids = [app.pk for app in apps]
    token_models = (get_access_token_model(), get_refresh_token_model(), get_id_token_model())
    users = set()
    tokens = 0
    for model in token_models:
        rows = model.objects.filter(application_id__in=ids)
        tokens += rows.count()
        users.update(rows.exclude(user=None).values_list("user_id", flat=True).distinct())
    grants = get_grant_model().objects.filter(application_id__in=ids)
    users.update(grants.values_list("user_id", flat=True).distinct())
    return Authorizations(users=len(users), tokens=tokens, codes=grants.count())


# --- managing an application ------------------------------------------------


class EditConflict(Exception):
    """The app changed after the edit form was opened; nothing was written."""

    def __init__(self, current: OAuthApplication | None):
        super().__init__("application changed since the form was opened")
        self.current = current


class NotConfidential(Exception):
    """Only a confidential client has a secret to reset."""


@dataclass(frozen=True)
class UpdateResult:
    app: OAuthApplication
    changes: dict
    # A new secret, set only when a public client became confidential.
    secret: str | None = None
    # Tokens and grants revoked because the edit took scopes away.
    revoked: int = 0

    @property
    def changed(self) -> bool:
        return bool(self.changes)


def _hashed(secret: str) -> str:
    return make_password(secret, hasher=oauth2_settings.CLIENT_SECRET_HASHER)


def update_application(form, *, actor) -> UpdateResult:
    """Save a valid edit form if the app is still at the form's version; raise EditConflict otherwise.

    The form knows what changed (`form.changes()`, from `changed_data`); this
    writes exactly those fields. The check and the write are one conditional
    UPDATE (`WHERE version = …`), so of two simultaneous saves the database lets
    exactly one through, whatever the number of processes. A submission equal
    to the stored app writes nothing.
    """
    app = form.instance
    changes = form.changes()
    if not changes:
        return UpdateResult(app=app, changes={})
    fields = {name: getattr(app, name) for name in form.changed_model_fields(changes)}
    if "name" in fields:
        # An UPDATE bypasses save(), which keeps the key otherwise (names.py).
        fields["name_key"] = name_key(app.name)
    secret = None
    if "client_type" in changes:
        if app.is_public:
            # A public client has no secret: an old one must not keep working.
            fields.update(client_secret="", hash_client_secret=False)
        else:
            secret = generate_client_secret()
            fields.update(client_secret=_hashed(secret), hash_client_secret=True)
    try:
        with transaction.atomic():
            if "icon" in changes:
                fields["icon"] = store_icon(form.cleaned_data["icon"])
            updated = OAuthApplication.objects.filter(pk=app.pk, version=form.cleaned_data["version"]).update(
                **fields, modified_by=actor, updated=timezone.now(), version=F("version") + 1
            )
            if not updated:
                raise EditConflict(OAuthApplication.objects.filter(pk=app.pk).first())
            app.refresh_from_db()
            audit.record(app, actor, AuditAction.UPDATE, changes)
            revoked = _revoke_what_the_edit_withdrew(app, actor, changes)
    except IntegrityError as error:
        if OAuthApplication.objects.filter(name_key=name_key(app.name)).exclude(pk=app.pk).exists():
            raise DuplicateName(app.name) from error
        raise
    return UpdateResult(app=app, changes=changes, secret=secret, revoked=revoked)


def _revoke_what_the_edit_withdrew(app, actor, changes: dict) -> int:
    """Tokens may not outlive the scopes they were granted for, nor codes their redirect URL.

    Taking a scope away revokes every token and grant of the app (users consent
    again, to what the app may now ask); removing a redirect URL drops the
    pending codes that were to be sent there.
    """
    old_scopes = changes.get("scopes", {}).get("old", app.scope_names)
    withdrawn = sorted(set(old_scopes) - set(app.scope_names))
    if withdrawn:
        revoked = revoke_authorizations(app)
        audit.record(
            app, actor, AuditAction.TOKEN_REVOKED, {"scopes_withdrawn": withdrawn, "revoked": revoked}
        )
        return revoked
    removed = set(changes.get("redirect_uris", {}).get("old", [])) - set(app.redirect_uri_list)
    if removed:
        get_grant_model().objects.filter(application=app, redirect_uri__in=removed).delete()
    return 0


def set_enabled(app: OAuthApplication, *, actor, enabled: bool) -> bool:
    """Enable or disable one app; return False when it already was in that state.

    Disabling revokes every token and grant in the same transaction, so a
    disabled app holds nothing it could still use.
    """
    with transaction.atomic():
        changed = OAuthApplication.objects.filter(pk=app.pk, enabled=not enabled).update(
            enabled=enabled, modified_by=actor, updated=timezone.now(), version=F("version") + 1
        )
        if not changed:
            return False
        app.refresh_from_db()
        details = {}
        if not enabled:
            details["authorizations_revoked"] = revoke_authorizations(app)
        audit.record(app, actor, AuditAction.ENABLE if enabled else AuditAction.DISABLE, details)
    return True


def bulk_set_enabled(apps: Iterable[OAuthApplication], *, actor, enabled: bool) -> int:
    """Enable or disable each app (already visible to `actor`); return how many changed."""
    with transaction.atomic():
        return sum(set_enabled(app, actor=actor, enabled=enabled) for app in apps)


def set_resource_server(app: OAuthApplication, *, actor, value: bool) -> bool:
    """Mark or unmark `app` as a resource server (it may then introspect any token); False if unchanged.

    Who may call this is decided by oauth_apps/access.py (Action.MARK_RESOURCE_SERVER).
    """
    with transaction.atomic():
        changed = OAuthApplication.objects.filter(pk=app.pk, is_resource_server=not value).update(
            is_resource_server=value, modified_by=actor, updated=timezone.now(), version=F("version") + 1
        )
        if not changed:
            return False
        app.refresh_from_db()
        audit.record(app, actor, AuditAction.UPDATE, {"is_resource_server": {"old": not value, "new": value}})
    return True


def reset_secret(app: OAuthApplication, *, actor) -> str:
    """Give a confidential app a new secret and return it; the old one fails at once."""
    if app.is_public:
        raise NotConfidential(app.pk)
    secret = generate_client_secret()
    with transaction.atomic():
        OAuthApplication.objects.filter(pk=app.pk).update(
            client_secret=_hashed(secret),
            hash_client_secret=True,
            modified_by=actor,
            updated=timezone.now(),
            version=F("version") + 1,
        )
        app.refresh_from_db()
        revoked = revoke_authorizations(app)
        audit.record(app, actor, AuditAction.SECRET_RESET, {"authorizations_revoked": revoked})
    return secret


def delete_application(app: OAuthApplication, *, actor) -> None:
    """Delete the app with its tokens and grants; its audit trail stays."""
    with transaction.atomic():
        revoked = revoke_authorizations(app)
        audit.record(app, actor, AuditAction.DELETE, {"authorizations_revoked": revoked})
        app.delete()


def bulk_delete(apps: Iterable[OAuthApplication], *, actor) -> int:
    with transaction.atomic():
        count = 0
        for app in apps:
            delete_application(app, actor=actor)
            count += 1
        return count
