"""Rotating a client secret with a grace period: services, the one secret check, pages, history."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from oauth_apps import services
from oauth_apps.history import entries
from oauth_apps.models import AuditAction, AuditEvent, OAuthApplication

from .conftest import grant
from .helpers import client_authenticates, edit_form, give_tokens, token_count


@pytest.fixture
def app_and_secret(make_app, user):
    return make_app(user, name="Rotating App")


def expire_rotation(app):
    """Move the old secret's expiry into the past, as time passing would."""
    OAuthApplication.objects.filter(pk=app.pk).update(
        previous_secret_expires=timezone.now() - timedelta(seconds=1)
    )


# --- services and the secret check ---------------------------------------------------


def test_both_secrets_work_during_the_grace_period_and_tokens_stay(app_and_secret, user):
    app, old = app_and_secret
    give_tokens(app, user)
    rotation = services.rotate_secret(app, actor=user, grace=timedelta(days=2))
    assert rotation.secret != old
    assert client_authenticates(app.client_id, old)
    assert client_authenticates(app.client_id, rotation.secret)
    assert not client_authenticates(app.client_id, "wrong")
    assert token_count(app.pk) == 3
    app.refresh_from_db()
    assert app.rotation_in_progress
    assert abs(app.previous_secret_expires - (timezone.now() + timedelta(days=2))) < timedelta(seconds=5)
    # Both stored hashed with the same fast hasher.
    assert app.client_secret.startswith("client_secret_sha256$")
    assert app.previous_client_secret.startswith("client_secret_sha256$")


def test_the_default_grace_period_is_seven_days(app_and_secret, user):
    app, _old = app_and_secret
    rotation = services.rotate_secret(app, actor=user)
    assert abs(rotation.old_secret_expires - (timezone.now() + timedelta(days=7))) < timedelta(seconds=5)


def test_an_expired_old_secret_fails_like_a_wrong_one(app_and_secret, user):
    app, old = app_and_secret
    new = services.rotate_secret(app, actor=user, grace=timedelta(hours=1)).secret
    expire_rotation(app)
    assert not client_authenticates(app.client_id, old)
    assert client_authenticates(app.client_id, new)


@pytest.mark.parametrize("grace", [timedelta(minutes=59), timedelta(days=30, seconds=1), timedelta(0)])
def test_a_grace_period_outside_the_bounds_is_refused_and_nothing_changes(app_and_secret, user, grace):
    app, old = app_and_secret
    with pytest.raises(services.GraceOutOfRange):
        services.rotate_secret(app, actor=user, grace=grace)
    app.refresh_from_db()
    assert not app.rotation_in_progress
    assert app.version == 1
    assert client_authenticates(app.client_id, old)


@pytest.mark.parametrize("grace", [timedelta(hours=1), timedelta(days=30)])
def test_the_bounds_themselves_are_allowed(app_and_secret, user, grace):
    app, _old = app_and_secret
    services.rotate_secret(app, actor=user, grace=grace)


def test_a_second_rotation_waits_for_the_first_old_secret(app_and_secret, user):
    app, old = app_and_secret
    services.rotate_secret(app, actor=user)
    with pytest.raises(services.RotationInProgress):
        services.rotate_secret(app, actor=user)
    assert client_authenticates(app.client_id, old)
    assert services.end_rotation(app, actor=user)
    services.rotate_secret(app, actor=user)  # allowed once the old one ended


def test_a_public_client_cannot_rotate(make_app, user):
    app, _ = make_app(user, public_client=True)
    with pytest.raises(services.NotConfidential):
        services.rotate_secret(app, actor=user)


def test_ending_the_rotation_makes_the_old_secret_fail_now(app_and_secret, user):
    app, old = app_and_secret
    new = services.rotate_secret(app, actor=user).secret
    assert services.end_rotation(app, actor=user)
    assert not client_authenticates(app.client_id, old)
    assert client_authenticates(app.client_id, new)
    assert not services.end_rotation(app, actor=user)  # nothing left to end
    app.refresh_from_db()
    assert (app.previous_client_secret, app.previous_secret_expires) == ("", None)


def test_reset_during_a_rotation_ends_both_old_secrets(app_and_secret, user):
    app, old = app_and_secret
    rotated = services.rotate_secret(app, actor=user).secret
    newest = services.reset_secret(app, actor=user)
    assert not client_authenticates(app.client_id, old)
    assert not client_authenticates(app.client_id, rotated)
    assert client_authenticates(app.client_id, newest)
    app.refresh_from_db()
    assert app.previous_client_secret == ""
    assert not app.rotation_in_progress
    assert AuditEvent.objects.filter(application_pk=app.pk).first().changes["old_secret_ended"] is True


def test_becoming_public_drops_the_old_secret(app_and_secret, user):
    app, _old = app_and_secret
    services.rotate_secret(app, actor=user)
    app.refresh_from_db()
    services.update_application(edit_form(app, public_client=True, version=app.version), actor=user)
    app.refresh_from_db()
    assert app.previous_client_secret == ""
    assert app.previous_secret_expires is None


def test_using_the_old_secret_is_noted_at_most_once_a_minute(app_and_secret, user, django_assert_num_queries):
    app, old = app_and_secret
    services.rotate_secret(app, actor=user)
    app.refresh_from_db()
    assert app.previous_secret_last_used is None
    assert app.check_client_secret(old)
    first = OAuthApplication.objects.get(pk=app.pk).previous_secret_last_used
    assert first is not None
    with django_assert_num_queries(0):  # the row read says a write is not due
        assert app.check_client_secret(old)
    stale = OAuthApplication.objects.get(pk=app.pk)
    stale.previous_secret_last_used = timezone.now() - timedelta(minutes=2)
    assert stale.check_client_secret(old)
    assert OAuthApplication.objects.get(pk=app.pk).previous_secret_last_used > first - timedelta(seconds=1)


def test_the_new_secret_is_not_noted_as_a_use_of_the_old(app_and_secret, user):
    app, _old = app_and_secret
    new = services.rotate_secret(app, actor=user).secret
    app.refresh_from_db()
    assert app.check_client_secret(new)
    assert OAuthApplication.objects.get(pk=app.pk).previous_secret_last_used is None


def test_each_step_is_audited_without_secrets_and_worded(app_and_secret, user):
    app, old = app_and_secret
    rotation = services.rotate_secret(app, actor=user, grace=timedelta(days=1))
    services.end_rotation(app, actor=user)
    events = list(AuditEvent.objects.filter(application_pk=app.pk))
    assert [e.action for e in events[:2]] == [AuditAction.SECRET_ROTATION_ENDED, AuditAction.SECRET_ROTATED]
    assert events[1].changes["grace_seconds"] == 86400
    for event in events:
        assert old not in str(event.changes)
        assert rotation.secret not in str(event.changes)
    words = [entry.text for entry in entries(events[:2])]
    assert words[0] == "Old secret ended; Old secret never used"
    assert words[1].startswith("Secret rotated; Old secret works until ")


# --- pages ---------------------------------------------------------------------------


def test_the_rotate_page_offers_the_grace_periods_with_seven_days_chosen(user_client, app_and_secret):
    app, _old = app_and_secret
    page = user_client.get(reverse("oauth_apps:rotate_secret", args=[app.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Rotate the secret of Rotating App?" in html
    assert 'value="604800" required id="id_grace_2" checked' in html or 'value="604800"' in html
    assert page.context["form"]["grace"].value() == "604800"
    for label in ("1 hour", "1 day", "7 days", "30 days", "Until a date and time I choose"):
        assert label in html


def test_rotating_on_the_page_shows_the_new_secret_once_and_keeps_the_old(user_client, app_and_secret):
    app, old = app_and_secret
    url = reverse("oauth_apps:rotate_secret", args=[app.pk])
    response = user_client.post(url, {"grace": "86400"})
    assert response.url == reverse("oauth_apps:credentials", args=[app.pk])
    page = user_client.get(response.url)
    new = page.context["secret"]
    assert "The previous secret keeps working until" in page.content.decode()
    assert user_client.get(response.url).context["secret"] is None
    info = user_client.get(app.get_absolute_url()).content.decode()
    assert "Old secret works until" in info
    assert "Old secret last used: never." in info
    assert reverse("oauth_apps:end_rotation", args=[app.pk]) in info
    assert reverse("oauth_apps:rotate_secret", args=[app.pk]) not in info  # one rotation at a time
    assert client_authenticates(app.client_id, new)
    assert "Old secret last used: never." in user_client.get(app.get_absolute_url()).content.decode()
    assert client_authenticates(app.client_id, old)
    info = user_client.get(app.get_absolute_url()).content.decode()
    assert "Old secret last used: never." not in info
    assert "Old secret last used " in info


def test_a_custom_time_within_the_bounds_is_used(user_client, app_and_secret):
    app, _old = app_and_secret
    until = timezone.localtime() + timedelta(days=3)
    response = user_client.post(
        reverse("oauth_apps:rotate_secret", args=[app.pk]),
        {"grace": "custom", "until": until.strftime("%Y-%m-%dT%H:%M")},
    )
    assert response.status_code == 302
    app.refresh_from_db()
    assert abs(app.previous_secret_expires - until) < timedelta(minutes=1)


@pytest.mark.parametrize(
    ("until", "code"),
    [
        (timedelta(minutes=30), "rotation_grace_out_of_range"),
        (timedelta(days=31), "rotation_grace_out_of_range"),
        (-timedelta(days=1), "rotation_grace_out_of_range"),
        (None, "required"),
        ("tomorrow-ish", "invalid"),
    ],
)
def test_a_bad_custom_time_is_refused_next_to_the_field(user_client, app_and_secret, until, code):
    app, old = app_and_secret
    if isinstance(until, timedelta):
        until = (timezone.localtime() + until).strftime("%Y-%m-%dT%H:%M")
    data = {"grace": "custom"} | ({"until": until} if until is not None else {})
    response = user_client.post(reverse("oauth_apps:rotate_secret", args=[app.pk]), data)
    assert response.status_code == 400
    form = response.context["form"]
    assert [error.code for error in form.errors.as_data()["until"]] == [code]
    assert 'id="id_until_error"' in response.content.decode()
    app.refresh_from_db()
    assert not app.rotation_in_progress
    assert app.version == 1


def test_a_choice_that_is_not_offered_is_refused(user_client, app_and_secret):
    app, _old = app_and_secret
    response = user_client.post(reverse("oauth_apps:rotate_secret", args=[app.pk]), {"grace": "60"})
    assert response.status_code == 400
    assert [e.code for e in response.context["form"].errors.as_data()["grace"]] == ["invalid_choice"]


def test_a_public_client_gets_a_clear_refusal(user_client, user, make_app):
    app, _ = make_app(user, public_client=True)
    url = reverse("oauth_apps:rotate_secret", args=[app.pk])
    page = user_client.get(url)
    assert page.status_code == 409
    assert "A public client has no secret to rotate" in page.content.decode()
    assert user_client.post(url, {"grace": "3600"}).status_code == 409


def test_rotating_again_during_a_rotation_is_refused_on_the_page(user_client, user, app_and_secret):
    app, _old = app_and_secret
    services.rotate_secret(app, actor=user)
    response = user_client.post(reverse("oauth_apps:rotate_secret", args=[app.pk]), {"grace": "3600"})
    assert response.status_code == 409
    assert "End it on the app" in response.content.decode()


def test_ending_on_the_page_confirms_then_ends(user_client, user, app_and_secret):
    app, old = app_and_secret
    services.rotate_secret(app, actor=user)
    url = reverse("oauth_apps:end_rotation", args=[app.pk])
    assert "End the old secret of Rotating App now?" in user_client.get(url).content.decode()
    response = user_client.post(url)
    assert response.url == app.get_absolute_url()
    assert not client_authenticates(app.client_id, old)
    assert 'data-testid="rotation"' not in user_client.get(app.get_absolute_url()).content.decode()


def test_staff_may_reset_but_not_rotate_another_users_secret(client, staff_user, app_and_secret):
    app, old = app_and_secret
    staff = grant(staff_user, "change_oauthapplication", "reset_secret_oauthapplication")
    client.force_login(staff)
    info = client.get(app.get_absolute_url()).content.decode()
    assert reverse("oauth_apps:reset_secret", args=[app.pk]) in info
    assert reverse("oauth_apps:rotate_secret", args=[app.pk]) not in info
    assert client.get(reverse("oauth_apps:rotate_secret", args=[app.pk])).status_code == 404
    assert (
        client.post(reverse("oauth_apps:rotate_secret", args=[app.pk]), {"grace": "3600"}).status_code == 404
    )
    assert client_authenticates(app.client_id, old)


def test_a_superuser_may_not_rotate_another_users_secret(client, app_and_secret, django_user_model):
    app, _old = app_and_secret
    client.force_login(django_user_model.objects.create_superuser("root", "root@example.com", "root-pass-1"))
    assert client.get(reverse("oauth_apps:rotate_secret", args=[app.pk])).status_code == 404
    assert client.post(reverse("oauth_apps:end_rotation", args=[app.pk])).status_code == 404


def test_the_list_menu_offers_rotate_to_the_owner(user_client, app_and_secret):
    app, _old = app_and_secret
    html = user_client.get(reverse("oauth_apps:list")).content.decode()
    assert "Rotate secret" in html
    assert f'<tr data-app-id="{app.pk}" data-may="change reset_secret rotate_secret ' in html


def test_the_history_on_the_info_page_shows_the_rotation(user_client, user, app_and_secret):
    app, _old = app_and_secret
    services.rotate_secret(app, actor=user)
    html = user_client.get(app.get_absolute_url()).content.decode()
    assert "Secret rotated" in html
