"""Staff review new apps in headless Chromium, with JavaScript on and off: the
navigation's link, the queue, approve, reject (a reason first), and what the
owner sees afterwards."""

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from oauth_apps.models import AuditAction, AuditEvent, OAuthApplication, ReviewState

from .conftest import PASSWORD, signed_in_at

pytestmark = pytest.mark.browser

BOTH_WAYS = pytest.mark.parametrize("js", [True, False], ids=["js", "no-js"])


@pytest.fixture
def waiting(dana, make_app, reviewing):
    """Two apps of dana's registered while the portal reviews new apps, and a reviewer."""
    first, _ = make_app(dana, name="Waiting Calendar")
    second, _ = make_app(dana, name="Waiting Notes")
    get_user_model().objects.create_superuser("rex", "rex@example.com", PASSWORD)
    return first, second


@BOTH_WAYS
def test_a_reviewer_approves_one_app_and_rejects_another_with_a_reason(open_page, live_server, waiting, js):
    first, second = waiting
    page = signed_in_at(open_page(js=js), live_server, username="rex")
    link = page.get_by_test_id("review-queue-link")
    expect(link).to_contain_text("2")
    link.click()
    page.get_by_role("heading", name="Apps waiting for review").wait_for()
    cards = page.locator(".review-card")
    expect(cards).to_have_count(2)
    expect(cards.nth(0)).to_contain_text("Waiting Calendar")  # oldest first

    cards.nth(0).get_by_role("button", name="Approve").click()
    page.get_by_text("Waiting Calendar is approved").wait_for()
    first.refresh_from_db()
    assert first.review_state == ReviewState.APPROVED

    card = page.locator(".review-card")
    expect(card).to_have_count(1)
    card.get_by_role("button", name="Reject").click()
    error = page.get_by_text("Give the reason for rejecting it")
    error.wait_for()
    assert OAuthApplication.objects.get(pk=second.pk).review_state == ReviewState.PENDING
    note = page.get_by_label("Note to the owner")
    expect(note).to_have_attribute("aria-invalid", "true")
    note.fill("The website does not say who publishes the app.")
    page.locator(".review-card").get_by_role("button", name="Reject").click()
    page.get_by_text("Waiting Notes is rejected").wait_for()
    page.get_by_role("heading", name="Nothing to review").wait_for()
    expect(page.get_by_test_id("review-queue-link")).to_have_text("Review queue")
    second.refresh_from_db()
    assert second.review_state == ReviewState.REJECTED
    assert AuditEvent.objects.filter(application_pk=second.pk, action=AuditAction.REVIEW_REJECTED).exists()

    owner = signed_in_at(open_page(js=js), live_server, path=second.get_absolute_url())
    expect(owner.get_by_test_id("review-notice")).to_contain_text(
        "The website does not say who publishes the app."
    )
    expect(owner.get_by_test_id("history")).to_contain_text("Rejected by a reviewer")
