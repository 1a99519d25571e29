"""How fast is the application list at 100, 10,000 and 100,000 apps?

Seeds a throwaway database (a temporary SQLite file, or — when DATABASE_URL
points at PostgreSQL — a temporary database created beside it and dropped at
the end), then serves list pages through Django's full WSGI stack, signed in as
staff holding view_all_applications (who see every app), and prints the median
and p95 server time of each view next to the median of a minimal view: the
floor any page pays.

    .venv/bin/python bench/list_page.py            # or: make bench
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/list_page.py
"""

import io
import math
import os
import statistics
import sys
import time
import types
from pathlib import Path
from urllib.parse import urlencode

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))

from bench._throwaway import throwaway_database  # noqa: E402

SIZES = tuple(int(size) for size in os.environ.get("BENCH_SIZES", "100,10000,100000").split(","))
RUNS = int(os.environ.get("BENCH_RUNS", "30"))
WARMUP = 3


def main():
    drop, where = throwaway_database()
    os.environ["DJANGO_SETTINGS_MODULE"] = "tests.settings"
    try:
        run(where)
    finally:
        drop()


def run(where):
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Permission
    from django.core.handlers.wsgi import WSGIHandler
    from django.core.management import call_command
    from django.db import connection
    from django.http import HttpResponse
    from django.test import RequestFactory
    from django.urls import include, path

    from oauth_apps.models import OAuthApplication

    def minimal(request):
        return HttpResponse("ok", content_type="text/plain")

    # The portal's URLs plus the floor view, served by the same middleware.
    urlconf = types.ModuleType("bench_urls")
    urlconf.urlpatterns = [path("bench/minimal/", minimal), path("", include("docspace_portal.urls"))]
    sys.modules["bench_urls"] = urlconf
    settings.ROOT_URLCONF = "bench_urls"

    call_command("migrate", verbosity=0)
    staff = get_user_model().objects.create_user("bench", password="bench-password-1", is_staff=True)
    # Staff see other users' apps in the list only with this permission (oauth_apps/access.py).
    staff.user_permissions.add(
        Permission.objects.get(content_type__app_label="oauth_apps", codename="view_all_applications")
    )
    handler = WSGIHandler()
    cookie = sign_in(handler, staff)
    factory = RequestFactory()

    def serve(url):
        path_info, _, query = url.partition("?")
        environ = factory._base_environ(
            PATH_INFO=path_info, QUERY_STRING=query, HTTP_COOKIE=cookie, HTTP_HOST="127.0.0.1"
        )
        environ["wsgi.input"] = io.BytesIO(b"")
        status = []
        started = time.perf_counter()
        body = b"".join(handler(environ, lambda s, h, *a: status.append(s)))
        elapsed = time.perf_counter() - started
        if not status[0].startswith("200"):
            raise SystemExit(f"{url} answered {status[0]}")
        return elapsed, body

    def measure(url):
        for _ in range(WARMUP):
            serve(url)
        executed = []
        with connection.execute_wrapper(lambda execute, *args: executed.append(1) or execute(*args)):
            serve(url)
        times = sorted(serve(url)[0] * 1000 for _ in range(RUNS))
        p95 = times[min(len(times) - 1, math.ceil(0.95 * len(times)) - 1)]
        return statistics.median(times), p95, len(executed)

    print(f"Database: {where}; {RUNS} timed requests per row after {WARMUP} warm-ups; times in ms.")
    print("Server time = Django's WSGI handler with every middleware, signed in as staff (sees all apps).\n")
    header = f"{'apps':>8}  {'view':<34} {'median':>8} {'p95':>8} {'queries':>8}"
    print(header)
    print("-" * len(header))
    seeded = 0
    list_url = "/settings/developer-tools/oauth/"
    for size in SIZES:
        started = time.perf_counter()
        call_command("seed_apps", count=size - seeded, seed=size, stdout=io.StringIO())
        seeded = size
        seed_seconds = time.perf_counter() - started
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("VACUUM ANALYZE oauth_apps_oauthapplication")
        else:
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        one = OAuthApplication.objects.order_by("pk")[size // 2]
        pages = math.ceil(size / 20)
        views = [
            ("minimal view (floor)", "/bench/minimal/"),
            ("first page", list_url),
            (f"middle page ({pages // 2 or 1} of {pages})", f"{list_url}?page={pages // 2 or 1}"),
            ("search: one app by name", f"{list_url}?{urlencode({'q': one.name.lower()})}"),
            ("search: common word", f"{list_url}?q=calendar"),
            ("search: client ID", f"{list_url}?q={one.client_id}"),
            ("filter: disabled + rooms:write", f"{list_url}?state=disabled&scope=rooms:write"),
            ("sort by name, page 2", f"{list_url}?sort=name&page=2"),
        ]
        for label, url in views:
            median, p95, queries = measure(url)
            print(f"{size:>8}  {label:<34} {median:>8.2f} {p95:>8.2f} {queries:>8}")
        print(f"{'':>8}  (seeded up to {size:,} apps in {seed_seconds:.1f} s)")
    print()


def sign_in(handler, user):
    """A session cookie for `user`, made the way the login view makes one."""
    from django.conf import settings
    from django.contrib.auth import login
    from django.contrib.sessions.backends.db import SessionStore
    from django.http import HttpRequest

    request = HttpRequest()
    request.session = SessionStore()
    login(request, user, backend=settings.AUTHENTICATION_BACKENDS[0])
    request.session.save()
    return f"{settings.SESSION_COOKIE_NAME}={request.session.session_key}"


if __name__ == "__main__":
    main()
