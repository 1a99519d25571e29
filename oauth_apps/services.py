"""Writes that take more than one step. Views call these; models stay plain."""

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from django.apps import apps as django_apps
from django.contrib.auth.hashers import make_password
from django.db import IntegrityError, transaction
from django.db.models import Count, F
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
from .origins import sync_allowed_origins


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
            sync_allowed_origins([app])
            audit.record(app, user, AuditAction.CREATE, {"name": app.name, "scopes": app.scope_names})
    except IntegrityError as error:
        if OAuthApplication.objects.name_taken(app.name):
            raise DuplicateName(app.name) from error
        raise
    return app, secret


def revoke_authorizations(app: OAuthApplication, *, user=None) -> int:
    """Revoke every grant and token the app holds (for `user` only, if given); return how many.

    Deleting the rows is the revocation: the toolkit looks tokens up by value,
    so a deleted token is an unknown one from that moment on.
    """
    return revoke_authorizations_of([app.pk], user=user).get(app.pk, 0)


def revoke_authorizations_of(app_ids: Iterable[int], *, user=None) -> dict[int, int]:
    """Revoke every grant and token of these apps (of `user` only, if given); return how many per app.

    The same number of queries for one app or a hundred: one grouped count and
    one delete per kind of row. The count per app is what deleting it removes:
    refresh tokens, access tokens with the developer-token records they carry,
    ID tokens and grants.
    """
    app_ids = list(app_ids)
    counts: Counter = Counter()
    if not app_ids:
        return {}
    AccessToken = get_access_token_model()
    # authserver's record of which access token is a developer token: deleted with
    # its token and counted with it. Looked up by name, so oauth_apps imports nothing of authserver.
    DeveloperToken = django_apps.get_model("authserver", "DeveloperToken")
    owner = {} if user is None else {"user": user}
    kinds = (
        (get_refresh_token_model().objects.filter(application_id__in=app_ids, **owner), "application_id"),
        (AccessToken.objects.filter(application_id__in=app_ids, **owner), "application_id"),
        (
            DeveloperToken.objects.filter(
                access_token__in=AccessToken.objects.filter(application_id__in=app_ids, **owner)
            ),
            "access_token__application_id",
        ),
        (get_id_token_model().objects.filter(application_id__in=app_ids, **owner), "application_id"),
        (get_grant_model().objects.filter(application_id__in=app_ids, **owner), "application_id"),
    )
    for queryset, app_column in kinds:
        for app_id, count in (
            queryset.order_by()
            .values_list(app_column)
            .annotate(count=Count("pk"))
            .values_list(app_column, "count")
        ):
            counts[app_id] += count
    for queryset, _column in kinds:
        if queryset.model is not DeveloperToken:  # deleted with their access tokens
            queryset.delete()
    return dict(counts)


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
        fields["name_key"] = app.stored_name_key()
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
                **fields, **changed_by(actor)
            )
            if not updated:
                raise EditConflict(OAuthApplication.objects.filter(pk=app.pk).first())
            app.refresh_from_db()
            if "allowed_origins" in changes:
                sync_allowed_origins([app])
            audit.record(app, actor, AuditAction.UPDATE, changes)
            revoked = _revoke_what_the_edit_withdrew(app, actor, changes)
    except IntegrityError as error:
        if OAuthApplication.objects.name_taken(app.name, exclude_pk=app.pk):
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


def changed_by(actor) -> dict:
    """What every write to an app also sets: who, when, and the next version (optimistic locking)."""
    return {"modified_by": actor, "updated": timezone.now(), "version": F("version") + 1}


def _switch(app: OAuthApplication, actor, field: str, value: bool) -> bool:
    """Set a yes/no field in one conditional UPDATE; False (nothing written) when it already was."""
    changed = OAuthApplication.objects.filter(pk=app.pk, **{field: not value}).update(
        **{field: value}, **changed_by(actor)
    )
    if changed:
        app.refresh_from_db()
    return bool(changed)


def set_enabled(app: OAuthApplication, *, actor, enabled: bool) -> bool:
    """Enable or disable one app; return False when it already was in that state.

    Disabling revokes every token and grant in the same transaction, so a
    disabled app holds nothing it could still use.
    """
    with transaction.atomic():
        if not _switch(app, actor, "enabled", enabled):
            return False
        details = {}
        if not enabled:
            details["authorizations_revoked"] = revoke_authorizations(app)
        audit.record(app, actor, AuditAction.ENABLE if enabled else AuditAction.DISABLE, details)
    return True


def bulk_set_enabled(apps: Iterable[OAuthApplication], *, actor, enabled: bool) -> int:
    """Enable or disable the apps (already visible to `actor`); return how many changed.

    What `set_enabled` does for each app — the same audit record, the same
    revocations — in a fixed number of queries however many apps are selected.
    """
    ids = [app.pk for app in apps]
    with transaction.atomic():
        # Locks the rows (PostgreSQL) so a concurrent toggle waits; SQLite's write
        # transaction already excludes other writers.
        changing = list(
            OAuthApplication.objects.select_for_update()
            .filter(pk__in=ids, enabled=not enabled)
            .values_list("pk", flat=True)
        )
        if not changing:
            return 0
        OAuthApplication.objects.filter(pk__in=changing).update(enabled=enabled, **changed_by(actor))
        changed = OAuthApplication.objects.filter(pk__in=changing).only(*audit.APP_FIELDS)
        order = {pk: index for index, pk in enumerate(ids)}
        changed = sorted(changed, key=lambda app: order[app.pk])
        if enabled:
            audit.record_many(changed, actor, AuditAction.ENABLE, dict.fromkeys(changing, {}))
        else:
            revoked = revoke_authorizations_of(changing)
            details = {pk: {"authorizations_revoked": revoked.get(pk, 0)} for pk in changing}
            audit.record_many(changed, actor, AuditAction.DISABLE, details)
    return len(changed)


def set_resource_server(app: OAuthApplication, *, actor, value: bool) -> bool:
    """Mark or unmark `app` as a resource server (it may then introspect any token); False if unchanged.

    Who may call this is decided by oauth_apps/access.py (Action.MARK_RESOURCE_SERVER).
    """
    with transaction.atomic():
        if not _switch(app, actor, "is_resource_server", value):
            return False
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
            **changed_by(actor),
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
    """Delete the apps (already visible to `actor`) as `delete_application` does.

    The same audit records and revocations, in a fixed number of queries however
    many apps are selected; the apps' audit trail stays.
    """
    apps = list(apps)
    with transaction.atomic():
        present = set(
            OAuthApplication.objects.select_for_update()
            .filter(pk__in=[app.pk for app in apps])
            .values_list("pk", flat=True)
        )
        apps = [app for app in apps if app.pk in present]
        if not apps:
            return 0
        revoked = revoke_authorizations_of(present)
        details = {pk: {"authorizations_revoked": revoked.get(pk, 0)} for pk in present}
        audit.record_many(apps, actor, AuditAction.DELETE, details)
        OAuthApplication.objects.filter(pk__in=present).delete()
    return len(apps)
