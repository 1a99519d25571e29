"""The URL rules live on the model: a ModelForm built anywhere applies them, with the same codes."""

import pytest
from django import forms

from oauth_apps.models import ClientType, OAuthApplication

pytestmark = pytest.mark.django_db


class BareForm(forms.ModelForm):
    """A plain ModelForm, as another app or a script might build one: none of our form fields."""

    class Meta:
        model = OAuthApplication
        fields = [
            "name",
            "website_url",
            "privacy_policy_url",
            "terms_of_service_url",
            "redirect_uris",
            "allowed_origins",
            "client_type",
        ]


def bare(**overrides):
    data = {
        "name": "Plain form app",
        "website_url": "https://app.example.com",
        "privacy_policy_url": "https://app.example.com/privacy",
        "terms_of_service_url": "https://app.example.com/terms",
        "redirect_uris": "https://app.example.com/callback",
        "allowed_origins": "https://app.example.com",
        "client_type": ClientType.CONFIDENTIAL,
        **overrides,
    }
    form = BareForm(data)
    form.is_valid()
    return {field: [error.code for error in errors.as_data()] for field, errors in form.errors.items()}


def test_valid_values_pass_a_bare_model_form():
    assert bare() == {}


@pytest.mark.parametrize(
    ("field", "value", "code"),
    [
        ("website_url", "javascript:alert(1)", "scheme_not_allowed"),
        ("privacy_policy_url", "https://user:pw@app.example.com/privacy", "url_userinfo"),
        ("terms_of_service_url", "http://app.example.com/terms", "insecure_scheme"),
        ("redirect_uris", "https://app.example.com/cb#frag", "redirect_fragment"),
        ("allowed_origins", "null", "origin_null"),
        ("allowed_origins", "https://app.example.com/path", "origin_not_bare"),
    ],
)
def test_a_bare_model_form_refuses_what_the_page_refuses(field, value, code):
    errors = bare(**{field: value})
    assert list(errors) == [field]
    assert code in errors[field]


def test_private_use_redirects_depend_on_the_client_type():
    native = "com.example.app:/oauth2redirect"
    assert bare(redirect_uris=native, client_type=ClientType.PUBLIC) == {}
    assert "redirect_uris" in bare(redirect_uris=native, client_type=ClientType.CONFIDENTIAL)


def test_every_bad_entry_of_a_list_is_reported_once():
    errors = bare(redirect_uris="https://a.example.com/cb#x https://b.example.com/cb#y")
    assert errors == {"redirect_uris": ["redirect_fragment", "redirect_fragment"]}
