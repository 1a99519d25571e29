"""The SSRF-safe fetcher: only public addresses, checked where it connects; https verified; capped."""

import pytest

from client_metadata import fetcher, services
from client_metadata.documents import DocumentRefused
from client_metadata.fetcher import FetchError, address_allowed, fetch

from ..helpers import run_in_threads
from .conftest import SLOW


@pytest.mark.parametrize(
    "address",
    [
        "10.1.2.3",
        "172.16.0.1",
        "192.168.1.1",
        "127.0.0.1",
        "0.0.0.0",  # noqa: S104 -- an address refused, nothing binds to it
        "169.254.169.254",  # cloud metadata service
        "169.254.10.1",
        "100.64.0.1",  # CGNAT
        "100.100.100.200",
        "224.0.0.1",
        "240.0.0.1",
        "255.255.255.255",
        "192.0.2.10",
        "::1",
        "::",
        "fe80::1",
        "fc00::1",
        "fd00:ec2::254",  # AWS metadata over IPv6
        "ff02::1",
        "::ffff:10.0.0.1",
        "::ffff:127.0.0.1",
        "64:ff9b::a00:1",
        "2001:db8::1",
        "not an address",
    ],
)
def test_non_public_addresses_are_refused(settings, address):
    settings.CLIENT_METADATA_ALLOW_LOOPBACK = False
    assert address_allowed(address) is False


@pytest.mark.parametrize("address", ["93.184.216.34", "2606:4700::1111", "8.8.8.8"])
def test_public_addresses_are_allowed(address):
    assert address_allowed(address) is True


def test_loopback_is_allowed_only_with_the_development_setting(settings):
    settings.CLIENT_METADATA_ALLOW_LOOPBACK = True
    assert address_allowed("127.0.0.1")
    assert address_allowed("::1")
    # Nothing else opens with it.
    assert not address_allowed("10.0.0.1")
    assert not address_allowed("169.254.169.254")


def test_a_document_is_fetched_over_verified_tls(documents):
    url = documents.serve(document={"hello": "world"})
    response = fetch(url, max_bytes=5120, accept="application/json")
    assert response.body == b'{"hello": "world"}'
    assert response.content_type == "application/json"
    # Resolved once: the connection goes to the vetted address, no second lookup.
    assert documents.lookups == ["tools.cimd-test.net"]


def test_a_certificate_not_trusted_is_refused(documents, settings):
    settings.CLIENT_METADATA_CA_BUNDLE = ""
    url = documents.serve(document={})
    with pytest.raises(FetchError) as caught:
        fetch(url, max_bytes=5120, accept="application/json")
    assert caught.value.code == "tls_failed"


def test_a_certificate_for_another_name_is_refused(documents):
    documents.addresses["elsewhere.cimd-test.net"] = ["127.0.0.1"]
    documents.serve(document={})
    with pytest.raises(FetchError) as caught:
        fetch(documents.url(host="elsewhere.cimd-test.net"), max_bytes=5120, accept="application/json")
    assert caught.value.code == "tls_failed"


@pytest.mark.parametrize("address", ["10.0.0.7", "169.254.169.254", "fd00:ec2::254", "192.168.0.10"])
def test_a_name_resolving_to_a_private_address_is_refused_before_connecting(documents, address):
    documents.addresses["tools.cimd-test.net"] = [address]
    documents.serve(document={})
    with pytest.raises(FetchError) as caught:
        fetch(documents.url(), max_bytes=5120, accept="application/json")
    assert caught.value.code == "address_not_allowed"
    assert documents.hits() == 0


def test_one_bad_address_among_good_ones_refuses_the_whole_name(documents):
    documents.addresses["tools.cimd-test.net"] = ["127.0.0.1", "10.0.0.7"]
    documents.serve(document={})
    with pytest.raises(FetchError) as caught:
        fetch(documents.url(), max_bytes=5120, accept="application/json")
    assert caught.value.code == "address_not_allowed"


def test_loopback_is_refused_without_the_development_setting(documents, settings):
    settings.CLIENT_METADATA_ALLOW_LOOPBACK = False
    documents.serve(document={})
    with pytest.raises(FetchError) as caught:
        fetch(documents.url(), max_bytes=5120, accept="application/json")
    assert caught.value.code == "address_not_allowed"
    assert documents.hits() == 0


def test_the_connected_peer_is_checked_again(documents, monkeypatch):
    """Whatever the resolver said, the address the socket is connected to must pass."""
    documents.serve(document={})
    checked = []
    real = fetcher.address_allowed

    def allowed(address):
        checked.append(address)
        return real(address) and len(checked) < 2  # the resolved address passes, the peer does not

    monkeypatch.setattr(fetcher, "address_allowed", allowed)
    with pytest.raises(FetchError) as caught:
        fetch(documents.url(), max_bytes=5120, accept="application/json")
    assert caught.value.code == "address_not_allowed"
    assert checked == ["127.0.0.1", "127.0.0.1"]
    assert documents.hits() == 0


def test_plain_http_is_refused(documents):
    with pytest.raises(FetchError) as caught:
        fetch("http://tools.cimd-test.net/client.json", max_bytes=5120, accept="application/json")
    assert caught.value.code == "not_https"


@pytest.mark.parametrize(
    "location", ["https://169.254.169.254/latest/meta-data/", "https://tools.cimd-test.net/other.json"]
)
def test_redirects_are_not_followed(documents, location):
    url = documents.serve(status=302, headers={"Location": location})
    with pytest.raises(FetchError) as caught:
        fetch(url, max_bytes=5120, accept="application/json")
    assert caught.value.code == "redirect_refused"
    assert sum(documents.server.hits.values()) == 1


def test_an_oversized_document_is_refused_from_its_length(documents):
    url = documents.serve(raw=b"{" + b" " * 6000 + b"}")
    with pytest.raises(FetchError) as caught:
        fetch(url, max_bytes=5120, accept="application/json")
    assert caught.value.code == "too_large"


def test_an_oversized_document_without_length_is_cut_off(documents):
    url = documents.serve(raw=b"{" + b" " * 40000 + b"}", send_length=False)
    with pytest.raises(FetchError) as caught:
        fetch(url, max_bytes=5120, accept="application/json")
    assert caught.value.code == "too_large"


def test_a_slow_server_is_cut_off(documents):
    url = documents.serve(document={}, delay=SLOW)
    with pytest.raises(FetchError) as caught:
        fetch(url, max_bytes=5120, accept="application/json")
    assert caught.value.code == "timeout"


def test_a_server_dripping_bytes_is_cut_off_at_the_deadline(documents):
    url = documents.serve(raw=b'{"a": "' + b"x" * 100 + b'"}', drip=SLOW / 100)
    with pytest.raises(FetchError) as caught:
        fetch(url, max_bytes=5120, accept="application/json")
    assert caught.value.code == "timeout"


def test_an_unresolvable_name_is_refused(documents):
    with pytest.raises(FetchError) as caught:
        fetch("https://nowhere.cimd-test.net/client.json", max_bytes=5120, accept="application/json")
    assert caught.value.code == "dns_failed"


def test_one_fetch_per_url_in_flight(documents):
    """Requests arriving while a fetch is under way wait for it and share its result."""
    url = documents.serve(delay=0.5)
    results, errors = [], []

    def work():
        try:
            results.append(services.fetch_once(url))
        except DocumentRefused as refused:  # pragma: no cover -- reported below
            errors.append(refused)

    run_in_threads(*[work] * 4)
    assert errors == []
    assert len(results) == 4
    assert documents.hits() == 1
    assert {result.checked.data["name"] for result in results} == {"Claude Code"}


def test_waiters_share_a_refusal_too(documents):
    url = documents.serve(document={"client_id": "https://someone.else/"}, delay=0.3)
    codes = []

    def work():
        try:
            services.fetch_once(url)
        except DocumentRefused as refused:
            codes.append(refused.code)

    run_in_threads(*[work] * 3)
    assert codes == ["client_id_mismatch"] * 3
    assert documents.hits() == 1


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({}, 300),
        ({"cache-control": "max-age=3600"}, 3600),
        ({"cache-control": "public, max-age=10"}, 300),
        ({"cache-control": "max-age=999999999"}, 86400),
        ({"cache-control": "no-store"}, 300),
        ({"cache-control": "no-cache, max-age=3600"}, 300),
        ({"expires": "Tue, 01 Dec 2026 12:00:00 GMT", "date": "Tue, 01 Dec 2026 10:00:00 GMT"}, 7200),
        ({"expires": "garbage"}, 300),
    ],
)
def test_freshness_follows_the_caching_headers_within_floor_and_ceiling(settings, headers, expected):
    settings.CLIENT_METADATA_CACHE_MIN_SECONDS = 300
    settings.CLIENT_METADATA_CACHE_MAX_SECONDS = 86400
    assert services.fresh_seconds(headers) == expected
