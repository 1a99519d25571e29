"""An edit that takes scopes or redirect URLs away takes away what they granted."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone
from oauth2_provider.models import get_grant_model

from oauth_apps import services
from oauth_apps.models import AuditAction, AuditEvent

from .helpers import edit_form, give_tokens, token_count
from .test_managing import post_data


def test_narrowing_scopes_revokes_every_token_and_records_why(user, other_user, make_app):
    app, _ = make_app(user, scopes=["files:read", "rooms:read"])
    give_tokens(app, other_user)
    result = services.update_application(
        edit_form(app, scopes=["files:read"], version=app.version), actor=user
    )
    event = AuditEvent.objects.get(action=AuditAction.TOKEN_REVOKED)
    assert result.revoked == 3
    assert token_count(app.pk) == 0
    assert event.changes == {"scopes_withdrawn": ["rooms:read"], "revoked": 3}


def test_widening_scopes_keeps_tokens(user, other_user, make_app):
    app, _ = make_app(user, scopes=["files:read"])
    give_tokens(app, other_user)
    result = services.update_application(
        edit_form(app, scopes=["files:read", "openid"], version=app.version), actor=user
    )
    assert (result.revoked, token_count(app.pk)) == (0, 3)


def test_removing_a_redirect_url_drops_codes_meant_for_it(user, other_user, make_app):
    kept, gone = "https://app.example.com/callback", "https://app.example.com/old"
    app, _ = make_app(user, redirect_uris=[kept, gone])
    for uri in (kept, gone):
        get_grant_model().objects.create(
            user=other_user,
            application=app,
            code=f"code-{uri[-3:]}",
            expires=timezone.now() + timedelta(minutes=1),
            redirect_uri=uri,
        )
    services.update_application(edit_form(app, redirect_uris=[kept], version=1), actor=user)
    assert list(get_grant_model().objects.values_list("redirect_uri", flat=True)) == [kept]


def test_edit_page_warns_when_tokens_were_revoked(user_client, user, other_user, make_app):
    app, _ = make_app(user, scopes=["files:read", "rooms:read"])
    give_tokens(app, other_user)
    response = user_client.post(
        reverse("oauth_apps:edit", args=[app.pk]), post_data(app, scopes=["files:read"]), follow=True
    )
    assert "every existing token and authorization was revoked" in response.content.decode()
