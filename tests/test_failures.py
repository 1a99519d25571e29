"""Nothing half-written: a failure at any step leaves no app and no icon."""

import threading

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import OperationalError, connection
from django.test import Client
from django.urls import reverse

from docspace_portal import health
from oauth_apps import services, views
from oauth_apps.icons import clean_icon
from oauth_apps.models import AuditEvent, Icon, OAuthApplication

from .conftest import png_bytes
from .helpers import register, run_in_threads, valid_form

CREATE_URL = reverse("oauth_apps:create")


def post_with_icon(client, form_data):
    return client.post(CREATE_URL, {**form_data, "icon": SimpleUploadedFile("i.png", png_bytes())})


def _fail(*args, **kwargs):
    raise OperationalError("the database went away")


@pytest.mark.parametrize(
    "target",
    [
        (OAuthApplication, "save"),  # the app row itself
        (services.audit, "record"),  # the audit record after the app row
        (services.Icon.objects, "get_or_create"),  # the icon row before the app row
    ],
    ids=["app", "audit", "icon"],
)
def test_failure_at_any_step_leaves_nothing_and_keeps_input(user_client, form_data, monkeypatch, target):
    monkeypatch.setattr(*target, _fail)
    response = post_with_icon(user_client, form_data)
    assert response.status_code == 503
    assert response.context["form"].has_error("__all__", code="save_failed")
    assert 'value="Team Calendar"' in response.content.decode()
    assert response.context["icon_token"]
    assert (OAuthApplication.objects.count(), Icon.objects.count(), AuditEvent.objects.count()) == (0, 0, 0)


def test_saving_again_after_a_failure_works_without_a_new_upload(user_client, form_data, monkeypatch):
    with monkeypatch.context() as patched:
        patched.setattr(OAuthApplication, "save", _fail)
        token = post_with_icon(user_client, form_data).context["icon_token"]
    response = user_client.post(CREATE_URL, {**form_data, "icon_token": token})
    assert response.status_code == 302, response.context["form"].errors.as_data()
    assert OAuthApplication.objects.get().icon_id == token


def test_name_taken_between_check_and_insert_is_a_clear_error(
    user_client, user, other_user, form_data, monkeypatch
):
    real_register = views.register_application

    def competitor_first(app, *, user, icon):
        register(other_user, {**form_data, "name": app.name.upper(), "icon": icon})
        return real_register(app, user=user, icon=icon)

    monkeypatch.setattr(views, "register_application", competitor_first)
    response = post_with_icon(user_client, form_data)
    assert response.status_code == 400
    assert response.context["form"].has_error("name", code="name_taken")
    assert OAuthApplication.objects.get().user == other_user


class BrokenConnection:
    def __init__(self, error):
        self.error = error

    def cursor(self):
        raise self.error


def test_database_outage_is_a_503_page(db, monkeypatch):
    client = Client(raise_request_exception=False)
    monkeypatch.setattr(
        health, "connection", BrokenConnection(OperationalError("server closed the connection"))
    )
    response = client.get(reverse("healthz"))
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert "cannot reach its database" in response.content.decode()


def test_other_errors_stay_500(db, monkeypatch):
    client = Client(raise_request_exception=False)

    monkeypatch.setattr(health, "connection", BrokenConnection(RuntimeError("a bug")))
    assert client.get(reverse("healthz")).status_code == 500


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_simultaneous_registrations_of_one_name_on_postgresql(user, other_user, form_data, rf):
    if connection.vendor != "postgresql":
        pytest.skip("needs DATABASE_URL=postgres://… (CI runs the suite on PostgreSQL too)")
    icon = clean_icon(png_bytes())
    # Both saves start after the form's uniqueness check has passed for each.
    data = {**form_data, "public_client": False, "icon": icon}

    forms = {owner: valid_form(data) for owner in (user, other_user)}
    barrier = threading.Barrier(2)
    outcomes = []

    def register(owner):
        try:
            barrier.wait()
            services.register_application(forms[owner].instance, user=owner, icon=icon)
            outcomes.append("created")
        except services.DuplicateName:
            outcomes.append("duplicate")
        finally:
            connection.close()

    run_in_threads(lambda: register(user), lambda: register(other_user))
    assert sorted(outcomes) == ["created", "duplicate"]
    assert OAuthApplication.objects.count() == 1
    assert Icon.objects.count() == 1
