"""Which redirect URI a request may name, and where the browser may then be sent.

RFC 6749 §3.1.2.3 and RFC 9700 §2.1: the requested URI must equal a registered one,
character for character. The one exception is RFC 8252 §7.3: for an http redirect to
an IP-literal loopback host (127.0.0.1 or [::1]) the port may differ, because a native
app listens on whatever port the operating system gives it. "localhost" gets no such
exception (RFC 8252 §8.3), and nothing is normalised: a different case, an added
default port or a trailing slash is a different URI.
"""

import re

# "http://127.0.0.1" or "http://[::1]", an optional valid port, then the path, the
# query or the end. Anything else after the host (userinfo, a second host) never matches.
_LOOPBACK_RE = re.compile(
    r"(?P<origin>http://(?:127\.0\.0\.1|\[::1\]))(?::(?P<port>[0-9]{1,5}))?(?P<rest>[/?].*)?"
)


def _without_loopback_port(uri: str) -> str | None:
    """The URI with its port removed if it is an http IP-literal loopback URI, else None."""
    match = _LOOPBACK_RE.fullmatch(uri)
    if match is None:
        return None
    port = match.group("port")
    if port is not None and not (port[0] != "0" and 1 <= int(port) <= 65535):
        return None
    return match.group("origin") + (match.group("rest") or "")


def redirect_uri_matches(requested: str, registered: str) -> bool:
    if "#" in requested:
        return False
    if requested == registered:
        return True
    loopback = _without_loopback_port(registered)
    return loopback is not None and loopback == _without_loopback_port(requested)


def redirect_uri_allowed(requested: str, registered_uris: list[str]) -> bool:
    """True when `requested` names one of `registered_uris` (see the module docstring)."""
    return isinstance(requested, str) and any(
        redirect_uri_matches(requested, registered) for registered in registered_uris
    )


def allowed_schemes(registered_uris: list[str]) -> list[str]:
    """The schemes a redirect may use: exactly those of the app's registered URIs.

    Registration (oauth_apps/validators.py) decides which schemes are acceptable —
    https, http for loopback, private-use schemes for public clients — so the final
    redirect accepts those and nothing more.
    """
    return sorted({uri.partition(":")[0].lower() for uri in registered_uris if ":" in uri})


def csp_source(uri: str) -> str:
    """The Content-Security-Policy source that allows navigating to `uri`.

    For http(s) this is the origin; for a private-use scheme (com.example.app:/cb) it
    is the scheme source "com.example.app:".
    """
    scheme, _, rest = uri.partition(":")
    if scheme.lower() in ("http", "https") and rest.startswith("//"):
        authority = rest[2:].split("/", 1)[0].split("?", 1)[0].split("#", 1)[0]
        return f"{scheme.lower()}://{authority}"
    return f"{scheme.lower()}:"
