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
from . import scopes as scope_catalog
from .icons import CleanIcon
from .models import AuditAction, ClientType, Icon, OAuthApplication
from .origins import sync_allowed_origins


class DuplicateName(Exception):
    """Another app took the name between the form's check and the insert."""


def store_icon(icon: CleanIcon) -> Icon:
    """Store a checked icon once per content; identical icons share a row."""
    stored, _created = Icon.objects.get_or_create(
        sha256=icon.sha256, defaults={"content_type": icon.content_type, "data": icon.data}
    )
    return stored


def _stored_fields(data: dict) -> dict:
    """The model fields that cleaned form data sets, as registration and edit store them."""
    return {
        "name": data["name"],
        "website_url": data["website_url"],
        "description": data.get("description", ""),
        "redirect_uris": " ".join(data["redirect_uris"]),
        "allowed_origins": " ".join(data["allowed_origins"]),
        "scope_bits": scope_catalog.to_bits(data["scopes"]),
        "privacy_policy_url": data["privacy_policy_url"],
        "terms_of_service_url": data["terms_of_service_url"],
    }


def register_application(*, user, data: dict) -> tuple[OAuthApplication, str]:
    """Create an app from cleaned form data; return it with its one-time secret.

    The secret is "" for a public client, which authenticates with PKCE alone.
    """
    public = bool(data.get("public_client"))
    secret = "" if public else generate_client_secret()
    app = OAuthApplication(
        user=user,
        modified_by=user,
        client_type=ClientType.PUBLIC if public else ClientType.CONFIDENTIAL,
        authorization_grant_type=OAuthApplication.GRANT_AUTHORIZATION_CODE,
        algorithm=OAuthApplication.RS256_ALGORITHM,
        client_secret=secret,
        # An empty secret must stay empty, not become the hash of "".
        hash_client_secret=not public,
        **_stored_fields(data),
    )
    try:
        with transaction.atomic():
            app.icon = store_icon(data["icon"])
            app.save()
            sync_allowed_origins([app])
            audit.record(app, user, AuditAction.CREATE, {"name": app.name, "scopes": app.scope_names})
    except IntegrityError as error:
        if OAuthApplication.objects.filter(name__iexact=data["name"]).exists():
            raise DuplicateName(data["name"]) from error
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


def editable_values(app: OAuthApplication) -> dict:
    """The values the edit form can change, in the shape the audit diff records."""
    return {
        "name": app.name,
        "website_url": app.website_url,
        "description": app.description,
        "client_type": app.client_type,
        "redirect_uris": app.redirect_uri_list,
        "allowed_origins": app.allowed_origin_list,
        "scopes": app.scope_names,
        "privacy_policy_url": app.privacy_policy_url,
        "terms_of_service_url": app.terms_of_service_url,
        "icon": app.icon_id,
    }


def _submitted_values(app: OAuthApplication, data: dict) -> dict:
    icon = data.get("icon")
    public = bool(data.get("public_client"))
    return {
        "name": data["name"],
        "website_url": data["website_url"],
        "description": data.get("description", ""),
        "client_type": ClientType.PUBLIC if public else ClientType.CONFIDENTIAL,
        "redirect_uris": list(data["redirect_uris"]),
        "allowed_origins": list(data["allowed_origins"]),
        "scopes": scope_catalog.names_from_bits(scope_catalog.to_bits(data["scopes"])),
        "privacy_policy_url": data["privacy_policy_url"],
        "terms_of_service_url": data["terms_of_service_url"],
        "icon": icon.sha256 if icon is not None else app.icon_id,
    }


def diff_values(old: dict, new: dict) -> dict:
    """`{"field": {"old": …, "new": …}}` for every field whose value differs."""
    return {key: {"old": old[key], "new": new[key]} for key in new if old.get(key) != new[key]}


def update_application(app: OAuthApplication, *, actor, data: dict, expected_version: int) -> UpdateResult:
    """Save an edit if the app is still at `expected_version`; raise EditConflict otherwise.

    The check and the write are one conditional UPDATE (`WHERE version = …`), so
    of two simultaneous saves the database lets exactly one through, whatever
    the number of processes. A submission equal to the stored app writes nothing.
    """
    changes = diff_values(editable_values(app), _submitted_values(app, data))
    if not changes:
        return UpdateResult(app=app, changes={})
    old_scopes, old_redirects = set(app.scope_names), set(app.redirect_uri_list)

    fields = _stored_fields(data)
    secret = None
    if "client_type" in changes:
        if changes["client_type"]["new"] == ClientType.PUBLIC:
            # A public client has no secret: an old one must not keep working.
            fields.update(client_type=ClientType.PUBLIC, client_secret="", hash_client_secret=False)
        else:
            secret = generate_client_secret()
            fields.update(
                client_type=ClientType.CONFIDENTIAL, client_secret=_hashed(secret), hash_client_secret=True
            )
    try:
        with transaction.atomic():
            if "icon" in changes:
                fields["icon"] = store_icon(data["icon"])
            updated = OAuthApplication.objects.filter(pk=app.pk, version=expected_version).update(
                **fields, modified_by=actor, updated=timezone.now(), version=F("version") + 1
            )
            if not updated:
                raise EditConflict(OAuthApplication.objects.filter(pk=app.pk).first())
            app.refresh_from_db()
            if "allowed_origins" in changes:
                sync_allowed_origins([app])
            audit.record(app, actor, AuditAction.UPDATE, changes)
            revoked = _revoke_what_the_edit_withdrew(app, actor, old_scopes, old_redirects)
    except IntegrityError as error:
        if OAuthApplication.objects.filter(name__iexact=data["name"]).exclude(pk=app.pk).exists():
            raise DuplicateName(data["name"]) from error
        raise
    return UpdateResult(app=app, changes=changes, secret=secret, revoked=revoked)


def _revoke_what_the_edit_withdrew(app, actor, old_scopes: set, old_redirects: set) -> int:
    """Tokens may not outlive the scopes they were granted for, nor codes their redirect URL.

    Taking a scope away revokes every token and grant of the app (users consent
    again, to what the app may now ask); removing a redirect URL drops the
    pending codes that were to be sent there.
    """
    withdrawn = sorted(old_scopes - set(app.scope_names))
    if withdrawn:
        revoked = revoke_authorizations(app)
        audit.record(
            app, actor, AuditAction.TOKEN_REVOKED, {"scopes_withdrawn": withdrawn, "revoked": revoked}
        )
        return revoked
    removed = old_redirects - set(app.redirect_uri_list)
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
