"""Multi-step writes: registration records itself; revocation clears tokens."""

from datetime import timedelta

from django.utils import timezone
from oauth2_provider.models import get_access_token_model, get_grant_model, get_refresh_token_model

from oauth_apps.models import AuditAction, AuditEvent
from oauth_apps.services import revoke_authorizations


def test_registration_is_recorded_without_the_secret(user, make_app):
    app, secret = make_app(user)
    event = AuditEvent.objects.get()
    assert (event.action, event.actor, event.application_pk) == (AuditAction.CREATE, user, app.pk)
    assert secret not in str(event.changes)


def test_audit_record_survives_the_application(user, make_app):
    app, _ = make_app(user)
    pk = app.pk
    app.delete()
    event = AuditEvent.objects.get()
    assert event.application is None
    assert event.application_pk == pk


def test_revoke_authorizations_removes_every_token_and_grant(user, other_user, make_app):
    app, _ = make_app(user)
    untouched, _ = make_app(user)
    soon = timezone.now() + timedelta(minutes=5)
    for target in (app, untouched):
        access = get_access_token_model().objects.create(
            user=other_user, application=target, token=f"at-{target.pk}", expires=soon, scope="files:read"
        )
        get_refresh_token_model().objects.create(
            user=other_user, application=target, token=f"rt-{target.pk}", access_token=access
        )
        get_grant_model().objects.create(
            user=other_user,
            application=target,
            code=f"code-{target.pk}",
            expires=soon,
            redirect_uri="https://x.io",
        )
    assert revoke_authorizations(app) == 3
    assert not get_access_token_model().objects.filter(application=app).exists()
    assert get_access_token_model().objects.filter(application=untouched).count() == 1
