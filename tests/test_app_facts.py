"""The Info page and the review queue show every field of the registration form (oauth_apps/facts.py).

A field added to the form reaches both pages, the API's answer and the OpenAPI
document without a line of its own; these tests fail when one of them is left out.
"""

import re

import pytest
from django import forms
from django.urls import reverse
from django.utils import translation

from clients_api import docs
from oauth_apps import facts
from oauth_apps.forms import ApplicationForm, WebURLField
from oauth_apps.models import OAuthApplication


def info_section(html: str) -> str:
    return html.split('aria-labelledby="facts-heading"')[1].split("</section>")[0]


def review_card(html: str, app) -> str:
    return html.split(f'data-app-id="{app.pk}"')[1].split("</dl>")[0]


def shown_text(value) -> list[str]:
    """What a stored value (as the audit trail has it) reads as on the page."""
    if isinstance(value, list):
        return [str(entry) for entry in value]
    if isinstance(value, bool):
        return ["Yes" if value else "No"]
    return [str(value)]


def every_form_field_is_shown(html: str, app):
    for name in ApplicationForm.Meta.fields:
        if name in facts.SHOWN_ELSEWHERE:
            continue
        field = ApplicationForm.base_fields[name]
        label = facts.label_of(name, field)
        assert re.search(rf"<dt>{re.escape(str(label))}</dt>", html), f"no fact for {name}"
        stored = app._meta.get_field(name).value_from_object(app)
        for text in shown_text(getattr(field, "audit_value", lambda value: value)(stored)):
            assert text in html, f"{name}: {text!r} not shown"


@pytest.fixture
def filled_app(make_app, user):
    """An app with a value in every field, so each one can be found on the page."""
    app, _secret = make_app(
        user, name="Facts Finder", description="Finds facts", scopes=["files:write", "accounts.self:read"]
    )
    empty = {
        name: f"{name.replace('_', '-')}@facts.example.com"
        for name in ApplicationForm.Meta.fields
        if app._meta.get_field(name).value_from_object(app) == ""
    }
    OAuthApplication.objects.filter(pk=app.pk).update(**empty)
    app.refresh_from_db()
    return app


def test_the_info_page_shows_every_field_the_form_edits(user_client, filled_app):
    html = user_client.get(filled_app.get_absolute_url()).content.decode()
    every_form_field_is_shown(info_section(html), filled_app)


def test_the_review_queue_shows_every_field_the_form_edits(reviewing, make_app, user, reviewer, client):
    app, _secret = make_app(user, name="Waiting Widget", description="Waits")
    client.force_login(reviewer)
    html = client.get(reverse("oauth_apps:review_queue")).content.decode()
    every_form_field_is_shown(review_card(html, app), app)


def test_the_facts_follow_the_form_and_leave_out_what_the_page_shows_elsewhere():
    names = facts.fact_names()
    assert set(names) == set(ApplicationForm.Meta.fields) - facts.SHOWN_ELSEWHERE
    assert names[: len(facts.FIRST)] == list(facts.FIRST)
    rest = [name for name in ApplicationForm.Meta.fields if name in names and name not in facts.FIRST]
    assert names[len(facts.FIRST) :] == rest


class FormWithAYesNo(ApplicationForm):
    class Meta(ApplicationForm.Meta):
        fields = [*ApplicationForm.Meta.fields, "enabled"]


@pytest.mark.parametrize(("language", "yes", "no"), [("en", "Yes", "No"), ("de", "Ja", "Nein")])
def test_a_yes_no_field_reads_yes_or_no_in_the_pages_language(
    monkeypatch, user_client, make_app, user, language, yes, no
):
    monkeypatch.setattr(facts, "ApplicationForm", FormWithAYesNo)
    on, _ = make_app(user)
    off, _ = make_app(user)
    OAuthApplication.objects.filter(pk=off.pk).update(enabled=False)
    user_client.cookies["django_language"] = language
    with translation.override(language):
        label = str(facts.label_of("enabled", FormWithAYesNo.base_fields["enabled"]))
    for app, word in ((on, yes), (off, no)):
        section = info_section(user_client.get(app.get_absolute_url()).content.decode())
        assert f"<dt>{label}</dt><dd>{word}</dd>" in section


def test_the_document_describes_a_form_field_openapi_yaml_does_not(monkeypatch):
    monkeypatch.setattr(docs, "ApplicationForm", FormWithAYesNo)
    spec = docs.document.__wrapped__()
    schemas = spec["components"]["schemas"]
    assert schemas["ClientFields"]["properties"]["enabled"] == {"type": "boolean"}
    answered = next(part for part in schemas["Client"]["allOf"] if "required" in part)["required"]
    assert answered.count("enabled") == 1
    # The written entries stay as written.
    assert schemas["ClientFields"]["properties"]["name"]["description"].startswith("Shown on consent screens")


def test_a_form_field_is_described_by_its_kind_limits_and_help_text():
    email = forms.EmailField(max_length=254, help_text="Where users ask for help.")
    assert docs.form_field_schema(email) == {
        "type": "string",
        "maxLength": 254,
        "format": "email",
        "description": "Where users ask for help.",
    }
    optional = forms.EmailField(max_length=254, required=False)
    assert docs.form_field_schema(optional)["anyOf"] == [{"const": ""}, {"format": "email"}]
    assert docs.form_field_schema(WebURLField(max_length=2000)) == {
        "type": "string",
        "maxLength": 2000,
        "format": "uri",
    }
    assert docs.form_field_schema(ApplicationForm.base_fields["redirect_uris"])["$ref"].endswith("/UrlList")
