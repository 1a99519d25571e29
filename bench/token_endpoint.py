"""Token endpoint cost with our client-secret hasher next to Django's PBKDF2, in one run.

In-process (Django's test client, a throwaway SQLite database): a confidential client
exchanges refresh tokens (each exchange rotates, so every request is a real one) and
authenticates with client_secret_basic. The only difference between the two runs is
how the app's secret is stored: our `client_secret_sha256` or `make_password(secret,
hasher="pbkdf2_sha256")`, which is what stock django-oauth-toolkit does.

Each run is bounded: at most REQUESTS requests or SECONDS seconds, whichever is first.
"""

import base64
import io
import os
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
os.environ.update(
    {
        "PORTAL_DATA_DIR": _data,
        "PORTAL_READ_DOT_ENV": "false",
        "DATABASE_URL": f"sqlite:///{_data}/bench.sqlite3",
        "DJANGO_ALLOWED_HOSTS": "testserver",
        "DJANGO_SETTINGS_MODULE": "docspace_portal.settings",
        "DJANGO_LOG_LEVEL": "ERROR",
    }
)
os.environ.pop("DJANGO_DEBUG", None)

from common.datadir import init_data_dir  # noqa: E402

init_data_dir(Path(_data), keys=True)

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.contrib.auth.hashers import make_password  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402
from oauth2_provider.models import get_access_token_model, get_refresh_token_model, set_token_value  # noqa: E402
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


def run(label: str, user, hasher: str | None) -> dict:
    form = ApplicationForm(
        {
            "name": f"Bench {label}",
            "website_url": "https://bench.example.com",
            "redirect_uris": ["https://bench.example.com/cb"],
            "allowed_origins": ["https://bench.example.com"],
            "scopes": ["accounts.self:read"],
            "privacy_policy_url": "https://bench.example.com/privacy",
            "terms_of_service_url": "https://bench.example.com/terms",
        },
        {"icon": icon()},
    )
    if not form.is_valid():
        raise SystemExit(f"bench app refused: {form.errors.as_data()}")
    app, secret = register_application(form.instance, user=user, icon=form.cleaned_data["icon"])
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
    print(f"Token endpoint, refresh_token grant with client_secret_basic ({sys.platform}, one process):")
    print(f"{'secret hasher':<16} {'stored as':<22} {'requests':>8} {'median ms':>10} {'requests/s':>11}")
    for row in results:
        print(
            f"{row['label']:<16} {row['stored']:<22} {row['requests']:>8} "
            f"{row['median_ms']:>10.1f} {row['per_second']:>11.1f}"
        )
    ours, stock = results
    print(f"PBKDF2 makes each token request {stock['median_ms'] / ours['median_ms']:.0f}x slower.")


if __name__ == "__main__":
    main()
