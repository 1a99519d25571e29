"""Token endpoint and bearer-token calls, each next to a minimal view's time, in one run.

In-process (Django's test client, a throwaway SQLite database), a confidential client
authenticating with client_secret_basic:

1. refresh grant with our client-secret hasher next to Django's PBKDF2: each exchange
   rotates, so every request is a real one; the only difference between the two runs
   is how the app's secret is stored: our `client_secret_sha256` or
   `make_password(secret, hasher="pbkdf2_sha256")`, which is what stock
   django-oauth-toolkit does;
2. authorization-code exchange (a fresh PKCE code for every request, made untimed);
3. userinfo and an API call (GET /api/2.0/people/@self) with a bearer token;

and a minimal view served by the same middleware (the floor every request pays).
Each run is bounded: at most REQUESTS requests or SECONDS seconds, whichever is first.
"""

import atexit
import base64
import hashlib
import io
import os
import secrets
import shutil
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

REQUESTS = 200
SECONDS = 8.0

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
_data = tempfile.mkdtemp(prefix="portal-bench-")
atexit.register(shutil.rmtree, _data, ignore_errors=True)
os.environ.update(
    {
        "PORTAL_DATA_DIR": _data,
        "PORTAL_READ_DOT_ENV": "false",
        "DATABASE_URL": f"sqlite:///{_data}/bench.sqlite3",
        "DJANGO_ALLOWED_HOSTS": "testserver",
        "DJANGO_SETTINGS_MODULE": "bench._settings",
        "DJANGO_LOG_LEVEL": "ERROR",
    }
)
os.environ.pop("DJANGO_DEBUG", None)

from bench._http import load_average  # noqa: E402
from common.datadir import init_data_dir  # noqa: E402

init_data_dir(Path(_data), keys=True)

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.contrib.auth.hashers import make_password  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402
from oauth2_provider.models import (  # noqa: E402
    get_access_token_model,
    get_grant_model,
    get_refresh_token_model,
    set_token_value,
)
from PIL import Image  # noqa: E402

from oauth_apps.forms import ApplicationForm  # noqa: E402
from oauth_apps.icons import clean_icon  # noqa: E402
from oauth_apps.models import OAuthApplication  # noqa: E402
from oauth_apps.services import register_application  # noqa: E402


def icon():
    buffer = io.BytesIO()
    Image.new("RGBA", (32, 32), (45, 108, 223, 255)).save(buffer, format="PNG")
    return clean_icon(buffer.getvalue())


def first_refresh_token(user, app) -> str:
    access = get_access_token_model()(
        user=user, application=app, scope="accounts.self:read", expires=timezone.now() + timedelta(hours=1)
    )
    set_token_value(access, f"bench-access-{app.pk}")
    access.save()
    refresh = get_refresh_token_model()(user=user, application=app, access_token=access)
    set_token_value(refresh, f"bench-refresh-{app.pk}")
    refresh.save()
    return f"bench-refresh-{app.pk}"


REDIRECT_URI = "https://bench.example.com/cb"


def bench_app(user, label):
    """Register a confidential app through the registration form and service; return (app, secret)."""
    form = ApplicationForm(
        {
            "name": f"Bench {label}",
            "website_url": "https://bench.example.com",
            "redirect_uris": [REDIRECT_URI],
            "allowed_origins": ["https://bench.example.com"],
            "scopes": ["accounts.self:read", "openid"],
            "privacy_policy_url": "https://bench.example.com/privacy",
            "terms_of_service_url": "https://bench.example.com/terms",
        },
        {"icon": icon()},
    )
    if not form.is_valid():
        raise SystemExit(f"bench app refused: {form.errors.as_data()}")
    return register_application(form.instance, user=user, icon=form.cleaned_data["icon"])


def timed(label: str, send, *, prepare=None) -> dict:
    """Median of `send()` (a response that must be 200), at most REQUESTS or SECONDS."""
    timings = []
    started = time.perf_counter()
    while len(timings) < REQUESTS and time.perf_counter() - started < SECONDS:
        argument = prepare() if prepare else None
        before = time.perf_counter()
        response = send(argument)
        timings.append(time.perf_counter() - before)
        if response.status_code != 200:
            raise SystemExit(f"{label}: answered {response.status_code}: {response.content[:200]}")
    return {"label": label, "requests": len(timings), "median_ms": statistics.median(timings) * 1000}


def other_paths(user) -> list[dict]:
    """The code exchange, userinfo and an API call, and the minimal view, timed the same way."""
    app, secret = bench_app(user, "code")
    auth = "Basic " + base64.b64encode(f"{app.client_id}:{secret}".encode()).decode()
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    client = Client()

    def new_code(_=None):
        code = secrets.token_urlsafe(30)
        get_grant_model().objects.create(
            user=user,
            application=app,
            code=code,
            expires=timezone.now() + timedelta(minutes=1),
            redirect_uri=REDIRECT_URI,
            scope="accounts.self:read openid",
            code_challenge=challenge,
            code_challenge_method="S256",
        )
        return code

    def exchange(code):
        return client.post(
            "/oauth/token/",
            {
                "grant_type": "authorization_code",
                "code": code,
                "redirect_uri": REDIRECT_URI,
                "code_verifier": verifier,
            },
            HTTP_AUTHORIZATION=auth,
        )

    access = exchange(new_code()).json()["access_token"]
    bearer = f"Bearer {access}"
    return [
        timed("minimal view (floor)", lambda _: client.get("/bench/minimal/")),
        timed("authorization-code exchange", exchange, prepare=new_code),
        timed("userinfo (bearer token)", lambda _: client.get("/oauth/userinfo/", HTTP_AUTHORIZATION=bearer)),
        timed(
            "API call (bearer token)",
            lambda _: client.get("/api/2.0/people/@self", HTTP_AUTHORIZATION=bearer),
        ),
        timed(
            "API call from an allowed origin",
            lambda _: client.get(
                "/api/2.0/people/@self", HTTP_AUTHORIZATION=bearer, HTTP_ORIGIN="https://bench.example.com"
            ),
        ),
    ]


def run(label: str, user, hasher: str | None) -> dict:
    app, secret = bench_app(user, label)
    if hasher is not None:
        OAuthApplication.objects.filter(pk=app.pk).update(client_secret=make_password(secret, hasher=hasher))
    stored = OAuthApplication.objects.get(pk=app.pk).client_secret.split("$", 1)[0]
    auth = "Basic " + base64.b64encode(f"{app.client_id}:{secret}".encode()).decode()
    client = Client()
    refresh_token = first_refresh_token(user, app)
    timings = []
    started = time.perf_counter()
    while len(timings) < REQUESTS and time.perf_counter() - started < SECONDS:
        before = time.perf_counter()
        response = client.post(
            "/oauth/token/",
            {"grant_type": "refresh_token", "refresh_token": refresh_token},
            HTTP_AUTHORIZATION=auth,
        )
        timings.append(time.perf_counter() - before)
        if response.status_code != 200:
            raise SystemExit(
                f"{label}: token endpoint answered {response.status_code}: {response.content[:200]}"
            )
        refresh_token = response.json()["refresh_token"]
    elapsed = time.perf_counter() - started
    return {
        "label": label,
        "stored": stored,
        "requests": len(timings),
        "median_ms": statistics.median(timings) * 1000,
        "per_second": len(timings) / elapsed,
    }


def main():
    call_command("migrate", verbosity=0)
    user = get_user_model().objects.create_user("bench", "bench@example.com", "bench-password-1")
    results = [run("ours", user, None), run("stock PBKDF2", user, "pbkdf2_sha256")]
    print(f"Load average: {load_average()}.")
    print(f"Token endpoint, refresh_token grant with client_secret_basic ({sys.platform}, one process):")
    print(f"{'secret hasher':<16} {'stored as':<22} {'requests':>8} {'median ms':>10} {'requests/s':>11}")
    for row in results:
        print(
            f"{row['label']:<16} {row['stored']:<22} {row['requests']:>8} "
            f"{row['median_ms']:>10.1f} {row['per_second']:>11.1f}"
        )
    ours, stock = results
    print(f"PBKDF2 makes each token request {stock['median_ms'] / ours['median_ms']:.0f}x slower.")
    rows = other_paths(user)
    floor = rows[0]["median_ms"]
    refreshes = [
        {
            "label": f"refresh grant ({row['label']}, above)",
            "requests": row["requests"],
            "median_ms": row["median_ms"],
        }
        for row in results
    ]
    print("\nNext to a minimal view (same process, same middleware):")
    print(f"{'request':<36} {'requests':>8} {'median ms':>10} {'x floor':>8}")
    for row in [rows[0], *refreshes, *rows[1:]]:
        median = row["median_ms"]
        print(f"{row['label']:<36} {row['requests']:>8} {median:>10.2f} {median / floor:>7.1f}x")


if __name__ == "__main__":
    main()
