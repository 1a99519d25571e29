"""Make the README's screenshots from the current pages.

Starts the portal on a free loopback port over a throwaway SQLite database with
repeatable demo data, drives headless Chromium (/usr/bin/chromium, or
PORTAL_CHROMIUM) through Playwright, and writes into docs/screenshots/:

    list-desktop.png        the application list at 1366×900
    register-phone.png      the registration form at 390×844
    …-dark.png              the same two in the dark theme

    .venv/bin/python scripts/screenshots.py        # or: make screenshots
"""

import io
import os
import shutil
import sys
import tempfile
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
OUT = BASE_DIR / "docs" / "screenshots"
DESKTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}
USERNAME, PASSWORD = "demo", "demo-password-1"


def chromium():
    path = os.environ.get("PORTAL_CHROMIUM", "/usr/bin/chromium")
    if os.path.exists(path):
        return path
    found = shutil.which("chromium")
    if not found:
        sys.exit("Chromium is missing: install it (Debian: apt-get install chromium) to make screenshots")
    return found


def start_portal(folder):
    """The portal on a throwaway SQLite database, seeded; returns (thread, base URL)."""
    sys.path.insert(0, str(BASE_DIR))
    os.environ["DATABASE_URL"] = f"sqlite:///{folder}/screenshots.sqlite3"
    os.environ["DJANGO_SETTINGS_MODULE"] = "tests.settings"
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.contrib.staticfiles.handlers import StaticFilesHandler
    from django.core.management import call_command
    from django.core.wsgi import get_wsgi_application
    from django.test.testcases import LiveServerThread

    call_command("migrate", verbosity=0)
    get_user_model().objects.create_user(USERNAME, "demo@example.com", PASSWORD, first_name="Dana")
    call_command("seed_apps", count=9, owner=USERNAME, seed=7, verbosity=0, stdout=io.StringIO())

    class Server(LiveServerThread):
        def _create_server(self, connections_override=None):
            server = super()._create_server(connections_override)
            server.set_app(StaticFilesHandler(get_wsgi_application()))
            return server

    thread = Server("127.0.0.1", StaticFilesHandler, port=0)
    thread.daemon = True
    thread.start()
    thread.is_ready.wait()
    if thread.error:
        raise thread.error
    return thread, f"http://127.0.0.1:{thread.port}"


def sign_in(page, base):
    page.goto(f"{base}/accounts/login/?next=/settings/developer-tools/oauth/")
    page.get_by_label("Username").fill(USERNAME)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{base}/settings/developer-tools/oauth/")


def shoot(browser, base, scheme):
    suffix = "" if scheme == "light" else f"-{scheme}"
    desktop = browser.new_context(viewport=DESKTOP, color_scheme=scheme, reduced_motion="reduce")
    page = desktop.new_page()
    sign_in(page, base)
    page.screenshot(path=OUT / f"list-desktop{suffix}.png")
    desktop.close()

    phone = browser.new_context(viewport=PHONE, color_scheme=scheme, reduced_motion="reduce", has_touch=True)
    page = phone.new_page()
    sign_in(page, base)
    page.goto(f"{base}/settings/developer-tools/oauth/new/")
    page.get_by_label("App name").fill("Team Calendar")
    page.get_by_label("Website URL").fill("https://calendar.example.com")
    page.get_by_label("Description").fill("Shows room bookings next to the files they are about.")
    page.get_by_label("App name").blur()
    page.screenshot(path=OUT / f"register-phone{suffix}.png")
    phone.close()


def main():
    from playwright.sync_api import sync_playwright

    folder = tempfile.mkdtemp(prefix="portal-screenshots-")
    try:
        thread, base = start_portal(folder)
        OUT.mkdir(parents=True, exist_ok=True)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=chromium(), headless=True, args=["--no-sandbox"]
            )
            for scheme in ("light", "dark"):
                shoot(browser, base, scheme)
            browser.close()
        thread.terminate()
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    for path in sorted(OUT.glob("*.png")):
        print(f"{path.relative_to(BASE_DIR)}  {path.stat().st_size // 1024} KB")


if __name__ == "__main__":
    main()
