"""Staff block a metadata-document URL or a whole host; the Info page shows the document's fetch."""

from types import SimpleNamespace

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.urls import reverse

from client_metadata import services
from client_metadata.models import BlockedClient, BlockKind, MetadataDocument
from oauth_apps.models import AuditAction, AuditEvent, OAuthApplication
from tests.authserver.conftest import Flow
from tests.conftest import grant
from tests.helpers import give_tokens, token_count

from .conftest import REDIRECT_URI

pytestmark = pytest.mark.django_db


@pytest.fixture
def flow(user_client):
    return Flow(user_client)


@pytest.fixture
def metadata_app(documents, flow):
    url = documents.serve()
    assert flow.authorize(SimpleNamespace(client_id=url, redirect_uri_list=[REDIRECT_URI])).status_code == 200
    return OAuthApplication.objects.get(client_id=url)


def authorize(flow, url):
    return flow.authorize(SimpleNamespace(client_id=url, redirect_uri_list=[REDIRECT_URI]))


def blocker(user, *codenames):
    user.user_permissions.add(
        *Permission.objects.filter(content_type__app_label="client_metadata", codename__in=codenames)
    )
    return get_user_model().objects.get(pk=user.pk)


@pytest.mark.parametrize("kind", [BlockKind.URL, BlockKind.HOST])
def test_a_block_disables_the_app_revokes_its_tokens_and_refuses_authorize(
    documents, flow, metadata_app, user, staff_user, kind
):
    give_tokens(metadata_app, user)
    value = (
        metadata_app.client_id if kind == BlockKind.URL else f"tools.cimd-test.net:{documents.server.port}"
    )
    _blocked, disabled = services.block(kind, value, actor=staff_user, reason="abuse")
    assert disabled == 1
    metadata_app.refresh_from_db()
    assert not metadata_app.enabled
    assert token_count(metadata_app.pk) == 0
    event = AuditEvent.objects.get(application_pk=metadata_app.pk, action=AuditAction.DISABLE)
    assert event.actor == staff_user
    assert event.via == f"blocked {kind}: {value}"
    page = authorize(flow, metadata_app.client_id)
    assert page.status_code == 403
    assert page.context["reason"] == "client_blocked"
    assert "blocked this application" in page.content.decode()


def test_a_blocked_host_is_refused_before_any_fetch(documents, flow, staff_user):
    services.block(BlockKind.HOST, "https://Other.cimd-test.net/", actor=staff_user)
    assert BlockedClient.objects.get().value == "other.cimd-test.net"
    documents.serve()
    page = authorize(flow, f"https://other.cimd-test.net/{'client.json'}")
    assert page.status_code == 403
    assert page.context["reason"] == "client_blocked"
    assert documents.lookups == []
    assert not OAuthApplication.objects.exists()


def test_a_host_block_leaves_other_hosts_alone(documents, metadata_app, staff_user):
    _blocked, disabled = services.block(BlockKind.HOST, "tools.cimd-test.net", actor=staff_user)
    assert disabled == 0  # the app's host carries a port, so it is another host
    metadata_app.refresh_from_db()
    assert metadata_app.enabled


def test_a_malformed_block_is_refused(staff_user):
    from client_metadata.documents import DocumentRefused

    with pytest.raises(DocumentRefused):
        services.block(BlockKind.URL, "http://tools.cimd-test.net/client.json", actor=staff_user)
    with pytest.raises(DocumentRefused):
        services.block(BlockKind.HOST, "tools.cimd-test.net/path", actor=staff_user)
    assert not BlockedClient.objects.exists()


def test_lifting_a_block_lets_the_client_in_again_once_staff_enable_it(
    documents, flow, metadata_app, staff_user
):
    blocked, _disabled = services.block(BlockKind.URL, metadata_app.client_id, actor=staff_user)
    services.unblock(blocked)
    assert authorize(flow, metadata_app.client_id).context["reason"] == "application_disabled"
    OAuthApplication.objects.filter(pk=metadata_app.pk).update(enabled=True)
    assert authorize(flow, metadata_app.client_id).status_code == 200


def test_staff_block_through_the_admin(client, documents, metadata_app, staff_user):
    client.force_login(blocker(staff_user, "add_blockedclient", "view_blockedclient"))
    response = client.post(
        reverse("admin:client_metadata_blockedclient_add"),
        {"kind": "url", "value": metadata_app.client_id, "reason": "phishing"},
    )
    assert response.status_code == 302, response.content[:2000]
    assert BlockedClient.objects.get().reason == "phishing"
    metadata_app.refresh_from_db()
    assert not metadata_app.enabled
    # Malformed: a message next to the field, nothing stored.
    response = client.post(
        reverse("admin:client_metadata_blockedclient_add"), {"kind": "host", "value": "a b", "reason": ""}
    )
    assert response.status_code == 200
    assert "Enter a host name" in response.content.decode()
    assert BlockedClient.objects.count() == 1


def test_blocking_needs_the_permission(client, staff_user):
    client.force_login(grant(staff_user, "view_oauthapplication"))
    assert client.get(reverse("admin:client_metadata_blockedclient_add")).status_code == 403
    client.force_login(blocker(staff_user, "add_blockedclient"))
    assert client.get(reverse("admin:client_metadata_blockedclient_add")).status_code == 200


def test_staff_can_lift_a_block_in_the_admin(client, staff_user):
    blocked, _disabled = services.block(BlockKind.HOST, "tools.cimd-test.net", actor=staff_user)
    client.force_login(blocker(staff_user, "delete_blockedclient", "view_blockedclient"))
    response = client.post(
        reverse("admin:client_metadata_blockedclient_delete", args=[blocked.pk]), {"post": "yes"}
    )
    assert response.status_code == 302
    assert not BlockedClient.objects.exists()


def test_the_fetched_documents_are_read_only_in_the_admin(admin_client, metadata_app):
    record = MetadataDocument.objects.get()
    page = admin_client.get(reverse("admin:client_metadata_metadatadocument_change", args=[record.pk]))
    assert page.status_code == 200
    assert "Claude Code" in page.content.decode()
    assert admin_client.get(reverse("admin:client_metadata_metadatadocument_add")).status_code == 403
    # The app itself, with no owner, reads in the admin like any other.
    app_page = admin_client.get(reverse("admin:oauth_apps_oauthapplication_change", args=[metadata_app.pk]))
    assert app_page.status_code == 200
    assert admin_client.get(reverse("admin:oauth_apps_auditevent_changelist")).status_code == 200


def test_the_info_page_shows_the_document_and_when_it_was_fetched(client, metadata_app, staff_user):
    client.force_login(grant(staff_user, "view_oauthapplication", "view_all_applications"))
    page = client.get(reverse("oauth_apps:detail", args=[metadata_app.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-testid="metadata-document"' in html
    assert metadata_app.client_id in html
    assert 'data-testid="document-fetched"' in html
    # The preview is the consent screen as its users see it: the host first.
    assert 'data-testid="self-identified"' in html
    listing = client.get(reverse("oauth_apps:list")).content.decode()
    assert "Claude Code" in listing


def test_the_owner_of_nothing_cannot_see_it(user_client, metadata_app):
    assert user_client.get(reverse("oauth_apps:detail", args=[metadata_app.pk])).status_code == 404
