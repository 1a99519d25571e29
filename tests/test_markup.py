"""Markup rules the accessibility checks found broken: every field named, lists stay lists."""

import re
from html.parser import HTMLParser

from django.urls import reverse


class Fields(HTMLParser):
    def __init__(self):
        super().__init__()
        self.inputs, self.label_for = [], set()

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "label" and attrs.get("for"):
            self.label_for.add(attrs["for"])
        if tag in ("input", "select", "textarea") and attrs.get("type") not in ("hidden", "submit"):
            self.inputs.append(attrs)


def unnamed_fields(html: str) -> list[dict]:
    parser = Fields()
    parser.feed(html)
    return [
        attrs
        for attrs in parser.inputs
        if attrs.get("id") not in parser.label_for and not attrs.get("aria-label") and not attrs.get("hidden")
    ]


def test_the_developer_token_field_has_a_label(user_client, user, make_app):
    app, _ = make_app(user)
    response = user_client.post(reverse("authserver:developer_tools", args=[app.pk]), {"generate": "1"})
    page = response.content.decode()
    assert 'data-testid="developer-token"' in page
    assert unnamed_fields(page) == []


def test_the_settings_page_fields_have_labels(user_client):
    assert unnamed_fields(user_client.get(reverse("settings")).content.decode()) == []


def test_the_messages_live_region_wraps_the_list(user_client, user, make_app):
    app, _ = make_app(user)
    user_client.post(reverse("oauth_apps:disable", args=[app.pk]))
    page = user_client.get(reverse("oauth_apps:list")).content.decode()
    assert re.search(r'<div class="messages-region" role="status">\s*<ul class="messages">\s*<li', page)
    assert not re.search(r"<ul[^>]*role=", page)


def test_every_error_summary_link_leads_to_its_field(user_client):
    response = user_client.post(reverse("oauth_apps:create"), {"save": "1"})
    page = response.content.decode()
    summary = page.split('id="form-errors"')[1].split("</div>")[0]
    targets = re.findall(r'<a href="#([^"]+)"', summary)
    assert response.status_code == 400
    assert len(targets) >= 5
    assert all(f'id="{target}"' in page for target in targets)
