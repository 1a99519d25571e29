"""The admin screens we customised speak the admin's language, toolkit labels included."""

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape

from oauth_apps.models import OAuthApplication
from oauth_apps.toolkit_strings import TOOLKIT_CLIENT_TYPES, TOOLKIT_FIELD_LABELS, TOOLKIT_HELP_TEXTS

from .catalogs import assert_speaks

LANGUAGES = [code for code, _name in settings.LANGUAGES if code != "en"]


def test_toolkit_labels_are_the_toolkits_own():
    """If an upgrade renames one, our catalog stops translating it: update oauth_apps/toolkit_strings.py."""
    with translation.override("en"):
        for name, label in TOOLKIT_FIELD_LABELS.items():
            assert str(OAuthApplication._meta.get_field(name).verbose_name) == label
        for name, text in TOOLKIT_HELP_TEXTS.items():
            assert str(OAuthApplication._meta.get_field(name).help_text) == text
        choices = {
            value: str(label) for value, label in OAuthApplication._meta.get_field("client_type").choices
        }
        assert choices == TOOLKIT_CLIENT_TYPES


@pytest.mark.parametrize("language", LANGUAGES)
def test_admin_application_pages_speak_the_language(admin_client, user, make_app, language):
    app, _secret = make_app(user)
    headers = {"accept-language": language}
    changelist = admin_client.get(reverse("admin:oauth_apps_oauthapplication_changelist"), headers=headers)
    assert_speaks(
        changelist.content.decode(),
        language,
        "client type",
        "Enable selected applications",
        "Disable selected applications (revokes their authorizations)",
        "Confidential",
    )
    change = admin_client.get(
        reverse("admin:oauth_apps_oauthapplication_change", args=[app.pk]), headers=headers
    )
    assert_speaks(
        change.content.decode(),
        language,
        "Redirect URLs",
        "Allowed origins",
        "Where people are sent back after the consent screen. A request must name one of these exactly.",
        "privacy policy URL",
        "Audit trail",
    )


@pytest.mark.parametrize("language", LANGUAGES)
def test_admin_bulk_action_confirms_then_reports_with_a_real_plural(admin_client, user, make_app, language):
    apps = [make_app(user)[0] for _ in range(3)]
    url = reverse("admin:oauth_apps_oauthapplication_changelist")
    form = {"action": "disable_apps", "_selected_action": [app.pk for app in apps]}
    headers = {"accept-language": language}
    with translation.override(language):
        question = translation.ngettext(
            "Disable %(count)d application?", "Disable %(count)d applications?", 3
        )
        done = translation.ngettext("%(count)d app disabled.", "%(count)d apps disabled.", 3) % {"count": 3}
    confirmation = admin_client.post(url, form, headers=headers).content.decode()
    assert escape(question % {"count": 3}) in confirmation
    response = admin_client.post(url, {**form, "post": "yes"}, headers=headers, follow=True)
    assert done != "3 apps disabled."
    assert escape(done) in response.content.decode()
