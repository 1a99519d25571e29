"""Tests for oauth_apps.validators: a table of named cases, then property-based checks.

Only error codes are asserted, so no Django settings are needed: gettext_lazy messages are
evaluated only when rendered, and the one test that renders them configures a minimal
translation setup when no settings module is present.
"""

import os
import re
from functools import partial
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from oauth_apps.validators import (
    FORBIDDEN_SCHEMES,
    LOOPBACK_HOSTS,
    MAX_REDIRECT_URI_LENGTH,
    MAX_URL_LENGTH,
    NON_PUBLIC_DOMAINS,
    clean_origin,
    clean_redirect_uri,
    clean_web_url,
    is_loopback_host,
)

VALIDATORS = {
    "web": clean_web_url,
    "redirect_public": partial(clean_redirect_uri, public_client=True),
    "redirect_confidential": partial(clean_redirect_uri, public_client=False),
    "origin": clean_origin,
}

ERROR_CODES = {
    "url_too_long",
    "url_not_ascii",
    "url_whitespace",
    "url_control_chars",
    "url_backslash",
    "url_userinfo",
    "url_wildcard",
    "url_invalid",
    "url_invalid_chars",
    "insecure_scheme",
    "scheme_not_allowed",
    "host_invalid",
    "host_not_public",
    "host_trailing_dot",
    "port_invalid",
    "redirect_fragment",
    "redirect_dot_segment",
    "redirect_too_long",
    "private_scheme_confidential",
    "private_scheme_format",
    "origin_not_bare",
    "origin_default_port",
    "origin_null",
}

AT_URL_LIMIT = "https://example.com/" + "a" * (MAX_URL_LENGTH - len("https://example.com/"))
AT_REDIRECT_LIMIT = "https://example.com/" + "a" * (MAX_REDIRECT_URI_LENGTH - len("https://example.com/"))


def accepted(kind, value, expected, case_id):
    return pytest.param(kind, value, expected, id=case_id)


def rejected(kind, value, code, case_id):
    return pytest.param(kind, value, code, id=case_id)


ACCEPTED = [
    # Website and legal pages
    accepted("web", "https://example.com/privacy", "https://example.com/privacy", "web-https"),
    accepted("web", "  https://example.com/terms\n", "https://example.com/terms", "web-trimmed-ends"),
    accepted("web", "HTTPS://Example.COM/Privacy", "https://example.com/Privacy", "web-case-path-kept"),
    accepted("web", "https://example.com", "https://example.com", "web-no-slash-not-added"),
    accepted("web", "https://example.com/a/", "https://example.com/a/", "web-trailing-slash-kept"),
    accepted("web", "https://example.com/p#section-2", "https://example.com/p#section-2", "web-fragment-ok"),
    accepted(
        "web", "https://example.com/a%20b?x=%2F", "https://example.com/a%20b?x=%2F", "web-encoding-kept"
    ),
    accepted("web", "https://example.com:8443/", "https://example.com:8443/", "web-port"),
    accepted("web", "https://example.com:443/", "https://example.com:443/", "web-default-port-kept"),
    accepted("web", "http://localhost:8000/", "http://localhost:8000/", "web-http-localhost"),
    accepted("web", "http://LOCALHOST/", "http://localhost/", "web-http-localhost-upper"),
    accepted("web", "http://127.0.0.1/", "http://127.0.0.1/", "web-http-ipv4-loopback"),
    accepted("web", "http://[::1]:3000/x", "http://[::1]:3000/x", "web-http-ipv6-loopback"),
    accepted("web", "https://localhost/", "https://localhost/", "web-https-localhost"),
    accepted("web", "https://xn--bcher-kva.de/", "https://xn--bcher-kva.de/", "web-punycode-host"),
    accepted("web", "https://8.8.8.8/", "https://8.8.8.8/", "web-public-ipv4"),
    accepted("web", "https://[2606:4700::1111]/", "https://[2606:4700::1111]/", "web-public-ipv6"),
    accepted("web", "https://[2606:4700::ABCD]/", "https://[2606:4700::abcd]/", "web-ipv6-lowercased"),
    accepted("web", "https://example.com/@alice", "https://example.com/@alice", "web-at-in-path"),
    accepted("web", "https://a-b.co.uk/?", "https://a-b.co.uk/?", "web-empty-query-kept"),
    # Redirect URLs
    accepted("redirect_public", "https://app.example.com/cb", "https://app.example.com/cb", "redirect-https"),
    accepted(
        "redirect_confidential",
        "https://example.com/cb?tenant=1",
        "https://example.com/cb?tenant=1",
        "redirect-query-ok",
    ),
    accepted(
        "redirect_public", "http://127.0.0.1:51000/cb", "http://127.0.0.1:51000/cb", "redirect-loopback"
    ),
    accepted("redirect_public", "http://[::1]/cb", "http://[::1]/cb", "redirect-loopback-ipv6"),
    accepted(
        "redirect_public",
        "com.example.app:/oauth2redirect",
        "com.example.app:/oauth2redirect",
        "redirect-private-scheme",
    ),
    accepted("redirect_public", "Com.Example.App:/CB", "com.example.app:/CB", "redirect-private-scheme-case"),
    accepted("redirect_public", "com.example.app:/", "com.example.app:/", "redirect-private-scheme-root"),
    accepted(
        "redirect_public",
        "com.example.app:/cb?x=1",
        "com.example.app:/cb?x=1",
        "redirect-private-scheme-query",
    ),
    accepted(
        "redirect_public",
        "https://example.com/.well-known/cb",
        "https://example.com/.well-known/cb",
        "redirect-dotfile-not-segment",
    ),
    accepted(
        "redirect_public",
        "https://example.com/cb?next=../x",
        "https://example.com/cb?next=../x",
        "redirect-dots-in-query",
    ),
    accepted("redirect_public", AT_REDIRECT_LIMIT, AT_REDIRECT_LIMIT, "redirect-at-length-limit"),
    accepted(
        "redirect_public",
        "https://example.com/%252e%252e/cb",
        "https://example.com/%252e%252e/cb",
        "redirect-double-encoded-dots-are-text",
    ),
    accepted("web", "https://example.com/a%2Ab", "https://example.com/a%2Ab", "web-encoded-star-is-text"),
    accepted("web", "https://xn--strae-oqa.de/", "https://xn--strae-oqa.de/", "web-punycode-eszett"),
    # Origins
    accepted("origin", "https://example.com", "https://example.com", "origin-bare"),
    accepted("origin", "HTTPS://APP.Example.com", "https://app.example.com", "origin-lowercased"),
    accepted("origin", "https://example.com:8443", "https://example.com:8443", "origin-port"),
    accepted("origin", "http://localhost:3000", "http://localhost:3000", "origin-http-localhost"),
    accepted("origin", "http://[::1]:8080", "http://[::1]:8080", "origin-http-ipv6-loopback"),
    accepted("origin", "http://127.0.0.1:443", "http://127.0.0.1:443", "origin-http-port-443-not-default"),
    accepted("web", AT_URL_LIMIT, AT_URL_LIMIT, "web-at-length-limit"),
]

REJECTED = [
    # Common rules
    rejected("web", "", "url_invalid", "empty"),
    rejected("web", "   ", "url_invalid", "blank"),
    rejected("web", "example.com/privacy", "url_invalid", "no-scheme"),
    rejected("web", "//example.com/", "url_invalid", "scheme-relative"),
    rejected("web", "https:example.com", "url_invalid", "no-slashes"),
    rejected("web", "https:///example.com", "url_invalid", "three-slashes"),
    rejected("web", "https://", "url_invalid", "no-host"),
    rejected("web", AT_URL_LIMIT + "a", "url_too_long", "too-long"),
    rejected("web", "https://exämple.com/", "url_not_ascii", "unicode-host"),
    rejected("web", "https://example.com/\ud800", "url_not_ascii", "lone-surrogate"),
    rejected("web", "https://example.com/a b", "url_whitespace", "inner-space"),
    rejected("web", "https://example.com/a\tb", "url_whitespace", "inner-tab"),
    rejected("web", "https://example.com/\x00", "url_control_chars", "nul"),
    rejected("web", "https://example.com/%00", "url_control_chars", "encoded-nul"),
    rejected("redirect_public", "https://example.com/cb%0a", "url_control_chars", "encoded-newline"),
    rejected("web", "https://example.com/%7F", "url_control_chars", "encoded-del"),
    rejected("web", "https://example.com\\@evil.com/", "url_backslash", "backslash-host-confusion"),
    rejected("web", "https://user:pass@example.com/", "url_userinfo", "userinfo"),
    rejected("web", "https://@example.com/", "url_userinfo", "empty-userinfo"),
    rejected("origin", "https://*.example.com", "url_wildcard", "wildcard-origin"),
    rejected("redirect_public", "https://example.com/*", "url_wildcard", "wildcard-path"),
    rejected("web", "https://example.com/a<b>", "url_invalid_chars", "unencoded-angle-brackets"),
    rejected("web", "https://example.com/%zz", "url_invalid_chars", "bad-percent-escape"),
    # Schemes
    rejected("web", "http://example.com/", "insecure_scheme", "http-public-host"),
    rejected("web", "http://127.0.0.2/", "insecure_scheme", "http-other-loopback-address"),
    rejected("web", "http://[::ffff:7f00:1]/", "insecure_scheme", "http-ipv4-mapped-loopback"),
    rejected("web", "javascript:alert(1)", "scheme_not_allowed", "javascript"),
    rejected("redirect_public", "javascript:alert(1)//", "scheme_not_allowed", "redirect-javascript"),
    rejected("redirect_public", "data:text/html,hi", "scheme_not_allowed", "redirect-data"),
    rejected("redirect_public", "file:///etc/passwd", "scheme_not_allowed", "redirect-file"),
    rejected("redirect_public", "blob:https://example.com/x", "scheme_not_allowed", "redirect-blob"),
    rejected("redirect_public", "VBScript:msgbox", "scheme_not_allowed", "redirect-vbscript-upper"),
    rejected("redirect_public", "ftp://example.com/", "scheme_not_allowed", "redirect-ftp"),
    rejected("redirect_public", "ssh://example.com/", "scheme_not_allowed", "redirect-ssh"),
    rejected("web", "git://example.com/repo", "scheme_not_allowed", "web-git"),
    rejected("origin", "wss://example.com", "scheme_not_allowed", "origin-wss"),
    rejected("web", "localhost:8000", "scheme_not_allowed", "host-port-read-as-scheme"),
    # Hosts
    rejected("web", "https://intranet/", "host_not_public", "single-label-host"),
    rejected("web", "https://127.0.0.2/", "host_not_public", "https-other-loopback-address"),
    rejected("web", "https://10.1.2.3/", "host_not_public", "private-10"),
    rejected("redirect_public", "https://172.16.0.1/cb", "host_not_public", "private-172-16"),
    rejected("redirect_public", "https://192.168.1.1/cb", "host_not_public", "private-192-168"),
    rejected("redirect_public", "https://169.254.169.254/cb", "host_not_public", "link-local-metadata"),
    rejected("redirect_public", "https://100.64.0.1/cb", "host_not_public", "carrier-grade-nat"),
    rejected("redirect_public", "https://0.0.0.0/cb", "host_not_public", "unspecified-ipv4"),
    rejected("redirect_public", "https://[fd00::1]/cb", "host_not_public", "unique-local-ipv6"),
    rejected("redirect_public", "https://[fe80::1]/cb", "host_not_public", "link-local-ipv6"),
    rejected("redirect_public", "https://[::ffff:a00:1]/cb", "host_not_public", "ipv4-mapped-private"),
    rejected("web", "https://printer.local/", "host_not_public", "mdns-name"),
    rejected("web", "https://app.localhost/", "host_not_public", "localhost-subdomain"),
    rejected("web", "https://[fe80::1%25eth0]/", "host_invalid", "ipv6-zone-id"),
    rejected("web", "https://[::ffff:10.0.0.1]/", "host_invalid", "ipv6-dotted-tail"),
    rejected("web", "https://[0:0:0:0:0:0:0:1]/", "host_invalid", "ipv6-not-canonical"),
    rejected("web", "https://[::1/", "host_invalid", "ipv6-unclosed"),
    rejected("web", "https://127.1/", "host_invalid", "short-ipv4"),
    rejected("web", "https://0x7f.0.0.1/", "host_invalid", "hex-ipv4"),
    rejected("web", "https://2130706433/", "host_invalid", "decimal-ipv4"),
    rejected("web", "https://010.1.1.1/", "host_invalid", "octal-ipv4"),
    rejected("web", "https://exa_mple.com/", "host_invalid", "underscore"),
    rejected("web", "https://-example.com/", "host_invalid", "leading-hyphen"),
    rejected("web", "https://example..com/", "host_invalid", "empty-label"),
    rejected("web", "https://" + "a" * 64 + ".com/", "host_invalid", "label-too-long"),
    rejected("web", "https://exa%6dple.com/", "host_invalid", "percent-in-host"),
    rejected("web", "https://xn--a-ecp.example/", "host_invalid", "bad-punycode"),
    rejected("web", "https://example.com./", "host_trailing_dot", "trailing-dot"),
    rejected("web", "http://localhost./", "host_trailing_dot", "localhost-trailing-dot"),
    rejected("origin", "https://example.com.", "host_trailing_dot", "origin-trailing-dot"),
    # Ports
    rejected("web", "https://example.com:0/", "port_invalid", "port-zero"),
    rejected("web", "https://example.com:65536/", "port_invalid", "port-too-big"),
    rejected("web", "https://example.com:/", "port_invalid", "port-empty"),
    rejected("web", "https://example.com:0443/", "port_invalid", "port-leading-zero"),
    rejected("web", "https://example.com:8o/", "port_invalid", "port-not-digits"),
    # Redirect URLs
    rejected("redirect_public", "https://example.com/cb#", "redirect_fragment", "empty-fragment"),
    rejected("redirect_public", "https://example.com/cb#x", "redirect_fragment", "fragment"),
    rejected("redirect_public", "https://example.com/a/../cb", "redirect_dot_segment", "dot-dot"),
    rejected("redirect_public", "https://example.com/./cb", "redirect_dot_segment", "dot"),
    rejected("redirect_public", "https://example.com/%2e%2e/cb", "redirect_dot_segment", "encoded-dot-dot"),
    rejected("redirect_public", "https://example.com/.%2E", "redirect_dot_segment", "mixed-encoded-dot-dot"),
    rejected(
        "redirect_public", "https://example.com/a/..%2fcb", "redirect_dot_segment", "dot-dot-encoded-slash"
    ),
    rejected("redirect_public", "com.example.app:/../cb", "redirect_dot_segment", "private-scheme-dot-dot"),
    rejected("redirect_public", AT_REDIRECT_LIMIT + "a", "redirect_too_long", "redirect-over-length-limit"),
    rejected(
        "redirect_confidential",
        "com.example.app:/cb",
        "private_scheme_confidential",
        "private-scheme-confidential-client",
    ),
    rejected(
        "redirect_public", "com.example.app://cb", "private_scheme_format", "private-scheme-two-slashes"
    ),
    rejected("redirect_public", "com.example.app:cb", "private_scheme_format", "private-scheme-no-slash"),
    rejected("redirect_public", "com..app:/cb", "private_scheme_format", "private-scheme-empty-label"),
    rejected("redirect_public", "com.example+app:/cb", "private_scheme_format", "private-scheme-plus"),
    rejected("redirect_public", "myapp:/cb", "scheme_not_allowed", "private-scheme-without-dot"),
    # Origins
    rejected("origin", "https://example.com/", "origin_not_bare", "origin-slash"),
    rejected("origin", "https://example.com/app", "origin_not_bare", "origin-path"),
    rejected("origin", "https://example.com?", "origin_not_bare", "origin-empty-query"),
    rejected("origin", "https://example.com#", "origin_not_bare", "origin-empty-fragment"),
    rejected("origin", "https://example.com:443", "origin_default_port", "origin-https-443"),
    rejected("origin", "http://localhost:80", "origin_default_port", "origin-http-80"),
    rejected("origin", "null", "origin_null", "origin-null"),
    rejected("origin", " NULL ", "origin_null", "origin-null-upper"),
    rejected("origin", "http://example.com", "insecure_scheme", "origin-http-public"),
    rejected("origin", "https://user@example.com", "url_userinfo", "origin-userinfo"),
]


@pytest.mark.parametrize(("kind", "value", "expected"), ACCEPTED)
def test_accepted_url_is_returned_normalised(kind, value, expected):
    assert VALIDATORS[kind](value) == expected


@pytest.mark.parametrize(("kind", "value", "code"), REJECTED)
def test_rejected_url_raises_its_error_code(kind, value, code):
    with pytest.raises(ValidationError) as excinfo:
        VALIDATORS[kind](value)
    assert excinfo.value.code == code
    assert excinfo.value.params["value"] == value


def test_table_covers_every_error_code():
    codes = {param.values[2] for param in REJECTED}
    assert codes == ERROR_CODES


@pytest.fixture
def renderable_messages():
    """Let lazy messages render when pytest runs without a Django settings module."""
    if not settings.configured and not os.environ.get("DJANGO_SETTINGS_MODULE"):
        settings.configure(USE_I18N=False)


@pytest.mark.usefixtures("renderable_messages")
@pytest.mark.parametrize(("kind", "value", "code"), REJECTED)
def test_error_message_renders_with_its_params(kind, value, code):
    with pytest.raises(ValidationError) as excinfo:
        VALIDATORS[kind](value)
    (message,) = excinfo.value.messages
    assert "%(" not in message


@pytest.mark.parametrize("host", ["127.0.0.1", "[::1]", "::1", "localhost", "LocalHost"])
def test_loopback_hosts_are_recognised(host):
    assert is_loopback_host(host)


@pytest.mark.parametrize("host", ["127.0.0.2", "[0::1]", "localhost.", "app.localhost", "", "ｌocalhost"])
def test_other_hosts_are_not_loopback(host):
    assert not is_loopback_host(host)


@pytest.mark.parametrize("kind", VALIDATORS)
@pytest.mark.parametrize("value", [None, 42, b"https://example.com"])
def test_non_string_input_is_a_validation_error(kind, value):
    with pytest.raises(ValidationError) as excinfo:
        VALIDATORS[kind](value)
    assert excinfo.value.code == "url_invalid"


def test_huge_input_is_refused_as_too_long():
    with pytest.raises(ValidationError) as excinfo:
        clean_web_url("https://example.com/" + "\u00e9" * 5_000_000)
    assert excinfo.value.code == "url_too_long"


# Property-based tests ---------------------------------------------------------------------

PROPERTY_SETTINGS = hypothesis_settings(
    max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)

ANY_CHARACTER = st.characters(exclude_categories=())  # surrogates included


def mostly(usual, unusual):
    """Draw from `usual` about two times in three, so enough URLs get past the first checks."""
    return st.one_of(st.sampled_from(usual), st.sampled_from(usual), st.sampled_from(unusual))


SCHEMES = mostly(
    ["https", "http", "HTTPS", "com.example.app", "Com.Example.App"],
    [
        "HtTp",
        "javascript",
        "data",
        "file",
        "blob",
        "vbscript",
        "ftp",
        "ssh",
        "git",
        "ws",
        "com.",
        "a.b+c",
        "1app",
        "",
    ],
)
SEPARATORS = mostly(["://", ":/"], [":", ":///", ":\\\\", "://\\", "//", ": //"])
USERINFO = mostly([""], ["user:pass@", "@", "a@", "x\\@", "%40@"])
HOSTS = st.one_of(
    mostly(
        [
            "example.com",
            "EXAMPLE.com",
            "localhost",
            "LOCALHOST",
            "127.0.0.1",
            "[::1]",
            "8.8.8.8",
            "[2606:4700::1111]",
            "xn--bcher-kva.de",
        ],
        [
            "localhost.",
            "127.0.0.2",
            "[::1",
            "::1",
            "[0::1]",
            "[fe80::1%25eth0]",
            "10.0.0.1",
            "169.254.169.254",
            "xn--zz.de",
            "intranet",
            "example.com.",
            "*.example.com",
            "exa%6dple.com",
            "127.1",
            "0x7f.0.0.1",
            "null",
            "a.b.example",
            "",
            "ex ample.com",
            "ex\tample.com",
            "exämple.com",
        ],
    ),
    st.from_regex(r"[a-z0-9-]{1,10}(\.[a-z0-9-]{1,10}){0,3}\.?", fullmatch=True),
)
PORTS = mostly(
    ["", ":8080", ":443"], [":", ":0", ":80", ":65535", ":65536", ":-1", ":0443", ":８０", ":80:80"]
)
SEGMENTS = mostly(
    ["", "cb", "CB", "a-b", "%20", ";", "@", ".well-known", "x=1&y=2"],
    [
        ".",
        "..",
        "%2e",
        "%2E%2e",
        ".%2e",
        "..%2f",
        "%0a",
        "%00",
        "%7f",
        "%zz",
        "#",
        "\\",
        "*",
        "é",
        "?",
        "<script>",
        "\x00",
        "\n",
        " ",
        "a b",
        "\ud800",
        "\u202e",
    ],
)
PATHS = st.lists(SEGMENTS, max_size=4).map(lambda segments: "".join("/" + s for s in segments))
OPTIONAL_PART = st.one_of(st.just(""), st.builds(lambda p, s: p + s, st.sampled_from(["?", "#"]), SEGMENTS))
PADDING = mostly([""], [" ", "\n", "\t ", "\x00", "\u00a0", "\x0b"])

ADVERSARIAL_URLS = st.builds(
    lambda pad1, scheme, sep, user, host, port, path, query, fragment, pad2: (
        pad1 + scheme + sep + user + host + port + path + query + fragment + pad2
    ),
    PADDING,
    SCHEMES,
    SEPARATORS,
    USERINFO,
    HOSTS,
    PORTS,
    PATHS,
    OPTIONAL_PART,
    OPTIONAL_PART,
    PADDING,
)


def assert_refused_cleanly_or_accepted_safely(kind, value):
    """Anything raised other than ValidationError propagates and fails the test."""
    try:
        result = VALIDATORS[kind](value)
    except ValidationError as error:
        refusal = error
    else:
        assert_safe(kind, result)
        return
    assert refusal.code in ERROR_CODES
    assert refusal.params["value"] is value


def assert_safe(kind, result):
    assert result == result.strip()
    assert result.isascii()
    assert not re.search(r"[\x00-\x20\x7f\\*]|%[01][0-9a-fA-F]|%7[fF]", result)
    scheme = result.split(":", 1)[0]
    assert scheme == scheme.lower()
    assert scheme not in FORBIDDEN_SCHEMES
    if scheme in {"http", "https"}:
        parts = urlsplit(result)
        # Python's parser must see the same authority as the RFC 3986 split, with no userinfo.
        assert parts.netloc == re.match(r"https?://([^/?#]*)", result)[1]
        assert parts.username is None
        assert parts.hostname
        assert parts.netloc == parts.netloc.lower()
        assert parts.port != 0  # reading .port also proves Python can parse it
        if scheme == "http":
            assert f"[{parts.hostname}]" in LOOPBACK_HOSTS or parts.hostname in LOOPBACK_HOSTS
    else:
        assert kind == "redirect_public"
        assert "." in scheme
        assert result[len(scheme) + 1 :].startswith("/")
        assert not result[len(scheme) + 1 :].startswith("//")
    if kind.startswith("redirect"):
        assert "#" not in result
    if kind == "origin":
        assert re.fullmatch(r"https?://[^/?#]+", result)
    assert VALIDATORS[kind](result) == result


@PROPERTY_SETTINGS
@given(kind=st.sampled_from(sorted(VALIDATORS)), value=st.text(ANY_CHARACTER, max_size=300))
def test_random_text_is_refused_cleanly_or_accepted_safely(kind, value):
    assert_refused_cleanly_or_accepted_safely(kind, value)


@PROPERTY_SETTINGS
@given(kind=st.sampled_from(sorted(VALIDATORS)), value=ADVERSARIAL_URLS)
def test_adversarial_urls_are_refused_cleanly_or_accepted_safely(kind, value):
    assert_refused_cleanly_or_accepted_safely(kind, value)


@PROPERTY_SETTINGS
@given(
    kind=st.sampled_from(sorted(VALIDATORS)),
    value=ADVERSARIAL_URLS,
    position=st.integers(min_value=0),
    injected=st.text(ANY_CHARACTER, min_size=1, max_size=3),
)
def test_injected_characters_are_refused_cleanly_or_accepted_safely(kind, value, position, injected):
    index = position % (len(value) + 1)
    assert_refused_cleanly_or_accepted_safely(kind, value[:index] + injected + value[index:])


@PROPERTY_SETTINGS
@given(label=st.text(st.characters(codec="ascii"), min_size=1, max_size=30))
def test_any_punycode_label_is_refused_cleanly_or_accepted(label):
    assert_refused_cleanly_or_accepted_safely("web", f"https://xn--{label}.example.com/")


LABELS = st.from_regex(r"[a-z0-9]([a-z0-9-]{0,8}[a-z0-9])?", fullmatch=True).filter(
    lambda label: not label.startswith("xn--")
)
PUBLIC_HOSTNAMES = st.builds(
    lambda labels, tld: ".".join([*labels, tld]),
    st.lists(LABELS, min_size=1, max_size=3),
    st.from_regex(r"[a-z]{2,6}", fullmatch=True).filter(lambda tld: tld not in NON_PUBLIC_DOMAINS),
)
# Segments never start with a dot and never contain %2e, %2f or %5c, so none is a dot segment.
SAFE_PATHS = st.from_regex(
    r"(/([A-Za-z0-9_~!$&'()+,;=:@-]([A-Za-z0-9._~!$&'()+,;=:@-]|%20){0,8})?){0,4}", fullmatch=True
)
SAFE_QUERIES = st.one_of(
    st.just(""),
    st.from_regex(r"\?[A-Za-z0-9._~!$&'()+,;=:@/?%-]{0,12}", fullmatch=True).filter(
        lambda q: not re.search(r"%(?![0-9A-Fa-f]{2})|%[01]|%7[fF]", q)
    ),
)


@hypothesis_settings(PROPERTY_SETTINGS, max_examples=120)
@given(
    host=PUBLIC_HOSTNAMES,
    upper=st.booleans(),
    port=st.one_of(st.none(), st.integers(min_value=1, max_value=65535)),
    path=SAFE_PATHS,
    query=SAFE_QUERIES,
)
def test_well_formed_public_urls_are_accepted_with_only_scheme_and_host_lowercased(
    host, upper, port, path, query
):
    origin = f"https://{host}" + (f":{port}" if port else "")
    url = origin + path + query
    typed = url.replace(host, host.upper(), 1).replace("https", "HTTPS", 1) if upper else url
    assert clean_web_url(typed) == url
    assert clean_redirect_uri(typed, public_client=False) == url
    if port != 443:
        assert clean_origin(typed[: len(origin)]) == origin
