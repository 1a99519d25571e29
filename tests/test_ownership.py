"""Co-maintainers and handing an app to a new owner (oauth_apps/ownership.py, access.py, people_views.py).

The permission matrix (test_permissions.py) covers who reaches which page; this
file follows the flows: offer → nothing changes → accept → the new owner has
every right and the old one none; cancel, decline, expiry; the errors and their
codes; the list's role and its fixed query count; the API as a co-maintainer.
"""

import json
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from oauth_apps import access, history, ownership
from oauth_apps.access import Action
from oauth_apps.models import AuditAction, AuditEvent, Maintainer, OAuthApplication, OwnershipOffer

from .helpers import client_authenticates

LIST_URL = reverse("oauth_apps:list")


@pytest.fixture
def app(make_app, user):
    app, secret = make_app(user)
    app.plain_secret = secret
    return app


@pytest.fixture
def dave(db):
    return get_user_model().objects.create_user("dave", "dave@example.com", "dave-password-1")


def signed_in(person) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(person)
    return client


def people_url(app):
    return reverse("oauth_apps:people", args=[app.pk])


def actions(app) -> list[str]:
    return list(
        AuditEvent.objects.filter(application_pk=app.pk).order_by("id").values_list("action", flat=True)
    )


def offer_to(client, app, person, **extra):
    return client.post(reverse("oauth_apps:transfer", args=[app.pk]), {"transfer-person": person, **extra})


def error_codes(response, form="transfer_form") -> list[str]:
    return [error.code for error in response.context[form].errors.as_data().get("person", [])]


# --- co-maintainers ------------------------------------------------------------------


def test_owner_adds_a_co_maintainer_who_may_edit_but_not_delete_or_transfer(user_client, app, other_user):
    response = user_client.post(
        reverse("oauth_apps:add_maintainer", args=[app.pk]), {"maintainer-person": "bob"}
    )
    assert response.status_code == 302
    assert list(Maintainer.objects.filter(application=app).values_list("user__username", flat=True)) == [
        "bob"
    ]
    assert actions(app)[-1] == AuditAction.MAINTAINER_ADDED
    for action in (Action.VIEW, Action.LIST, Action.CHANGE, Action.RESET_SECRET):
        assert access.may(other_user, action, app), action
    for action in (Action.DELETE, Action.TRANSFER, Action.MANAGE_MAINTAINERS, Action.MARK_RESOURCE_SERVER):
        assert not access.may(other_user, action, app), action
    bob = signed_in(other_user)
    assert bob.get(reverse("oauth_apps:edit", args=[app.pk])).status_code == 200
    assert bob.post(reverse("oauth_apps:delete", args=[app.pk])).status_code == 404
    assert OAuthApplication.objects.filter(pk=app.pk).exists()


def test_a_co_maintainer_is_found_by_e_mail_address_too(user_client, app, other_user):
    response = user_client.post(
        reverse("oauth_apps:add_maintainer", args=[app.pk]), {"maintainer-person": "BOB@example.com"}
    )
    assert response.status_code == 302
    assert Maintainer.objects.filter(application=app, user=other_user).exists()


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("", "required"),
        ("nobody", "user_unknown"),
        ("alice", "maintainer_is_owner"),
        ("bob", "already_maintainer"),
        ("inactive", "user_inactive"),
    ],
)
def test_adding_a_co_maintainer_is_refused_next_to_the_field(user_client, user, app, other_user, typed, code):
    get_user_model().objects.create_user("inactive", "x@example.com", "inactive-password-1", is_active=False)
    ownership.add_maintainer(app, other_user, actor=user)
    before = actions(app)
    response = user_client.post(
        reverse("oauth_apps:add_maintainer", args=[app.pk]), {"maintainer-person": typed}
    )
    assert response.status_code == 400
    assert error_codes(response, "maintainer_form") == [code]
    assert 'id="id_maintainer-person_error"' in response.content.decode()
    assert Maintainer.objects.filter(application=app).count() == 1
    assert actions(app) == before


def test_a_co_maintainer_may_leave_and_the_owner_may_remove_one(user, app, other_user, dave):
    ownership.add_maintainer(app, other_user, actor=user)
    ownership.add_maintainer(app, dave, actor=user)
    leave = signed_in(other_user).post(reverse("oauth_apps:remove_maintainer", args=[app.pk, other_user.pk]))
    assert leave.status_code == 302
    assert leave.url == LIST_URL
    # Dave may not remove anyone else.
    assert (
        signed_in(dave).post(reverse("oauth_apps:remove_maintainer", args=[app.pk, user.pk])).status_code
        == 404
    )
    removed = signed_in(user).post(reverse("oauth_apps:remove_maintainer", args=[app.pk, dave.pk]))
    assert removed.status_code == 302
    assert not Maintainer.objects.filter(application=app).exists()
    assert actions(app)[-2:] == [AuditAction.MAINTAINER_LEFT, AuditAction.MAINTAINER_REMOVED]
    assert signed_in(other_user).get(app.get_absolute_url()).status_code == 404


def test_a_co_maintainer_sees_the_secret_they_made_and_the_owner_is_not_warned(user, app, other_user):
    ownership.add_maintainer(app, other_user, actor=user)
    bob = signed_in(other_user)
    response = bob.post(reverse("oauth_apps:reset_secret", args=[app.pk]))
    assert response.url == reverse("oauth_apps:credentials", args=[app.pk])
    page = bob.get(response.url)
    secret = page.context["secret"]
    assert secret
    assert client_authenticates(app.client_id, secret)
    assert not client_authenticates(app.client_id, app.plain_secret)
    detail = signed_in(user).get(app.get_absolute_url())
    assert detail.context["secret_reset_by_other"] is None


def test_the_people_page_offers_forms_to_the_owner_only(user, app, other_user):
    ownership.add_maintainer(app, other_user, actor=user)
    owner_page = signed_in(user).get(people_url(app)).content.decode()
    maintainer_page = signed_in(other_user).get(people_url(app)).content.decode()
    assert 'name="maintainer-person"' in owner_page
    assert 'name="transfer-person"' in owner_page
    assert 'name="maintainer-person"' not in maintainer_page
    assert 'name="transfer-person"' not in maintainer_page
    assert reverse("oauth_apps:remove_maintainer", args=[app.pk, other_user.pk]) in maintainer_page


# --- transfer -------------------------------------------------------------------------


def test_transfer_changes_nothing_until_accepted_then_the_new_owner_has_every_right(
    user_client, user, app, other_user
):
    assert offer_to(user_client, app, "bob").status_code == 302
    app.refresh_from_db()
    assert (app.user_id, app.version) == (user.pk, 1)
    assert not access.may(other_user, Action.VIEW, app)
    # The app keeps working meanwhile.
    assert client_authenticates(app.client_id, app.plain_secret)

    bob = signed_in(other_user)
    listing = bob.get(LIST_URL)
    assert listing.context["offers_waiting"] == 1
    assert reverse("oauth_apps:offers") in listing.content.decode()
    offer = OwnershipOffer.objects.get(application=app)
    offer_page = bob.get(reverse("oauth_apps:offer", args=[offer.pk]))
    assert app.plain_secret not in offer_page.content.decode()
    accepted = bob.post(reverse("oauth_apps:offer", args=[offer.pk]), {"accept": "1"})
    assert accepted.status_code == 302
    assert accepted.url == app.get_absolute_url()

    app.refresh_from_db()
    assert (app.user_id, app.version) == (other_user.pk, 2)
    assert client_authenticates(app.client_id, app.plain_secret)  # nothing about the secret changed
    for action in Action:
        assert access.may(other_user, action, app) == (action not in access.STAFF_ONLY_ACTIONS), action
        assert not access.may(user, action, app), action
    assert user_client.get(app.get_absolute_url()).status_code == 404
    assert not OwnershipOffer.objects.exists()
    assert actions(app)[-2:] == [AuditAction.TRANSFER_OFFERED, AuditAction.TRANSFER_ACCEPTED]
    event = AuditEvent.objects.filter(application_pk=app.pk).first()
    text = history.describe(event).text
    assert "alice" in text
    assert "bob" in text


def test_the_old_owner_may_stay_on_as_a_co_maintainer(user_client, user, app, other_user):
    ownership.add_maintainer(app, other_user, actor=user)  # the recipient stops being a co-maintainer
    offer_to(user_client, app, "bob", **{"transfer-keep_as_maintainer": "on"})
    offer = OwnershipOffer.objects.get(application=app)
    ownership.accept_offer(offer, actor=other_user)
    app.refresh_from_db()
    assert app.user_id == other_user.pk
    assert list(Maintainer.objects.filter(application=app).values_list("user_id", flat=True)) == [user.pk]
    assert access.may(user, Action.CHANGE, app)
    assert not access.may(user, Action.DELETE, app)


def test_the_owner_cancels_and_the_recipient_declines(user_client, user, app, other_user):
    offer_to(user_client, app, "bob")
    assert user_client.post(reverse("oauth_apps:cancel_transfer", args=[app.pk])).status_code == 302
    assert not OwnershipOffer.objects.exists()
    offer_to(user_client, app, "bob")
    offer = OwnershipOffer.objects.get()
    response = signed_in(other_user).post(reverse("oauth_apps:offer", args=[offer.pk]), {"decline": "1"})
    assert response.status_code == 302
    app.refresh_from_db()
    assert (app.user_id, app.version) == (user.pk, 1)
    assert not OwnershipOffer.objects.exists()
    assert actions(app)[1:] == [
        AuditAction.TRANSFER_OFFERED,
        AuditAction.TRANSFER_CANCELLED,
        AuditAction.TRANSFER_OFFERED,
        AuditAction.TRANSFER_DECLINED,
    ]


def test_an_expired_offer_cannot_be_accepted_and_a_new_one_may_be_made(
    user_client, user, app, other_user, dave
):
    offer_to(user_client, app, "bob")
    OwnershipOffer.objects.update(expires=timezone.now() - timedelta(seconds=1))
    offer = OwnershipOffer.objects.get()
    bob = signed_in(other_user)
    assert bob.get(reverse("oauth_apps:offer", args=[offer.pk])).status_code == 404
    assert bob.post(reverse("oauth_apps:offer", args=[offer.pk]), {"accept": "1"}).status_code == 404
    assert bob.get(LIST_URL).context["offers_waiting"] == 0
    with pytest.raises(ownership.OfferGone):
        ownership.accept_offer(offer, actor=other_user)
    app.refresh_from_db()
    assert app.user_id == user.pk
    assert offer_to(user_client, app, "dave").status_code == 302
    assert OwnershipOffer.objects.get().to_user == dave


def test_offers_expire_after_the_documented_days(user, app, other_user):
    offer = ownership.offer_app(app, other_user, actor=user)
    assert timedelta(days=ownership.OFFER_DAYS - 1) < offer.expires - timezone.now() <= timedelta(days=14)


def test_an_offer_made_stale_by_another_change_of_owner_is_dropped(user, app, other_user, dave):
    offer = ownership.offer_app(app, other_user, actor=user)
    OAuthApplication.objects.filter(pk=app.pk).update(user=dave)  # changed by a script meanwhile
    with pytest.raises(ownership.OfferGone):
        ownership.accept_offer(offer, actor=other_user)
    assert OAuthApplication.objects.get(pk=app.pk).user == dave
    assert not OwnershipOffer.objects.exists()


@pytest.mark.parametrize(
    ("typed", "code"),
    [("", "required"), ("alice", "offer_to_self"), ("nobody", "user_unknown"), ("inactive", "user_inactive")],
)
def test_offering_is_refused_next_to_the_field(user_client, app, typed, code):
    get_user_model().objects.create_user("inactive", "x@example.com", "inactive-password-1", is_active=False)
    response = offer_to(user_client, app, typed)
    assert response.status_code == 400
    assert error_codes(response) == [code]
    assert 'id="id_transfer-person_error"' in response.content.decode()
    assert not OwnershipOffer.objects.exists()


def test_a_second_offer_waits_for_the_first(user_client, app, other_user, dave):
    offer_to(user_client, app, "bob")
    response = offer_to(user_client, app, "dave")
    assert (response.status_code, error_codes(response)) == (400, ["offer_pending"])
    assert OwnershipOffer.objects.get().to_user == other_user


def test_only_the_recipient_answers_an_offer(user, app, other_user, dave):
    offer = ownership.offer_app(app, other_user, actor=user)
    for person in (user, dave):
        response = signed_in(person).post(reverse("oauth_apps:offer", args=[offer.pk]), {"accept": "1"})
        assert response.status_code == 404
    assert OAuthApplication.objects.get(pk=app.pk).user == user


# --- the list and the API -----------------------------------------------------------------


def test_the_list_shows_co_maintained_apps_with_their_role(make_app, user, other_user):
    own, _ = make_app(other_user)
    shared, _ = make_app(user)
    make_app(user)  # not shared
    ownership.add_maintainer(shared, other_user, actor=user)
    response = signed_in(other_user).get(LIST_URL)
    rows = {app.pk: app for app in response.context["applications"]}
    assert set(rows) == {own.pk, shared.pk}
    assert (rows[own.pk].role, rows[shared.pk].role) == ("owner", "maintainer")
    may = rows[shared.pk].row_html.split('data-may="', 1)[1].split('"', 1)[0].split()
    assert "change" in may
    assert "delete" not in may
    assert response.content.decode().count('data-testid="role"') == 1


def test_staff_seeing_every_app_find_their_co_maintained_ones_marked(make_app, user, other_user, staff_user):
    from .conftest import grant

    shared, _ = make_app(user)
    not_shared, _ = make_app(other_user)
    ownership.add_maintainer(shared, staff_user, actor=user)
    ownership.add_maintainer(not_shared, user, actor=other_user)  # someone else's co-maintainership
    client = Client()
    client.force_login(grant(staff_user, "view_all_applications"))
    response = client.get(LIST_URL)
    rows = {app.pk: app for app in response.context["applications"]}
    assert (rows[shared.pk].role, rows[not_shared.pk].role) == ("maintainer", None)
    assert (rows[shared.pk].co_maintained, rows[not_shared.pk].co_maintained) == (True, False)
    assert response.content.decode().count('data-testid="role"') == 1


def test_the_list_query_count_stays_fixed_with_co_maintained_apps(
    make_app, user, other_user, django_assert_num_queries
):
    from .test_list import LIST_QUERIES

    bob = signed_in(other_user)
    for _ in range(2):
        app, _ = make_app(user)
        ownership.add_maintainer(app, other_user, actor=user)
    with django_assert_num_queries(LIST_QUERIES):
        small = bob.get(LIST_URL)
    for _ in range(25):
        app, _ = make_app(user)
        ownership.add_maintainer(app, other_user, actor=user)
        ownership.offer_app(make_app(user)[0], other_user, actor=user)
    with django_assert_num_queries(LIST_QUERIES):
        large = bob.get(LIST_URL)
    assert len(small.context["applications"]) == 2
    assert len(large.context["applications"]) == 20


def test_a_co_maintainers_token_edits_but_does_not_delete(user, app, other_user, api_token):
    ownership.add_maintainer(app, other_user, actor=user)
    client = Client()
    headers = {"Authorization": f"Bearer {api_token(other_user)}", "If-Match": f'"{app.version}"'}
    url = reverse("clients_api:client", args=[app.pk])
    read = client.get(url, headers=headers).json()
    assert (read["owner"], read["maintainers"]) == ("alice", ["bob"])
    patched = client.patch(
        url, data=json.dumps({"description": "Shared"}), content_type="application/json", headers=headers
    )
    assert patched.status_code == 200
    assert client.delete(url, headers={**headers, "If-Match": '"2"'}).status_code == 404
    assert OAuthApplication.objects.get(pk=app.pk).description == "Shared"
    listed = client.get(reverse("clients_api:clients"), headers=headers).json()
    assert [item["id"] for item in listed["items"]] == [app.pk]
