import io
import time

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.utils import translation
from PIL import Image

from authserver import signing_keys
from common import ratelimit
from oauth_apps.icons import clean_icon
from oauth_apps.origins import clear_remembered as forget_origin_decisions

from .catalogs import compile_stale
from .helpers import register


def pytest_configure(config):
    """Compiled catalogs are build output: make them from the .po sources before anything translates."""
    compile_stale()


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Rate-limit counters, remembered CORS answers and the signing keys a process keeps must not leak."""
    cache.clear()
    forget_origin_decisions()
    signing_keys.clear_cache()
    yield
    cache.clear()
    forget_origin_decisions()
    signing_keys.clear_cache()


class StillClock:
    """The rate limiter's clock (common.ratelimit reads time.time()), standing still unless moved."""

    def __init__(self):
        self.now = time.time()

    def time(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture(autouse=True)
def ratelimit_clock(monkeypatch):
    """Rate limits count in windows fixed on the wall clock (a minute's, an hour's): a test
    whose requests straddle the end of one would find its count reset and its expected 429
    missing, more often the slower the machine. Here the limiter's clock stands still for
    the whole test; a test about windows ending moves it with `ratelimit_clock.advance()`."""
    clock = StillClock()
    monkeypatch.setattr(ratelimit, "time", clock)
    return clock


@pytest.fixture(autouse=True)
def _default_language():
    """A request in another language leaves it active in the thread: each test starts in English."""
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


def png_bytes(size=(32, 32), color=(45, 108, 223, 255)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGBA", size, color).save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.fixture
def png_icon():
    return png_bytes()


@pytest.fixture
def user(db):
    return get_user_model().objects.create_user("alice", "alice@example.com", "alice-password-1")


@pytest.fixture
def other_user(db):
    return get_user_model().objects.create_user("bob", "bob@example.com", "bob-password-1")


@pytest.fixture
def staff_user(db):
    return get_user_model().objects.create_user(
        "carol", "carol@example.com", "carol-password-1", is_staff=True
    )


def grant(user, *codenames):
    """Give `user` these oauth_apps permissions; returns the user fetched afresh (permissions are cached)."""
    from django.contrib.auth.models import Permission

    user.user_permissions.add(
        *Permission.objects.filter(content_type__app_label="oauth_apps", codename__in=codenames)
    )
    return get_user_model().objects.get(pk=user.pk)


@pytest.fixture
def reviewing(db):
    """The portal policy with the review of new apps switched on (docs/managing-apps.md)."""
    from oauth_apps.models import PortalPolicy

    policy = PortalPolicy.load()
    policy.review_new_apps = True
    policy.save()
    return policy


@pytest.fixture
def reviewer(db):
    """A staff member holding only the review permission."""
    member = get_user_model().objects.create_user(
        "rita", "rita@example.com", "rita-password-1", is_staff=True
    )
    return grant(member, "review_oauthapplication")


@pytest.fixture
def user_client(client, user):
    client.force_login(user)
    return client


@pytest.fixture
def form_data():
    """A complete, valid registration as the browser posts it (icon not included)."""
    return {
        "name": "Team Calendar",
        "website_url": "https://calendar.example.com",
        "description": "Shows room bookings.",
        "redirect_uris": ["https://calendar.example.com/oauth/callback", "http://127.0.0.1:8080/callback"],
        "allowed_origins": ["https://calendar.example.com"],
        "scopes": ["files:write", "accounts.self:read"],
        "privacy_policy_url": "https://calendar.example.com/privacy",
        "terms_of_service_url": "https://calendar.example.com/terms",
        "save": "1",
    }


@pytest.fixture
def make_app(db):
    """Register an app through the real service; returns (app, secret)."""
    counter = iter(range(1, 10_000))

    def make(owner, **overrides):
        number = next(counter)
        data = {
            "name": f"App number {number}",
            "website_url": "https://app.example.com",
            "description": "",
            "public_client": False,
            "redirect_uris": ["https://app.example.com/callback"],
            "allowed_origins": ["https://app.example.com"],
            "scopes": ["files:read"],
            "privacy_policy_url": "https://app.example.com/privacy",
            "terms_of_service_url": "https://app.example.com/terms",
            "icon": clean_icon(png_bytes(color=(number % 256, 10, 10, 255))),
        }
        data.update(overrides)
        return register(owner, data)

    return make


@pytest.fixture
def api_token(db):
    """A personal access token for a user: api_token(user, scopes=...) -> the token string."""
    from datetime import timedelta

    from django.utils import timezone

    from clients_api import tokens

    def make(owner, scopes=("clients:read", "clients:write"), days=30, name="ci"):
        value, _token = tokens.issue(
            owner, name=name, scopes=list(scopes), expires=timezone.now() + timedelta(days=days)
        )
        return value

    return make


@pytest.fixture
def api(client, user, api_token):
    """The OpenAPI-driven client, calling as `user` with a read/write token (see tests/openapi_client.py)."""
    from .openapi_client import OpenApiClient

    return OpenApiClient(client, api_token(user))
