"""A metadata-document client's details are its document's: no edit here that a fetch would undo."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from oauth_apps.forms import ApplicationEditForm
from oauth_apps.models import AuditAction, AuditEvent, OAuthApplication, RegistrationSource
from tests.openapi_client import OpenApiClient

from .helpers import stored_metadata_client

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(db):
    return get_user_model().objects.create_superuser("root", "root@example.com", "pw-pw-pw-pw")


@pytest.fixture
def described():
    return stored_metadata_client()


def test_the_info_page_and_the_row_offer_no_edit_but_still_disable(client, admin, described, make_app):
    portal_app, _ = make_app(admin, name="Made Here")
    client.force_login(admin)
    page = client.get(described.get_absolute_url()).content.decode()
    assert reverse("oauth_apps:edit", args=[described.pk]) not in page
    assert reverse("oauth_apps:disable", args=[described.pk]) in page
    listing = client.get(reverse("oauth_apps:list")).content.decode()
    described_row = listing.split(f'data-app-id="{described.pk}"')[1].split("</tr>")[0]
    portal_row = listing.split(f'data-app-id="{portal_app.pk}"')[1].split("</tr>")[0]
    assert "editable" not in described_row.split(">")[0]
    assert "editable" in portal_row.split(">")[0]


@pytest.mark.parametrize("source", RegistrationSource.values)
def test_the_row_and_the_info_page_agree_on_edit_for_every_source(client, admin, make_app, source):
    """The list reads its rows as tuples, the Info page reads the app: both ask the model's one rule."""
    app, _ = make_app(admin)
    OAuthApplication.objects.filter(pk=app.pk).update(registration_source=source)
    client.force_login(admin)
    info_offers_edit = (
        reverse("oauth_apps:edit", args=[app.pk]) in client.get(app.get_absolute_url()).content.decode()
    )
    listing = client.get(reverse("oauth_apps:list")).content.decode()
    row_offers_edit = "editable" in listing.split(f'data-app-id="{app.pk}"')[1].split(">")[0]
    assert row_offers_edit == info_offers_edit == (source != RegistrationSource.METADATA_DOCUMENT)


@pytest.mark.parametrize("method", ["get", "post"])
def test_the_edit_page_sends_back_to_info_saying_why_and_changes_nothing(client, admin, described, method):
    client.force_login(admin)
    url = reverse("oauth_apps:edit", args=[described.pk])
    response = getattr(client, method)(url, {"name": "Renamed", "version": described.version}, follow=True)
    assert response.redirect_chain == [(described.get_absolute_url(), 302)]
    assert "describes itself in its metadata document" in response.content.decode()
    described.refresh_from_db()
    assert described.name == "Claude Code"
    assert not AuditEvent.objects.filter(application_pk=described.pk, action=AuditAction.UPDATE).exists()


def test_the_edit_form_refuses_with_a_code(described):
    form = ApplicationEditForm({"name": "Renamed", "version": described.version}, instance=described)
    assert not form.is_valid()
    assert form.has_error("__all__", "described_by_metadata_document")


def test_the_api_refuses_an_update_with_the_code(client, admin, described, api_token):
    api = OpenApiClient(client, api_token(admin))
    read = api("getClient", id=described.pk)
    assert read.status_code == 200
    response = api(
        "updateClient", id=described.pk, json={"description": "Edited"}, headers={"If-Match": read["ETag"]}
    )
    assert response.status_code == 400
    assert "described_by_metadata_document" in response.content.decode()
    described.refresh_from_db()
    assert described.description != "Edited"
