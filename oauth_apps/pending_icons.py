"""Icons that passed every check while another field of the form did not.

They wait in the user's session, keyed by their SHA-256, so the form can say
"keep this icon" in a hidden field instead of asking for the upload again, and
nothing reaches the icon table until the application itself is saved.
"""

import base64
import binascii
import re

from .icons import CleanIcon

SESSION_KEY = "oauth_apps.pending_icons"
MAX_PENDING = 4
TOKEN_RE = re.compile(r"^[0-9a-f]{64}$")


class PendingIcons:
    def __init__(self, session):
        self.session = session

    def _entries(self) -> dict:
        entries = self.session.get(SESSION_KEY)
        return entries if isinstance(entries, dict) else {}

    def put(self, icon: CleanIcon) -> str:
        entries = {token: entry for token, entry in self._entries().items() if token != icon.sha256}
        entries[icon.sha256] = {"type": icon.content_type, "data": base64.b64encode(icon.data).decode()}
        # Newest last; keep the session small.
        self.session[SESSION_KEY] = dict(list(entries.items())[-MAX_PENDING:])
        return icon.sha256

    def get(self, token: str) -> CleanIcon | None:
        if not token or not TOKEN_RE.match(token):
            return None
        entry = self._entries().get(token)
        if not entry:
            return None
        try:
            icon = CleanIcon(data=base64.b64decode(entry["data"], validate=True), content_type=entry["type"])
        except (KeyError, TypeError, ValueError, binascii.Error):
            return None
        return icon if icon.sha256 == token else None

    def discard(self, token: str) -> None:
        entries = self._entries()
        if token in entries:
            del entries[token]
            self.session[SESSION_KEY] = entries
