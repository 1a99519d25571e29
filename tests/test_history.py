"""The change history reads as sentences, not as raw audit keys."""

import re

import pytest
from django.urls import reverse

from oauth_apps import history, services
from oauth_apps.forms import AUDIT_KEYS, ApplicationEditForm
from oauth_apps.models import AuditAction, AuditEvent, OAuthApplication

from .helpers import edit_form, give_tokens
from .test_managing import post_data

RAW_KEYS = ("authorizations_revoked", "scopes_withdrawn", "redirect_uris", "allowed_origins", "client_type")


@pytest.fixture
def app(user, make_app):
    app, _ = make_app(
        user,
        name="Worded App",
        scopes=["files:read", "files:write"],
        redirect_uris=["https://app.example.com/callback", "https://app.example.com/old"],
    )
    return app


def history_section(client, app) -> str:
    page = client.get(app.get_absolute_url()).content.decode()
    return page.split('data-testid="history"')[1].split("</ol>")[0]


def plain(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", html)).replace("&quot;", '"')


def edit(client, app, **changes):
    app.refresh_from_db()
    response = client.post(reverse("oauth_apps:edit", args=[app.pk]), post_data(app, **changes))
    assert response.status_code == 302, response.content.decode()[:3000]


def test_redirect_urls_read_as_added_and_removed(user_client, app):
    edit(
        user_client,
        app,
        redirect_uris=["https://app.example.com/callback", "https://app.example.com/new"],
    )
    section = history_section(user_client, app)
    assert (
        "Redirect URLs: added <code>https://app.example.com/new</code>; "
        "removed <code>https://app.example.com/old</code>"
    ) in section
    assert "Edited 1 field" in section


def test_withdrawn_scopes_read_with_the_revocations_they_caused(user_client, user, app, other_user):
    give_tokens(app, user)  # an access token, its refresh token and a code: 3 rows
    edit(user_client, app, scopes=["files:read"])
    section = history_section(user_client, app)
    assert "Scopes: <code>files:write</code> removed (3 authorizations revoked)" in section
    assert "Authorizations revoked because" not in section  # folded into the edit
    assert not any(key in section for key in RAW_KEYS)


def test_secret_reset_and_disable_name_how_many_authorizations_were_revoked(user_client, user, app):
    give_tokens(app, user)
    services.reset_secret(app, actor=user)
    services.set_enabled(app, actor=user, enabled=False)
    text = plain(history_section(user_client, app))
    assert "Secret reset (3 authorizations revoked)" in text
    assert "Disabled (0 authorizations revoked)" in text
    assert "authorizations_revoked" not in text


def test_one_revocation_is_singular(app, user):
    event = AuditEvent(action=AuditAction.SECRET_RESET, changes={"authorizations_revoked": 1})
    assert history.describe(event).summary == "Secret reset (1 authorization revoked)"


def test_text_urls_and_the_authentication_method_read_old_to_new(user_client, app):
    edit(
        user_client,
        app,
        name="Worded App Two",
        description="Now described",
        website_url="https://www.example.com",
        public_client="on",
        redirect_uris=["https://app.example.com/callback"],
    )
    text = plain(history_section(user_client, app))
    assert "Name: “Worded App” → “Worded App Two”" in text
    assert "Description: set to “Now described”" in text
    assert "Website: https://app.example.com → https://www.example.com" in text
    assert "Authentication method: Confidential (client secret) → Public (PKCE only)" in text


def test_what_an_app_owner_wrote_is_escaped(user_client, app):
    edit(user_client, app, description="<img src=x onerror=alert(1)>")
    section = history_section(user_client, app)
    assert "<img src=x" not in section
    assert "&lt;img src=x onerror=alert(1)&gt;" in section


def test_every_action_has_its_own_words():
    summaries = {
        action: history.describe(AuditEvent(action=action, changes={})).summary for action in AuditAction
    }
    assert all(summaries.values())
    assert len(set(summaries.values())) == len(AuditAction)
    assert not any("_" in summary for summary in summaries.values())


def test_every_field_an_edit_records_reads_with_a_label(app):
    """A row of history.FIELDS, or the model field's own label for a field added since."""
    form = ApplicationEditForm(instance=app)
    recorded = {AUDIT_KEYS.get(name, name) for name in form.audited_fields()}
    labels = [str(history.field_wording(name).label) for name in recorded]
    assert all(labels)
    assert not any("_" in label for label in labels), labels


def test_a_field_without_a_row_reads_by_its_model_label():
    line = history.describe_field("post_logout_redirect_uris", {"old": [], "new": ["https://a.example/bye"]})
    assert str(line) == "Post logout redirect URIs: added <code>https://a.example/bye</code>"


def test_developer_token_events_read_as_words(user_client, user, app):
    user_client.post(reverse("authserver:developer_tools", args=[app.pk]), {"generate": "1"})
    text = plain(history_section(user_client, app))
    assert "Developer token generated" in text
    assert "Scopes: files:read, files:write" in text
    assert "Valid until" in text
    assert "expires" not in text


def test_the_edit_conflict_page_shows_words_too(user_client, user, app):
    stale = post_data(app, description="Mine")
    services.update_application(
        edit_form(OAuthApplication.objects.get(pk=app.pk), allowed_origins=["https://two.example.com"]),
        actor=user,
    )
    response = user_client.post(reverse("oauth_apps:edit", args=[app.pk]), stale)
    assert response.status_code == 409
    text = plain(response.content.decode().split('data-testid="conflict"')[1])
    assert "Allowed origins: added https://two.example.com; removed https://app.example.com" in text
