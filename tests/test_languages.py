"""Choosing the language: switcher, cookie, saved choice, Accept-Language, and what every page says."""

import json
import re
from urllib.parse import urlencode

import pytest
from django.conf import settings
from django.db import OperationalError
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.dateformat import format as date_format
from django.utils.html import escape

from accounts.models import Profile
from docspace_portal import errors

from .catalogs import assert_speaks, js_translation, translated

LOGIN_URL = reverse("login")
SET_LANGUAGE_URL = reverse("set_language")
LIST_URL = reverse("oauth_apps:list")
COOKIE = settings.LANGUAGE_COOKIE_NAME
# Every language the portal offers besides English.
LANGUAGES = [code for code, _name in settings.LANGUAGES if code != "en"]


def html_lang_dir(page: str) -> tuple[str, str]:
    match = re.search(r'<html lang="([^"]+)" dir="(ltr|rtl)">', page)
    assert match, page[:200]
    return match.group(1), match.group(2)


def test_without_a_choice_or_accept_language_the_portal_speaks_english(client):
    response = client.get(LOGIN_URL)
    assert html_lang_dir(response.content.decode()) == ("en", "ltr")
    assert response["Content-Language"] == "en"


@pytest.mark.parametrize(
    ("accept", "expected"),
    [("ar", ("ar", "rtl")), ("zh-CN,zh;q=0.9", ("zh-hans", "ltr")), ("de-AT, en;q=0.5", ("de", "ltr"))],
)
def test_accept_language_picks_the_language_and_direction(client, accept, expected):
    response = client.get(LOGIN_URL, headers={"accept-language": accept})
    assert html_lang_dir(response.content.decode()) == expected
    assert response["Content-Language"] == expected[0]


def test_unoffered_accept_language_falls_back_to_english(client):
    response = client.get(LOGIN_URL, headers={"accept-language": "ja, ko;q=0.8"})
    assert html_lang_dir(response.content.decode()) == ("en", "ltr")


def test_switcher_is_a_csrf_protected_form_naming_each_language_in_itself(client):
    page = client.get(LOGIN_URL).content.decode()
    form = re.search(
        r'<form class="language-switcher" method="post" action="([^"]+)">(.*?)</form>', page, re.S
    )
    assert form
    assert form.group(1) == SET_LANGUAGE_URL
    assert 'name="csrfmiddlewaretoken"' in form.group(2)
    assert f'name="next" value="{LOGIN_URL}"' in form.group(2)
    for code, name in [("de", "Deutsch"), ("fr", "français"), ("es", "español"), ("ru", "Русский")]:
        assert f'<option value="{code}" lang="{code}" dir="ltr">{name}</option>' in form.group(2)
    assert '<option value="ar" lang="ar" dir="rtl">العربيّة</option>' in form.group(2)
    assert '<option value="zh-hans" lang="zh-hans" dir="ltr">简体中文</option>' in form.group(2)
    assert '<option value="en" lang="en" dir="ltr" selected>English</option>' in form.group(2)


def test_switcher_sets_the_cookie_and_returns_to_the_same_page(client):
    back_to = f"{LOGIN_URL}?next=/settings/developer-tools/oauth/"
    response = client.post(SET_LANGUAGE_URL, {"language": "ar", "next": back_to})
    assert response.status_code == 302
    assert response["Location"] == back_to
    assert response.cookies[COOKIE].value == "ar"
    page = client.get(back_to, headers={"accept-language": "de"}).content.decode()
    assert html_lang_dir(page) == ("ar", "rtl")
    assert_speaks(page, "ar", "Sign in")


def test_switcher_refuses_csrf_less_posts():
    client = Client(enforce_csrf_checks=True)
    response = client.post(SET_LANGUAGE_URL, {"language": "ar", "next": LOGIN_URL})
    assert response.status_code == 403
    assert COOKIE not in response.cookies


def test_switcher_never_sends_people_to_another_site(client):
    response = client.post(SET_LANGUAGE_URL, {"language": "de", "next": "https://evil.example/"})
    assert response.status_code == 302
    assert "evil.example" not in response["Location"]


def test_switcher_ignores_languages_the_portal_does_not_offer(client):
    response = client.post(SET_LANGUAGE_URL, {"language": "xx", "next": LOGIN_URL})
    assert COOKIE not in response.cookies


def test_switcher_answers_only_post(client):
    assert client.get(SET_LANGUAGE_URL, {"language": "de"}).status_code == 405


def test_signed_in_choice_is_saved_in_the_profile(user_client, user):
    user_client.post(SET_LANGUAGE_URL, {"language": "zh-hans", "next": LIST_URL})
    assert Profile.objects.get(user=user).language == "zh-hans"


def test_anonymous_choice_saves_no_profile(client, user):
    client.post(SET_LANGUAGE_URL, {"language": "de", "next": LOGIN_URL})
    assert not Profile.objects.exists()


def test_sign_in_applies_the_saved_choice_in_a_new_browser(client, user):
    Profile.objects.create(user=user, language="ar")
    response = client.post(LOGIN_URL, {"username": "alice", "password": "alice-password-1"})
    assert response.status_code == 302
    assert response.cookies[COOKIE].value == "ar"
    page = client.get(response["Location"], headers={"accept-language": "en"}).content.decode()
    assert html_lang_dir(page) == ("ar", "rtl")


def test_sign_in_without_a_saved_choice_keeps_the_browsers(client, user):
    client.cookies[COOKIE] = "zh-hans"
    response = client.post(LOGIN_URL, {"username": "alice", "password": "alice-password-1"})
    assert COOKIE not in response.cookies
    assert html_lang_dir(client.get(response["Location"]).content.decode()) == ("zh-hans", "ltr")


def test_failed_sign_in_does_not_apply_the_saved_choice(client, user):
    Profile.objects.create(user=user, language="ar")
    response = client.post(LOGIN_URL, {"username": "alice", "password": "wrong"})
    assert response.status_code == 200
    assert COOKIE not in response.cookies


def test_sign_in_speaks_the_ui_locales_of_the_consent_it_leads_to(client):
    next_url = "/oauth/authorize/?" + urlencode({"client_id": "x", "ui_locales": "tlh ar"})
    response = client.get(LOGIN_URL, {"next": next_url}, headers={"accept-language": "de"})
    assert html_lang_dir(response.content.decode()) == ("ar", "rtl")
    assert response["Content-Language"] == "ar"


@pytest.mark.parametrize("language", LANGUAGES)
def test_sign_in_page_speaks_the_language(client, language):
    page = client.get(LOGIN_URL, headers={"accept-language": language}).content.decode()
    assert_speaks(page, language, "Sign in", "Username", "Password", "Skip to content", "Change language")


@pytest.mark.parametrize("language", LANGUAGES)
def test_not_found_page_speaks_the_language(user_client, language):
    response = user_client.get(
        "/settings/developer-tools/oauth/999999/", headers={"accept-language": language}
    )
    assert response.status_code == 404
    page = response.content.decode()
    assert_speaks(page, language, "Not found", "Back to the portal", "Sign out")
    assert html_lang_dir(page)[0] == language


@pytest.mark.parametrize(
    ("error", "status", "texts"),
    [
        (OperationalError, 503, ["Temporarily unavailable"]),
        (
            ValueError,
            500,
            ["Something went wrong", "The error has been logged. Please try again in a moment."],
        ),
    ],
    ids=["database-outage", "server-error"],
)
@pytest.mark.parametrize("language", LANGUAGES)
def test_error_pages_speak_the_language_without_a_request_context(language, error, status, texts):
    """handler500 answers a lost database with 503 and any other error with 500, in the language."""
    request = RequestFactory().get("/")
    with translation.override(language):
        try:
            raise error("boom")
        except error:
            response = errors.handler500(request)
    page = response.content.decode()
    assert response.status_code == status
    assert_speaks(page, language, *texts)
    assert html_lang_dir(page)[0] == language


@pytest.mark.parametrize("language", LANGUAGES)
def test_api_error_description_speaks_the_language_and_the_header_stays_ascii(client, language):
    response = client.get(reverse("api:self"), {"access_token": "x"}, headers={"accept-language": language})
    body = json.loads(response.content)
    assert response.status_code == 400
    assert body["error"] == "invalid_request"
    expected = translated(language, "Send the access token in the Authorization header, not the URL.")
    assert body["error_description"] == expected
    assert response["Content-Language"] == language
    assert "Send the access token in the Authorization header" in response["WWW-Authenticate"]
    response["WWW-Authenticate"].encode("ascii")


@pytest.mark.parametrize("language", LANGUAGES)
def test_javascript_catalog_speaks_the_language(client, language):
    response = client.get(reverse("javascript-catalog"), headers={"accept-language": language})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    text = response.content.decode()
    for msgid in ("Copied", "Included in Write"):
        assert json.dumps(js_translation(language, msgid))[1:-1] in text


def test_pages_load_the_javascript_catalog_as_a_script_file_before_portal_js(client):
    response = client.get(LOGIN_URL)
    page = response.content.decode()
    catalog = page.index(f'<script src="{reverse("javascript-catalog")}" defer></script>')
    assert catalog < page.index("js/portal.js")
    assert "<script>" not in page
    assert "script-src 'self'" in response["Content-Security-Policy"]


def test_dates_follow_the_language(user_client, make_app, user):
    make_app(user)
    page = user_client.get(LIST_URL, headers={"accept-language": "de"}).content.decode()
    with translation.override("de"):
        german_month = date_format(timezone.now(), "F")
    assert german_month in page


@pytest.mark.parametrize("language", LANGUAGES)
def test_empty_list_speaks_the_language(user_client, language):
    page = user_client.get(LIST_URL, headers={"accept-language": language}).content.decode()
    assert_speaks(page, language, "No applications yet", "Register a new application", "Developer Tools")


@pytest.mark.parametrize("language", LANGUAGES)
def test_list_speaks_the_language_with_real_plurals(user_client, make_app, user, language):
    for _ in range(3):
        make_app(user)
    page = user_client.get(LIST_URL, headers={"accept-language": language}).content.decode()
    with translation.override(language):  # French says "3 applications" too: no inequality check here
        count = translation.ngettext("%(shown)s application", "%(shown)s applications", 3) % {"shown": 3}
    assert count in page
    assert_speaks(page, language, "Registered applications", "Modified", "Enabled")


@pytest.mark.parametrize("language", LANGUAGES)
def test_registration_errors_speak_the_language(user_client, language):
    response = user_client.post(
        reverse("oauth_apps:create"), {"save": "1"}, headers={"accept-language": language}
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert_speaks(
        page, language, "Enter the app name.", "Add at least one redirect URL.", "Choose at least one scope."
    )
    errors = len(response.context["form"].errors)
    summary = translated(
        language,
        "Please correct the field marked below.",
        "Please correct the %(counter)s fields marked below.",
        errors,
    )
    assert summary % {"counter": errors} in page


@pytest.mark.parametrize("language", LANGUAGES)
def test_credentials_page_speaks_the_language(user_client, form_data, png_icon, language):
    from django.core.files.uploadedfile import SimpleUploadedFile

    form_data["icon"] = SimpleUploadedFile("icon.png", png_icon, content_type="image/png")
    created = user_client.post(reverse("oauth_apps:create"), form_data, headers={"accept-language": language})
    assert created.status_code == 302
    page = user_client.get(created["Location"], headers={"accept-language": language}).content.decode()
    assert_speaks(
        page, language, "Client ID", "Client secret", "Copy the secret now. You will not see it again:"
    )


def test_javascript_catalog_revalidates_and_varies_by_language(client):
    first = client.get(reverse("javascript-catalog"))
    assert "Accept-Language" in first["Vary"]
    assert "Cookie" in first["Vary"]
    again = client.get(reverse("javascript-catalog"), headers={"if-modified-since": first["Last-Modified"]})
    assert again.status_code == 304


def test_counts_are_grouped_the_languages_way(user_client, make_app, user):
    import copy

    from oauth_apps.models import OAuthApplication

    app, _secret = make_app(user)
    copies = []
    for number in range(1233):
        clone = copy.copy(app)
        clone.pk = clone.id = None
        clone.name, clone.client_id, clone.name_key = f"Copy {number}", f"copy-{number}", f"copy {number}"
        copies.append(clone)
    OAuthApplication.objects.bulk_create(copies)
    for language, grouped in [("en", "1,234"), ("de", "1.234"), ("fr", "1\xa0234"), ("ru", "1\xa0234")]:
        page = user_client.get(LIST_URL, headers={"accept-language": language}).content.decode()
        summary = re.search(r'data-testid="list-count">([^<]*)<', page).group(1)
        assert summary.strip().startswith(grouped), language


@pytest.mark.parametrize("language", LANGUAGES)
def test_bad_request_page_speaks_the_language_without_a_request_context(client, language):
    response = client.get(LOGIN_URL, headers={"accept-language": language, "host": "evil.example"})
    assert response.status_code == 400
    page = response.content.decode()
    assert_speaks(
        page, language, "Bad request", "The request could not be understood. Go back and try again."
    )
    assert html_lang_dir(page)[0] == language


@pytest.mark.parametrize("language", LANGUAGES)
def test_too_many_requests_page_speaks_the_language_with_a_real_plural(client, db, settings, language):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "login": "1/5m"}
    form = {"username": "nobody", "password": "wrong"}
    client.post(LOGIN_URL, form, headers={"accept-language": language})
    response = client.post(LOGIN_URL, form, headers={"accept-language": language})
    assert response.status_code == 429
    page = response.content.decode()
    assert_speaks(page, language, "Too many requests")
    minutes = response.context["minutes"]
    text = translated(
        language,
        "You have tried this too often. Please wait about %(minutes)s minute and try again.",
        "You have tried this too often. Please wait about %(minutes)s minutes and try again.",
        minutes,
    )
    assert escape(text % {"minutes": minutes}) in page


SETTINGS_URL = reverse("settings")


def test_settings_page_saves_the_language_and_speaks_it_at_once(user_client, user):
    response = user_client.post(SETTINGS_URL, {"time_zone": "", "language": "ar"}, follow=True)
    assert Profile.objects.get(user=user).language == "ar"
    assert response.redirect_chain[0][0] == SETTINGS_URL
    page = response.content.decode()
    assert html_lang_dir(page) == ("ar", "rtl")
    assert '<option value="ar" selected>العربيّة</option>' in page


def test_settings_page_can_follow_the_browser_again(user_client, user):
    Profile.objects.create(user=user, language="ar")
    user_client.cookies[COOKIE] = "ar"
    response = user_client.post(SETTINGS_URL, {"time_zone": "", "language": ""})
    assert Profile.objects.get(user=user).language == ""
    assert response.cookies[COOKIE].value == ""
    assert (
        html_lang_dir(user_client.get(SETTINGS_URL, headers={"accept-language": "de"}).content.decode())[0]
        == "de"
    )


def test_settings_page_refuses_an_unoffered_language(user_client, user):
    response = user_client.post(SETTINGS_URL, {"time_zone": "", "language": "xx"})
    assert response.status_code == 400
    assert response.context["form"].has_error("language", code="invalid_choice")
    assert not Profile.objects.filter(user=user).exists()


def test_the_list_rows_follow_each_requests_language(user_client, make_app, user):
    # The rows' labels are drawn once per language and process (oauth_apps/views.py, _row_parts):
    # a page in one language must not leave its labels to the next page in another.
    make_app(user)
    for language, enabled in (("en", ">Enabled<"), ("de", ">Aktiviert<"), ("en", ">Enabled<")):
        rows = user_client.get(LIST_URL, headers={"accept-language": language}).context["rows_html"]
        assert enabled in rows
