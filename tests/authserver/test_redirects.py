"""Redirect URI matching: exact, except the port of an IP-literal loopback URI of a native app."""

import pytest

from authserver.redirects import allowed_schemes, csp_source, redirect_uri_matches


@pytest.mark.parametrize(
    ("requested", "registered"),
    [
        ("https://a.example.com/cb", "https://a.example.com/cb"),
        ("http://127.0.0.1:51234/cb", "http://127.0.0.1:8080/cb"),
        ("http://127.0.0.1/cb", "http://127.0.0.1:8080/cb"),
        ("http://[::1]:6000/cb?x=1", "http://[::1]/cb?x=1"),
        ("com.example.app:/cb", "com.example.app:/cb"),
    ],
)
def test_matching_redirect_uris_of_a_native_app(requested, registered):
    assert redirect_uri_matches(requested, registered, native=True)


@pytest.mark.parametrize(
    ("requested", "registered"),
    [
        ("http://localhost:6000/cb", "http://localhost:8080/cb"),
        ("http://127.0.0.1:0/cb", "http://127.0.0.1:8080/cb"),
        ("http://127.0.0.1:70000/cb", "http://127.0.0.1:8080/cb"),
        ("http://127.0.0.1:80@evil.com/cb", "http://127.0.0.1:8080/cb"),
        ("http://127.0.0.1:6000/other", "http://127.0.0.1:8080/cb"),
        ("https://127.0.0.1:6000/cb", "https://127.0.0.1:8080/cb"),
        ("http://127.0.0.1:6000/cb#x", "http://127.0.0.1:8080/cb"),
        ("com.example.app:/cb/", "com.example.app:/cb"),
    ],
)
def test_non_matching_redirect_uris(requested, registered):
    assert not redirect_uri_matches(requested, registered, native=True)


@pytest.mark.parametrize(
    ("requested", "registered"),
    [
        ("http://127.0.0.1:51234/cb", "http://127.0.0.1:8080/cb"),
        ("http://127.0.0.1/cb", "http://127.0.0.1:8080/cb"),
        ("http://[::1]:6000/cb?x=1", "http://[::1]/cb?x=1"),
    ],
)
def test_a_web_app_gets_no_loopback_port_exception(requested, registered):
    # RFC 8252 §7.3 is for native apps; a confidential web app's loopback URI matches exactly.
    assert not redirect_uri_matches(requested, registered)
    assert redirect_uri_matches(registered, registered)


def test_allowed_schemes_are_the_registered_ones():
    assert allowed_schemes(["https://a.example.com/cb", "com.example.app:/cb"]) == [
        "com.example.app",
        "https",
    ]


def test_csp_source_is_the_origin_or_the_scheme():
    assert csp_source("http://127.0.0.1:5000/cb?x=1") == "http://127.0.0.1:5000"
    assert csp_source("com.example.app:/cb") == "com.example.app:"
