"""The consent screen speaks the end user's language: ui_locales, then their choice, then Accept-Language."""

import re

import pytest
from django.conf import settings

from ..catalogs import assert_speaks

LANGUAGES = [code for code, _name in settings.LANGUAGES if code != "en"]


def lang_of(response) -> str:
    return re.search(r'<html lang="([^"]+)"', response.content.decode()).group(1)


@pytest.mark.parametrize("language", LANGUAGES)
def test_consent_speaks_the_ui_locales_language(flow, confidential_app, language):
    app, _secret = confidential_app
    response = flow.authorize(app, ui_locales=f"tlh {language}")
    page = response.content.decode()
    assert response.status_code == 200
    assert lang_of(response) == language
    assert response["Content-Language"] == language
    assert_speaks(page, language, "Allow", "Deny", "View and manage basic information about your profile")
    assert f'name="ui_locales" value="tlh {language}"' in page


@pytest.mark.parametrize("language", LANGUAGES)
def test_consent_speaks_the_accept_language(flow, confidential_app, language):
    app, _secret = confidential_app
    flow.client.defaults["HTTP_ACCEPT_LANGUAGE"] = language
    response = flow.authorize(app)
    assert lang_of(response) == language
    assert_speaks(response.content.decode(), language, "Allow", "View all accounts", "Privacy policy")


def test_ui_locales_wins_over_the_persons_choice_and_accept_language(flow, confidential_app):
    app, _secret = confidential_app
    flow.client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    flow.client.defaults["HTTP_ACCEPT_LANGUAGE"] = "de"
    assert lang_of(flow.authorize(app, ui_locales="ar-EG")) == "ar"


def test_the_persons_choice_wins_over_accept_language(flow, confidential_app):
    app, _secret = confidential_app
    flow.client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    flow.client.defaults["HTTP_ACCEPT_LANGUAGE"] = "ar"
    assert lang_of(flow.authorize(app)) == "zh-hans"


@pytest.mark.parametrize("ui_locales", ["tlh", "", "x" * 300, "en_US<script>", "zh-Hant-TW-x-" + "a" * 40])
def test_unsupported_or_malformed_ui_locales_fall_back(flow, confidential_app, ui_locales):
    app, _secret = confidential_app
    flow.client.defaults["HTTP_ACCEPT_LANGUAGE"] = "ar"
    response = flow.authorize(app, ui_locales=ui_locales)
    assert response.status_code == 200
    assert lang_of(response) == "ar"


def test_error_page_of_the_authorize_endpoint_speaks_ui_locales(flow, confidential_app):
    app, _secret = confidential_app
    response = flow.authorize(app, redirect_uri="https://elsewhere.example/cb", ui_locales="zh-CN")
    assert response.status_code == 400
    assert lang_of(response) == "zh-hans"
    assert_speaks(
        response.content.decode(),
        "zh-hans",
        "This sign-in link does not work",
        "The redirect URL in this request is not registered for this application.",
    )


def test_allow_keeps_working_with_ui_locales(flow, confidential_app):
    app, _secret = confidential_app
    response = flow.consent(app, ui_locales="ar")
    assert response.status_code == 302
    assert response["Location"].startswith(app.redirect_uri_list[0] + "?code=")


def test_an_arabic_app_name_keeps_its_direction_in_an_english_sentence(flow, make_app, user):
    app, _secret = make_app(user, name="تقويم الفريق")
    page = flow.authorize(app).content.decode()
    assert '<bdi dir="auto">تقويم الفريق</bdi>' in page


def test_switching_language_on_the_consent_screen_drops_ui_locales_so_the_choice_shows(
    flow, confidential_app
):
    app, _secret = confidential_app
    page = flow.authorize(app, ui_locales="ar").content.decode()
    next_url = re.search(r'<input type="hidden" name="next" value="([^"]+)">', page).group(1)
    assert "ui_locales" not in next_url
    assert "client_id=" in next_url
    response = flow.client.post(
        "/i18n/setlang/", {"language": "zh-hans", "next": next_url.replace("&amp;", "&")}
    )
    assert lang_of(flow.client.get(response["Location"])) == "zh-hans"
