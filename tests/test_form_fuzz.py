"""Random and adversarial registrations never raise a 500 or write half an app."""

import string

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from oauth_apps.models import OAuthApplication
from oauth_apps.scopes import SCOPES

NASTY = st.sampled_from(
    [
        "",
        " ",
        "\x00",
        "\u202e",
        "javascript:alert(1)",
        "https://ex\\@evil.com/",
        "https://a.example.com/#",
        "https://user:pw@a.example.com",
        "http://10.0.0.1/",
        "com.example.app:/cb",
        "https://a.example.com/" + "a" * 3000,
        "<script>alert(1)</script>",
        "' OR 1=1 --",
        "%00",
        "https://xn--80ak6aa92e.com/",
        "https://a.example.com:443",
        "null",
        "*",
    ]
)
TEXT = st.one_of(
    NASTY, st.text(alphabet=st.characters(codec="utf-8"), max_size=80), st.text(string.printable)
)
LISTS = st.lists(TEXT, max_size=14)
SCOPE_NAMES = st.lists(st.one_of(st.sampled_from([scope.name for scope in SCOPES]), TEXT), max_size=6)


@pytest.mark.django_db
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    # The registration form's fields, as a browser (or anyone) may post them.
    payload=st.fixed_dictionaries(
        {
            "name": TEXT,
            "website_url": TEXT,
            "redirect_uris": LISTS,
            "allowed_origins": LISTS,
            "scopes": SCOPE_NAMES,
            "privacy_policy_url": TEXT,
            "terms_of_service_url": TEXT,
        },
        optional={"public_client": st.just("on"), "icon": st.binary(max_size=200)},
    ),
)
def test_any_registration_answers_4xx_or_redirect(user, settings, payload):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "register": "100000/h"}
    client = Client(raise_request_exception=False)
    client.force_login(user)
    data = {**payload, "save": "1"}
    if "icon" in data:
        data["icon"] = SimpleUploadedFile("x.svg", data["icon"])
    before = OAuthApplication.objects.count()
    response = client.post(reverse("oauth_apps:create"), data)
    assert response.status_code in (302, 400)
    if response.status_code == 400:
        assert OAuthApplication.objects.count() == before
