"""The administrators' switches: one row, seeded from the environment, changed in the admin."""

import pytest
from django.test import override_settings
from django.urls import reverse

from oauth_apps.models import PortalPolicy, RegistrationPolicy

pytestmark = pytest.mark.django_db


@override_settings(PORTAL_POLICY_DEFAULTS={"review_new_apps": True, "registration_policy": "token"})
def test_first_read_seeds_the_row_from_the_environment_defaults():
    policy = PortalPolicy.load()
    assert (policy.pk, policy.review_new_apps, policy.registration_policy) == (1, True, "token")


def test_once_saved_the_admins_choice_wins_over_the_defaults():
    policy = PortalPolicy.load()
    policy.registration_policy = RegistrationPolicy.OFF
    policy.save()
    with override_settings(PORTAL_POLICY_DEFAULTS={"review_new_apps": True, "registration_policy": "public"}):
        again = PortalPolicy.load()
    assert (again.review_new_apps, again.registration_policy) == (False, "off")
    assert PortalPolicy.objects.count() == 1


def test_admin_list_opens_the_one_row_and_saving_records_who(admin_client, admin_user):
    response = admin_client.get(reverse("admin:oauth_apps_portalpolicy_changelist"))
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:oauth_apps_portalpolicy_change", args=[1])
    page = admin_client.get(response["Location"])
    assert page.status_code == 200
    assert b"Dynamic client registration" in page.content
    response = admin_client.post(
        reverse("admin:oauth_apps_portalpolicy_change", args=[1]),
        {"review_new_apps": "on", "registration_policy": "token"},
    )
    assert response.status_code == 302
    policy = PortalPolicy.objects.get()
    assert (policy.review_new_apps, policy.registration_policy, policy.updated_by) == (
        True,
        "token",
        admin_user,
    )


def test_admin_refuses_an_unknown_policy_next_to_the_field(admin_client):
    PortalPolicy.load()
    response = admin_client.post(
        reverse("admin:oauth_apps_portalpolicy_change", args=[1]), {"registration_policy": "everyone"}
    )
    assert response.status_code == 200
    assert "registration_policy" in response.context["adminform"].form.errors
    assert PortalPolicy.objects.get().registration_policy == "public"


def test_admin_cannot_add_or_delete_the_row(admin_client):
    PortalPolicy.load()
    assert admin_client.get(reverse("admin:oauth_apps_portalpolicy_add")).status_code == 403
    assert admin_client.get(reverse("admin:oauth_apps_portalpolicy_delete", args=[1])).status_code == 403


def test_an_unknown_registration_policy_in_the_environment_stops_the_start(tmp_path):
    from tests.test_configuration import run_check

    result = run_check(tmp_path, PORTAL_REGISTRATION_POLICY="everyone")
    assert result.returncode != 0
    assert "PORTAL_REGISTRATION_POLICY='everyone' is not one of off, public, token" in result.stderr
