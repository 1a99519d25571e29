"""The management API, through a client that knows only the OpenAPI document.

Every call below goes through tests/openapi_client.py, which checks the request
and the response against the served document.
"""

import base64
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openapi_core.exceptions import OpenAPIError

from clients_api import resources
from clients_api.models import PersonalAccessToken
from oauth_apps.models import AuditAction, AuditEvent, OAuthApplication

from .conftest import png_bytes
from .helpers import client_authenticates, give_tokens, token_count
from .openapi_client import OpenApiClient


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


@pytest.fixture
def body(form_data, png_icon):
    """A complete registration as JSON: the page's field names, the icon as base64."""
    data = {key: value for key, value in form_data.items() if key != "save"}
    return {**data, "public_client": False, "icon": b64(png_icon)}


def created(api, body, **overrides):
    response = api("createClient", json={**body, **overrides})
    assert response.status_code == 201, response.content
    return response.json()


# --- the document -------------------------------------------------------------


def test_the_document_is_openapi_3_1_with_the_catalogs_scopes(api):
    assert api.document["openapi"] == "3.1.0"
    scopes = api.document["components"]["schemas"]["ScopeName"]["enum"]
    assert "clients:write" in scopes
    assert "files:read" in scopes


def test_the_checking_client_refuses_a_response_the_document_does_not_describe(api, body, monkeypatch):
    original = resources.represent

    def without_version(app, request):
        data = original(app, request)
        del data["version"]
        return data

    monkeypatch.setattr("clients_api.views.represent", without_version)
    with pytest.raises(OpenAPIError):
        api("createClient", json=body)


def test_reference_page_is_rendered_from_the_document_under_our_csp(client):
    response = client.get(reverse("clients_api:reference"))
    text = response.content.decode()
    assert response.status_code == 200
    assert 'id="createClient"' in text
    assert "POST /api/2.0/oauth/clients" in text
    assert "http" not in response["Content-Security-Policy"].replace("https://", "")


# --- create, read, list -----------------------------------------------------------


def test_create_registers_through_the_form_and_returns_the_secret_once(api, body, user):
    data = created(api, body)
    app = OAuthApplication.objects.get(pk=data["id"])
    assert (app.user, app.name, app.scope_names) == (
        user,
        "Team Calendar",
        ["accounts.self:read", "files:read", "files:write"],
    )
    assert client_authenticates(app.client_id, data["client_secret"])
    again = api("getClient", id=app.pk).json()
    assert "client_secret" not in again


def test_create_accepts_the_icon_as_a_multipart_upload(api, form_data, png_icon):
    from django.core.files.uploadedfile import SimpleUploadedFile

    data = {**form_data, "icon": SimpleUploadedFile("icon.png", png_icon, content_type="image/png")}
    response = api("createClient", multipart=data)
    assert response.status_code == 201, response.content
    assert OAuthApplication.objects.get(pk=response.json()["id"]).icon.content_type == "image/png"


def test_create_accepts_a_data_url_icon(api, body, png_icon):
    data = created(api, body, icon="data:image/png;base64," + b64(png_icon))
    assert data["icon_sha256"] == OAuthApplication.objects.get(pk=data["id"]).icon_id


def test_a_bad_icon_is_refused_by_the_icon_pipeline_with_its_code(api, body):
    response = api("createClient", json={**body, "icon": b64(png_bytes(size=(64, 64)))})
    assert response.status_code == 400
    assert {(e["field"], e["code"]) for e in response.json()["errors"]} == {("icon", "icon_dimensions")}
    assert not OAuthApplication.objects.exists()


def test_an_icon_that_is_not_base64_is_refused(api, body):
    response = api("createClient", json={**body, "icon": "not base64!"})
    assert response.json()["errors"][0]["code"] == "icon_invalid_base64"


def test_wrong_json_types_and_unknown_fields_are_named(api, body):
    response = api("createClient", json={**body, "name": 5, "colour": "red"}, check_request=False)
    errors = {(e["field"], e["code"]) for e in response.json()["errors"]}
    assert response.status_code == 400
    assert errors == {("name", "invalid_type"), ("colour", "unknown_field")}
    assert response["Content-Type"] == "application/problem+json"


def test_a_body_that_is_not_json_is_a_problem_not_a_500(api):
    response = api.client.post(
        "/api/2.0/oauth/clients",
        b"{nope",
        content_type="application/json",
        headers={"Authorization": f"Bearer {api.token}"},
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["code"] == "invalid_json"


def test_list_uses_the_pages_search_filters_sort_and_paging(api, user, make_app):
    for name in ("Gamma tools", "Alpha tools", "Beta tools", "Delta other"):
        make_app(user, name=name)
    page = api("listClients", query={"q": "tools", "sort": "name", "per_page": "10"}).json()
    assert page["total"] == 3
    assert [item["name"] for item in page["items"]] == ["Alpha tools", "Beta tools", "Gamma tools"]
    assert "next" not in page["links"]


def test_list_pages_carry_every_parameter_in_their_links(api, user, make_app):
    for number in range(12):
        make_app(user, name=f"Paged app {number:02}")
    first = api("listClients", query={"sort": "name", "per_page": "10"})
    data = first.json()
    assert (data["total"], data["pages"], len(data["items"])) == (12, 2, 10)
    assert "sort=name" in data["links"]["next"]
    assert "per_page=10" in data["links"]["next"]
    assert 'rel="next"' in first["Link"]
    second = api.client.get(data["links"]["next"], headers={"Authorization": f"Bearer {api.token}"}).json()
    assert [item["name"] for item in second["items"]] == ["Paged app 10", "Paged app 11"]


def test_list_total_stops_at_the_count_limit_and_the_pages_go_on_past_it(api, user, make_app, monkeypatch):
    """No request counts every app: past the limit `total` is the limit, and `next` still walks the rest."""
    for number in range(12):
        make_app(user, name=f"Counted app {number:02}")
    monkeypatch.setattr("oauth_apps.listing.COUNT_LIMIT", 12)
    exact = api("listClients", query={"per_page": "10"}).json()
    assert (exact["total"], exact["total_is_capped"], exact["pages"]) == (12, False, 2)
    monkeypatch.setattr("oauth_apps.listing.COUNT_LIMIT", 10)
    first = api("listClients", query={"sort": "name", "per_page": "10"}).json()
    assert (first["total"], first["total_is_capped"], first["pages"]) == (10, True, 1)
    assert "page=2" in first["links"]["next"]
    second = api("listClients", query={"sort": "name", "per_page": "10", "page": "2"}).json()
    assert [item["name"] for item in second["items"]] == ["Counted app 10", "Counted app 11"]
    assert second["total_is_capped"]
    assert "next" not in second["links"]
    past = api("listClients", query={"per_page": "10", "page": "3"}).json()
    assert past["items"] == []
    refused = api("listClients", query={"page": "0"}, check_request=False)
    assert refused.status_code == 400
    assert refused.json()["errors"][0]["code"] == "invalid_page"


def test_list_refuses_a_bad_parameter_instead_of_guessing(api):
    response = api("listClients", query={"sort": "colour"}, check_request=False)
    assert response.status_code == 400
    assert response.json()["errors"][0] == {
        "field": "sort",
        "pointer": "#/sort",
        "code": "invalid_choice",
        "detail": response.json()["errors"][0]["detail"],
    }


def test_list_refuses_a_page_past_the_end(api):
    response = api("listClients", query={"page": "9"})
    assert (response.status_code, response.json()["errors"][0]["code"]) == (400, "invalid_page")


def test_list_takes_a_fixed_number_of_queries(api, user, make_app, django_assert_num_queries):
    for _ in range(3):
        make_app(user)
    # token lookup, last-used touch, the ids of co-maintained apps, count, page, the page's co-maintainers
    with django_assert_num_queries(6):
        api("listClients")
    for _ in range(10):
        make_app(user)
    with django_assert_num_queries(5):  # last_used was written less than a minute ago
        api("listClients")


def test_list_filters_by_state_and_scope(api, user, make_app):
    wanted, _ = make_app(user, scopes=["rooms:read"])
    make_app(user, scopes=["files:read"])
    make_app(user, scopes=["rooms:read"], name="Disabled rooms")
    OAuthApplication.objects.filter(name="Disabled rooms").update(enabled=False)
    page = api("listClients", query={"scope": "rooms:read", "state": "enabled"}).json()
    assert [item["id"] for item in page["items"]] == [wanted.pk]


# --- update with If-Match ----------------------------------------------------


def test_patch_with_the_current_etag_saves_and_names_the_token_in_the_audit(api, body):
    data = created(api, body)
    read = api("getClient", id=data["id"])
    response = api(
        "updateClient", id=data["id"], json={"description": "New words."}, headers={"If-Match": read["ETag"]}
    )
    assert response.status_code == 200
    assert (response.json()["description"], response.json()["version"]) == ("New words.", 2)
    event = AuditEvent.objects.get(application_pk=data["id"], action=AuditAction.UPDATE)
    assert event.changes == {"description": {"old": "Shows room bookings.", "new": "New words."}}
    assert event.via.startswith("personal access token “ci” (dsp_")


def test_a_stale_etag_is_412_with_what_changed_meanwhile(api, body):
    data = created(api, body)
    api("updateClient", id=data["id"], json={"description": "First."}, headers={"If-Match": '"1"'})
    response = api(
        "updateClient", id=data["id"], json={"description": "Second."}, headers={"If-Match": '"1"'}
    )
    problem = response.json()
    assert response.status_code == 412
    assert (problem["code"], problem["current_version"], response["ETag"]) == ("edit_conflict", 2, '"2"')
    assert problem["changes_since"][0]["changes"]["description"]["new"] == "First."
    assert OAuthApplication.objects.get(pk=data["id"]).description == "First."


def test_an_update_without_if_match_is_428(api, body):
    data = created(api, body)
    response = api("updateClient", id=data["id"], json={"description": "x"}, check_request=False)
    assert (response.status_code, response.json()["code"]) == (428, "if_match_required")
    assert OAuthApplication.objects.get(pk=data["id"]).version == 1


def test_if_match_star_overwrites_whatever_is_there(api, body):
    data = created(api, body)
    api("updateClient", id=data["id"], json={"description": "First."}, headers={"If-Match": '"1"'})
    response = api("updateClient", id=data["id"], json={"description": "Mine."}, headers={"If-Match": "*"})
    assert (response.status_code, response.json()["version"]) == (200, 3)


def test_put_replaces_every_field_and_a_get_body_round_trips(api, body):
    data = created(api, body)
    current = api("getClient", id=data["id"]).json()
    current.update(
        name="Renamed Calendar", scopes=["openid"], redirect_uris=["https://calendar.example.com/cb"]
    )
    response = api("replaceClient", id=data["id"], json=current, headers={"If-Match": '"1"'})
    assert response.status_code == 200, response.content
    app = OAuthApplication.objects.get(pk=data["id"])
    assert (app.name, app.scope_names, app.redirect_uri_list) == (
        "Renamed Calendar",
        ["openid"],
        ["https://calendar.example.com/cb"],
    )
    assert sorted(response.json()["changed"]) == ["name", "redirect_uris", "scopes"]


def test_put_leaving_out_a_required_field_is_refused_with_the_forms_code(api, body):
    data = created(api, body)
    partial = {key: value for key, value in body.items() if key not in ("website_url", "icon")}
    response = api("replaceClient", id=data["id"], json=partial, headers={"If-Match": '"1"'})
    assert [(e["field"], e["code"]) for e in response.json()["errors"]] == [("website_url", "required")]


def test_taking_scopes_away_revokes_tokens_as_on_the_page(api, body, user):
    data = created(api, body)
    app = OAuthApplication.objects.get(pk=data["id"])
    give_tokens(app, user)
    response = api(
        "updateClient", id=app.pk, json={"scopes": ["accounts.self:read"]}, headers={"If-Match": '"1"'}
    )
    assert response.json()["authorizations_revoked"] == 3
    assert token_count(app.pk) == 0


def test_becoming_confidential_returns_the_new_secret_once(api, body):
    data = created(api, body, public_client=True)
    assert data["client_secret"] is None
    response = api("updateClient", id=data["id"], json={"public_client": False}, headers={"If-Match": '"1"'})
    assert client_authenticates(data["client_id"], response.json()["client_secret"])


# --- actions --------------------------------------------------------------------


def test_disable_and_enable(api, body, user):
    data = created(api, body)
    give_tokens(OAuthApplication.objects.get(pk=data["id"]), user)
    disabled = api("disableClient", id=data["id"]).json()
    assert (disabled["enabled"], disabled["changed"]) == (False, ["enabled"])
    assert token_count(data["id"]) == 0
    assert api("disableClient", id=data["id"]).json()["changed"] == []
    assert api("enableClient", id=data["id"]).json()["enabled"] is True


def test_reset_secret_returns_a_working_secret_and_the_old_one_fails(api, body):
    data = created(api, body)
    response = api("resetClientSecret", id=data["id"])
    assert response.status_code == 200
    assert response["Cache-Control"].startswith("max-age=0") or "no-store" in response["Cache-Control"]
    assert client_authenticates(data["client_id"], response.json()["client_secret"])
    assert not client_authenticates(data["client_id"], data["client_secret"])


def test_reset_secret_of_a_public_client_is_a_409(api, body):
    data = created(api, body, public_client=True)
    response = api("resetClientSecret", id=data["id"])
    assert (response.status_code, response.json()["code"]) == (409, "public_client")


@pytest.mark.parametrize("operation", ["resetClientSecret", "disableClient", "deleteClient"])
def test_an_action_with_a_stale_if_match_does_nothing(api, body, operation):
    data = created(api, body)
    api("updateClient", id=data["id"], json={"description": "moved on"}, headers={"If-Match": '"1"'})
    response = api(operation, id=data["id"], headers={"If-Match": '"1"'})
    app = OAuthApplication.objects.get(pk=data["id"])
    assert response.status_code == 412
    assert (app.version, app.enabled) == (2, True)


def test_reset_secret_shares_the_pages_rate_limit(api, body, settings, user_client):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "secret_reset": "1/h"}
    data = created(api, body)
    assert api("resetClientSecret", id=data["id"]).status_code == 200
    page = user_client.post(reverse("oauth_apps:reset_secret", args=[data["id"]]))
    assert page.status_code == 429
    response = api("resetClientSecret", id=data["id"])
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0


def test_delete_removes_the_app_and_keeps_its_audit(api, body):
    data = created(api, body)
    assert api("deleteClient", id=data["id"]).status_code == 204
    assert not OAuthApplication.objects.filter(pk=data["id"]).exists()
    assert AuditEvent.objects.filter(application_pk=data["id"], action=AuditAction.DELETE).get().via
    assert api("getClient", id=data["id"]).status_code == 404


def test_bulk_acts_only_on_visible_apps_and_names_the_rest(api, user, other_user, make_app):
    mine, _ = make_app(user)
    theirs, _ = make_app(other_user)
    response = api("bulkClients", json={"action": "disable", "ids": [mine.pk, theirs.pk, 999999]})
    assert response.json() == {
        "action": "disable",
        "affected": 1,
        "ids": [mine.pk],
        "not_found": sorted([theirs.pk, 999999]),
    }
    assert OAuthApplication.objects.get(pk=theirs.pk).enabled is True
    assert api("bulkClients", json={"action": "delete", "ids": [mine.pk]}).json()["affected"] == 1
    assert not OAuthApplication.objects.filter(pk=mine.pk).exists()


def test_bulk_refuses_a_bad_request(api):
    response = api("bulkClients", json={"action": "explode", "ids": "all"}, check_request=False)
    assert {(e["field"], e["code"]) for e in response.json()["errors"]} == {
        ("action", "invalid_choice"),
        ("ids", "invalid_ids"),
    }


def test_audit_lists_the_apps_trail_newest_first(api, body):
    data = created(api, body)
    api("disableClient", id=data["id"])
    trail = api("listClientAudit", id=data["id"]).json()
    assert [item["action"] for item in trail["items"]] == ["disable", "create"]
    assert all(item["via"].startswith("personal access token") for item in trail["items"])


# --- who may call -----------------------------------------------------------------


def test_another_users_app_is_404_everywhere(api, other_user, make_app):
    theirs, _ = make_app(other_user)
    for operation in ("getClient", "disableClient", "resetClientSecret", "deleteClient", "listClientAudit"):
        assert api(operation, id=theirs.pk).status_code == 404
    assert OAuthApplication.objects.get(pk=theirs.pk).version == 1


def test_staff_act_on_others_apps_only_with_the_django_permission(
    client, staff_user, other_user, api_token, make_app
):
    from .conftest import grant

    theirs, _ = make_app(other_user)
    api = OpenApiClient(client, api_token(staff_user))
    assert api("getClient", id=theirs.pk).status_code == 404
    grant(staff_user, "view_oauthapplication")
    assert api("getClient", id=theirs.pk).status_code == 200
    assert api("disableClient", id=theirs.pk).status_code == 404


def test_only_the_owner_ever_sees_a_secret(client, staff_user, other_user, api_token, make_app):
    from .conftest import grant

    theirs, _ = make_app(other_user)
    grant(staff_user, "reset_secret_oauthapplication")
    response = OpenApiClient(client, api_token(staff_user))("resetClientSecret", id=theirs.pk)
    assert response.status_code == 200
    assert response.json()["client_secret"] is None
    assert AuditEvent.objects.filter(application_pk=theirs.pk, action=AuditAction.SECRET_RESET).exists()


def test_no_token_is_401_with_a_bearer_challenge(api):
    response = api.with_token(None)("listClients")
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith('Bearer realm="api"')


def test_the_session_cookie_is_never_accepted(api, user_client):
    response = OpenApiClient(user_client)("listClients")
    assert response.status_code == 401


def test_a_read_token_cannot_write(client, user, api_token, body):
    api = OpenApiClient(client, api_token(user, scopes=["clients:read"]))
    assert api("listClients").status_code == 200
    response = api("createClient", json=body)
    assert response.status_code == 403
    assert 'scope="clients:write"' in response["WWW-Authenticate"]
    assert not OAuthApplication.objects.exists()


@pytest.mark.parametrize("state", ["revoked", "expired", "wrong_secret", "inactive_user"])
def test_a_dead_token_is_401(client, user, api_token, state):
    value = api_token(user)
    token = PersonalAccessToken.objects.get()
    if state == "revoked":
        PersonalAccessToken.objects.update(revoked=timezone.now())
    elif state == "expired":
        PersonalAccessToken.objects.update(expires=timezone.now() - timedelta(seconds=1))
    elif state == "wrong_secret":
        value = f"dsp_{token.key}_{'x' * 43}"
    else:
        user.is_active = False
        user.save()
    response = OpenApiClient(client, value)("listClients")
    assert (response.status_code, response.json()["code"]) == (401, "invalid_token")


def test_a_token_in_the_url_is_refused(api):
    response = api.client.get(f"/api/2.0/oauth/clients?access_token={api.token}")
    assert response.status_code == 400


def test_an_oauth_access_token_with_the_scope_works_as_its_user(client, user, make_app):
    from oauth2_provider.models import get_access_token_model

    tool, _ = make_app(user, scopes=["clients:write"])
    make_app(user, name="Managed by the tool")
    soon = timezone.now() + timedelta(minutes=5)
    get_access_token_model().objects.create(
        user=user, application=tool, token="oauth-w", expires=soon, scope="clients:write"
    )
    get_access_token_model().objects.create(
        user=user, application=tool, token="oauth-f", expires=soon, scope="files:read"
    )
    api = OpenApiClient(client, "oauth-w")
    assert api("listClients").json()["total"] == 2
    api("disableClient", id=OAuthApplication.objects.get(name="Managed by the tool").pk)
    assert AuditEvent.objects.get(action=AuditAction.DISABLE).via.startswith(
        f"OAuth access token of “{tool.name}”"
    )
    assert api.with_token("oauth-f")("listClients").status_code == 403


def test_last_used_is_written_at_most_once_a_minute(api):
    api("listClients")
    first = PersonalAccessToken.objects.get().last_used
    api("listClients")
    assert PersonalAccessToken.objects.get().last_used == first
    PersonalAccessToken.objects.update(last_used=first - timedelta(minutes=2))
    api("listClients")
    assert PersonalAccessToken.objects.get().last_used > first


def test_calls_are_rate_limited_per_token(api, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "api": "2/m"}
    assert [api("listClients").status_code for _ in range(3)] == [200, 200, 429]


def test_registration_shares_the_pages_rate_limit(api, body, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "register": "1/h"}
    created(api, body)
    response = api("createClient", json={**body, "name": "Second app"})
    assert (response.status_code, response.json()["code"]) == (429, "rate_limited")


def test_an_unknown_method_is_a_405_problem(api):
    response = api.client.put("/api/2.0/oauth/clients", headers={"Authorization": f"Bearer {api.token}"})
    assert response.status_code == 405
    assert "GET" in response["Allow"]


def test_no_csrf_token_is_needed_and_no_session_is_made(body, user, api_token):
    strict = Client(enforce_csrf_checks=True)
    api = OpenApiClient(strict, api_token(user))
    assert api("createClient", json=body).status_code == 201
    assert "sessionid" not in strict.cookies


def test_rotate_secret_answers_the_new_secret_once_and_keeps_the_old_until_expiry(api, body, user):
    data = created(api, body)
    give_tokens(OAuthApplication.objects.get(pk=data["id"]), user)
    response = api("rotateClientSecret", id=data["id"], json={"grace_seconds": 7200})
    assert response.status_code == 200
    rotated = response.json()
    assert client_authenticates(data["client_id"], rotated["client_secret"])
    assert client_authenticates(data["client_id"], data["client_secret"])
    assert token_count(data["id"]) == 3  # nothing revoked
    expires = timezone.datetime.fromisoformat(rotated["old_secret_expires"])
    assert abs(expires - (timezone.now() + timedelta(hours=2))) < timedelta(seconds=5)
    assert rotated["secret_rotation"]["old_secret_expires"] == rotated["old_secret_expires"]
    read = api("getClient", id=data["id"]).json()
    assert "client_secret" not in read
    assert read["secret_rotation"]["old_secret_last_used"] is not None  # used just above
    event = api("listClientAudit", id=data["id"]).json()["items"][0]
    assert (event["action"], event["changes"]["grace_seconds"]) == ("secret_rotated", 7200)


def test_rotate_without_a_body_keeps_the_old_secret_seven_days(api, body):
    data = created(api, body)
    rotated = api("rotateClientSecret", id=data["id"]).json()
    expires = timezone.datetime.fromisoformat(rotated["old_secret_expires"])
    assert abs(expires - (timezone.now() + timedelta(days=7))) < timedelta(seconds=5)


@pytest.mark.parametrize(
    ("payload", "code"),
    [
        ({"grace_seconds": 3599}, "rotation_grace_out_of_range"),
        ({"grace_seconds": 30 * 86400 + 1}, "rotation_grace_out_of_range"),
        ({"grace_seconds": 10**30}, "rotation_grace_out_of_range"),
        ({"grace_seconds": "3600"}, "invalid_type"),
        ({"grace_seconds": True}, "invalid_type"),
        ({"grace": 3600}, "unknown_field"),
    ],
)
def test_rotate_refuses_a_bad_grace_period_with_the_pages_code(api, body, payload, code):
    data = created(api, body)
    response = api("rotateClientSecret", id=data["id"], json=payload, check_request=False)
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert [(e["field"], e["code"]) for e in response.json()["errors"]] == [(next(iter(payload)), code)]
    assert OAuthApplication.objects.get(pk=data["id"]).version == 1


def test_rotate_twice_is_409_until_the_old_secret_is_ended(api, body):
    data = created(api, body)
    first = api("rotateClientSecret", id=data["id"]).json()
    again = api("rotateClientSecret", id=data["id"])
    assert (again.status_code, again.json()["code"]) == (409, "rotation_in_progress")
    assert again.json()["old_secret_expires"] == first["old_secret_expires"]
    ended = api("endClientSecretRotation", id=data["id"]).json()
    assert (ended["changed"], ended["secret_rotation"]) == (["secret_rotation"], None)
    assert not client_authenticates(data["client_id"], data["client_secret"])
    assert client_authenticates(data["client_id"], first["client_secret"])
    assert api("endClientSecretRotation", id=data["id"]).json()["changed"] == []
    assert api("rotateClientSecret", id=data["id"]).status_code == 200


def test_rotate_of_a_public_client_is_a_409(api, body):
    data = created(api, body, public_client=True)
    response = api("rotateClientSecret", id=data["id"])
    assert (response.status_code, response.json()["code"]) == (409, "public_client")


def test_only_the_owner_may_rotate_even_a_superuser_gets_404(
    client, django_user_model, api_token, make_app, user
):
    app, secret = make_app(user)
    root = django_user_model.objects.create_superuser("root", "root@example.com", "root-pass-1")
    other = OpenApiClient(client, api_token(root, name="root"))
    for operation in ("rotateClientSecret", "endClientSecretRotation"):
        assert other(operation, id=app.pk).status_code == 404
    assert other("resetClientSecret", id=app.pk).status_code == 200  # staff may still reset
