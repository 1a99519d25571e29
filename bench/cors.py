"""What does a browser's cross-origin call cost at 100, 10,000 and 100,000 apps?

Seeds a throwaway database (SQLite, or PostgreSQL beside DATABASE_URL), serves it
with gunicorn on loopback (one sync worker), and times over HTTP, next to a
minimal view from the same run:

- a CORS preflight (OPTIONS with Origin and Access-Control-Request-Method) to the
  API, from an origin one app allows, from one that hundreds of seeded apps
  share, and from an origin no app allows; and the same OPTIONS without Origin;
- an API call with a bearer token (GET /api/2.0/people/@self) with an allowed
  Origin header, and the same call without one.

The origin is decided by one indexed lookup (authserver/cors.py), remembered by
each server process for CORS_ORIGIN_CACHE_SECONDS (5 s), so the "with Origin"
rows should stay within a small constant of the "without" rows at every size. A
second server started with CORS_ORIGIN_CACHE_SECONDS=0 answers the preflight rows
marked "(not remembered)": the lookup on every request.

Requests are timed in interleaved rounds (every row once per round, both
servers, in a new order each round), and each row gives the wall-clock median
over HTTP and the median CPU the server's worker spent on the request
(bench/_wsgi.py), which a busy machine does not inflate. "x no Origin" is the
issue's comparison: the same request without an Origin header, same server.

    .venv/bin/python bench/cors.py
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/cors.py
"""

import os
import sys
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))

from bench._http import (  # noqa: E402
    FLOOR,
    Server,
    configure,
    load_average,
    measure_interleaved,
    request,
    seed,
    server_cpu,
    server_environment,
)
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


NOT_REMEMBERED = " (not remembered)"


def cases(token, shared):
    """(label, server, method, path, headers, expected Allow-Origin); server 0 remembers, 1 does not."""
    bearer = {"Authorization": f"Bearer {token}"}
    preflight = {"Access-Control-Request-Method": "GET", "Access-Control-Request-Headers": "authorization"}
    unknown = {**preflight, "Origin": "https://nobody.example"}
    return [
        ("minimal view (floor)", 0, "GET", FLOOR, {}, None),
        ("preflight, no Origin", 0, "OPTIONS", API, preflight, None),
        ("preflight, allowed origin", 0, "OPTIONS", API, {**preflight, "Origin": SPA}, SPA),
        (
            "preflight, origin of many apps",
            0,
            "OPTIONS",
            API,
            {**preflight, "Origin": shared},
            shared,
        ),
        ("preflight, unknown origin", 0, "OPTIONS", API, unknown, ""),
        ("API call, no Origin", 0, "GET", API, bearer, None),
        ("API call, allowed origin", 0, "GET", API, {**bearer, "Origin": SPA}, SPA),
        ("preflight, no Origin" + NOT_REMEMBERED, 1, "OPTIONS", API, preflight, None),
        ("preflight, allowed origin" + NOT_REMEMBERED, 1, "OPTIONS", API, {**preflight, "Origin": SPA}, SPA),
        ("preflight, unknown origin" + NOT_REMEMBERED, 1, "OPTIONS", API, unknown, ""),
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
    print(f"{RUNS} interleaved rounds (every row once each, in a new order each) after 3 warm-up rounds.")
    print("median: ms for the whole HTTP round trip; CPU: median ms of CPU the server's worker spent.")
    print(
        "x no Origin: against the same request without Origin on the same server (the issue's comparison),"
        " wall and CPU."
    )
    print(f"Load average at start: {load_average()}.\n")
    header = f"{'apps':>8}  {'request':<44} {'median':>8} {'x floor':>8} {'CPU':>7} {'x floor':>8}"
    header += f" {'x no Origin: wall':>18} {'CPU':>6}"
    print(header)
    print("-" * len(header))
    seeded = 1
    for size in SIZES:
        seconds = seed(size, seeded)
        seeded = size
        shared = AllowedOrigin.objects.values("origin").annotate(apps=Count("pk")).order_by("-apps").first()
        connections.close_all()
        with Server() as remembering, Server(env=server_environment(CORS_ORIGIN_CACHE_SECONDS="0")) as asking:
            ports = (remembering.port, asking.port)
            sends = {}
            for label, server, method, path, headers, expect in cases(token, shared["origin"]):

                def send(method=method, path=path, headers=headers, expect=expect, port=ports[server]):
                    elapsed, status, answer, _body = request(port, path, method=method, headers=headers)
                    allowed = answer.get("Access-Control-Allow-Origin", "")
                    if status != 200 or (expect is not None and allowed != expect):
                        raise SystemExit(f"{method} {path} {headers}: {status}, allowed {allowed!r}")
                    return elapsed, server_cpu(answer)

                sends[label] = send
            results = measure_interleaved(sends, runs=RUNS, shuffle=True)
        floor, _p95, floor_cpu = results["minimal view (floor)"]
        for label, (median, _p95, cpu) in results.items():
            suffix = NOT_REMEMBERED if label.endswith(NOT_REMEMBERED) else ""
            without = "preflight, no Origin" if label.startswith("preflight") else "API call, no Origin"
            versus_wall = versus_cpu = ""
            if "no Origin" not in label and "floor" not in label:
                versus_wall = f"{median / results[without + suffix][0]:.2f}x"
                versus_cpu = f"{cpu / results[without + suffix][2]:.2f}x"
            print(
                f"{size:>8}  {label:<44} {median:>8.2f} {median / floor:>7.1f}x {cpu:>7.2f}"
                f" {cpu / floor_cpu:>7.1f}x {versus_wall:>18} {versus_cpu:>6}"
            )
        print(
            f"{'':>8}  (seeded to {size:,} apps in {seconds:.1f} s; the most shared origin is allowed by "
            f"{shared['apps']:,} apps; load average {load_average()})"
        )
    print()


if __name__ == "__main__":
    main()
