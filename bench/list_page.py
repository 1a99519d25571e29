"""How fast is the application list at 100, 10,000 and 100,000 apps, next to a minimal view?

Seeds a throwaway database (a temporary SQLite file, or — when DATABASE_URL
points at PostgreSQL — a temporary database created beside it and dropped at
the end), serves it with gunicorn on loopback (one sync worker), and times each
list view over HTTP, signed in as staff holding view_all_applications (who see every app). The floor is a
minimal view served by the same server in the same run; every row shows its
median as a multiple of that floor. The views are timed in interleaved rounds
(floor, then each view once, repeated), so a burst of load on a shared machine
lands on the floor as much as on the views.

The list counts and pages through at most `oauth_apps.listing.COUNT_LIMIT`
(10,000) matches, so "deep page" is the last page it offers: the deepest OFFSET
any list page reads.

    .venv/bin/python bench/list_page.py            # or: make bench
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/list_page.py
    BENCH_SIZES=100000 BENCH_RUNS=50 .venv/bin/python bench/list_page.py

Before and after in one run: `BENCH_BEFORE=/path/to/another/checkout` serves that
checkout's code too (its own gunicorn, the same database and the same session),
and each round times its floor and views beside this checkout's. Each version's
ratio is to its own floor, measured in the same rounds.

The goal (issue 12) is read on the 100-row views: first page, a middle page, a
name search and a state + scope filter, each at most 3× the floor's CPU time.
"""

import math
import os
import sys
from pathlib import Path
from urllib.parse import urlencode

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))

from bench import _http as web  # noqa: E402
from bench._throwaway import throwaway_database  # noqa: E402

SIZES = tuple(int(size) for size in os.environ.get("BENCH_SIZES", "100,10000,100000").split(","))
RUNS = int(os.environ.get("BENCH_RUNS", "30"))
LIST_URL = "/settings/developer-tools/oauth/"


def main():
    drop, where = throwaway_database()
    web.configure()
    try:
        run(where)
    finally:
        drop()


def views(size, one) -> list[tuple[str, str]]:
    from oauth_apps import listing

    # The deepest page the list offers (an older tree without the limit offers every page).
    offered = min(size, getattr(listing, "COUNT_LIMIT", size))
    deep = math.ceil(offered / 20)
    deep_100 = math.ceil(offered / 100)
    middle = max(1, deep_100 // 2)
    rows = "per_page=100"
    return [
        ("minimal view (floor)", web.FLOOR),
        ("first page, 20 rows", LIST_URL),
        (f"deep page ({deep:,}, the last offered), 20 rows", f"{LIST_URL}?page={deep}"),
        ("100 rows: first page", f"{LIST_URL}?{rows}"),
        (f"100 rows: middle page ({middle:,})", f"{LIST_URL}?{rows}&page={middle}"),
        (f"100 rows: last page ({deep_100:,})", f"{LIST_URL}?{rows}&page={deep_100}"),
        ("100 rows: search, one app by name", f"{LIST_URL}?{rows}&{urlencode({'q': one.name.lower()})}"),
        ("100 rows: search, common word", f"{LIST_URL}?{rows}&q=calendar"),
        ("100 rows: search, client ID", f"{LIST_URL}?{rows}&q={one.client_id}"),
        ("100 rows: disabled + rooms:write", f"{LIST_URL}?{rows}&state=disabled&scope=rooms:write"),
        ("100 rows: enabled + files:read", f"{LIST_URL}?{rows}&state=enabled&scope=files:read"),
        ("100 rows: sort by name, page 2", f"{LIST_URL}?{rows}&sort=name&page=2"),
    ]


def run(where):
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Permission
    from django.core.management import call_command
    from django.db import connection, connections

    from oauth_apps.models import OAuthApplication

    call_command("migrate", verbosity=0)
    staff = get_user_model().objects.create_user("bench", password="bench-password-1", is_staff=True)
    # Staff see other users' apps in the list only with this permission (oauth_apps/access.py).
    staff.user_permissions.add(
        Permission.objects.get(content_type__app_label="oauth_apps", codename="view_all_applications")
    )
    cookie = web.session_cookie(staff)
    print(f"Database: {where}; gunicorn, 1 sync worker, loopback.")
    print(f"{RUNS} interleaved rounds (the floor and every view once each) after 3 warm-up rounds.")
    print("median, p95: ms for the whole HTTP round trip (wall clock).")
    print("CPU: median ms of CPU the server's worker spent on the request (bench/_wsgi.py), which")
    print("a busy machine does not inflate; PostgreSQL's own work is not in it.")
    print(f"Load average at start: {web.load_average()}.\n")
    before = os.environ.get("BENCH_BEFORE")
    if before:
        print(f"'before' rows: the code in {before}, served beside this checkout's in the same rounds.")
    header = f"{'apps':>8}  {'view':<45} {'median':>8} {'p95':>8} {'x floor':>8} {'CPU':>8} {'x floor':>8}"
    print(header)
    print("-" * len(header))
    seeded = 0

    def send(port, url):
        elapsed, status, headers, _body = web.request(port, url, headers={"Cookie": cookie})
        if status != 200:
            raise SystemExit(f"{url} answered {status}")
        return elapsed, web.server_cpu(headers)

    for size in SIZES:
        seconds = web.seed(size, seeded)
        seeded = size
        one = OAuthApplication.objects.order_by("pk")[size // 2]
        connections.close_all()
        servers = {"": web.Server()}
        if before:
            servers = {"before: ": web.Server(root=before), "after: ": servers[""]}
        for server in servers.values():
            server.__enter__()
        try:
            sends = {}
            for version, server in servers.items():
                for label, url in views(size, one):
                    sends[version + label] = lambda url=url, port=server.port: send(port, url)
            results = web.measure_interleaved(sends, runs=RUNS)
        finally:
            for server in servers.values():
                server.__exit__()
        for version in servers:
            floor, _p95, floor_cpu = results[version + "minimal view (floor)"]
            for label, _url in views(size, one):
                median, p95, cpu = results[version + label]
                print(
                    f"{size:>8}  {version + label:<45} {median:>8.2f} {p95:>8.2f} {median / floor:>7.1f}x"
                    f" {cpu:>8.2f} {cpu / floor_cpu:>7.1f}x"
                )
        print(f"{'':>8}  (seeded up to {size:,} apps in {seconds:.1f} s; load average {web.load_average()})")
    print()
    connection.close()


if __name__ == "__main__":
    main()
