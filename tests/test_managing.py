"""Managing one application: edit, enable/disable, reset secret, delete — services first, then pages."""

import pytest
from django.contrib.auth.hashers import check_password
from django.core.cache import cache
from django.urls import reverse

from oauth_apps import services
from oauth_apps.icons import clean_icon
from oauth_apps.models import AuditAction, AuditEvent, ClientType, OAuthApplication

from .conftest import grant, png_bytes
from .helpers import client_authenticates, edit_form, form_post_data, give_tokens, token_count


@pytest.fixture
def app_and_secret(user, make_app):
    return make_app(user, name="Managed App", scopes=["files:read", "rooms:read", "rooms:write"])


@pytest.fixture
def app(app_and_secret):
    return app_and_secret[0]


def post_data(app, **overrides):
    """What the edit page's form posts when nothing was touched."""
    return form_post_data(app, **overrides)


def updates(app):
    return AuditEvent.objects.filter(application_pk=app.pk, action=AuditAction.UPDATE)


# --- services: update -------------------------------------------------------


def test_update_records_a_field_by_field_diff_and_bumps_the_version(app, user):
    result = services.update_application(
        edit_form(app, redirect_uris=["https://app.example.com/new"], scopes=["openid"], version=1),
        actor=user,
    )
    app.refresh_from_db()
    assert (app.redirect_uri_list, app.scope_names, app.version) == (
        ["https://app.example.com/new"],
        ["openid"],
        2,
    )
    assert result.changes == {
        "redirect_uris": {
            "old": ["https://app.example.com/callback"],
            "new": ["https://app.example.com/new"],
        },
        "scopes": {"old": ["files:read", "rooms:read", "rooms:write"], "new": ["openid"]},
    }
    assert updates(app).get().changes == result.changes


def test_update_with_nothing_changed_writes_nothing(app, user):
    before = (app.updated, app.version)
    result = services.update_application(edit_form(app, version=1), actor=user)
    app.refresh_from_db()
    assert not result.changed
    assert (app.updated, app.version) == before
    assert not updates(app).exists()


def test_update_from_an_old_version_is_refused_and_writes_nothing(app, user):
    services.update_application(edit_form(app, description="first", version=1), actor=user)
    stale = OAuthApplication.objects.get(pk=app.pk)
    stale.version = 1  # what the second editor's form still says
    with pytest.raises(services.EditConflict) as caught:
        services.update_application(edit_form(stale, description="second", version=1), actor=user)
    app.refresh_from_db()
    assert app.description == "first"
    assert caught.value.current.version == 2
    assert updates(app).count() == 1


def test_update_records_a_new_icon_by_its_hash(app, user):
    icon = clean_icon(png_bytes(color=(1, 2, 3, 255)))
    result = services.update_application(edit_form(app, icon=icon, version=1), actor=user)
    app.refresh_from_db()
    assert app.icon_id == icon.sha256
    assert result.changes["icon"]["new"] == icon.sha256


def test_switching_to_public_removes_the_secret(app_and_secret, user):
    app, secret = app_and_secret
    services.update_application(edit_form(app, public_client=True, version=1), actor=user)
    app.refresh_from_db()
    assert (app.client_type, app.client_secret, app.hash_client_secret) == (ClientType.PUBLIC, "", False)
    assert not client_authenticates(app.client_id, secret)


def test_switching_to_confidential_makes_a_secret_that_works(user, make_app):
    app, _ = make_app(user, public_client=True)
    result = services.update_application(edit_form(app, public_client=False, version=1), actor=user)
    app.refresh_from_db()
    assert app.client_type == ClientType.CONFIDENTIAL
    assert client_authenticates(app.client_id, result.secret)
    assert result.secret not in str(updates(app).get().changes)


def test_update_to_a_taken_name_raises_duplicate_name(app, user, make_app):
    # The form checks first; this is the race the form's check cannot see.
    form = edit_form(app, name="taken name", version=1)
    make_app(user, name="Taken Name")
    with pytest.raises(services.DuplicateName):
        services.update_application(form, actor=user)


# --- services: enable, disable, reset, delete --------------------------------


def test_disable_revokes_everything_and_records_it(app, user, other_user):
    give_tokens(app, other_user)
    assert services.set_enabled(app, actor=user, enabled=False)
    app.refresh_from_db()
    event = AuditEvent.objects.get(action=AuditAction.DISABLE)
    assert (app.enabled, token_count(app.pk)) == (False, 0)
    assert (event.actor, event.changes) == (user, {"authorizations_revoked": 3})


def test_a_disabled_app_cannot_authenticate(app_and_secret, user):
    app, secret = app_and_secret
    services.set_enabled(app, actor=user, enabled=False)
    assert not client_authenticates(app.client_id, secret)
    services.set_enabled(app, actor=user, enabled=True)
    assert client_authenticates(app.client_id, secret)


def test_setting_the_current_state_changes_nothing(app, user):
    assert not services.set_enabled(app, actor=user, enabled=True)
    assert not AuditEvent.objects.filter(action=AuditAction.ENABLE).exists()


def test_reset_secret_replaces_the_old_one_at_once(app_and_secret, user, other_user):
    app, old = app_and_secret
    give_tokens(app, other_user)
    new = services.reset_secret(app, actor=user)
    app.refresh_from_db()
    assert client_authenticates(app.client_id, new)
    assert not client_authenticates(app.client_id, old)
    assert not check_password(old, app.client_secret)
    assert token_count(app.pk) == 0


def test_reset_secret_is_recorded_without_the_secret(app, user):
    new = services.reset_secret(app, actor=user)
    event = AuditEvent.objects.get(action=AuditAction.SECRET_RESET)
    assert new not in str(event.changes)
    assert event.actor == user


def test_a_public_client_has_no_secret_to_reset(user, make_app):
    app, _ = make_app(user, public_client=True)
    with pytest.raises(services.NotConfidential):
        services.reset_secret(app, actor=user)


def test_delete_removes_app_and_tokens_and_keeps_the_record(app, user, other_user):
    give_tokens(app, other_user)
    pk = app.pk
    services.delete_application(app, actor=user)
    event = AuditEvent.objects.get(action=AuditAction.DELETE)
    assert not OAuthApplication.objects.filter(pk=pk).exists()
    assert token_count(pk) == 0
    assert (event.application, event.application_pk, event.application_name) == (None, pk, "Managed App")


# --- pages: edit ------------------------------------------------------------


def edit_url(app):
    return reverse("oauth_apps:edit", args=[app.pk])


def test_edit_page_carries_the_version_and_the_client_id(user_client, app):
    page = user_client.get(edit_url(app)).content.decode()
    assert 'name="version" value="1"' in page
    assert app.client_id in page


def test_edit_saves_redirect_urls_and_scopes(user_client, app, user):
    response = user_client.post(
        edit_url(app),
        post_data(
            app,
            redirect_uris=["https://app.example.com/a", "https://app.example.com/b"],
            scopes=["files:write"],
        ),
    )
    app.refresh_from_db()
    assert response.status_code == 302
    assert response.url == app.get_absolute_url()
    assert (app.redirect_uri_list, app.scope_names) == (
        ["https://app.example.com/a", "https://app.example.com/b"],
        ["files:read", "files:write"],
    )
    assert updates(app).get().actor == user


def test_edit_keeps_the_icon_when_none_is_uploaded(user_client, app):
    icon = app.icon_id
    user_client.post(edit_url(app), post_data(app, description="New words"))
    app.refresh_from_db()
    assert (app.description, app.icon_id) == ("New words", icon)


def test_edit_applies_the_registration_rules(user_client, app):
    response = user_client.post(edit_url(app), post_data(app, redirect_uris=["http://example.com/cb"]))
    assert response.status_code == 400
    assert response.context["form"].has_error("redirect_uris", code="insecure_scheme")


def test_edit_refuses_another_apps_name(user_client, app, user, make_app):
    make_app(user, name="Other App")
    response = user_client.post(edit_url(app), post_data(app, name="OTHER APP"))
    assert response.context["form"].has_error("name", code="name_taken")


def test_saving_an_unchanged_form_says_nothing_changed(user_client, app):
    response = user_client.post(edit_url(app), post_data(app), follow=True)
    assert "Nothing changed" in response.content.decode()
    assert not updates(app).exists()


def test_second_concurrent_edit_gets_a_conflict_and_overwrites_nothing(user_client, client, app, staff_user):
    first = post_data(app, description="Saved by the first editor")
    second = post_data(app, description="Saved by the second editor")
    client.force_login(grant(staff_user, "change_oauthapplication"))
    assert client.post(edit_url(app), first).status_code == 302

    response = user_client.post(edit_url(app), second)
    app.refresh_from_db()
    page = response.content.decode()
    assert response.status_code == 409
    assert app.description == "Saved by the first editor"
    assert "Saved by the first editor" in page  # what changed meanwhile, with who did it
    assert "carol" in page


def test_after_a_conflict_saving_again_is_a_deliberate_overwrite(user_client, client, app, staff_user):
    client.force_login(grant(staff_user, "change_oauthapplication"))
    client.post(edit_url(app), post_data(app, description="theirs"))
    conflict = user_client.post(edit_url(app), post_data(app, description="mine"))
    assert conflict.context["form"]["version"].value() == "2"
    user_client.post(edit_url(app), post_data(app, description="mine", version=2))
    app.refresh_from_db()
    assert app.description == "mine"


def test_switching_to_confidential_shows_the_new_secret_once(user_client, user, make_app):
    app, _ = make_app(user, public_client=True)
    data = post_data(app)
    del data["public_client"]
    response = user_client.post(edit_url(app), data)
    assert response.url == reverse("oauth_apps:credentials", args=[app.pk])
    page = user_client.get(response.url)
    app.refresh_from_db()
    assert client_authenticates(app.client_id, page.context["secret"])


# --- pages: enable, disable, reset secret, delete -----------------------------


def test_disable_asks_first_then_revokes(user_client, app, other_user):
    give_tokens(app, other_user)
    url = reverse("oauth_apps:disable", args=[app.pk])
    confirm = user_client.get(url)
    assert "All active consents and authorizations will be revoked" in confirm.content.decode()
    app.refresh_from_db()
    assert app.enabled

    response = user_client.post(url, {"next": "/settings/developer-tools/oauth/?state=enabled"})
    app.refresh_from_db()
    assert response.url == "/settings/developer-tools/oauth/?state=enabled"
    assert (app.enabled, token_count(app.pk)) == (False, 0)


def test_enable_is_immediate_and_post_only(user_client, app, user):
    services.set_enabled(app, actor=user, enabled=False)
    url = reverse("oauth_apps:enable", args=[app.pk])
    assert user_client.get(url).status_code == 405
    user_client.post(url)
    app.refresh_from_db()
    assert app.enabled
    assert AuditEvent.objects.filter(action=AuditAction.ENABLE, actor=user).exists()


def test_next_pointing_elsewhere_is_ignored(user_client, app):
    response = user_client.post(
        reverse("oauth_apps:disable", args=[app.pk]), {"next": "https://evil.example/"}
    )
    assert response.url == app.get_absolute_url()


def test_reset_secret_confirms_then_shows_the_new_secret_once(user_client, app_and_secret):
    app, old = app_and_secret
    url = reverse("oauth_apps:reset_secret", args=[app.pk])
    assert "stops working immediately" in user_client.get(url).content.decode()
    response = user_client.post(url)
    assert response.url == reverse("oauth_apps:credentials", args=[app.pk])
    page = user_client.get(response.url)
    new = page.context["secret"]
    assert "New secret for Managed App" in page.content.decode()
    assert client_authenticates(app.client_id, new)
    assert not client_authenticates(app.client_id, old)
    assert user_client.get(response.url).context["secret"] is None


def test_reset_secret_of_a_public_client_is_not_found(user_client, user, make_app):
    app, _ = make_app(user, public_client=True)
    assert user_client.post(reverse("oauth_apps:reset_secret", args=[app.pk])).status_code == 404


def test_reset_secret_is_rate_limited(user_client, app):
    cache.clear()
    url = reverse("oauth_apps:reset_secret", args=[app.pk])
    statuses = [user_client.post(url).status_code for _ in range(11)]
    assert statuses == [302] * 10 + [429]
    cache.clear()


def test_delete_confirmation_names_the_app_then_deletes(user_client, app):
    url = reverse("oauth_apps:delete", args=[app.pk])
    assert "Delete Managed App?" in user_client.get(url).content.decode()
    response = user_client.post(url, {"next": app.get_absolute_url()})
    assert response.url == reverse("oauth_apps:list")
    assert not OAuthApplication.objects.filter(pk=app.pk).exists()
    assert AuditEvent.objects.filter(action=AuditAction.DELETE, application_pk=app.pk).exists()


# --- the Info page ---------------------------------------------------------------


def test_info_page_shows_the_history_and_the_consent_preview(user_client, app, user):
    services.update_application(edit_form(app, description="Fresh words", version=1), actor=user)
    response = user_client.get(app.get_absolute_url())
    page = response.content.decode()
    assert [event.action for event in response.context["history"]] == [AuditAction.UPDATE, AuditAction.CREATE]
    assert "Fresh words" in page
    assert "would like the ability to access the following data in your account" in page
    assert "View and manage all rooms" in page  # rooms:write replaces its read line
    assert "View all rooms" not in page.split('data-testid="consent-preview"')[1].split("</div>")[0]


# --- who may do what ------------------------------------------------------------

APP_PAGES = [
    ("get", "oauth_apps:detail"),
    ("get", "oauth_apps:edit"),
    ("post", "oauth_apps:edit"),
    ("get", "oauth_apps:disable"),
    ("post", "oauth_apps:disable"),
    ("post", "oauth_apps:enable"),
    ("get", "oauth_apps:reset_secret"),
    ("post", "oauth_apps:reset_secret"),
    ("get", "oauth_apps:delete"),
    ("post", "oauth_apps:delete"),
    ("get", "oauth_apps:credentials"),
]


@pytest.mark.parametrize(("method", "name"), APP_PAGES)
def test_another_users_app_is_not_found(client, other_user, app, method, name):
    client.force_login(other_user)
    response = getattr(client, method)(
        reverse(name, args=[app.pk]), post_data(app) if method == "post" else None
    )
    app.refresh_from_db()
    assert response.status_code == 404
    assert (app.enabled, app.version) == (True, 1)


@pytest.mark.parametrize(("method", "name"), APP_PAGES)
def test_anonymous_users_are_sent_to_sign_in(client, app, method, name):
    response = getattr(client, method)(reverse(name, args=[app.pk]))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_staff_may_manage_any_app_with_the_change_permission(client, staff_user, app):
    client.force_login(staff_user)
    assert client.post(reverse("oauth_apps:disable", args=[app.pk])).status_code == 404
    app.refresh_from_db()
    assert app.enabled
    grant(staff_user, "change_oauthapplication")
    client.post(reverse("oauth_apps:disable", args=[app.pk]))
    app.refresh_from_db()
    assert not app.enabled
    assert AuditEvent.objects.get(action=AuditAction.DISABLE).actor == staff_user


def test_credentials_stash_for_another_app_is_not_shown(user_client, user, make_app, app):
    other, _ = make_app(user)
    user_client.post(reverse("oauth_apps:reset_secret", args=[other.pk]))
    page = user_client.get(reverse("oauth_apps:credentials", args=[app.pk]))
    assert page.context["secret"] is None
    # Still waiting for its own app's page.
    assert user_client.get(reverse("oauth_apps:credentials", args=[other.pk])).context["secret"]
