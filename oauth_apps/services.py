"""Writes that take more than one step. Views call these; models stay plain."""

from django.db import IntegrityError, transaction
from oauth2_provider.generators import generate_client_secret
from oauth2_provider.models import (
    get_access_token_model,
    get_grant_model,
    get_id_token_model,
    get_refresh_token_model,
)

from . import audit
from . import scopes as scope_catalog
from .icons import CleanIcon
from .models import AuditAction, ClientType, Icon, OAuthApplication


class DuplicateName(Exception):
    """Another app took the name between the form's check and the insert."""


def store_icon(icon: CleanIcon) -> Icon:
    """Store a checked icon once per content; identical icons share a row."""
    stored, _created = Icon.objects.get_or_create(
        sha256=icon.sha256, defaults={"content_type": icon.content_type, "data": icon.data}
    )
    return stored


def _apply_fields(app: OAuthApplication, data: dict) -> None:
    app.name = data["name"]
    app.website_url = data["website_url"]
    app.description = data.get("description", "")
    app.redirect_uris = " ".join(data["redirect_uris"])
    app.allowed_origins = " ".join(data["allowed_origins"])
    app.scope_bits = scope_catalog.to_bits(data["scopes"])
    app.privacy_policy_url = data["privacy_policy_url"]
    app.terms_of_service_url = data["terms_of_service_url"]


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
    )
    _apply_fields(app, data)
    try:
        with transaction.atomic():
            app.icon = store_icon(data["icon"])
            app.save()
            audit.record(app, user, AuditAction.CREATE, {"name": app.name, "scopes": app.scope_names})
    except IntegrityError as error:
        if OAuthApplication.objects.filter(name__iexact=data["name"]).exists():
            raise DuplicateName(data["name"]) from error
        raise
    return app, secret


def revoke_authorizations(app: OAuthApplication) -> int:
    """Revoke every grant and token the app holds; return how many were removed.

    Deleting the rows is the revocation: the toolkit looks tokens up by value,
    so a deleted token is an unknown one from that moment on.
    """
    removed = 0
    models = (
        get_refresh_token_model(),
        get_access_token_model(),
        get_id_token_model(),
        get_grant_model(),
    )
    for model in models:
        count, _ = model.objects.filter(application=app).delete()
        removed += count
    return removed
