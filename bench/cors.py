"""What does a browser's cross-origin call cost at 100, 10,000 and 100,000 apps?

Seeds a throwaway database (SQLite, or PostgreSQL beside DATABASE_URL), serves it
with gunicorn on loopback (one sync worker), and times over HTTP, next to a
minimal view from the same run:

- a CORS preflight (OPTIONS with Origin and Access-Control-Request-Method) to the
  API, from an origin one app allows, from one that hundreds of seeded apps
  share, and from an origin no app allows; and the same OPTIONS without Origin;
- an API call with a bearer token (GET /api/2.0/people/@self) with an allowed
  Origin header, and the same call without one.

The origin is decided by one indexed lookup (authserver/cors.py), so the "with
Origin" rows should stay within a small constant of the "without" rows at every size.

    .venv/bin/python bench/cors.py
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/cors.py
"""

import os
import sys
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))

from bench._http import FLOOR, Server, configure, load_average, measure, request, seed  # noqa: E402
from bench._throwaway import throwaway_database  # noqa: E402

SIZES = tuple(int(size) for size in os.environ.get("BENCH_SIZES", "100,10000,100000").split(","))
RUNS = int(os.environ.get("BENCH_RUNS", "30"))
API = "/api/2.0/people/@self"
SPA = "https://spa.bench-cors.example.com"


def main():
    drop, where = throwaway_database()
    configure()
    try:
        run(where)
    finally:
        drop()


def make_client():
    """An app allowing SPA, and an access token of a user for it; return the token."""
    import io
    from datetime import timedelta

    from django.contrib.auth import get_user_model
    from django.utils import timezone
    from oauth2_provider.models import get_access_token_model, set_token_value
    from PIL import Image

    from oauth_apps.forms import ApplicationForm
    from oauth_apps.icons import clean_icon
    from oauth_apps.services import register_application

    user = get_user_model().objects.create_user("cors-bench", password="cors-bench-password-1")
    buffer = io.BytesIO()
    Image.new("RGBA", (32, 32), (45, 108, 223, 255)).save(buffer, format="PNG")
    form = ApplicationForm(
        {
            "name": "CORS bench single-page app",
            "website_url": SPA,
            "redirect_uris": [f"{SPA}/callback"],
            "allowed_origins": [SPA],
            "scopes": ["accounts.self:read"],
            "privacy_policy_url": f"{SPA}/privacy",
            "terms_of_service_url": f"{SPA}/terms",
            "public_client": "on",
        },
        {"icon": clean_icon(buffer.getvalue())},
    )
    if not form.is_valid():
        raise SystemExit(f"bench app refused: {form.errors.as_data()}")
    app, _secret = register_application(form.instance, user=user, icon=form.cleaned_data["icon"])
    token = get_access_token_model()(
        user=user, application=app, scope="accounts.self:read", expires=timezone.now() + timedelta(days=1)
    )
    set_token_value(token, "cors-bench-access-token-value")
    token.save()
    return "cors-bench-access-token-value"


def cases(token, shared_origin):
    bearer = {"Authorization": f"Bearer {token}"}
    preflight = {"Access-Control-Request-Method": "GET", "Access-Control-Request-Headers": "authorization"}
    return [
        ("minimal view (floor)", "GET", FLOOR, {}, None),
        ("preflight, no Origin", "OPTIONS", API, preflight, None),
        ("preflight, allowed origin", "OPTIONS", API, {**preflight, "Origin": SPA}, SPA),
        (
            "preflight, origin of many apps",
            "OPTIONS",
            API,
            {**preflight, "Origin": shared_origin},
            shared_origin,
        ),
        ("preflight, unknown origin", "OPTIONS", API, {**preflight, "Origin": "https://nobody.example"}, ""),
        ("API call, no Origin", "GET", API, bearer, None),
        ("API call, allowed origin", "GET", API, {**bearer, "Origin": SPA}, SPA),
    ]


def run(where):
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connections
    from django.db.models import Count

    from oauth_apps.models import AllowedOrigin

    call_command("migrate", verbosity=0)
    token = make_client()
    print(f"Database: {where}; gunicorn, 1 sync worker, loopback.")
    print(f"{RUNS} timed requests per row after 3 warm-ups.")
    print(f"Times in ms for the whole HTTP round trip. Load average at start: {load_average()}.\n")
    header = f"{'apps':>8}  {'request':<34} {'median':>8} {'p95':>8} {'x floor':>8} {'x no Origin':>12}"
    print(header)
    print("-" * len(header))
    seeded = 1
    for size in SIZES:
        seconds = seed(size, seeded)
        seeded = size
        shared = AllowedOrigin.objects.values("origin").annotate(apps=Count("pk")).order_by("-apps").first()
        connections.close_all()
        with Server() as server:
            floor = baseline = None
            for label, method, path, headers, expect in cases(token, shared["origin"]):

                def send(method=method, path=path, headers=headers, expect=expect, port=server.port):
                    elapsed, status, answer, _body = request(port, path, method=method, headers=headers)
                    allowed = answer.get("Access-Control-Allow-Origin", "")
                    if status != 200 or (expect is not None and allowed != expect):
                        raise SystemExit(f"{method} {path} {headers}: {status}, allowed {allowed!r}")
                    return elapsed

                median, p95 = measure(send, runs=RUNS)
                floor = floor or median
                if "no Origin" in label:
                    baseline = median
                versus = f"{median / baseline:>11.2f}x" if baseline and "no Origin" not in label else ""
                print(
                    f"{size:>8}  {label:<34} {median:>8.2f} {p95:>8.2f} {median / floor:>7.1f}x {versus:>12}"
                )
        print(
            f"{'':>8}  (seeded to {size:,} apps in {seconds:.1f} s; the most shared origin is allowed by "
            f"{shared['apps']:,} apps; load average {load_average()})"
        )
    print()


if __name__ == "__main__":
    main()
