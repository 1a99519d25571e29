"""The audit trail: one function that every service calls after a change."""

from .models import AuditAction, AuditEvent, OAuthApplication

# Field names whose values must never be written to the trail.
SECRET_FIELDS = frozenset({"client_secret"})


# What the trail copies from an application: load at least these to record one.
APP_FIELDS = ("id", "name", "client_id", "version")


def _event(app: OAuthApplication, actor, action: AuditAction, changes: dict | None) -> AuditEvent:
    changes = {key: value for key, value in (changes or {}).items() if key not in SECRET_FIELDS}
    return AuditEvent(
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


def record(app: OAuthApplication, actor, action: AuditAction, changes: dict | None = None) -> AuditEvent:
    """Record `action` on `app` by `actor` (a user or None for the system)."""
    event = _event(app, actor, action, changes)
    event.save()
    return event


def record_many(apps, actor, action: AuditAction, changes: dict) -> list[AuditEvent]:
    """One record per app, written in one INSERT; `changes` maps each app's pk to its details."""
    return AuditEvent.objects.bulk_create(_event(app, actor, action, changes.get(app.pk)) for app in apps)
