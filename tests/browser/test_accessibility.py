"""Every page a person meets, in every state worth seeing, checked by axe-core
(zero violations of any impact) and for sideways scrolling.

One tour visits them all; it runs at desktop and phone size, in the light and
the dark theme, and (for overflow only) at 320 and 768 px wide.
"""

import json
from urllib.parse import urlencode

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.db import OperationalError
from django.test import Client, RequestFactory
from django.views import defaults

from authserver import signing_keys
from client_metadata.models import BlockKind
from client_metadata.services import block
from docspace_portal.errors import handler500
from oauth_apps import ownership
from oauth_apps.models import OAuthApplication, PortalPolicy
from oauth_apps.services import review_application, set_enabled

from ..authserver.conftest import pkce_pair
from ..client_metadata.helpers import stored_metadata_client
from ..conftest import png_bytes
from ..helpers import give_tokens
from .conftest import PASSWORD, axe_violations, sideways_overflow, sign_in, signed_in_at

pytestmark = pytest.mark.browser

LIST = "/settings/developer-tools/oauth/"

HOSTILE_SVG = b"""<svg xmlns="http://www.w3.org/2000/svg" width="32" height="32">
<script>alert(1)</script><rect width="32" height="32"/></svg>"""


def error_page_html(status):
    """The body Django's own error handling sends for `status` (rendered in-process)."""
    request = RequestFactory().get("/anything/")
    request.user = AnonymousUser()
    if status == 400:
        return defaults.bad_request(request, Exception()).content
    if status == 403:
        return defaults.permission_denied(request, Exception()).content
    if status == 429:
        from common.ratelimit import too_many_requests

        return too_many_requests(request, 120).content
    if status == 503:
        try:
            raise OperationalError("database unreachable")
        except OperationalError:
            return handler500(request).content
    return handler500(request).content


def settle(page):
    """Wait for running animations and transitions: a dialog fading in, or a
    switch of colour theme, has not reached its colours yet."""
    page.evaluate(
        """async () => {
            getComputedStyle(document.body).color;  // start any transition the last change causes
            await Promise.all(document.getAnimations().map(a => a.finished.catch(() => null)));
        }"""
    )


class Tour:
    """Visits pages and records, per page, what the checks found.

    At phone size each page is also narrowed to 320 px and widened to 768 px
    (no sideways scrolling at any of them, left-to-right or mirrored), and seen
    in the dark theme (axe's contrast rule again), without a second tour.
    """

    def __init__(self, page, live_server, *, size):
        self.page, self.live_server, self.base = page, live_server, live_server.url
        self.viewport = page.viewport_size
        self.widths = [320, 390, 768] if size == "phone" else [self.viewport["width"]]
        self.dark = size == "phone"
        self.found = {}
        self.dark_problems = []

    def check(self, name, *, dark_done=False):
        page = self.page
        page.wait_for_load_state()
        settle(page)
        problems = self.dark_problems if dark_done else []
        problems += axe_violations(page)
        if self.dark and not dark_done:
            page.emulate_media(color_scheme="dark")
            settle(page)
            problems += self.contrast_in_the_dark()
            page.emulate_media(color_scheme="light")
        for width in self.widths:
            page.set_viewport_size({"width": width, "height": self.viewport["height"]})
            overflow = sideways_overflow(page)
            if overflow > 0:
                problems.append(f"scrolls sideways by {overflow}px at {width}px")
        if self.dark:  # the phone tour: mirrored for a right-to-left language too
            page.evaluate("() => document.documentElement.dir = 'rtl'")
            overflow = sideways_overflow(page)
            if overflow > 0:
                problems.append(f"scrolls sideways by {overflow}px right-to-left at {self.widths[-1]}px")
            page.set_viewport_size({"width": self.widths[0], "height": self.viewport["height"]})
            overflow = sideways_overflow(page)
            if overflow > 0:
                problems.append(f"scrolls sideways by {overflow}px right-to-left at {self.widths[0]}px")
            page.evaluate("() => document.documentElement.dir = 'ltr'")
        page.set_viewport_size(self.viewport)
        if problems:
            self.found[name] = problems

    def contrast_in_the_dark(self):
        return [f"dark theme: {problem}" for problem in axe_violations(self.page, rules=["color-contrast"])]

    def visit(self, name, path, *, check=True):
        """Open a page (in the dark theme first, where the tour checks it)."""
        url = f"{self.base}{path}"
        if check and self.dark:
            # Loaded in the dark rather than switched live: Chromium keeps the
            # Django admin's light link colour across a live switch.
            self.page.emulate_media(color_scheme="dark")
            self.page.goto(url)
            settle(self.page)
            self.dark_problems = self.contrast_in_the_dark()
            self.page.emulate_media(color_scheme="light")
        self.page.goto(url)
        if check:
            self.check(name, dark_done=self.dark)


def authorize_path(app) -> str:
    """The authorize endpoint as a client would send a person there (code + PKCE)."""
    _verifier, challenge = pkce_pair()
    query = {
        "response_type": "code",
        "client_id": app.client_id,
        "code_challenge": challenge,
        "code_challenge_method": "S256",
    }
    return f"/oauth/authorize/?{urlencode(query)}"


def signed_out_tour(tour, app):
    page = tour.page
    tour.visit("sign-in", "/accounts/login/")
    page.get_by_label("Username").fill("dana")
    page.get_by_label("Password").fill("wrong")
    page.get_by_role("button", name="Sign in").click()
    tour.check("sign-in with an error")
    page.context.clear_cookies()
    page.get_by_role("button", name="Sign in").click()
    page.get_by_test_id("csrf-failure").wait_for()
    tour.check("error 403, expired form (CSRF)")
    tour.visit("consent, signed out (sign-in first)", authorize_path(app))
    tour.visit("error 404", "/no-such-page/")
    for status in (400, 403, 429, 500, 503):
        page.route(f"{tour.base}/error-{status}/", serve_error_page(status))
        tour.visit(f"error {status}", f"/error-{status}/")


def serve_error_page(status):
    body = error_page_html(status)

    def fulfill(route):
        route.fulfill(status=status, body=body, content_type="text/html; charset=utf-8")

    return fulfill


def fill_registration(page, name):
    page.get_by_label("App name").fill(name)
    page.get_by_label("Website URL").fill("https://tour.example.com")
    page.get_by_label("App icon").set_input_files(
        files=[{"name": "icon.png", "mimeType": "image/png", "buffer": png_bytes()}]
    )
    page.get_by_label("Redirect URLs 1").fill("https://tour.example.com/callback")
    page.get_by_label("Allowed origins 1").fill("https://tour.example.com")
    page.locator('input[value="files:write"]').check()
    page.get_by_label("Privacy policy URL").fill("https://tour.example.com/privacy")
    page.get_by_label("Terms of Service URL").fill("https://tour.example.com/terms")


def open_dialog_and_check(tour, name, opener):
    opener.click()
    dialog = tour.page.get_by_role("dialog")
    dialog.wait_for()
    tour.check(name)
    tour.page.keyboard.press("Escape")
    dialog.wait_for(state="detached")


def rotation_tour(tour, url):
    """Rotating a secret: the confirmation page, its field error, the new secret, the Info page meanwhile."""
    page = tour.page
    tour.visit("confirm rotate-secret, as a page", f"{url}rotate-secret/")
    page.get_by_label("Until a date and time I choose").check()
    page.get_by_role("button", name="Rotate secret").click()
    page.locator("#id_until_error").wait_for()
    tour.check("confirm rotate-secret, custom time missing")
    page.get_by_label("1 day").check()
    page.get_by_role("button", name="Rotate secret").click()
    page.wait_for_url("**/credentials/")
    tour.check("credentials, after a rotation")
    tour.visit("info, during a rotation", url)
    open_dialog_and_check(
        tour,
        "confirm end of the old secret, as a dialog",
        page.get_by_role("link", name="End the old secret now"),
    )
    tour.visit("confirm rotate-secret, refused during a rotation", f"{url}rotate-secret/")
    tour.visit("confirm end of the old secret, as a page", f"{url}end-rotation/")
    page.get_by_role("button", name="End the old secret").click()
    page.wait_for_url(f"**{url}")


def signed_in_tour(tour, make_app):
    page = tour.page
    dana = get_user_model().objects.get(username="dana")
    sign_in(page, tour.live_server)
    tour.check("list, empty")
    tour.visit("authorized apps, none", "/settings/authorized-apps/")

    tour.visit("registration, empty", f"{LIST}new/")
    page.get_by_role("button", name="Save", exact=True).last.click()
    tour.check("registration, with errors")
    page.get_by_label("App name").fill("ab")
    page.get_by_label("App icon").set_input_files(
        files=[{"name": "icon.png", "mimeType": "image/png", "buffer": png_bytes()}]
    )
    page.get_by_role("button", name="Save", exact=True).last.click()
    tour.check("registration, icon accepted")
    page.get_by_label("App icon").set_input_files(
        files=[{"name": "evil.svg", "mimeType": "image/svg+xml", "buffer": HOSTILE_SVG}]
    )
    page.get_by_role("button", name="Save", exact=True).last.click()
    tour.check("registration, hostile icon refused")

    tour.visit("registration, to complete", f"{LIST}new/", check=False)
    fill_registration(page, "Tour Calendar")
    page.get_by_role("button", name="Save", exact=True).last.click()
    page.wait_for_url("**/credentials/")
    tour.check("credentials, with the secret")
    app = OAuthApplication.objects.get(name="Tour Calendar")
    url = app.get_absolute_url()

    for number in range(20):
        make_app(dana, name=f"Harbor {number:02d}", scopes=["files:read", "rooms:write", "rooms:read"])
    public, _ = make_app(dana, name="Public Notes", public_client=True)
    set_enabled(public, actor=dana, enabled=False)
    tour.visit("list, full (two pages)", LIST)
    page.locator("[data-row-menu]").first.click()
    page.locator("#row-menu-open").wait_for()
    tour.check("list, row menu open")
    tour.visit("list, filtered", f"{LIST}?q=harbor&per_page=50")
    tour.visit("list, no match", f"{LIST}?q=zzz-nothing")

    tour.visit("info", url)
    tour.visit("credentials, later", f"{url}credentials/")
    tour.visit("edit", f"{url}edit/")
    set_enabled(app, actor=dana, enabled=False)
    page.get_by_role("button", name="Save", exact=True).last.click()
    tour.check("edit, conflict")
    set_enabled(app, actor=dana, enabled=True)

    for action in ("disable", "reset-secret", "delete"):
        tour.visit(f"confirm {action}, as a page", f"{url}{action}/")
    ids = "&".join(f"ids={pk}" for pk in OAuthApplication.objects.values_list("pk", flat=True)[:3])
    for action in ("enable", "disable", "delete"):
        tour.visit(f"bulk {action}, as a page", f"{LIST}bulk/?action={action}&{ids}")

    tour.visit("info, for dialogs", url, check=False)
    actions = page.get_by_role("group", name="Manage this application")
    for name in ("Disable", "Reset secret", "Rotate secret", "Delete"):
        open_dialog_and_check(tour, f"confirm {name}, as a dialog", actions.get_by_role("link", name=name))
    rotation_tour(tour, url)
    tour.visit("list, for bulk dialogs", f"{LIST}?q=harbor", check=False)
    page.locator("[data-select-row]").nth(0).check()
    page.locator("[data-select-row]").nth(1).check()
    for name in ("Enable", "Disable", "Delete"):
        opener = page.locator("#bulk-form").get_by_role("button", name=name, exact=True)
        open_dialog_and_check(tour, f"bulk {name}, as a dialog", opener)

    tour.visit("developer tools", f"{url}developer/")
    page.get_by_role("button", name="Generate developer token").click()
    page.get_by_test_id("developer-token").wait_for()
    tour.check("developer tools, token shown")
    tour.visit("auth button", f"{url}developer/?#auth-button")

    people_tour(tour, app, make_app)

    tour.visit("consent, signed in", authorize_path(app))
    metadata_client = stored_metadata_client()
    tour.visit("consent, metadata-document client", authorize_path(metadata_client))
    tour.visit("info, metadata-document client", f"{LIST}{metadata_client.pk}/")
    tour.visit("admin, block a metadata-document client", "/admin/client_metadata/blockedclient/add/")
    block(BlockKind.URL, metadata_client.client_id, actor=dana)
    tour.visit("authorize, blocked metadata-document client", authorize_path(metadata_client))
    tour.visit("admin, blocked metadata-document clients", "/admin/client_metadata/blockedclient/")
    give_tokens(app, dana)
    tour.visit("authorized apps, one", "/settings/authorized-apps/")
    tour.visit("your settings", "/settings/")
    tour.visit("API tokens, none", "/settings/api-tokens/")
    page.get_by_role("button", name="Create token").click()
    tour.check("API tokens, with errors")
    page.get_by_label("Token name").fill("CI deploy")
    page.locator("input[name=scopes]").first.check()
    page.get_by_role("button", name="Create token").click()
    page.locator("#new-token-value").wait_for()
    tour.check("API tokens, new token shown")
    tour.visit("API reference", "/api/2.0/docs/")

    tokens_page = "/settings/developer-tools/oauth/registration-tokens/"
    tour.visit("initial access tokens, none", tokens_page)
    page.get_by_role("button", name="Create token").click()
    tour.check("initial access tokens, with errors")
    page.get_by_label("Token name").fill("Partner agents")
    page.get_by_role("button", name="Create token").click()
    page.locator("#new-token-value").wait_for()
    tour.check("initial access tokens, new token shown")
    tour.visit("initial access tokens, one", tokens_page)
    registered = Client().post(
        "/oauth/register",
        json.dumps({"client_name": "Tour Agent", "redirect_uris": ["http://127.0.0.1:9/callback"]}),
        content_type="application/json",
    )
    assert registered.status_code == 201, registered.content
    tour.visit("list, self-registered only", f"{LIST}?source=dcr")
    tour.visit("self-registered app, no privacy policy given", "/oauth/self-registered/privacy/")

    tour.visit("admin, application list", "/admin/oauth_apps/oauthapplication/")
    tour.visit("admin, application change", f"/admin/oauth_apps/oauthapplication/{app.pk}/change/")
    tour.visit("admin, disable confirmation", f"/admin/oauth_apps/oauthapplication/{app.pk}/disable/")
    tour.visit("admin, audit trail", "/admin/oauth_apps/auditevent/")
    signing_keys.rotate()
    tour.visit("admin, signing keys", "/admin/authserver/signingkey/")
    review_tour(tour, make_app, dana)


def review_tour(tour, make_app, dana):
    """The approval queue (dana is a superuser, so she may review) and what an owner sees."""
    page = tour.page
    policy = PortalPolicy.load()
    policy.review_new_apps = True
    policy.save()
    waiting, _ = make_app(dana, name="Waiting Planner")
    make_app(dana, name="Waiting Notes")
    tour.visit("info, waiting for review", waiting.get_absolute_url())
    tour.visit("consent, app waiting for review", authorize_path(waiting))
    tour.visit("list, waiting for review", f"{LIST}?state=pending")
    tour.visit("review queue", f"{LIST}review/")
    page.locator(".review-card").first.get_by_role("button", name="Reject").click()
    page.get_by_text("Give the reason for rejecting it").wait_for()
    tour.check("review queue, reject without a reason")
    page.get_by_label("Note to the owner").first.fill("Say who publishes the app on its website.")
    page.locator(".review-card").first.get_by_role("button", name="Reject").click()
    page.get_by_text("is rejected").wait_for()
    tour.visit("info, rejected", waiting.get_absolute_url())
    tour.visit("edit, rejected", f"{waiting.get_absolute_url()}edit/")
    for app in OAuthApplication.objects.filter(review_state="pending"):
        review_application(app, actor=dana, approve=True)
    tour.visit("review queue, empty", f"{LIST}review/")
    tour.visit("admin, waiting for review", "/admin/oauth_apps/oauthapplication/?review_state__exact=pending")


def people_tour(tour, app, make_app):
    """An app's people (co-maintainers, transfer) and the pages of a person an app is offered to."""
    page = tour.page
    dana = get_user_model().objects.get(username="dana")
    users = get_user_model().objects
    erin = users.create_user("erin", "erin@example.com", PASSWORD)
    frank = users.create_user("frank", "frank@example.com", PASSWORD)
    url = app.get_absolute_url()
    tour.visit("people, nobody yet", f"{url}people/")
    ownership.add_maintainer(app, erin, actor=dana)
    tour.visit("people, for errors", f"{url}people/", check=False)
    page.get_by_role("button", name="Offer the app").click()
    tour.check("people, transfer with an error")
    ownership.offer_app(app, frank, actor=dana)
    tour.visit("people, a co-maintainer and a pending offer", f"{url}people/")
    tour.visit("remove co-maintainer, as a page", f"{url}people/{erin.pk}/remove/")
    tour.visit("people, for dialogs", f"{url}people/", check=False)
    open_dialog_and_check(
        tour, "remove co-maintainer, as a dialog", page.get_by_role("link", name="Remove erin")
    )

    offered, _ = make_app(frank, name="Offered Planner")
    offer = ownership.offer_app(offered, dana, actor=frank)
    tour.visit("list, with an offer waiting", LIST)
    tour.visit("offers to you", f"{LIST}offers/")
    tour.visit("an offer to accept", f"{LIST}offers/{offer.pk}/")
    ownership.decline_offer(offer, actor=dana)
    tour.visit("offers to you, none", f"{LIST}offers/")


def report(found):
    return "\n".join(f"{page}:\n  " + "\n  ".join(problems) for page, problems in found.items())


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_no_page_has_an_axe_violation_or_scrolls_sideways(open_page, live_server, make_app, size):
    dana = get_user_model().objects.create_superuser("dana", "dana@example.com", PASSWORD)
    signed_out = Tour(open_page(size=size, bypass_csp=True), live_server, size=size)
    probe, _ = make_app(dana, name="Probe Calendar", public_client=True)
    signed_out_tour(signed_out, probe)
    probe.delete()
    signed_in = Tour(open_page(size=size, bypass_csp=True), live_server, size=size)
    signed_in_tour(signed_in, make_app)

    found = signed_out.found | signed_in.found
    assert not found, report(found)


@pytest.mark.parametrize(("motion", "duration"), [("no-preference", "0.15s"), ("reduce", "0s")])
def test_reduced_motion_stops_the_switch_sliding(open_page, live_server, dana, make_app, motion, duration):
    make_app(dana, name="Motion App")
    page = signed_in_at(open_page(reduced_motion=motion), live_server)
    knob = page.get_by_role("switch", name="Enabled — Motion App").locator(".switch-track")
    assert knob.evaluate("el => getComputedStyle(el, '::after').transitionDuration") == duration
