"""A refused form (CSRF) gets the portal's own 403 page with a way back, never Django's."""

import re

import pytest
from django.test import Client, override_settings
from django.urls import reverse

LOGIN_URL = reverse("login")


def form_token(response) -> str:
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', response.content.decode()).group(1)


@pytest.fixture
def browser():
    return Client(enforce_csrf_checks=True)


def sign_in(browser, token, next_url=""):
    data = {"csrfmiddlewaretoken": token, "username": "alice", "password": "alice-password-1"}
    if next_url:
        data["next"] = next_url
    return browser.post(LOGIN_URL, data)


@pytest.mark.parametrize("debug", [False, True])
def test_stale_sign_in_form_after_signing_in_elsewhere_says_so(browser, user, debug):
    with override_settings(DEBUG=debug):
        tab_a = browser.get(LOGIN_URL)
        tab_b = browser.get(LOGIN_URL)
        assert sign_in(browser, form_token(tab_a)).status_code == 302
        response = sign_in(browser, form_token(tab_b), next_url="/settings/developer-tools/oauth/")
    page = response.content.decode()
    assert response.status_code == 403
    assert "CSRF verification failed" not in page
    assert "DEBUG" not in page
    assert "You are already signed in as <strong>alice</strong>" in page
    assert 'href="/settings/developer-tools/oauth/"' in page
    assert response["Cache-Control"] == "no-store"


def test_stale_sign_in_form_when_signed_out_offers_the_sign_in_page_again(browser, user):
    browser.get(LOGIN_URL)
    response = browser.post(
        LOGIN_URL,
        {"csrfmiddlewaretoken": "x" * 64, "username": "alice", "password": "alice-password-1", "next": "/x/"},
    )
    page = response.content.decode()
    assert response.status_code == 403
    assert "Sign in again" in page
    assert 'href="/accounts/login/?next=%2Fx%2F"' in page
    assert "_auth_user_id" not in browser.session


def test_foreign_next_is_not_offered(browser, user):
    response = browser.post(
        LOGIN_URL, {"username": "alice", "password": "x", "next": "https://evil.example/"}
    )
    page = response.content.decode()
    assert response.status_code == 403
    assert "evil.example" not in page
    assert f'href="{LOGIN_URL}"' in page


def test_other_forms_explain_and_link_back_to_the_referring_page(browser, user, make_app):
    app, _ = make_app(user)
    browser.force_login(user)
    confirm = app.get_absolute_url() + "disable/"
    response = browser.post(confirm, {}, headers={"Referer": "http://testserver" + confirm})
    page = response.content.decode()
    app.refresh_from_db()
    assert response.status_code == 403
    assert app.enabled is True
    assert "For your safety nothing was changed" in page
    assert f'href="http://testserver{confirm}"' in page


def test_a_foreign_referer_is_not_offered_as_the_way_back(browser, user, make_app):
    app, _ = make_app(user)
    browser.force_login(user)
    response = browser.post(
        app.get_absolute_url() + "disable/", {}, headers={"Referer": "https://evil.example/page"}
    )
    page = response.content.decode()
    assert response.status_code == 403
    assert "evil.example" not in page
    assert 'href="/"' in page


def test_admin_sign_in_form_is_offered_again(browser, staff_user):
    response = browser.post(reverse("admin:login"), {"username": "carol", "password": "x"})
    assert response.status_code == 403
    assert f'href="{reverse("admin:login")}"' in response.content.decode()
