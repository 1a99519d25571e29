"""Reviewing new apps: the policy, the queue, approve and reject, what the owner sees."""

import pytest
from django.urls import reverse

from oauth_apps import history, services
from oauth_apps.models import AuditAction, AuditEvent, OAuthApplication, ReviewState

from .helpers import edit_form, form_post_data, give_tokens, token_count

QUEUE_URL = reverse("oauth_apps:review_queue")
LIST_URL = reverse("oauth_apps:list")


def decide_url(app):
    return reverse("oauth_apps:review_decide", args=[app.pk])


@pytest.fixture
def reviewer_client(client, reviewer):
    client.force_login(reviewer)
    return client


@pytest.fixture
def pending_app(reviewing, make_app, user):
    app, _secret = make_app(user, name="Pending Planner")
    return app


# --- the policy decides the state a new app starts in -----------------------------


def test_with_the_policy_off_new_apps_are_approved(make_app, user):
    app, _ = make_app(user)
    assert (app.review_state, app.review_requested) == (ReviewState.APPROVED, None)
    assert app.is_usable(None)


def test_with_the_policy_on_new_apps_wait_for_review(pending_app):
    fresh = OAuthApplication.objects.get(pk=pending_app.pk)
    assert fresh.review_state == ReviewState.PENDING
    assert fresh.review_requested is not None
    assert not fresh.is_usable(None)
    assert fresh.unusable_reason == "application_pending_review"
    created = AuditEvent.objects.get(application_pk=fresh.pk, action=AuditAction.CREATE)
    assert created.changes["review_state"] == "pending"


def test_switching_the_policy_on_leaves_existing_apps_approved(make_app, user, reviewing):
    # One app made before the switch is turned on, one after.
    reviewing.review_new_apps = False
    reviewing.save()
    before, _ = make_app(user)
    reviewing.review_new_apps = True
    reviewing.save()
    after, _ = make_app(user)
    before.refresh_from_db()
    assert before.review_state == ReviewState.APPROVED
    assert after.review_state == ReviewState.PENDING


def test_the_registration_page_sends_a_new_app_to_review(user_client, reviewing, form_data, png_icon):
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = user_client.post(
        reverse("oauth_apps:create"),
        {**form_data, "icon": SimpleUploadedFile("icon.png", png_icon, content_type="image/png")},
    )
    assert response.status_code == 302
    app = OAuthApplication.objects.get(name=form_data["name"])
    assert app.review_state == ReviewState.PENDING
    page = user_client.get(response["Location"]).content.decode()
    assert "This app is waiting for review by the portal" in page


# --- the service --------------------------------------------------------------------


def test_approve_records_who_and_when_and_makes_the_app_usable(pending_app, reviewer):
    assert services.review_application(pending_app, actor=reviewer, approve=True, note="Looks fine")
    pending_app.refresh_from_db()
    assert pending_app.review_state == ReviewState.APPROVED
    assert (pending_app.reviewed_by, pending_app.review_note) == (reviewer, "Looks fine")
    assert pending_app.reviewed_at is not None
    assert pending_app.review_requested is None
    assert pending_app.is_usable(None)
    event = AuditEvent.objects.get(application_pk=pending_app.pk, action=AuditAction.REVIEW_APPROVED)
    assert (event.actor, event.changes) == (reviewer, {"review_note": "Looks fine"})


def test_reject_needs_a_reason_and_writes_nothing_without_one(pending_app, reviewer):
    with pytest.raises(services.ReviewNoteRequired):
        services.review_application(pending_app, actor=reviewer, approve=False, note="   ")
    pending_app.refresh_from_db()
    assert pending_app.review_state == ReviewState.PENDING
    assert not AuditEvent.objects.filter(action=AuditAction.REVIEW_REJECTED).exists()


def test_reject_revokes_whatever_the_app_holds(pending_app, reviewer, other_user):
    give_tokens(pending_app, other_user)  # cannot happen through the endpoints; the rule holds anyway
    assert services.review_application(pending_app, actor=reviewer, approve=False, note="Unknown publisher")
    assert token_count(pending_app.pk) == 0
    event = AuditEvent.objects.get(application_pk=pending_app.pk, action=AuditAction.REVIEW_REJECTED)
    assert event.changes == {"review_note": "Unknown publisher", "authorizations_revoked": 3}
    entry = history.describe(event)
    assert "Rejected by a reviewer" in entry.summary
    assert "Unknown publisher" in entry.text


def test_an_app_is_reviewed_once(pending_app, reviewer, staff_user):
    assert services.review_application(pending_app, actor=reviewer, approve=True)
    assert not services.review_application(pending_app, actor=staff_user, approve=False, note="late")
    pending_app.refresh_from_db()
    assert (pending_app.review_state, pending_app.reviewed_by) == (ReviewState.APPROVED, reviewer)


def test_an_approved_app_is_not_rejected_by_the_service(make_app, user, reviewer):
    app, _ = make_app(user)
    assert not services.review_application(app, actor=reviewer, approve=False, note="no")
    app.refresh_from_db()
    assert app.review_state == ReviewState.APPROVED


# --- resubmission ------------------------------------------------------------------


def test_editing_a_rejected_app_submits_it_again(pending_app, reviewer, user):
    services.review_application(pending_app, actor=reviewer, approve=False, note="Add a privacy policy")
    pending_app.refresh_from_db()
    result = services.update_application(edit_form(pending_app, description="Now with a policy"), actor=user)
    assert result.changes["review_state"] == {"old": "rejected", "new": "pending"}
    pending_app.refresh_from_db()
    assert pending_app.review_state == ReviewState.PENDING
    assert pending_app.review_requested is not None
    # The reviewer's note stays until the next review replaces it.
    assert pending_app.review_note == "Add a privacy policy"
    event = AuditEvent.objects.filter(application_pk=pending_app.pk, action=AuditAction.UPDATE).get()
    assert "Review: rejected → waiting for review" in history.describe(event).text


def test_editing_a_rejected_app_with_the_policy_off_approves_it(pending_app, reviewer, user, reviewing):
    services.review_application(pending_app, actor=reviewer, approve=False, note="No")
    reviewing.review_new_apps = False
    reviewing.save()
    pending_app.refresh_from_db()
    services.update_application(edit_form(pending_app, description="Changed"), actor=user)
    pending_app.refresh_from_db()
    assert pending_app.review_state == ReviewState.APPROVED


def test_editing_a_pending_app_keeps_its_place_in_the_queue(pending_app, user):
    requested = pending_app.review_requested
    services.update_application(edit_form(pending_app, description="Changed"), actor=user)
    pending_app.refresh_from_db()
    assert (pending_app.review_state, pending_app.review_requested) == (ReviewState.PENDING, requested)


def test_the_edit_page_says_the_app_was_submitted_again(user_client, pending_app, reviewer):
    services.review_application(pending_app, actor=reviewer, approve=False, note="Fix the name")
    pending_app.refresh_from_db()
    form_page = user_client.get(reverse("oauth_apps:edit", args=[pending_app.pk])).content.decode()
    assert "Fix the name" in form_page
    assert "it is then submitted for review again" in form_page
    response = user_client.post(
        reverse("oauth_apps:edit", args=[pending_app.pk]),
        form_post_data(pending_app, name="Planner for Teams"),
        follow=True,
    )
    assert "The app was submitted for review again." in response.content.decode()
    assert OAuthApplication.objects.get(pk=pending_app.pk).review_state == ReviewState.PENDING


# --- the queue page ------------------------------------------------------------------


def test_the_queue_lists_pending_apps_oldest_first(reviewer_client, reviewing, make_app, user, other_user):
    first, _ = make_app(user, name="First Waiting")
    second, _ = make_app(other_user, name="Second Waiting")
    reviewing.review_new_apps = False
    reviewing.save()
    make_app(user, name="Approved Already")
    page = reviewer_client.get(QUEUE_URL)
    assert page.status_code == 200
    assert [app.pk for app in page.context["applications"]] == [first.pk, second.pk]
    text = page.content.decode()
    assert "2 apps are waiting, oldest first." in text
    assert "Approved Already" not in text
    assert first.client_id in text
    assert "https://app.example.com/privacy" in text


def test_approving_from_the_queue(reviewer_client, pending_app, reviewer):
    response = reviewer_client.post(decide_url(pending_app), {"decision": "approve", "note": ""}, follow=True)
    assert response.redirect_chain[-1][0] == QUEUE_URL
    assert "Pending Planner is approved" in response.content.decode()
    pending_app.refresh_from_db()
    assert (pending_app.review_state, pending_app.reviewed_by) == (ReviewState.APPROVED, reviewer)


def test_rejecting_without_a_reason_shows_the_error_next_to_the_field(reviewer_client, pending_app):
    response = reviewer_client.post(decide_url(pending_app), {"decision": "reject", "note": ""})
    assert response.status_code == 400
    form = next(app.review_form for app in response.context["applications"] if app.pk == pending_app.pk)
    assert form.errors.as_data()["note"][0].code == "review_note_required"
    assert f'id="review-{pending_app.pk}-note_error"' in response.content.decode()
    assert OAuthApplication.objects.get(pk=pending_app.pk).review_state == ReviewState.PENDING


def test_rejecting_with_a_reason_the_owner_then_reads(reviewer_client, pending_app, client):
    response = reviewer_client.post(
        decide_url(pending_app), {"decision": "reject", "note": "Your privacy policy link is broken."}
    )
    assert response.status_code == 302
    app = OAuthApplication.objects.get(pk=pending_app.pk)
    assert (app.review_state, app.review_note) == (
        ReviewState.REJECTED,
        "Your privacy policy link is broken.",
    )
    client.force_login(app.user)
    page = client.get(app.get_absolute_url()).content.decode()
    assert "did not approve this app" in page
    assert "Your privacy policy link is broken." in page
    listing = client.get(LIST_URL, {"state": "rejected"})
    assert [row.pk for row in listing.context["applications"]] == [app.pk]
    assert 'data-testid="review-badge">Rejected<' in listing.content.decode()


def test_a_garbled_decision_is_a_400_and_changes_nothing(reviewer_client, pending_app):
    response = reviewer_client.post(decide_url(pending_app), {"decision": "maybe"})
    assert response.status_code == 400
    assert OAuthApplication.objects.get(pk=pending_app.pk).review_state == ReviewState.PENDING


def test_deciding_twice_tells_the_second_reviewer(reviewer_client, pending_app, reviewer):
    services.review_application(pending_app, actor=reviewer, approve=True)
    response = reviewer_client.post(decide_url(pending_app), {"decision": "reject", "note": "x"}, follow=True)
    assert "was already reviewed; nothing changed." in response.content.decode()
    assert OAuthApplication.objects.get(pk=pending_app.pk).review_state == ReviewState.APPROVED


def test_the_queue_is_not_there_for_people_who_may_not_review(client, user, staff_user, pending_app):
    for person in (user, staff_user, pending_app.user):
        client.force_login(person)
        assert client.get(QUEUE_URL).status_code == 404
        assert client.post(decide_url(pending_app), {"decision": "approve"}).status_code == 404
    assert OAuthApplication.objects.get(pk=pending_app.pk).review_state == ReviewState.PENDING


def test_a_superuser_may_review(client, admin_user, pending_app):
    client.force_login(admin_user)
    assert client.get(QUEUE_URL).status_code == 200
    assert client.post(decide_url(pending_app), {"decision": "approve"}).status_code == 302
    assert OAuthApplication.objects.get(pk=pending_app.pk).is_approved


# --- what the owner sees -------------------------------------------------------------


def test_the_owner_sees_the_pending_state_on_the_list_and_info_page(user_client, pending_app, make_app, user):
    make_app(user, name="Other Waiting")
    listing = user_client.get(LIST_URL, {"state": "pending"})
    assert {row.name for row in listing.context["applications"]} == {"Pending Planner", "Other Waiting"}
    assert 'data-testid="review-badge">Waiting for review<' in listing.content.decode()
    page = user_client.get(pending_app.get_absolute_url()).content.decode()
    assert 'data-testid="review-notice"' in page
    assert "It cannot sign anyone in until they approve it." in page


def test_the_pending_filter_leaves_approved_apps_out(user_client, reviewing, make_app, user):
    reviewing.review_new_apps = False
    reviewing.save()
    make_app(user)
    assert list(user_client.get(LIST_URL, {"state": "pending"}).context["applications"]) == []


def test_no_developer_token_for_a_pending_app(user_client, pending_app):
    response = user_client.post(
        reverse("authserver:developer_tools", args=[pending_app.pk]), {"generate": "1"}
    )
    assert "has not been approved by the portal" in response.content.decode()
    assert token_count(pending_app.pk) == 0


# --- the navigation -------------------------------------------------------------------


def test_reviewers_see_the_queue_link_with_the_count(reviewer_client, pending_app):
    page = reviewer_client.get(LIST_URL).content.decode()
    assert 'data-testid="review-queue-link"' in page
    assert '1<span class="visually-hidden"> app waiting</span>' in page


def test_others_see_no_queue_link(user_client, pending_app):
    assert "review-queue-link" not in user_client.get(LIST_URL).content.decode()


def test_the_link_costs_people_who_may_not_review_no_query(
    user_client, user, make_app, django_assert_num_queries
):
    from .test_list import LIST_QUERIES

    # The list's fixed count (tests/test_list.py), nothing more.
    make_app(user)
    with django_assert_num_queries(LIST_QUERIES):
        user_client.get(LIST_URL)


def test_the_link_costs_a_reviewer_one_count(client, admin_user, make_app, user, django_assert_num_queries):
    make_app(user)
    client.force_login(admin_user)
    from .test_list import LIST_QUERIES

    # A superuser sees every app, so the list skips reading their co-maintained ids (one
    # query fewer) and the review link counts the queue (one more).
    with django_assert_num_queries(LIST_QUERIES - 1 + 1):
        client.get(LIST_URL)


# --- the admin ----------------------------------------------------------------------------


def test_admin_filters_by_review_state_and_approves_with_the_same_service(
    admin_client, pending_app, make_app, user
):
    changelist = reverse("admin:oauth_apps_oauthapplication_changelist")
    page = admin_client.get(changelist, {"review_state__exact": "pending"})
    assert [app.pk for app in page.context["cl"].result_list] == [pending_app.pk]
    response = admin_client.post(
        changelist, {"action": "approve_apps", "_selected_action": [pending_app.pk]}, follow=True
    )
    assert "1 app approved." in response.content.decode()
    assert OAuthApplication.objects.get(pk=pending_app.pk).is_approved
    assert AuditEvent.objects.filter(
        application_pk=pending_app.pk, action=AuditAction.REVIEW_APPROVED
    ).exists()


# --- the management API ----------------------------------------------------------------------


def test_the_api_shows_the_review_state_read_only(api, pending_app):
    body = api("getClient", id=pending_app.pk).json()
    assert body["review"] == {"state": "pending", "note": None, "reviewed_at": None}
    # Sending it back changes nothing: it is read-only.
    response = api(
        "updateClient",
        id=pending_app.pk,
        json={"review": {"state": "approved"}, "description": "x"},
        headers={"If-Match": f'"{pending_app.version}"'},
        check_request=False,
    )
    assert response.status_code == 200
    assert response.json()["review"]["state"] == "pending"


def test_the_api_registers_new_apps_as_pending(api, reviewing, form_data, png_icon):
    import base64

    body = {key: value for key, value in form_data.items() if key != "save"}
    body["icon"] = base64.b64encode(png_icon).decode()
    response = api("createClient", json=body)
    assert response.status_code == 201, response.content
    assert response.json()["review"]["state"] == "pending"
