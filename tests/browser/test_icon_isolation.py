"""An SVG opened directly from the icon URL runs nothing and loads nothing.

The stored icons are sanitised, so this plants a hostile SVG straight into the
icon table to prove the serving headers hold on their own.
"""

import hashlib
import time

import pytest

from oauth_apps.models import Icon

from .conftest import TIMEOUT_MS

pytestmark = pytest.mark.browser


def hostile_svg(base):
    return f"""<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"
     width="32" height="32" onload="document.title='pwned-onload'">
  <script>document.title = 'pwned-script'; fetch('{base}/beacon-script');</script>
  <image href="{base}/beacon-image.png" width="32" height="32"/>
  <style>@import url('{base}/beacon-css.css'); rect {{ fill: url('{base}/beacon-fill#x'); }}</style>
  <rect width="32" height="32"/>
</svg>""".encode()


def test_stored_svg_opened_directly_runs_no_script_and_loads_nothing(page, live_server, db):
    data = hostile_svg(live_server.url)
    sha = hashlib.sha256(data).hexdigest()
    Icon.objects.create(sha256=sha, content_type="image/svg+xml", data=data)
    # Chromium reports a request that CSP blocked as a failed request; only a
    # finished one reached the network.
    reached, blocked = [], []
    page.on("requestfinished", lambda request: reached.append(request.url))
    page.on("requestfailed", lambda request: blocked.append((request.url, request.failure)))

    response = page.goto(f"{live_server.url}/settings/developer-tools/oauth/icons/{sha}")
    # Chromium reports the blocked loads as it makes them, some after the load event:
    # wait for the three (within the default timeout), not for a fixed half second
    # that a busy machine can overrun.
    deadline = time.monotonic() + TIMEOUT_MS / 1000
    while len(blocked) < 3 and time.monotonic() < deadline:
        page.wait_for_timeout(50)

    assert response.status == 200
    assert "sandbox" in response.headers["content-security-policy"]
    assert "pwned" not in page.title()
    assert not [url for url in reached if "beacon" in url]
    assert all(failure == "csp" for _, failure in blocked), blocked
    assert len(blocked) == 3
