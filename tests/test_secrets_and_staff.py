"""No one but the owner ever sees a client secret, and a waiting secret never sits in the session store."""

import json
from datetime import timedelta
from unittest import mock

import pytest
from django.contrib.sessions.models import Session
from django.core.cache import cache, caches
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.urls import reverse

from oauth_apps import credentials
from oauth_apps.models import OAuthApplication

from .conftest import grant
from .helpers import client_authenticates, form_post_data
from .test_registration import post_form


def credentials_url(app):
    return reverse("oauth_apps:credentials", args=[app.pk])


def session_rows_text() -> str:
    """Everything every stored session holds, decoded, as one string."""
    return json.dumps([row.get_decoded() for row in Session.objects.all()])


# --- staff who reset a secret never see it ------------------------------------------


@pytest.fixture
def resetter(staff_user):
    """A client of its own: user_client is the `client` fixture."""
    staff_client = Client()
    staff_client.force_login(grant(staff_user, "reset_secret_oauthapplication", "view_oauthapplication"))
    return staff_client


def test_staff_reset_shows_that_it_was_reset_but_never_the_secret(resetter, user, make_app):
    app, old_secret = make_app(user)
    response = resetter.post(reverse("oauth_apps:reset_secret", args=[app.pk]), follow=True)
    assert response.redirect_chain[-1][0] == app.get_absolute_url()
    page = response.content.decode()
    assert "was reset" in page
    app.refresh_from_db()
    assert not client_authenticates(app.client_id, old_secret)
    # Not on the credentials page either, however often it is opened.
    credentials_page = resetter.get(credentials_url(app))
    assert credentials_page.context["secret"] is None
    assert "client-secret" not in credentials_page.content.decode()
    assert credentials.SESSION_KEY not in resetter.session


def test_the_owner_is_told_on_the_apps_page_and_a_reset_of_their_own_clears_it(
    resetter, user_client, user, staff_user, make_app
):
    app, _ = make_app(user)
    page = user_client.get(app.get_absolute_url()).content.decode()
    assert 'data-testid="secret-reset-by-other"' not in page
    resetter.post(reverse("oauth_apps:reset_secret", args=[app.pk]))
    page = user_client.get(app.get_absolute_url()).content.decode()
    assert 'data-testid="secret-reset-by-other"' in page
    notice = page.split('data-testid="secret-reset-by-other"')[1].split("</div>")[0]
    assert f"reset by <bdi>{staff_user.username}</bdi>" in notice
    # The owner resets it: they see the new secret, and the notice is gone.
    user_client.post(reverse("oauth_apps:reset_secret", args=[app.pk]))
    secret = user_client.get(credentials_url(app)).context["secret"]
    app.refresh_from_db()
    assert client_authenticates(app.client_id, secret)
    page = user_client.get(app.get_absolute_url()).content.decode()
    assert 'data-testid="secret-reset-by-other"' not in page


def test_the_notice_is_for_the_owner_only(resetter, user, make_app):
    app, _ = make_app(user)
    resetter.post(reverse("oauth_apps:reset_secret", args=[app.pk]))
    assert 'data-testid="secret-reset-by-other"' not in resetter.get(app.get_absolute_url()).content.decode()


def test_staff_making_a_public_client_confidential_see_no_secret(staff_user, user_client, user, make_app):
    client = Client()
    client.force_login(grant(staff_user, "change_oauthapplication"))
    app, _ = make_app(user, public_client=True)
    data = form_post_data(app)
    del data["public_client"]
    response = client.post(reverse("oauth_apps:edit", args=[app.pk]), data)
    assert response.url == app.get_absolute_url()
    app.refresh_from_db()
    assert app.client_type == OAuthApplication.CLIENT_CONFIDENTIAL
    assert client.get(credentials_url(app)).context["secret"] is None
    assert 'data-testid="secret-reset-by-other"' in user_client.get(app.get_absolute_url()).content.decode()


def test_a_superuser_resetting_someone_elses_secret_sees_none_either(
    client, django_user_model, user, make_app
):
    root = django_user_model.objects.create_superuser("root", "root@example.com", "x")
    client.force_login(root)
    app, _ = make_app(user)
    response = client.post(reverse("oauth_apps:reset_secret", args=[app.pk]))
    assert response.url == app.get_absolute_url()
    assert client.get(credentials_url(app)).context["secret"] is None


def test_staff_pages_offer_only_the_buttons_their_permissions_allow(client, staff_user, user, make_app):
    app, _ = make_app(user)
    client.force_login(grant(staff_user, "view_oauthapplication"))
    page = client.get(app.get_absolute_url()).content.decode()
    assert reverse("oauth_apps:edit", args=[app.pk]) not in page
    assert reverse("oauth_apps:reset_secret", args=[app.pk]) not in page
    assert reverse("oauth_apps:delete", args=[app.pk]) not in page
    grant(staff_user, "delete_oauthapplication")
    page = client.get(app.get_absolute_url()).content.decode()
    assert reverse("oauth_apps:delete", args=[app.pk]) in page
    assert reverse("oauth_apps:edit", args=[app.pk]) not in page


def test_inactive_staff_have_no_powers(client, django_user_model, user, make_app):
    root = django_user_model.objects.create_superuser("root", "root@example.com", "x")
    app, _ = make_app(user)
    client.force_login(root)
    root.is_active = False
    root.save()
    assert client.get(app.get_absolute_url()).status_code in (302, 404)


# --- the stash -----------------------------------------------------------------------


def test_a_new_secret_never_reaches_the_session_store(user_client, form_data):
    response = post_form(user_client, form_data)
    app = OAuthApplication.objects.get()
    # Between registration and the credentials page: nothing of the secret in any session.
    stored = session_rows_text()
    secret = user_client.get(response.url).context["secret"]
    assert secret
    assert secret not in stored
    assert secret not in session_rows_text()
    assert client_authenticates(app.client_id, secret)


def test_the_stash_is_single_use_and_gone_from_the_cache(user_client, user, make_app):
    app, _ = make_app(user)
    user_client.post(reverse("oauth_apps:reset_secret", args=[app.pk]))
    token = user_client.session[credentials.SESSION_KEY]
    cache_key, _key = credentials._keys(token)
    assert cache.get(cache_key) is not None
    assert user_client.get(credentials_url(app)).context["secret"]
    assert cache.get(cache_key) is None
    assert credentials.SESSION_KEY not in user_client.session
    assert user_client.get(credentials_url(app)).context["secret"] is None


def test_the_cache_holds_the_secret_only_encrypted(user_client, user, make_app):
    app, _ = make_app(user)
    with mock.patch("oauth_apps.services.generate_client_secret", return_value="S" * 64):
        user_client.post(reverse("oauth_apps:reset_secret", args=[app.pk]))
    cache_key, _key = credentials._keys(user_client.session[credentials.SESSION_KEY])
    stored = cache.get(cache_key)
    assert "S" * 16 not in stored
    assert user_client.get(credentials_url(app)).context["secret"] == "S" * 64


def test_the_stash_expires_within_minutes(user_client, user, make_app, settings):
    app, _ = make_app(user)
    assert timedelta(seconds=credentials.STASH_SECONDS) <= timedelta(minutes=15)
    with mock.patch.object(cache, "set", wraps=cache.set) as cache_set:
        user_client.post(reverse("oauth_apps:reset_secret", args=[app.pk]))
    assert cache_set.call_args.kwargs["timeout"] == credentials.STASH_SECONDS
    # Expired (as the cache does it by itself): nothing to show, and the session pointer is dropped.
    cache.delete(credentials._keys(user_client.session[credentials.SESSION_KEY])[0])
    assert user_client.get(credentials_url(app)).context["secret"] is None
    assert credentials.SESSION_KEY not in user_client.session


def test_a_stash_is_for_the_user_who_made_it(user_client, user, make_app, django_user_model):
    """A session pointer copied into another account's session finds nothing for that account."""
    app, _ = make_app(user)
    user_client.post(reverse("oauth_apps:reset_secret", args=[app.pk]))
    token = user_client.session[credentials.SESSION_KEY]
    root_client = Client()
    root = django_user_model.objects.create_superuser("root2", "r@example.com", "x")
    root_client.force_login(root)
    session = root_client.session
    session[credentials.SESSION_KEY] = token
    session.save()
    assert root_client.get(credentials_url(app)).context["secret"] is None
    assert user_client.get(credentials_url(app)).context["secret"]


def test_workers_share_the_stash_through_the_cache(user_client, user, make_app, settings, tmp_path):
    """Two workers, one cache: what one worker stashed, another shows (the database cache here)."""
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "stash_test_cache"}
    }
    call_command("createcachetable", verbosity=0)
    try:
        app, _ = make_app(user)
        with mock.patch("oauth_apps.credentials.cache", caches.create_connection("default")):
            user_client.post(reverse("oauth_apps:reset_secret", args=[app.pk]))
        # "Another worker": a fresh connection to the same cache.
        with mock.patch("oauth_apps.credentials.cache", caches.create_connection("default")):
            secret = user_client.get(credentials_url(app)).context["secret"]
        assert secret
        app.refresh_from_db()
        assert client_authenticates(app.client_id, secret)
    finally:
        with connection.cursor() as cursor:
            cursor.execute("DROP TABLE stash_test_cache")
