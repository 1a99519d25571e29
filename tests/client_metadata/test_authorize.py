"""A client_id that is an https URL, through the authorize endpoint, consent and the token endpoint."""

import io
from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.utils import timezone
from PIL import Image

from client_metadata.models import MetadataDocument
from oauth_apps.models import AuditAction, AuditEvent, OAuthApplication, RegistrationSource
from tests.authserver.conftest import TOKEN_URL, Flow

from .conftest import REDIRECT_URI, SLOW

pytestmark = pytest.mark.django_db


def client_for(url, redirect_uri=REDIRECT_URI):
    return SimpleNamespace(client_id=url, redirect_uri_list=[redirect_uri])


def png(color=(200, 30, 30, 255), size=(32, 32)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGBA", size, color).save(buffer, format="PNG")
    return buffer.getvalue()


def nothing_stored():
    return not OAuthApplication.objects.exists() and not MetadataDocument.objects.exists()


@pytest.fixture
def flow(user_client):
    return Flow(user_client)


def test_full_code_flow_with_pkce_for_a_metadata_document_client(documents, flow, client):
    url = documents.serve()
    code = flow.code(client_for(url), scope="accounts.self:read")
    app = OAuthApplication.objects.get(client_id=url)
    assert app.registration_source == RegistrationSource.METADATA_DOCUMENT
    assert app.user is None
    assert app.is_public
    assert app.enabled
    assert app.name == "Claude Code"
    assert app.redirect_uri_list == [REDIRECT_URI]
    assert app.scope_names == ["accounts.self:read", "openid"]
    assert app.allowed_origin_list == []
    response = client.post(
        TOKEN_URL,
        {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": REDIRECT_URI,
            "client_id": url,
            "code_verifier": flow.verifier,
        },
    )
    assert response.status_code == 200, response.content
    assert response.json()["token_type"] == "Bearer"
    # Fetched once for the screen and the Allow, however many requests it took.
    assert documents.hits() == 1
    record = MetadataDocument.objects.get(url=url)
    assert record.application == app
    assert record.document["client_name"] == "Claude Code"
    event = AuditEvent.objects.get(application_pk=app.pk)
    assert event.action == AuditAction.CREATE
    assert event.actor is None
    assert event.via == "client ID metadata document"


def test_token_without_the_verifier_is_refused(documents, flow, client):
    url = documents.serve()
    code = flow.code(client_for(url))
    response = client.post(
        TOKEN_URL,
        {"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT_URI, "client_id": url},
    )
    assert response.status_code == 400


def test_consent_screen_names_the_host_before_the_self_chosen_name(documents, flow):
    url = documents.serve()
    page = flow.authorize(client_for(url))
    assert page.status_code == 200
    html = page.content.decode()
    host = f"tools.cimd-test.net:{documents.server.port}"
    title = html[html.index('id="consent-title"') : html.index("</h1>")]
    assert host in title
    assert "Claude Code" not in title
    notice = html[html.index('data-testid="self-identified"') :]
    assert "was not registered by an administrator" in notice
    assert "Claude Code" in notice
    assert html.index(host) < html.index("Claude Code")


def test_the_logo_goes_through_the_icon_pipeline(documents, flow):
    logo = png()
    documents.serve("/logo.png", raw=logo, headers={"Content-Type": "image/png"})
    url = documents.serve(document=documents.document(logo_uri=documents.url("/logo.png")))
    assert flow.authorize(client_for(url)).status_code == 200
    app = OAuthApplication.objects.get(client_id=url)
    assert app.icon.content_type == "image/png"
    assert documents.hits("/logo.png") == 1


def test_no_logo_gets_the_portal_default_icon(documents, flow):
    url = documents.serve()
    flow.authorize(client_for(url))
    assert OAuthApplication.objects.get(client_id=url).icon.content_type == "image/svg+xml"


def refused(flow, url, *, redirect_uri=REDIRECT_URI, status=400):
    page = flow.authorize(client_for(url, redirect_uri))
    assert page.status_code == status, page.content[:300]
    return page


@pytest.mark.parametrize(
    ("members", "reason", "words"),
    [
        ({"client_id": "https://tools.cimd-test.net/another.json"}, "client_id_mismatch", "exactly the URL"),
        ({"redirect_uris": ["https://10.0.0.1/cb"]}, "invalid_client_metadata", "redirect_uris:"),
        ({"redirect_uris": []}, "invalid_client_metadata", "redirect_uris:"),
        ({"scope": "accounts.self:read everything:write"}, "invalid_client_metadata", "scope:"),
        ({"scope": ["openid"]}, "invalid_client_metadata", "scope"),
        ({"client_name": "Bad\u202ename"}, "invalid_client_metadata", "client_name:"),
        ({"client_uri": "http://tools.cimd-test.net/"}, "invalid_client_metadata", "client_uri:"),
        ({"token_endpoint_auth_method": "private_key_jwt"}, "invalid_client_metadata", "exactly one of jwks"),
        (
            {"token_endpoint_auth_method": "client_secret_basic"},
            "invalid_client_metadata",
            "client_secret_basic",
        ),
        ({"client_secret": "s3cret"}, "invalid_client_metadata", "client secret"),
        ({"logo_uri": "http://tools.cimd-test.net/logo.png"}, "invalid_client_metadata", "logo_uri"),
        ({"client_name": 42}, "invalid_client_metadata", "client_name"),
    ],
)
def test_a_bad_document_is_refused_and_nothing_is_stored(documents, flow, members, reason, words):
    url = documents.serve(document=documents.document(**members))
    page = refused(flow, url)
    assert page.context["reason"] == reason
    assert words in page.context["message"]
    assert nothing_stored()


def test_a_redirect_uri_not_in_the_document_is_refused_and_nothing_is_stored(documents, flow):
    url = documents.serve()
    page = refused(flow, url, redirect_uri="https://attacker.cimd-test.net/cb")
    assert page.context["reason"] == "redirect_uri_not_in_document"
    assert nothing_stored()


@pytest.mark.parametrize(
    ("logo", "content_type"),
    [
        (png(size=(64, 64)), "image/png"),
        (b"<svg xmlns='http://www.w3.org/2000/svg'><script/></svg>", "image/svg+xml"),
    ],
)
def test_a_bad_logo_is_refused_and_nothing_is_stored(documents, flow, logo, content_type):
    documents.serve("/logo.png", raw=logo, headers={"Content-Type": content_type})
    url = documents.serve(document=documents.document(logo_uri=documents.url("/logo.png")))
    page = refused(flow, url)
    assert page.context["reason"] == "invalid_client_metadata"
    assert "logo_uri" in page.context["message"]
    assert nothing_stored()


def test_a_name_that_reads_like_a_portal_app_is_refused(documents, flow, make_app, user):
    make_app(user, name="Team Calendar")
    url = documents.serve(document=documents.document(client_name="TEAM  calendar"))
    page = refused(flow, url)
    assert "client_name:" in page.context["message"]
    assert not MetadataDocument.objects.exists()
    assert OAuthApplication.objects.count() == 1


def test_a_document_naming_no_scope_may_ask_for_any_scope_of_the_catalog(documents, flow):
    from oauth_apps import scopes as scope_catalog

    url = documents.serve(document=documents.document(scope=None))
    page = flow.authorize(client_for(url), scope="files:read")
    assert page.status_code == 200
    app = OAuthApplication.objects.get(client_id=url)
    assert app.scope_bits == scope_catalog.ALL_SCOPE_BITS
    assert [line.name for line in page.context["scope_lines"]] == ["files:read"]


def test_many_metadata_clients_may_share_a_name(documents, flow):
    first = documents.serve("/a.json", document=documents.document("/a.json"))
    second = documents.serve("/b.json", document=documents.document("/b.json"))
    assert flow.authorize(client_for(first)).status_code == 200
    assert flow.authorize(client_for(second)).status_code == 200
    assert OAuthApplication.objects.filter(name="Claude Code").count() == 2


@pytest.mark.parametrize(
    ("address", "reason"),
    [
        ("10.0.0.7", "fetch_address_not_allowed"),
        ("169.254.169.254", "fetch_address_not_allowed"),
        ("fe80::1", "fetch_address_not_allowed"),
    ],
)
def test_ssrf_targets_are_refused_at_authorize_and_nothing_is_stored(documents, flow, address, reason):
    documents.addresses["tools.cimd-test.net"] = [address]
    url = documents.serve()
    page = refused(flow, url)
    assert page.context["reason"] == reason
    assert nothing_stored()
    assert documents.hits() == 0


def test_loopback_is_refused_in_production_mode(documents, flow, settings):
    settings.CLIENT_METADATA_ALLOW_LOOPBACK = False
    url = documents.serve()
    page = refused(flow, url)
    assert page.context["reason"] == "fetch_address_not_allowed"
    assert nothing_stored()


@pytest.mark.parametrize(
    ("route", "reason"),
    [
        ({"status": 302, "headers": {"Location": "https://169.254.169.254/"}}, "fetch_redirect_refused"),
        ({"raw": b"{" + b" " * 6000 + b"}"}, "fetch_too_large"),
        ({"delay": SLOW}, "fetch_timeout"),
        ({"status": 404}, "fetch_http_status"),
        ({"raw": b"not json"}, "invalid_client_metadata"),
        ({"raw": b"{}", "headers": {"Content-Type": "text/html"}}, "invalid_client_metadata"),
    ],
)
def test_fetch_failures_are_refused_and_nothing_is_stored(documents, flow, route, reason):
    url = documents.serve(**route)
    page = refused(flow, url)
    assert page.context["reason"] == reason
    assert page.context["code"] == "invalid_client"
    assert nothing_stored()


@pytest.mark.parametrize(
    "client_id",
    [
        "https://tools.cimd-test.net",
        "https://tools.cimd-test.net/",
        "https://Tools.cimd-test.net/client.json",
        "https://tools.cimd-test.net/a/../client.json",
        "https://user@tools.cimd-test.net/client.json",
        "https://tools.cimd-test.net/" + "a" * 250,
        "https://10.0.0.1/client.json",
    ],
)
def test_client_id_urls_the_draft_forbids_are_refused_without_a_fetch(documents, flow, client_id):
    page = refused(flow, client_id)
    assert page.context["reason"] in {"client_id_invalid", "client_id_too_long"}
    assert documents.lookups == []
    assert nothing_stored()


def test_the_document_is_reused_while_fresh_and_refetched_after(documents, flow):
    url = documents.serve(headers={"Content-Type": "application/json", "Cache-Control": "max-age=600"})
    flow.authorize(client_for(url))
    flow.authorize(client_for(url))
    assert documents.hits() == 1
    record = MetadataDocument.objects.get(url=url)
    assert timedelta(seconds=590) < record.fresh_until - record.fetched <= timedelta(seconds=600)
    MetadataDocument.objects.filter(pk=record.pk).update(fresh_until=timezone.now() - timedelta(seconds=1))
    flow.authorize(client_for(url))
    assert documents.hits() == 2


def test_a_refetch_that_changes_the_document_records_an_update(documents, flow):
    url = documents.serve()
    flow.authorize(client_for(url))
    app = OAuthApplication.objects.get(client_id=url)
    documents.serve(document=documents.document(client_name="Claude Code Beta", scope="accounts.self:read"))
    MetadataDocument.objects.filter(url=url).update(fresh_until=timezone.now() - timedelta(seconds=1))
    assert flow.authorize(client_for(url), scope="accounts.self:read").status_code == 200
    app.refresh_from_db()
    assert app.name == "Claude Code Beta"
    assert app.scope_names == ["accounts.self:read"]
    update = AuditEvent.objects.get(application_pk=app.pk, action=AuditAction.UPDATE)
    assert update.changes["name"] == {"old": "Claude Code", "new": "Claude Code Beta"}
    assert update.via == "client ID metadata document"
    # A withdrawn scope revokes what was granted (the form's rule), recorded as well.
    assert AuditEvent.objects.filter(application_pk=app.pk, action=AuditAction.TOKEN_REVOKED).exists()


def test_an_unchanged_refetch_records_nothing_but_the_fetch_time(documents, flow):
    url = documents.serve()
    flow.authorize(client_for(url))
    record = MetadataDocument.objects.get(url=url)
    MetadataDocument.objects.filter(pk=record.pk).update(fresh_until=timezone.now() - timedelta(seconds=1))
    flow.authorize(client_for(url))
    assert AuditEvent.objects.count() == 1
    assert MetadataDocument.objects.get(pk=record.pk).fetched > record.fetched


def test_a_failed_refetch_refuses_and_keeps_the_stored_app(documents, flow):
    url = documents.serve()
    flow.authorize(client_for(url))
    documents.serve(status=500)
    MetadataDocument.objects.filter(url=url).update(fresh_until=timezone.now() - timedelta(seconds=1))
    page = refused(flow, url)
    assert page.context["reason"] == "fetch_http_status"
    assert OAuthApplication.objects.get(client_id=url).name == "Claude Code"


def test_switched_off_a_url_client_id_is_an_unknown_client(documents, flow, settings):
    settings.CLIENT_METADATA_DOCUMENTS_ENABLED = False
    url = documents.serve()
    page = flow.authorize(client_for(url))
    assert page.status_code == 400
    assert page.context["reason"] == "unknown_client"
    assert documents.hits() == 0


def test_metadata_advertises_support(client, settings):
    assert client.get("/.well-known/oauth-authorization-server").json()[
        "client_id_metadata_document_supported"
    ]
    settings.CLIENT_METADATA_DOCUMENTS_ENABLED = False
    assert (
        client.get("/.well-known/openid-configuration").json()["client_id_metadata_document_supported"]
        is False
    )


def test_a_visitor_not_signed_in_triggers_no_fetch(documents, client):
    url = documents.serve()
    response = Flow(client).authorize(client_for(url))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]
    assert documents.hits() == 0
    assert documents.lookups == []
    assert nothing_stored()


def test_fetches_are_rate_limited_per_person_and_reuse_does_not_count(documents, flow, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "client_metadata": "2/h"}
    urls = [documents.serve(f"/{name}.json", document=documents.document(f"/{name}.json")) for name in "abc"]
    assert flow.authorize(client_for(urls[0])).status_code == 200
    assert flow.authorize(client_for(urls[0])).status_code == 200  # stored and fresh: no fetch
    assert flow.authorize(client_for(urls[1])).status_code == 200
    limited = flow.authorize(client_for(urls[2]))
    assert limited.status_code == 429
    assert int(limited["Retry-After"]) > 0
    assert documents.hits("/c.json") == 0
    assert not OAuthApplication.objects.filter(client_id=urls[2]).exists()
