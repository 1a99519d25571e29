"""Queries per token request of a metadata-document client (the MCP clients' every token request).

The same kind of pin as tests/authserver/test_query_counts.py, for clients whose
client_id is a document URL: a public one (`token_endpoint_auth_method: none`) and
one that signs its requests (`private_key_jwt`). The requests are made as the client
makes them, with no session. A change that adds a query here should say why in its
commit.
"""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tests.authserver.conftest import TOKEN_URL, Flow

from .conftest import REDIRECT_URI
from .test_authorize import client_for
from .test_private_key_jwt import ISSUER, assertion, new_key, public_set, signed

pytestmark = pytest.mark.django_db

# "Does this client sign its requests?" (client_metadata.services.uses_private_key_jwt):
# the one EXISTS on the client's document.
SIGNS_ITS_REQUESTS = 'SELECT 1 AS "a" FROM "client_metadata_metadatadocument"'

# label: (queries, of which the EXISTS above)
EXPECTED = {
    # The client, the grant (the toolkit reads it several times), the user, the code's
    # record, the access and refresh tokens written in a savepoint, the record's token
    # family, the grant deleted, the first token noted for the app. The toolkit needs "does it sign
    # its requests?" twice (is client authentication required? may it pass on its
    # client_id alone?): asked of the database once (authserver/oauth2_validators.py).
    "public: code exchange": (18, 1),
    # The client (twice: by client_id, then the refresh token's), the refresh token and
    # its access token, the rotation in savepoints.
    "public: refresh": (20, 1),
    # The same, with the document's keys read instead of the EXISTS (the assertion
    # path never asks it).
    "private_key_jwt: code exchange": (18, 0),
    "private_key_jwt: refresh": (20, 0),
}


@pytest.fixture
def flow(user_client):
    return Flow(user_client)


def counted(results, label, send):
    with CaptureQueriesContext(connection) as captured:
        response = send()
    assert response.status_code == 200, response.content
    asked = [query for query in captured.captured_queries if query["sql"].startswith(SIGNS_ITS_REQUESTS)]
    results[label] = (len(captured), len(asked))
    return response.json()


def token_path(flow, url, label, authentication, refresh_authentication, results):
    """A code exchange, then a refresh, each a request of its own with no session."""
    code = flow.code(client_for(url), scope="accounts.self:read")
    exchange = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": REDIRECT_URI,
        "code_verifier": flow.verifier,
        **authentication,
    }
    client = Client()
    tokens = counted(results, f"{label}: code exchange", lambda: client.post(TOKEN_URL, exchange))
    refresh = {
        "grant_type": "refresh_token",
        "refresh_token": tokens["refresh_token"],
        **refresh_authentication,
    }
    counted(results, f"{label}: refresh", lambda: client.post(TOKEN_URL, refresh))


def test_a_metadata_document_clients_token_requests_make_a_fixed_number_of_queries(documents, flow):
    results = {}
    public = documents.serve()
    token_path(flow, public, "public", {"client_id": public}, {"client_id": public}, results)
    key = new_key()
    path = "/oauth/signing-client.json"
    document = documents.document(path, token_endpoint_auth_method="private_key_jwt", jwks=public_set(key))
    signing = documents.serve(path, document)
    token_path(
        flow,
        signing,
        "private_key_jwt",
        signed(assertion(key, signing)),
        signed(assertion(key, signing, aud=ISSUER)),
        results,
    )
    assert results == EXPECTED


def test_the_answer_is_kept_for_the_client_it_was_given_for(documents, flow, django_assert_num_queries):
    """Kept on the oauthlib request, for that client: another client on the same request is asked afresh."""
    from oauthlib.common import Request

    from authserver.oauth2_validators import _signs_its_requests
    from oauth_apps.models import OAuthApplication

    public = documents.serve()
    flow.authorize(client_for(public))
    key = new_key()
    path = "/oauth/signing-client.json"
    document = documents.document(path, token_endpoint_auth_method="private_key_jwt", jwks=public_set(key))
    signing = documents.serve(path, document)
    flow.authorize(client_for(signing))
    request = Request(TOKEN_URL)
    request.client = OAuthApplication.objects.get(client_id=public)
    with django_assert_num_queries(1):
        assert not _signs_its_requests(request)
        assert not _signs_its_requests(request)
    request.client = OAuthApplication.objects.get(client_id=signing)
    with django_assert_num_queries(1):
        assert _signs_its_requests(request)
        assert _signs_its_requests(request)
