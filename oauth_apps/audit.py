"""The audit trail: one function that every service calls after a change."""

import contextlib
from contextvars import ContextVar

from .models import AuditAction, AuditEvent, OAuthApplication

# Field names whose values must never be written to the trail.
SECRET_FIELDS = frozenset({"client_secret", "previous_client_secret"})

# What the actor acted through, when not the portal's pages (an API token, say).
_via: ContextVar[str] = ContextVar("audit_via", default="")


@contextlib.contextmanager
def acting_through(description: str):
    """Record `description` as the means of every change made inside this block.

    The services stay unaware of who calls them: the management API wraps its
    calls in this, and each record it leads to names the token.
    """
    reset = _via.set(description)
    try:
        yield
    finally:
        _via.reset(reset)


def current_via() -> str:
    return _via.get()


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
        via=_via.get(),
    )


def record(app: OAuthApplication, actor, action: AuditAction, changes: dict | None = None) -> AuditEvent:
    """Record `action` on `app` by `actor` (a user or None for the system)."""
    event = _event(app, actor, action, changes)
    event.save()
    return event


def record_many(apps, actor, action: AuditAction, changes: dict) -> list[AuditEvent]:
    """One record per app, written in one INSERT; `changes` maps each app's pk to its details."""
    return AuditEvent.objects.bulk_create(_event(app, actor, action, changes.get(app.pk)) for app in apps)
