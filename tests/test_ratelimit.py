"""Rate limits answer 429 with a clear page, counted in the shared cache."""

import pytest
from django.urls import reverse

from common.ratelimit import Rate


@pytest.mark.parametrize(
    ("text", "count", "seconds"), [("10/5m", 10, 300), ("20/h", 20, 3600), ("3/s", 3, 1), ("1/2d", 1, 172800)]
)
def test_rate_text_is_parsed(text, count, seconds):
    assert Rate.parse(text) == Rate(count, seconds)


@pytest.mark.parametrize("text", ["", "10", "ten/m", "10/5x", "10/-5m"])
def test_bad_rate_text_is_refused(text):
    with pytest.raises(ValueError, match="COUNT"):
        Rate.parse(text)


def test_sign_in_is_limited_per_address(client, user, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "login": "3/d"}
    url = reverse("login")
    statuses = [client.post(url, {"username": f"nobody{n}", "password": "x"}).status_code for n in range(4)]
    assert statuses == [200, 200, 200, 429]


def test_sign_in_is_limited_per_username_across_addresses(client, user, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "login": "2/d"}
    url = reverse("login")
    for n in range(2):
        client.post(url, {"username": "alice", "password": "wrong"}, REMOTE_ADDR=f"10.0.0.{n}")
    response = client.post(url, {"username": "ALICE", "password": "alice-password-1"}, REMOTE_ADDR="10.0.0.9")
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_limited_page_says_when_to_retry(client, db, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "login": "1/m"}
    # Three tries: even if a minute boundary falls between two, one pair shares a window.
    responses = [client.post(reverse("login"), {"username": "a", "password": "b"}) for _ in range(3)]
    response = responses[-1]
    assert response.status_code == 429
    assert 1 <= int(response["Retry-After"]) <= 60  # what is left of the one-minute window
    assert "Too many requests" in response.content.decode()


def test_registration_is_limited_per_user(user_client, settings, form_data):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "register": "2/h"}
    url = reverse("oauth_apps:create")
    form_data["name"] = ""
    statuses = [user_client.post(url, form_data).status_code for _ in range(3)]
    assert statuses == [400, 400, 429]


def test_reading_pages_is_not_limited(user_client, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "register": "1/h"}
    url = reverse("oauth_apps:create")
    assert [user_client.get(url).status_code for _ in range(3)] == [200, 200, 200]


def test_developer_token_generation_is_limited_per_user(user_client, user, make_app, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "token": "2/d"}
    app, _ = make_app(user)
    url = reverse("authserver:developer_tools", args=[app.pk])
    statuses = [user_client.post(url, {"generate": "1"}).status_code for _ in range(3)]
    assert statuses == [200, 200, 429]


def test_revoking_a_pasted_token_is_not_counted_as_generation(user_client, user, make_app, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "token": "1/d"}
    app, _ = make_app(user)
    url = reverse("authserver:developer_tools", args=[app.pk])
    statuses = [user_client.post(url, {"revoke": "1", "token": "nope"}).status_code for _ in range(3)]
    assert statuses == [302, 302, 302]
