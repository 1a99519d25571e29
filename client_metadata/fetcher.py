"""Fetching a URL some client named, without letting it reach anything it should not.

The URL comes from a stranger (a `client_id`, a `logo_uri`), so the fetch is
built for that:

- https only, certificate verified against the URL's host name (SNI sent); extra
  trusted CAs only through CLIENT_METADATA_CA_BUNDLE, never by turning checks off;
- the host is resolved once, every address it resolves to must be public
  (`address_allowed`), and the connection is made to one of those vetted
  addresses, whose peer address is checked again on the connected socket: there
  is no second lookup, so no DNS-rebinding window;
- redirects are never followed (a 3xx is refused), so they cannot lead elsewhere;
- connect timeout, one deadline for the whole exchange (a server dripping bytes
  is cut off), and a size cap on the body (checked against Content-Length first,
  then while reading).

Nothing here touches the database; callers turn a `FetchError` into their answer.
"""

import http.client
import io
import ipaddress
import socket
import ssl
import time
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from oauth_apps.validators import NON_PUBLIC_NETWORKS

# Beyond validators.NON_PUBLIC_NETWORKS (private, loopback, link-local, CGNAT,
# IPv4-embedding IPv6, unique-local): documentation, benchmarking, reserved,
# multicast and broadcast ranges, and the cloud metadata services by name.
REFUSED_NETWORKS = NON_PUBLIC_NETWORKS + tuple(
    ipaddress.ip_network(network)
    for network in (
        "192.0.0.0/24",
        "192.0.2.0/24",
        "198.18.0.0/15",
        "198.51.100.0/24",
        "203.0.113.0/24",
        "224.0.0.0/4",
        "240.0.0.0/4",
        "100::/64",
        "2001:db8::/32",
        "ff00::/8",
    )
)
METADATA_SERVICE_ADDRESSES = frozenset(
    ipaddress.ip_address(address)
    for address in ("169.254.169.254", "169.254.170.2", "100.100.100.200", "fd00:ec2::254", "fd00:ec2::23")
)
LOOPBACK_NETWORKS = (ipaddress.ip_network("127.0.0.0/8"), ipaddress.ip_network("::1/128"))
# Status line and headers: more than this is not a server answering a small JSON document.
MAX_HEADER_BYTES = 16 * 1024
USER_AGENT = "DocSpace-Portal client-metadata fetcher"

MESSAGES = {
    "not_https": _("The URL must use https."),
    "dns_failed": _("The host name %(host)s could not be resolved."),
    "address_not_allowed": _(
        "%(host)s resolves to %(address)s, a private, local or reserved address "
        "the portal does not fetch from."
    ),
    "connect_failed": _("Could not connect to %(host)s."),
    "tls_failed": _("The TLS connection to %(host)s failed: %(reason)s"),
    "timeout": _("%(host)s did not answer within %(seconds)s seconds."),
    "redirect_refused": _(
        "%(host)s answered with a redirect (HTTP %(status)s); redirects are not followed. "
        "Serve the document at the URL itself."
    ),
    "http_status": _("%(host)s answered HTTP %(status)s instead of 200."),
    "too_large": _("The response is larger than %(limit)s bytes."),
    "bad_response": _("%(host)s sent a response that is not valid HTTP."),
    "content_encoding": _("The response is encoded (%(encoding)s); only an unencoded body is accepted."),
}


class FetchError(Exception):
    """A fetch refused or failed; `code` is stable, `message` says why in words."""

    def __init__(self, code: str, **params):
        self.code = code
        self.params = params
        super().__init__(code)

    @property
    def message(self) -> str:
        return str(MESSAGES[self.code]) % self.params


@dataclass(frozen=True)
class Response:
    body: bytes
    content_type: str
    headers: dict[str, str] = field(default_factory=dict)


def address_allowed(address: str) -> bool:
    """May the portal connect to `address` (an IP address as text)?"""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return False
    if settings.CLIENT_METADATA_ALLOW_LOOPBACK and any(ip in network for network in LOOPBACK_NETWORKS):
        return True
    if ip in METADATA_SERVICE_ADDRESSES:
        return False
    if ip.is_multicast or ip.is_unspecified or ip.is_reserved or ip.is_loopback or ip.is_link_local:
        return False
    return ip.is_global and not any(ip in network for network in REFUSED_NETWORKS)


def resolve(host: str, port: int) -> list[str]:
    """The addresses `host` resolves to (an IP literal resolves to itself)."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP)
    return list(dict.fromkeys(info[4][0] for info in infos))


def tls_context() -> ssl.SSLContext:
    context = ssl.create_default_context()
    if settings.CLIENT_METADATA_CA_BUNDLE:
        context.load_verify_locations(cafile=settings.CLIENT_METADATA_CA_BUNDLE)
    return context


def fetch(url: str, *, max_bytes: int, accept: str) -> Response:
    """GET `url` under the rules of this module; raise FetchError when any is broken."""
    parts = urlsplit(url)
    if parts.scheme != "https" or not parts.hostname:
        raise FetchError("not_https")
    host = parts.hostname
    port = parts.port or 443
    deadline = time.monotonic() + settings.CLIENT_METADATA_TIMEOUT
    connection = _connect(host, port, deadline)
    try:
        path = parts.path or "/"
        if parts.query:
            path += "?" + parts.query
        authority = parts.netloc.rpartition("@")[2]
        request = (
            f"GET {path} HTTP/1.1\r\nHost: {authority}\r\nAccept: {accept}\r\n"
            f"Accept-Encoding: identity\r\nUser-Agent: {USER_AGENT}\r\nConnection: close\r\n\r\n"
        )
        connection.settimeout(_remaining(deadline, host))
        connection.sendall(request.encode("ascii"))
        raw = _read(connection, host, deadline, max_bytes)
    except TimeoutError as error:
        raise FetchError("timeout", host=host, seconds=settings.CLIENT_METADATA_TIMEOUT) from error
    except OSError as error:
        raise FetchError("connect_failed", host=host) from error
    finally:
        connection.close()
    return _parse(raw, host, max_bytes)


def _remaining(deadline: float, host: str) -> float:
    left = deadline - time.monotonic()
    if left <= 0:
        raise FetchError("timeout", host=host, seconds=settings.CLIENT_METADATA_TIMEOUT)
    return left


def _connect(host: str, port: int, deadline: float) -> ssl.SSLSocket:
    try:
        addresses = resolve(host, port)
    except (OSError, UnicodeError) as error:
        raise FetchError("dns_failed", host=host) from error
    if not addresses:
        raise FetchError("dns_failed", host=host)
    for address in addresses:
        # Every address must be acceptable: one bad answer in the set is refused, not skipped.
        if not address_allowed(address):
            raise FetchError("address_not_allowed", host=host, address=address)
    sock = None
    for address in addresses:
        try:
            sock = socket.create_connection(
                (address, port),
                timeout=min(settings.CLIENT_METADATA_CONNECT_TIMEOUT, _remaining(deadline, host)),
            )
            break
        except OSError:
            continue
    if sock is None:
        raise FetchError("connect_failed", host=host)
    try:
        # The address actually connected to, checked on the socket itself.
        peer = sock.getpeername()[0]
        if not address_allowed(peer):
            raise FetchError("address_not_allowed", host=host, address=peer)
        sock.settimeout(_remaining(deadline, host))
        return tls_context().wrap_socket(sock, server_hostname=host)
    except ssl.SSLError as error:
        sock.close()
        raise FetchError(
            "tls_failed", host=host, reason=getattr(error, "reason", None) or str(error)
        ) from error
    except TimeoutError as error:
        sock.close()
        raise FetchError("timeout", host=host, seconds=settings.CLIENT_METADATA_TIMEOUT) from error
    except BaseException:
        sock.close()
        raise


def _read(connection: ssl.SSLSocket, host: str, deadline: float, max_bytes: int) -> bytes:
    """Read the response until it is complete, the server closes, or a limit is reached."""
    buffer = bytearray()
    cap = MAX_HEADER_BYTES + max_bytes
    while True:
        connection.settimeout(_remaining(deadline, host))
        chunk = connection.recv(8192)
        if not chunk:
            return bytes(buffer)
        buffer += chunk
        if len(buffer) > cap:
            raise FetchError("too_large", limit=max_bytes)
        if _complete(buffer, max_bytes):
            return bytes(buffer)


def _complete(buffer: bytearray, max_bytes: int) -> bool:
    """Whether the response in `buffer` is whole (a server may ignore `Connection: close`)."""
    end = buffer.find(b"\r\n\r\n")
    if end < 0:
        if len(buffer) > MAX_HEADER_BYTES:
            raise FetchError("too_large", limit=max_bytes)
        return False
    head = bytes(buffer[:end]).lower()
    body_length = len(buffer) - end - 4
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip() == b"content-length" and value.strip().isdigit():
            length = int(value.strip())
            if length > max_bytes:
                raise FetchError("too_large", limit=max_bytes)
            return body_length >= length
        if name.strip() == b"transfer-encoding" and b"chunked" in value:
            return buffer.endswith(b"0\r\n\r\n")
    return False


class _Received:
    """What http.client needs of a socket, over bytes already read."""

    def __init__(self, data: bytes):
        self.data = data

    def makefile(self, mode, *args, **kwargs):
        return io.BytesIO(self.data)


def _parse(raw: bytes, host: str, max_bytes: int) -> Response:
    response = http.client.HTTPResponse(_Received(raw))
    try:
        response.begin()
        if 300 <= response.status < 400:
            raise FetchError("redirect_refused", host=host, status=response.status)
        if response.status != 200:
            raise FetchError("http_status", host=host, status=response.status)
        encoding = (response.getheader("Content-Encoding") or "identity").strip().lower()
        if encoding != "identity":
            raise FetchError("content_encoding", encoding=encoding)
        body = response.read(max_bytes + 1)
    except (http.client.HTTPException, ValueError) as error:
        raise FetchError("bad_response", host=host) from error
    if len(body) > max_bytes:
        raise FetchError("too_large", limit=max_bytes)
    headers = {name.lower(): value for name, value in response.getheaders()}
    content_type = headers.get("content-type", "").split(";", 1)[0].strip().lower()
    return Response(body=body, content_type=content_type, headers=headers)
