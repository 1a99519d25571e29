"""Every page carries the security headers, with scripts only by nonce or from static/."""

import re

import pytest
from django.test import Client
from django.urls import reverse

PAGES = ["oauth_apps:list", "oauth_apps:create", "admin:index"]


def policy(response) -> dict[str, str]:
    return {
        part.strip().split(" ", 1)[0]: part.strip().partition(" ")[2]
        for part in response["Content-Security-Policy"].split(";")
        if part.strip()
    }


@pytest.fixture
def staff_client(client, staff_user):
    staff_user.is_superuser = True
    staff_user.save()
    client.force_login(staff_user)
    return client


@pytest.mark.parametrize("name", PAGES)
def test_page_has_strict_security_headers(staff_client, name):
    response = staff_client.get(reverse(name))
    csp = policy(response)
    assert response.status_code == 200
    assert csp["default-src"] == "'none'"
    # django-csp adds the nonce only to pages that use one.
    assert re.fullmatch(r"'self'( 'nonce-[\w+/=-]+')?", csp["script-src"])
    assert csp["frame-ancestors"] == "'none'"
    assert "unsafe-inline" not in csp.get("script-src", "")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"


def test_sign_in_page_has_the_policy_too(client):
    assert policy(client.get(reverse("login")))["default-src"] == "'none'"


@pytest.mark.parametrize("name", ["oauth_apps:list", "oauth_apps:create", "login"])
def test_portal_pages_have_no_inline_scripts_or_handlers(staff_client, name):
    response = (Client() if name == "login" else staff_client).get(reverse(name))
    page = response.content.decode()
    assert response.status_code == 200
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", page)
    assert not re.search(r"\son[a-z]+\s*=", page)
    assert not re.search(r"\sstyle\s*=", page)
