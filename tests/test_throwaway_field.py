from django.urls import reverse

from oauth_apps.admin import OAuthApplicationAdmin
from oauth_apps.models import AuditAction, AuditEvent

from .helpers import form_post_data


def test_a_new_field_is_edited_audited_and_shown(user_client, user, make_app):
    app, _ = make_app(user)
    page = user_client.get(reverse("oauth_apps:edit", args=[app.pk])).content.decode()
    assert 'name="support_contact" maxlength="120"' in page
    response = user_client.post(
        reverse("oauth_apps:edit", args=[app.pk]), form_post_data(app, support_contact="help@example.com")
    )
    assert response.status_code == 302
    app.refresh_from_db()
    assert app.support_contact == "help@example.com"
    event = AuditEvent.objects.get(application_pk=app.pk, action=AuditAction.UPDATE)
    assert event.changes == {"support_contact": {"old": "", "new": "help@example.com"}}
    assert "support_contact" in OAuthApplicationAdmin.fields
