"""Doing it through the API leaves exactly what doing it through the pages leaves, audit included.

The same person registers, edits, resets the secret of, rotates the secret of
(and ends the old one), disables and deletes an app twice: once by clicking,
once by script (the OpenAPI-driven client). The stored app before deletion
and the audit trails must be the same, except that the API's records name the
token.
"""

import base64

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from clients_api.resources import represent
from oauth_apps.forms import HTML_NAMES, ApplicationForm
from oauth_apps.models import AuditEvent, OAuthApplication

from .helpers import form_post_data

# Every field the form edits (its one field list), plus what the services set around it.
COMPARED = (
    *ApplicationForm.Meta.fields,
    "icon_id",
    "enabled",
    "version",
    "user_id",
    "modified_by_id",
)
EDIT = {
    "description": "Books rooms too.",
    "scopes": ["rooms:write"],
    "allowed_origins": ["https://rooms.example.com"],
}


def snapshot(app_pk) -> dict:
    app = OAuthApplication.objects.get(pk=app_pk)
    return {field: getattr(app, field) for field in COMPARED}


# Moments that differ by the seconds between the two runs.
MOMENTS = ("old_secret_expires",)


def trail(app_pk) -> list[tuple]:
    events = AuditEvent.objects.filter(application_pk=app_pk).order_by("created", "id")
    return [
        (
            e.action,
            e.actor_name,
            e.app_version,
            {**e.changes, **dict.fromkeys(set(MOMENTS) & e.changes.keys())},
            e.application_name,
        )
        for e in events
    ]


def by_pages(client, form_data, png_icon):
    data = {**form_data, "icon": SimpleUploadedFile("icon.png", png_icon, content_type="image/png")}
    assert client.post(reverse("oauth_apps:create"), data).status_code == 302
    app = OAuthApplication.objects.get(name=form_data["name"])
    edit = client.post(reverse("oauth_apps:edit", args=[app.pk]), form_post_data(app, **EDIT))
    assert edit.status_code == 302
    assert client.post(reverse("oauth_apps:reset_secret", args=[app.pk])).status_code == 302
    rotate = client.post(reverse("oauth_apps:rotate_secret", args=[app.pk]), {"grace": "86400"})
    assert rotate.status_code == 302
    assert client.post(reverse("oauth_apps:end_rotation", args=[app.pk])).status_code == 302
    assert client.post(reverse("oauth_apps:disable", args=[app.pk])).status_code == 302
    state = snapshot(app.pk)
    assert client.post(reverse("oauth_apps:delete", args=[app.pk])).status_code == 302
    return app.pk, state


def by_api(api, form_data, png_icon):
    body = {key: value for key, value in form_data.items() if key != "save"}
    body["icon"] = base64.b64encode(png_icon).decode()
    created = api("createClient", json=body)
    pk = created.json()["id"]
    updated = api("updateClient", id=pk, json=EDIT, headers={"If-Match": created["ETag"]})
    assert updated.status_code == 200
    api("resetClientSecret", id=pk, headers={"If-Match": updated["ETag"]})
    assert api("rotateClientSecret", id=pk, json={"grace_seconds": 86400}).status_code == 200
    assert api("endClientSecretRotation", id=pk).json()["changed"] == ["secret_rotation"]
    api("disableClient", id=pk)
    state = snapshot(pk)
    assert api("deleteClient", id=pk).status_code == 204
    return pk, state


def test_the_api_and_the_pages_leave_the_same_app_and_the_same_audit(user_client, api, form_data, png_icon):
    page_pk, page_state = by_pages(user_client, form_data, png_icon)
    api_pk, api_state = by_api(api, form_data, png_icon)
    assert api_state == page_state
    assert trail(api_pk) == trail(page_pk)
    assert [action for action, *_ in trail(api_pk)] == [
        "create",
        "update",
        "token_revoked",  # the edit took scopes away
        "secret_reset",
        "secret_rotated",
        "secret_rotation_ended",
        "disable",
        "delete",
    ]


def test_only_the_api_records_name_the_token(user_client, api, form_data, png_icon):
    page_pk, _ = by_pages(user_client, form_data, png_icon)
    api_pk, _ = by_api(api, form_data, png_icon)
    assert set(AuditEvent.objects.filter(application_pk=page_pk).values_list("via", flat=True)) == {""}
    vias = set(AuditEvent.objects.filter(application_pk=api_pk).values_list("via", flat=True))
    assert len(vias) == 1
    assert vias.pop().startswith("personal access token “ci” (dsp_")


def test_the_api_shows_every_field_the_form_edits(user, make_app, rf):
    """The API writes every field of the form; a field added there must be shown by it too."""
    app, _secret = make_app(user)
    shown = represent(app, rf.get("/"))
    assert {HTML_NAMES.get(name, name) for name in ApplicationForm.Meta.fields} <= shown.keys()


def test_the_api_document_describes_every_field_the_form_edits(client):
    """The served OpenAPI document lists every field of the form, so a field added there is documented too."""
    document = client.get("/api/2.0/openapi.json").json()
    described = document["components"]["schemas"]["ClientFields"]["properties"].keys()
    assert {HTML_NAMES.get(name, name) for name in ApplicationForm.Meta.fields} <= described
