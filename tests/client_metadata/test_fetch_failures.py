"""Failed fetches and refused documents are kept for staff: one row per URL, bounded, read-only."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from client_metadata.models import FetchFailure
from client_metadata.services import record_failure

from .test_authorize import client_for, png, refused

pytestmark = pytest.mark.django_db


@pytest.fixture
def flow(user_client):
    from tests.authserver.conftest import Flow

    return Flow(user_client)


def private_address(documents):
    documents.addresses["tools.cimd-test.net"] = ["10.0.0.7"]
    return documents.serve()


def metadata_service(documents):
    documents.addresses["tools.cimd-test.net"] = ["169.254.169.254"]
    return documents.serve()


def bad_logo(documents):
    documents.serve("/logo.png", raw=png(size=(64, 64)), headers={"Content-Type": "image/png"})
    return documents.serve(document=documents.document(logo_uri=documents.url("/logo.png")))


# Each refusal kind: how to serve it, the code kept, and words of the message kept.
KINDS = {
    "private address": (private_address, "fetch_address_not_allowed", "10.0.0.7"),
    "metadata service": (metadata_service, "fetch_address_not_allowed", "169.254.169.254"),
    "redirect": (
        lambda d: d.serve(status=302, headers={"Location": "https://169.254.169.254/"}),
        "fetch_redirect_refused",
        "redirect",
    ),
    "oversized": (lambda d: d.serve(raw=b"{" + b" " * 6000 + b"}"), "fetch_too_large", "larger than"),
    "timeout": (lambda d: d.serve(delay=3), "fetch_timeout", "did not answer"),
    "http status": (lambda d: d.serve(status=404), "fetch_http_status", "404"),
    "not json": (lambda d: d.serve(raw=b"not json"), "invalid_client_metadata", "JSON"),
    "client_id mismatch": (
        lambda d: d.serve(document=d.document(client_id="https://tools.cimd-test.net/another.json")),
        "client_id_mismatch",
        "exactly the URL",
    ),
    "refused member": (
        lambda d: d.serve(document=d.document(token_endpoint_auth_method="client_secret_basic")),
        "invalid_client_metadata",
        "client_secret_basic",
    ),
    "bad logo": (bad_logo, "invalid_client_metadata", "logo_uri"),
}


@pytest.mark.parametrize("kind", list(KINDS))
def test_each_refusal_kind_is_kept_for_staff(documents, flow, kind):
    serve, code, words = KINDS[kind]
    url = serve(documents)
    refused(flow, url)
    failure = FetchFailure.objects.get()
    assert failure.url == url
    assert failure.last_code == code
    assert words in failure.last_message
    assert failure.attempts == 1


def test_a_redirect_uri_not_in_the_document_is_kept(documents, flow):
    url = documents.serve()
    refused(flow, url, redirect_uri="https://attacker.cimd-test.net/cb")
    assert FetchFailure.objects.get(url=url).last_code == "redirect_uri_not_in_document"


def test_failures_of_one_url_share_one_row(documents, flow):
    url = documents.serve(status=404)
    refused(flow, url)
    documents.serve(status=500)
    refused(flow, url)
    failure = FetchFailure.objects.get()
    assert failure.attempts == 2
    assert "500" in failure.last_message
    assert failure.first_failed < failure.last_failed


def test_refusals_without_a_fetch_are_not_kept(documents, flow):
    refused(flow, "https://tools.cimd-test.net/")
    assert not FetchFailure.objects.exists()


def test_a_successful_fetch_keeps_nothing(documents, flow):
    assert flow.authorize(client_for(documents.serve())).status_code == 200
    assert not FetchFailure.objects.exists()


def test_rows_quiet_for_the_retention_period_are_pruned(settings, db):
    settings.CLIENT_METADATA_FAILURE_RETENTION_DAYS = 30
    old = timezone.now() - timedelta(days=31)
    FetchFailure.objects.create(
        url="https://old.example/c.json", first_failed=old, last_failed=old, last_code="fetch_timeout"
    )
    record_failure("https://new.example/c.json", "fetch_http_status", "HTTP 404")
    assert list(FetchFailure.objects.values_list("url", flat=True)) == ["https://new.example/c.json"]


def test_a_long_message_is_cut_to_the_column(db):
    record_failure("https://new.example/c.json", "invalid_client_metadata", "x" * 2000)
    assert len(FetchFailure.objects.get().last_message) == 500


def test_staff_read_the_failures_in_the_admin_and_cannot_change_them(admin_client, db):
    record_failure("https://tools.example/c.json", "fetch_address_not_allowed", "resolves to 10.0.0.7")
    failure = FetchFailure.objects.get()
    page = admin_client.get(reverse("admin:client_metadata_fetchfailure_changelist"))
    assert page.status_code == 200
    assert "https://tools.example/c.json" in page.content.decode()
    assert "fetch_address_not_allowed" in page.content.decode()
    change = admin_client.get(reverse("admin:client_metadata_fetchfailure_change", args=[failure.pk]))
    assert change.status_code == 200
    assert "resolves to 10.0.0.7" in change.content.decode()
    assert b'name="last_code"' not in change.content
    assert admin_client.get(reverse("admin:client_metadata_fetchfailure_add")).status_code == 403
    delete = reverse("admin:client_metadata_fetchfailure_delete", args=[failure.pk])
    assert admin_client.post(delete, {"post": "yes"}).status_code == 403
    assert FetchFailure.objects.exists()
