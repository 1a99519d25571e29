"""The audit trail: one function that every service calls after a change."""

from .models import AuditAction, AuditEvent, OAuthApplication

# Field names whose values must never be written to the trail.
SECRET_FIELDS = frozenset({"client_secret"})


def record(app: OAuthApplication, actor, action: AuditAction, changes: dict | None = None) -> AuditEvent:
    """Record `action` on `app` by `actor` (a user or None for the system)."""
    changes = {key: value for key, value in (changes or {}).items() if key not in SECRET_FIELDS}
    return AuditEvent.objects.create(
        application=app if app.pk else None,
        application_pk=app.pk,
        application_name=app.name,
        client_id=app.client_id,
        actor=actor if getattr(actor, "pk", None) else None,
        actor_name=actor.get_username() if getattr(actor, "pk", None) else "",
        action=action,
        app_version=app.version,
        changes=changes,
    )
