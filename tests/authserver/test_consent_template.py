"""One consent template: the Info page's preview is the real consent screen, so it cannot drift."""

import re
from html.parser import HTMLParser

import pytest

LIST_URL = "/settings/developer-tools/oauth/"


class ConsentText(HTMLParser):
    """The visible text inside the element marked data-consent-screen."""

    def __init__(self):
        super().__init__()
        self.depth = 0
        self.parts = []

    def handle_starttag(self, tag, attrs):
        if self.depth:
            self.depth += tag not in ("img", "input", "br")
        elif "data-consent-screen" in dict(attrs):
            self.depth = 1

    def handle_endtag(self, tag):
        if self.depth:
            self.depth -= 1

    def handle_data(self, data):
        if self.depth:
            self.parts.append(data)


def consent_text(response) -> str:
    parser = ConsentText()
    parser.feed(response.content.decode())
    return re.sub(r"\s+", " ", "".join(parser.parts)).strip()


@pytest.mark.parametrize("which", ["public_app", "confidential_app"])
def test_preview_and_consent_screen_say_the_same(user_client, flow, request, which):
    app = request.getfixturevalue(which)
    app = app[0] if isinstance(app, tuple) else app
    preview = consent_text(user_client.get(app.get_absolute_url()))
    real = consent_text(flow.authorize(app))
    assert real
    assert preview == real


def test_a_native_redirect_names_the_same_host_in_both(user_client, flow, public_app):
    assert public_app.redirect_uri_list[0] == "com.example.app:/oauth2redirect"
    host = "You will be sent back to com.example.app."
    assert host in consent_text(user_client.get(public_app.get_absolute_url()))
    assert host in consent_text(flow.authorize(public_app))


def test_the_preview_sends_nothing(user_client, public_app):
    page = user_client.get(public_app.get_absolute_url()).content.decode()
    preview = page.split("data-consent-screen")[1].split("</section>")[0]
    assert "<form" not in preview
    assert preview.count(" disabled>") == 3


def test_the_consent_screen_carries_the_brand_but_not_the_developer_navigation(flow, public_app):
    page = flow.authorize(public_app).content.decode()
    assert 'class="brand"' in page
    assert f'href="{LIST_URL}"' not in page
    assert "Developer Tools" not in page
    assert 'class="topnav"' not in page


def test_the_authorize_error_page_has_no_developer_navigation_either(flow, public_app):
    response = flow.authorize(public_app, redirect_uri="https://not-registered.example.com/cb")
    page = response.content.decode()
    assert response.status_code == 400
    assert 'class="brand"' in page
    assert 'class="topnav"' not in page


def test_portal_pages_keep_the_navigation(user_client):
    assert f'href="{LIST_URL}"' in user_client.get(LIST_URL).content.decode()


RESOURCE_API = "http://testserver/api/2.0"
RESOURCE_MCP = "https://mcp.example.com/mcp"


def test_the_screen_names_the_resource_asked_for(flow, public_app, settings):
    settings.RESOURCE_INDICATORS = [RESOURCE_MCP]
    page = flow.authorize(public_app, scope="accounts.self:read", resource=RESOURCE_MCP)
    assert page.status_code == 200
    text = consent_text(page)
    assert f"For use with {RESOURCE_MCP}" in text
    # Near the scopes: after the list, before the line about where the person is sent back.
    assert text.index("For use with") < text.index("You will be sent back")
    assert RESOURCE_API not in text


def test_without_a_resource_the_screen_names_none(flow, public_app):
    page = flow.authorize(public_app, scope="accounts.self:read")
    assert page.status_code == 200
    assert "For use with" not in consent_text(page)
    assert 'data-testid="consent-resource"' not in page.content.decode()


def test_every_resource_asked_for_is_named_once(flow, public_app, settings):
    from urllib.parse import urlencode

    settings.RESOURCE_INDICATORS = [RESOURCE_MCP]
    params = flow.params(public_app, scope="accounts.self:read")
    query = urlencode(
        [*params.items(), ("resource", RESOURCE_MCP), ("resource", RESOURCE_API), ("resource", RESOURCE_MCP)]
    )
    page = flow.client.get(f"/oauth/authorize/?{query}")
    assert page.status_code == 200
    text = consent_text(page)
    assert text.count("For use with") == 2
    assert f"For use with {RESOURCE_MCP}" in text
    assert f"For use with {RESOURCE_API}" in text


def test_an_unknown_resource_never_reaches_the_screen(flow, public_app):
    page = flow.authorize(public_app, scope="accounts.self:read", resource="https://evil.example/api")
    assert page.status_code == 302
    assert "invalid_target" in page["Location"]
