"""Handing an app to a colleague in headless Chromium, with JavaScript on and off:
the owner adds a co-maintainer and offers the app on its People page, the
recipient sees the banner on their list and accepts; the app is then theirs.
"""

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from oauth_apps.models import AuditAction, AuditEvent, Maintainer, OAuthApplication

from .conftest import PASSWORD, signed_in_at

pytestmark = pytest.mark.browser

LIST = "/settings/developer-tools/oauth/"


@pytest.mark.parametrize("js", [True, False], ids=["js", "no-js"])
def test_an_app_changes_hands_by_clicking(open_page, live_server, dana, make_app, js):
    app, _ = make_app(dana, name="Handover Board")
    users = get_user_model().objects
    erin = users.create_user("erin", "erin@example.com", PASSWORD)
    frank = users.create_user("frank", "frank@example.com", PASSWORD)

    owner = signed_in_at(open_page(js=js), live_server, path=app.get_absolute_url())
    owner.get_by_role("link", name="Co-maintainers and transfer").click()
    owner.get_by_label("Username or e-mail address").first.fill("erin@example.com")
    owner.get_by_role("button", name="Add co-maintainer").click()
    owner.get_by_role("link", name="Remove erin").wait_for()
    transfer = owner.locator("form", has=owner.get_by_role("button", name="Offer the app"))
    transfer.get_by_label("Username or e-mail address").fill("frank")
    transfer.get_by_label("Stay on as a co-maintainer after the transfer").check()
    owner.get_by_role("button", name="Offer the app").click()
    owner.get_by_test_id("pending-offer").wait_for()
    app.refresh_from_db()
    assert app.user == dana  # nothing changes before the recipient accepts

    recipient = signed_in_at(open_page(js=js), live_server, username="frank")
    recipient.get_by_test_id("offers-banner").get_by_role("link", name="See the offers").click()
    recipient.get_by_role("link", name="Handover Board").click()
    recipient.get_by_role("button", name="Accept and become the owner").click()
    recipient.wait_for_url(f"{live_server.url}{app.get_absolute_url()}")
    expect(recipient.get_by_test_id("owner")).to_have_text("frank")

    app.refresh_from_db()
    assert app.user == frank
    assert set(Maintainer.objects.filter(application=app).values_list("user__username", flat=True)) == {
        "dana",
        "erin",
    }
    assert AuditEvent.objects.filter(application_pk=app.pk, action=AuditAction.TRANSFER_ACCEPTED).exists()
    # Dana stayed on as a co-maintainer: the list shows the role, and no Delete for the app.
    owner.goto(f"{live_server.url}{LIST}")
    row = owner.locator(f'tr[data-app-id="{app.pk}"]')
    expect(row.get_by_test_id("role")).to_have_text("Co-maintainer")
    assert "delete" not in row.get_attribute("data-may").split()
    assert OAuthApplication.objects.filter(pk=app.pk).exists()
    assert erin.is_active
