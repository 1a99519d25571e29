"""Registering an app through the portal's pages."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from oauth_apps.models import Icon, OAuthApplication

from .conftest import grant, png_bytes

CREATE_URL = reverse("oauth_apps:create")
LIST_URL = reverse("oauth_apps:list")


def upload(data=None, name="icon.png"):
    return SimpleUploadedFile(name, data if data is not None else png_bytes(), content_type="image/png")


def post_form(client, data, icon=True):
    payload = dict(data)
    if icon:
        payload["icon"] = upload()
    return client.post(CREATE_URL, payload)


def test_anonymous_user_is_sent_to_sign_in(client):
    response = client.get(CREATE_URL)
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_register_shows_credentials_then_lists_the_app(user_client, user, form_data):
    response = post_form(user_client, form_data)
    app = OAuthApplication.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("oauth_apps:credentials", args=[app.pk])

    credentials = user_client.get(response.url)
    secret = credentials.context["secret"]
    assert app.client_id in credentials.content.decode()
    assert len(secret) >= 64
    assert secret in credentials.content.decode()

    listing = user_client.get(LIST_URL)
    assert "Team Calendar" in listing.content.decode()
    assert app.user == user


def test_saved_app_holds_the_cleaned_values(user_client, form_data):
    post_form(user_client, form_data)
    app = OAuthApplication.objects.get()
    assert app.redirect_uri_list == form_data["redirect_uris"]
    assert app.allowed_origin_list == ["https://calendar.example.com"]
    assert app.scope_names == ["accounts.self:read", "files:read", "files:write"]
    assert app.authorization_grant_type == OAuthApplication.GRANT_AUTHORIZATION_CODE
    assert app.client_type == OAuthApplication.CLIENT_CONFIDENTIAL


def test_secret_is_shown_once_and_stored_hashed(user_client, form_data):
    response = post_form(user_client, form_data)
    secret = user_client.get(response.url).context["secret"]
    app = OAuthApplication.objects.get()
    assert app.client_secret != secret
    assert app.client_secret.startswith("client_secret_sha256$")
    again = user_client.get(response.url)
    assert again.context["secret"] is None
    assert secret not in again.content.decode()


def test_credentials_page_is_not_cached(user_client, form_data):
    response = post_form(user_client, form_data)
    assert user_client.get(response.url)["Cache-Control"] == "no-store"


def test_public_client_gets_no_secret(user_client, form_data):
    form_data["public_client"] = "on"
    response = post_form(user_client, form_data)
    app = OAuthApplication.objects.get()
    assert app.client_type == OAuthApplication.CLIENT_PUBLIC
    assert app.client_secret == ""
    page = user_client.get(response.url)
    assert page.context["secret"] is None
    assert "This is a public client: it has no secret" in page.content.decode()


def test_errors_keep_everything_typed(user_client, form_data):
    form_data["website_url"] = "ftp://calendar.example.com"
    response = post_form(user_client, form_data)
    page = response.content.decode()
    assert response.status_code == 400
    assert response.context["form"].has_error("website_url")
    assert 'value="Team Calendar"' in page
    assert 'value="https://calendar.example.com/oauth/callback"' in page
    assert 'value="http://127.0.0.1:8080/callback"' in page
    assert 'value="files:write" data-scope-write checked' in page
    assert not OAuthApplication.objects.exists()


def test_accepted_icon_is_kept_when_another_field_fails(user_client, form_data):
    form_data["name"] = "ab"
    first = post_form(user_client, form_data)
    token = first.context["icon_token"]
    assert first.status_code == 400
    assert first.context["form"].has_error("name", code="min_length")
    assert f'name="icon_token" value="{token}"' in first.content.decode()

    form_data["name"] = "Team Calendar"
    form_data["icon_token"] = token
    second = post_form(user_client, form_data, icon=False)
    assert second.status_code == 302
    assert OAuthApplication.objects.get().icon_id == token


def test_pending_icon_is_not_stored_until_the_app_is(user_client, form_data):
    form_data["name"] = ""
    post_form(user_client, form_data)
    assert not Icon.objects.exists()


def test_pending_icon_preview_is_private_to_the_session(user_client, client, other_user, form_data):
    form_data["name"] = ""
    token = post_form(user_client, form_data).context["icon_token"]
    url = reverse("oauth_apps:pending_icon", args=[token])
    assert user_client.get(url).status_code == 200
    client.force_login(other_user)
    assert client.get(url).status_code == 404


def test_icon_token_from_elsewhere_is_not_accepted(user_client, form_data):
    form_data["icon_token"] = "a" * 64
    response = post_form(user_client, form_data, icon=False)
    assert response.status_code == 400
    assert response.context["form"].has_error("icon", code="icon_required")


def test_hostile_svg_is_refused_with_a_clear_message(user_client, form_data):
    svg = b'<svg xmlns="http://www.w3.org/2000/svg" width="32" height="32"><script>alert(1)</script></svg>'
    form_data["icon"] = upload(svg, "icon.svg")
    response = user_client.post(CREATE_URL, form_data)
    assert response.status_code == 400
    assert response.context["form"].has_error("icon", code="svg_unsafe")
    assert not OAuthApplication.objects.exists()


def test_oversized_upload_is_refused(user_client, form_data):
    form_data["icon"] = upload(b"\x89PNG\r\n\x1a\n" + b"\0" * (70 * 1024))
    response = user_client.post(CREATE_URL, form_data)
    assert response.status_code == 400
    assert response.context["form"].has_error("icon", code="icon_too_large")


def test_duplicate_name_is_refused_case_insensitively(user_client, user, make_app, form_data):
    make_app(user, name="Team Calendar")
    form_data["name"] = "team CALENDAR"
    response = post_form(user_client, form_data)
    assert response.status_code == 400
    assert response.context["form"].has_error("name", code="name_taken")
    assert OAuthApplication.objects.count() == 1


@pytest.mark.parametrize(
    ("field", "value", "code"),
    [
        ("name", "", "required"),
        ("name", "x" * 256, "max_length"),
        ("description", "d" * 256, "max_length"),
        ("website_url", "http://calendar.example.com", "insecure_scheme"),
        ("privacy_policy_url", "javascript:alert(1)", "scheme_not_allowed"),
        ("terms_of_service_url", "https://user:pw@calendar.example.com/", "url_userinfo"),
        ("redirect_uris", ["https://calendar.example.com/cb#frag"], "redirect_fragment"),
        ("redirect_uris", [], "redirect_uris_required"),
        ("redirect_uris", [f"https://calendar.example.com/{n}" for n in range(13)], "redirect_uris_too_many"),
        ("allowed_origins", ["https://calendar.example.com/"], "origin_not_bare"),
        ("allowed_origins", [], "allowed_origins_required"),
        ("allowed_origins", [f"https://a{n}.example.com" for n in range(13)], "allowed_origins_too_many"),
        ("scopes", [], "required"),
        ("scopes", ["files:delete"], "invalid_choice"),
    ],
)
def test_each_rule_is_enforced_with_its_code(user_client, form_data, field, value, code):
    form_data[field] = value
    response = post_form(user_client, form_data)
    assert response.status_code == 400
    assert response.context["form"].has_error({"scopes": "scope_bits"}.get(field, field), code=code)
    assert not OAuthApplication.objects.exists()


def test_private_use_redirect_needs_a_public_client(user_client, form_data):
    form_data["redirect_uris"] = ["com.example.calendar:/oauth2redirect"]
    refused = post_form(user_client, form_data)
    assert refused.context["form"].has_error("redirect_uris", code="private_scheme_confidential")

    form_data["public_client"] = "on"
    accepted = post_form(user_client, form_data)
    assert accepted.status_code == 302


def test_duplicate_redirect_urls_are_stored_once(user_client, form_data):
    form_data["redirect_uris"] = ["https://calendar.example.com/cb", "HTTPS://Calendar.Example.com/cb"]
    post_form(user_client, form_data)
    assert OAuthApplication.objects.get().redirect_uri_list == ["https://calendar.example.com/cb"]


def test_add_button_without_javascript_adds_a_row_and_keeps_input(user_client, form_data):
    form_data.pop("save")
    form_data["add_redirect_uri"] = "1"
    response = post_form(user_client, form_data)
    assert response.status_code == 200
    assert response.context["form"]["redirect_uris"].value() == [*form_data["redirect_uris"], ""]
    assert response.context["icon_token"]
    assert not OAuthApplication.objects.exists()


def test_add_and_remove_without_javascript_only_change_their_row(user_client, form_data):
    """Half-filled and wrong values come back as typed, with no error until Save."""
    form_data.pop("save")
    form_data.update(name="ab", website_url="http://not-secure.example.com", add_allowed_origin="1")
    response = user_client.post(CREATE_URL, form_data)
    page = response.content.decode()
    form = response.context["form"]
    assert (response.status_code, form.errors) == (200, {})
    assert "Please correct" not in page
    assert 'aria-invalid="true"' not in page
    assert form["name"].value() == "ab"
    assert form["website_url"].value() == "http://not-secure.example.com"
    assert form["allowed_origins"].value() == [*form_data["allowed_origins"], ""]
    assert form["scope_bits"].value() == form_data["scopes"]


def test_add_and_remove_buttons_return_to_their_list(user_client):
    page = user_client.get(CREATE_URL).content.decode()
    assert page.count('formaction="#id_redirect_uris"') == 2  # Remove (one row) and Add
    assert page.count('formaction="#id_allowed_origins"') == 2


def test_remove_button_without_javascript_removes_that_row(user_client, form_data):
    form_data.pop("save")
    form_data["remove_redirect_uri"] = "0"
    response = post_form(user_client, form_data)
    assert response.context["form"]["redirect_uris"].value() == ["http://127.0.0.1:8080/callback"]


def test_list_is_newest_first_and_scoped_to_the_owner(user_client, user, other_user, make_app):
    first, _ = make_app(user)
    second, _ = make_app(user)
    make_app(other_user)
    response = user_client.get(LIST_URL)
    assert list(response.context["applications"]) == [second, first]


def test_staff_with_the_permission_sees_every_app(client, staff_user, user, other_user, make_app):
    make_app(user)
    make_app(other_user)
    client.force_login(grant(staff_user, "view_all_applications"))
    assert len(client.get(LIST_URL).context["applications"]) == 2


def test_empty_list_explains_what_to_do(user_client):
    page = user_client.get(LIST_URL).content.decode()
    assert "No applications yet" in page
    assert reverse("oauth_apps:create") in page


def test_list_paginates(user_client, user, make_app):
    for _ in range(25):
        make_app(user)
    first = user_client.get(LIST_URL)
    second = user_client.get(LIST_URL, {"page": 2})
    assert len(first.context["applications"]) == 20
    assert len(second.context["applications"]) == 5


@pytest.mark.parametrize("count", [1, 30])
def test_list_query_count_does_not_grow_with_apps(
    user_client, user, make_app, django_assert_num_queries, count
):
    for _ in range(count):
        make_app(user)
    # session, user, co-maintained ids, count, page, offers waiting (tests/test_list.py)
    with django_assert_num_queries(6):
        response = user_client.get(LIST_URL)
    assert response.status_code == 200


def test_list_renders_icons_as_fixed_size_images(user_client, user, make_app):
    app, _ = make_app(user)
    page = user_client.get(LIST_URL).content.decode()
    assert f'<img src="{app.icon_url}" width="32" height="32" alt="">' in page


@pytest.mark.parametrize("name", ["oauth_apps:detail", "oauth_apps:credentials"])
def test_another_users_app_is_not_found(user_client, other_user, make_app, name):
    app, _ = make_app(other_user)
    assert user_client.get(reverse(name, args=[app.pk])).status_code == 404


def test_credentials_of_another_app_do_not_leak_the_stashed_secret(user_client, user, make_app):
    app, _ = make_app(user)
    other, _ = make_app(user)
    user_client.post(reverse("oauth_apps:reset_secret", args=[other.pk]))
    response = user_client.get(reverse("oauth_apps:credentials", args=[app.pk]))
    assert response.context["secret"] is None
    secret = user_client.get(reverse("oauth_apps:credentials", args=[other.pk])).context["secret"]
    assert secret
    assert secret not in response.content.decode()
