"""Checks for the URLs an OAuth application registers.

Website and legal pages, redirect URLs and allowed origins. The rules are SECURITY.md's
"URLs" section; the decisions taken where it is silent are recorded in docs/urls.md.

Every check works on the text exactly as given: the only normalisation is trimming ASCII
whitespace at the ends and lowercasing the scheme and host, so what is stored is what
an exact-match comparison (redirect URLs, CORS origins) will later see.
"""

import ipaddress
import re
import unicodedata
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

MAX_URL_LENGTH = 2048
MAX_REDIRECT_URI_LENGTH = 255  # PRODUCT.md: at most 255 characters per redirect URL

LOOPBACK_HOSTS = frozenset({"127.0.0.1", "[::1]", "localhost"})
WEB_SCHEMES = frozenset({"http", "https"})
# Refused with their own message; every other non-web scheme without a dot is refused too.
FORBIDDEN_SCHEMES = frozenset({"javascript", "data", "file", "blob", "vbscript"})
DEFAULT_PORTS = {"http": "80", "https": "443"}

# Special-use names that never resolve on the public internet (RFC 6761, RFC 6762,
# RFC 8375, ICANN's reservation of .internal).
NON_PUBLIC_DOMAINS = ("localhost", "local", "internal", "invalid", "test", "example", "home.arpa")

# SECURITY.md's ranges are listed explicitly so the rule does not depend on the running
# Python's idea of `is_global`. The IPv6 ranges that embed an IPv4 address (mapped,
# compatible, NAT64, 6to4, Teredo) are refused because Python 3.11 calls
# `::ffff:10.0.0.1` global.
NON_PUBLIC_NETWORKS = tuple(
    ipaddress.ip_network(network)
    for network in (
        "0.0.0.0/8",
        "10.0.0.0/8",
        "100.64.0.0/10",
        "127.0.0.0/8",
        "169.254.0.0/16",
        "172.16.0.0/12",
        "192.168.0.0/16",
        "::/96",
        "::ffff:0:0/96",
        "64:ff9b::/96",
        "64:ff9b:1::/48",
        "2001::/32",
        "2002::/16",
        "fc00::/7",
        "fe80::/10",
    )
)

_ASCII_WHITESPACE = " \t\n\r\f\v"
_WHITESPACE_RE = re.compile(r"[ \t\n\r\f\v]")
_CONTROL_RE = re.compile(r"[\x00-\x1f\x7f]")
_ENCODED_CONTROL_RE = re.compile(r"%(?:[01][0-9a-f]|7f)", re.IGNORECASE)
_SCHEME_RE = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*(?=:)")
# RFC 3986 characters allowed unencoded in a path, query or fragment, or a valid %XX escape.
_URL_CHARS_RE = re.compile(r"(?:[A-Za-z0-9._~!$&'()*+,;=:@/?-]|%[0-9A-Fa-f]{2})*")
_LABEL = r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
_LABEL_RE = re.compile(_LABEL)
# The first letter is already guaranteed by _SCHEME_RE.
_PRIVATE_SCHEME_RE = re.compile(rf"{_LABEL}(?:\.{_LABEL})+")
# A last label that browsers (WHATWG "ends in a number") parse as part of an IPv4 address.
_NUMERIC_LABEL_RE = re.compile(r"[0-9]+|0x[0-9a-f]*")
_PORT_RE = re.compile(r"[1-9][0-9]{0,4}")
_IPV6_CHARS_RE = re.compile(r"[0-9a-f:]+")
_ENCODED_PATH_CHARS = (("%2e", "."), ("%2f", "/"), ("%5c", "/"))


@dataclass(frozen=True)
class _Parts:
    """A URL split the RFC 3986 way; scheme and authority are already lowercased."""

    scheme: str
    authority: str | None
    path: str
    query: str | None
    fragment: str | None

    def unsplit(self) -> str:
        """Rebuild the URL byte for byte, keeping an empty `?` or `#` (urlunsplit drops them)."""
        url = f"{self.scheme}:"
        if self.authority is not None:
            url += f"//{self.authority}"
        url += self.path
        if self.query is not None:
            url += f"?{self.query}"
        if self.fragment is not None:
            url += f"#{self.fragment}"
        return url


def is_loopback_host(host: str) -> bool:
    """True for the hosts that may use plain http: 127.0.0.1, [::1] and localhost, in any case.

    IPv6 is accepted as written in a URL ("[::1]") and as urlsplit().hostname gives it ("::1").
    """
    if not isinstance(host, str) or not host.isascii():
        return False
    return host.lower() in LOOPBACK_HOSTS or host == "::1"


def clean_web_url(value: str) -> str:
    """Validate a website, privacy policy or terms of service URL and return it normalised."""
    text = _prepare(value, MAX_URL_LENGTH, "url_too_long")
    parts = _split(text, value)
    _require_web_scheme(parts, value)
    _check_authority(parts, value)
    _check_url_chars(parts, value)
    return parts.unsplit()


def clean_redirect_uri(value: str, *, public_client: bool) -> str:
    """Validate a redirect URL (RFC 6749 §3.1.2, RFC 9700 §2.1, RFC 8252) and return it normalised."""
    text = _prepare(value, MAX_REDIRECT_URI_LENGTH, "redirect_too_long")
    parts = _split(text, value)
    if parts.fragment is not None:
        raise ValidationError(
            _("%(value)s must not contain a fragment (#), not even an empty one."),
            code="redirect_fragment",
            params={"value": value},
        )
    if parts.scheme in WEB_SCHEMES:
        _check_authority(parts, value)
    else:
        _check_private_use_scheme(parts, value, public_client=public_client)
    _check_url_chars(parts, value)
    _reject_dot_segments(parts.path, value)
    return parts.unsplit()


def clean_origin(value: str) -> str:
    """Validate an allowed CORS origin, exactly `scheme://host[:port]`, and return it normalised."""
    text = _prepare(value, MAX_URL_LENGTH, "url_too_long")
    if text.lower() == "null":
        # Sandboxed iframes and file: pages all send "null": allowing it would allow them all.
        raise ValidationError(
            _("“null” cannot be an allowed origin."), code="origin_null", params={"value": value}
        )
    parts = _split(text, value)
    _require_web_scheme(parts, value)
    port = _check_authority(parts, value)
    if parts.path or parts.query is not None or parts.fragment is not None:
        raise ValidationError(
            _("%(value)s must be only scheme://host[:port], with no path (not even /), query or fragment."),
            code="origin_not_bare",
            params={"value": value},
        )
    if port == DEFAULT_PORTS[parts.scheme]:
        # Browsers leave the default port out of the Origin header, so this would never match.
        raise ValidationError(
            _("Drop the port from %(value)s: browsers never send the default port %(port)s."),
            code="origin_default_port",
            params={"value": value, "port": port},
        )
    return parts.unsplit()


def clean_each(values, clean_one):
    """Clean every entry and report all bad ones together."""
    cleaned, errors = [], []
    for value in values:
        try:
            cleaned.append(clean_one(value))
        except ValidationError as error:
            errors.extend(error.error_list)
    if errors:
        raise ValidationError(errors)
    return cleaned


# --- the same rules as model validators: any ModelForm (page, API, admin) applies them ---


def validate_web_url(value: str) -> None:
    """A stored website, privacy policy or terms URL must pass `clean_web_url`."""
    clean_web_url(value)


def validate_origins(value: str) -> None:
    """Stored allowed origins (space-separated) must each pass `clean_origin`."""
    clean_each(value.split(), clean_origin)


def validate_redirect_uris(value: str, *, public_client: bool) -> None:
    """Stored redirect URLs (space-separated) must each pass `clean_redirect_uri` for the client type."""
    clean_each(value.split(), lambda uri: clean_redirect_uri(uri, public_client=public_client))


def _prepare(value: str, max_length: int, too_long_code: str) -> str:
    """Trim ASCII whitespace at the ends and apply the character rules common to every URL."""
    text = value.strip(_ASCII_WHITESPACE) if isinstance(value, str) else ""
    if not text:
        raise ValidationError(_("Enter a URL."), code="url_invalid", params={"value": value})
    if len(text) > max_length:
        # The value itself stays out of the message: it may be megabytes long.
        raise ValidationError(
            _("Enter a URL of at most %(limit_value)d characters (it has %(show_value)d)."),
            code=too_long_code,
            params={"value": value, "limit_value": max_length, "show_value": len(text)},
        )
    if not text.isascii():
        raise ValidationError(
            _(
                "%(value)s contains non-ASCII characters: write an international domain name "
                "in its xn-- form and percent-encode everything else."
            ),
            code="url_not_ascii",
            params={"value": value},
        )
    if _WHITESPACE_RE.search(text):
        raise ValidationError(
            _("Remove the spaces and line breaks inside the URL (encode a space as %%20)."),
            code="url_whitespace",
            params={"value": value},
        )
    if _CONTROL_RE.search(text) or _ENCODED_CONTROL_RE.search(text):
        raise ValidationError(
            _("Remove the control characters from the URL, including encoded ones such as %%00 or %%0A."),
            code="url_control_chars",
            params={"value": value},
        )
    if "\\" in text:
        # Python's urlsplit and browsers disagree on where the host of "a.com\@b.com" ends.
        raise ValidationError(
            _("%(value)s contains a backslash; use / instead."), code="url_backslash", params={"value": value}
        )
    if "*" in text:
        raise ValidationError(
            _("%(value)s must not contain a wildcard (*): register every URL in full."),
            code="url_wildcard",
            params={"value": value},
        )
    return text


def _split(text: str, value: str) -> _Parts:
    """Split an absolute URL into its RFC 3986 parts; only scheme and authority are lowercased."""
    match = _SCHEME_RE.match(text)
    if match is None:
        raise ValidationError(
            _("%(value)s is not an absolute URL; write it in full, such as https://example.com/."),
            code="url_invalid",
            params={"value": value},
        )
    rest = text[match.end() + 1 :]
    rest, hash_mark, fragment = rest.partition("#")
    rest, question_mark, query = rest.partition("?")
    authority = None
    if rest.startswith("//"):
        authority, slash, path = rest[2:].partition("/")
        authority = authority.lower()
        rest = slash + path
    return _Parts(
        scheme=match.group().lower(),
        authority=authority,
        path=rest,
        query=query if question_mark else None,
        fragment=fragment if hash_mark else None,
    )


def _require_web_scheme(parts: _Parts, value: str) -> None:
    if parts.scheme not in WEB_SCHEMES:
        raise ValidationError(
            _("%(value)s must start with https:// (http:// only for 127.0.0.1, [::1] or localhost)."),
            code="scheme_not_allowed",
            params={"value": value, "scheme": parts.scheme},
        )


def _check_authority(parts: _Parts, value: str) -> str | None:
    """Check the host and port of an http(s) URL; return the port as written, if any."""
    if not parts.authority:
        raise ValidationError(
            _("%(value)s has no host; write it in full, such as https://example.com/."),
            code="url_invalid",
            params={"value": value},
        )
    if "@" in parts.authority:
        raise ValidationError(
            _("%(value)s must not contain a user name or password (user:pass@)."),
            code="url_userinfo",
            params={"value": value},
        )
    host, port = _split_host_port(parts.authority, value)
    address = _parse_host(host, value)
    if port is not None and not (_PORT_RE.fullmatch(port) and int(port) <= 65535):
        raise ValidationError(
            _("%(value)s has an invalid port; use a number from 1 to 65535 without leading zeros."),
            code="port_invalid",
            params={"value": value, "port": port},
        )
    if is_loopback_host(host):
        return port
    if parts.scheme == "http":
        raise ValidationError(
            _("%(value)s must use https (http is allowed only for 127.0.0.1, [::1] and localhost)."),
            code="insecure_scheme",
            params={"value": value},
        )
    if not _is_public(host, address):
        raise ValidationError(
            _("%(value)s must point to a public host; %(host)s is private, local or reserved."),
            code="host_not_public",
            params={"value": value, "host": host},
        )
    return port


def _split_host_port(authority: str, value: str) -> tuple[str, str | None]:
    if authority.startswith("["):
        end = authority.find("]") + 1
        host, after = authority[:end], authority[end:]
        if not end or (after and not after.startswith(":")):
            raise _host_invalid(value, authority)
        return host, (after[1:] if after else None)
    host, colon, port = authority.partition(":")
    if not host:
        raise _host_invalid(value, authority)
    return host, (port if colon else None)


def _parse_host(host: str, value: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """Check the host's syntax; return its address when it is an IP literal."""
    if host.startswith("["):
        return _parse_ipv6_literal(host, value)
    if host.endswith("."):
        # Browsers treat "example.com." and "example.com" as different origins.
        raise ValidationError(
            _("Remove the trailing dot from the host %(host)s in %(value)s."),
            code="host_trailing_dot",
            params={"value": value, "host": host},
        )
    if _NUMERIC_LABEL_RE.fullmatch(host.rpartition(".")[2]):
        # Browsers read "127.1", "0x7f.1" or "2130706433" as IPv4; only the dotted-quad form is clear.
        try:
            return ipaddress.IPv4Address(host)
        except ValueError:
            raise _host_invalid(value, host) from None
    _check_hostname(host, value)
    return None


def _parse_ipv6_literal(host: str, value: str) -> ipaddress.IPv6Address:
    literal = host[1:-1]
    # The character check keeps out zone IDs ("%25eth0"), which ipaddress would accept,
    # and dotted IPv4 tails, which browsers rewrite to hex.
    if not _IPV6_CHARS_RE.fullmatch(literal):
        raise _host_invalid(value, host)
    try:
        address = ipaddress.IPv6Address(literal)
    except ValueError:
        raise _host_invalid(value, host) from None
    if address.compressed != literal:
        # Browsers send the RFC 5952 form; any other spelling would never match exactly.
        raise ValidationError(
            _("Write the address in %(value)s as [%(canonical)s]."),
            code="host_invalid",
            params={"value": value, "host": host, "canonical": address.compressed},
        )
    return address


def _check_hostname(host: str, value: str) -> None:
    labels = host.split(".")
    if len(host) > 253 or not all(_LABEL_RE.fullmatch(label) for label in labels):
        raise _host_invalid(value, host)
    for label in labels:
        if label.startswith("xn--") and not _is_punycode(label[4:]):
            raise _host_invalid(value, host)


def _is_punycode(encoded: str) -> bool:
    """True when an xn-- label's payload is canonical Punycode for lowercase letters, digits and marks."""
    try:
        decoded = encoded.encode("ascii").decode("punycode")
    except UnicodeError:
        return False
    # Browsers map IDNs (roughly NFKC and lowercase) before use: "xn--a-ecp" decodes to "a⒈",
    # which maps to "a1." and so to another host. Only labels the mapping leaves alone pass.
    # This approximates UTS #46; full IDNA 2008 would need a third-party package.
    return (
        not decoded.isascii()
        and decoded.encode("punycode").decode("ascii") == encoded
        and unicodedata.normalize("NFKC", decoded).lower() == decoded
        and all(char == "-" or unicodedata.category(char)[0] in "LMN" for char in decoded)
    )


def _is_public(host: str, address: ipaddress.IPv4Address | ipaddress.IPv6Address | None) -> bool:
    if address is not None:
        return (
            address.is_global
            and not address.is_multicast
            and not any(address in network for network in NON_PUBLIC_NETWORKS)
        )
    # A single-label name ("intranet") only resolves inside some local network.
    return "." in host and not any(host == name or host.endswith(f".{name}") for name in NON_PUBLIC_DOMAINS)


def _check_url_chars(parts: _Parts, value: str) -> None:
    for component in (parts.path, parts.query or "", parts.fragment or ""):
        if not _URL_CHARS_RE.fullmatch(component):
            raise ValidationError(
                _(
                    "%(value)s contains characters that must be percent-encoded, "
                    "or a %% that is not followed by two hex digits."
                ),
                code="url_invalid_chars",
                params={"value": value},
            )


def _check_private_use_scheme(parts: _Parts, value: str, *, public_client: bool) -> None:
    """RFC 8252 §7.1: a reverse-DNS scheme, then a colon and a single slash; public clients only."""
    if parts.scheme in FORBIDDEN_SCHEMES or "." not in parts.scheme:
        raise ValidationError(
            _(
                "%(value)s must use https (http only for 127.0.0.1, [::1] or localhost), or a "
                "private-use scheme such as com.example.app:/callback for a public client."
            ),
            code="scheme_not_allowed",
            params={"value": value, "scheme": parts.scheme},
        )
    if not public_client:
        # Any app on the device can claim a private-use scheme, so only PKCE protects the code.
        raise ValidationError(
            _("%(value)s uses a private-use scheme, which only public (PKCE) clients may register."),
            code="private_scheme_confidential",
            params={"value": value, "scheme": parts.scheme},
        )
    if (
        not _PRIVATE_SCHEME_RE.fullmatch(parts.scheme)
        or parts.authority is not None
        or not parts.path.startswith("/")
    ):
        raise ValidationError(
            _(
                "%(value)s must look like com.example.app:/callback: a domain name you control in "
                "reverse order, a colon and a single slash."
            ),
            code="private_scheme_format",
            params={"value": value, "scheme": parts.scheme},
        )


def _reject_dot_segments(path: str, value: str) -> None:
    """Refuse "." and ".." segments, also when written %2e, or split by %2f or %5c."""
    decoded = path.lower()
    # Servers that decode the path before resolving it would see these as separators too.
    for encoded, plain in _ENCODED_PATH_CHARS:
        decoded = decoded.replace(encoded, plain)
    if any(segment in {".", ".."} for segment in decoded.split("/")):
        raise ValidationError(
            _("%(value)s must not contain . or .. path segments."),
            code="redirect_dot_segment",
            params={"value": value},
        )


def _host_invalid(value: str, host: str) -> ValidationError:
    return ValidationError(
        _("%(value)s does not have a valid host name or IP address."),
        code="host_invalid",
        params={"value": value, "host": host},
    )
