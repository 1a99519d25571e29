"""Rate limits answer 429 with a clear page, counted in the shared cache."""

import pytest
from django.test import Client
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


# --- sign-in: failed attempts only, one limiter, one username -------------------------


def test_correct_sign_ins_from_one_address_never_lock_anyone_out(db, settings, django_user_model):
    """Ten colleagues sign in correctly from one office address; the eleventh still can."""
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "login": "10/5m"}
    for n in range(11):
        django_user_model.objects.create_user(f"colleague{n}", password=f"pass-{n}-word")
    for n in range(11):
        client = Client()
        response = client.post(reverse("login"), {"username": f"colleague{n}", "password": f"pass-{n}-word"})
        assert response.status_code == 302, n
        assert client.session["_auth_user_id"]


def test_failures_still_count_beside_successes(client, user, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "login": "2/d"}
    url = reverse("login")
    Client().post(url, {"username": "alice", "password": "alice-password-1"})  # counted, then taken back
    statuses = [client.post(url, {"username": "alice", "password": "wrong"}).status_code for _ in range(3)]
    assert statuses == [200, 200, 429]


@pytest.mark.parametrize("variant", ["\uff42\uff4f\uff42", "\uff42ob", "b\uff4fb", "BOB", " Bob "])
def test_username_variants_share_one_count(client, other_user, settings, variant):
    """Django signs `ｂｏｂ` in as bob (NFKC), so the limit must count it as bob too."""
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "login": "2/d"}
    url = reverse("login")
    for n in range(2):
        client.post(url, {"username": "bob", "password": "wrong"}, REMOTE_ADDR=f"10.0.1.{n}")
    response = client.post(url, {"username": variant, "password": "bob-password-1"}, REMOTE_ADDR="10.0.1.9")
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_the_admin_sign_in_is_limited_and_shares_the_count(client, db, settings, django_user_model):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "login": "3/d"}
    django_user_model.objects.create_superuser("root", "root@example.com", "root-password-1")
    admin_login = reverse("admin:login")
    assert admin_login == "/admin/login/"
    client.post(reverse("login"), {"username": "root", "password": "wrong"})
    for _ in range(2):
        assert client.post(admin_login, {"username": "root", "password": "wrong"}).status_code == 200
    response = client.post(admin_login, {"username": "root", "password": "root-password-1"})
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_admin_sign_in_still_works(client, db, django_user_model):
    django_user_model.objects.create_superuser("root", "root@example.com", "root-password-1")
    response = client.post(reverse("admin:login"), {"username": "root", "password": "root-password-1"})
    assert response.status_code == 302
    assert client.get(reverse("admin:index")).status_code == 200


def test_the_page_says_how_many_tries_are_left_once_few_remain(client, user, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "login": "5/5m"}
    url = reverse("login")
    pages = [client.post(url, {"username": "alice", "password": "wrong"}) for _ in range(5)]
    assert [page.context.get("tries_left") for page in pages] == [None, 3, 2, 1, 0]
    assert 'data-testid="tries-left"' not in pages[0].content.decode()
    assert "You have 3 more tries before signing in is paused for up to" in pages[1].content.decode()
    assert "You have 1 more try before" in pages[3].content.decode()
    assert "That was the last try" in pages[4].content.decode()


def test_the_admin_page_says_how_many_tries_are_left(client, db, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "login": "2/5m"}
    page = client.post(reverse("admin:login"), {"username": "root", "password": "wrong"})
    assert page.status_code == 200
    assert "You have 1 more try before" in page.content.decode()


def test_the_count_starts_afresh_when_the_window_ends(client, db, settings, ratelimit_clock):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "login": "1/m"}
    url = reverse("login")
    responses = [client.post(url, {"username": "a", "password": "b"}) for _ in range(2)]
    assert [response.status_code for response in responses] == [200, 429]
    ratelimit_clock.advance(int(responses[-1]["Retry-After"]))  # to the start of the next window
    assert client.post(url, {"username": "a", "password": "b"}).status_code == 200
