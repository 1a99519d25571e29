"""A metadata-document client stored without a network fetch (for pages that only need one to exist)."""

from client_metadata.documents import check_members, default_icon
from client_metadata.services import Fetched, store

REDIRECT_URI = "http://127.0.0.1:33418/callback"


def stored_metadata_client(url="https://tools.cimd-test.net/oauth/client.json", **members):
    """The app the real storing path makes from a document with these members; fresh for a day."""
    document = {
        "client_id": url,
        "client_name": "Claude Code",
        "redirect_uris": [REDIRECT_URI],
        "scope": "accounts.self:read openid",
        **members,
    }
    fetched = Fetched(checked=check_members(document, url), icon=default_icon(), fresh_seconds=24 * 60 * 60)
    return store(url, fetched, None, redirect_uri=None)
