"""A local https server for the tests: a CA made for the run, and documents served from a table.

The portal trusts the CA only through CLIENT_METADATA_CA_BUNDLE, set by the
tests; certificate verification stays on. Host names map to 127.0.0.1 through
the fetcher's `resolve`, which the tests replace (see conftest.py).
"""

import datetime
import ipaddress
import ssl
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from client_metadata import fetcher

HOSTS = ("tools.cimd-test.net", "other.cimd-test.net", "localhost")


def _name(common_name):
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def _builder(subject, issuer, key, now):
    """A certificate valid for the test run, before its extensions."""
    return (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(hours=1))
        .not_valid_after(now + datetime.timedelta(days=2))
    )


def make_certificates(directory: Path) -> tuple[Path, Path, Path]:
    """(CA bundle, server certificate chain, server key) written into `directory`."""
    now = datetime.datetime.now(datetime.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca = (
        _builder(_name("client-metadata test CA"), _name("client-metadata test CA"), ca_key, now)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                key_cert_sign=True,
                crl_sign=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    names = [x509.DNSName(host) for host in HOSTS] + [x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
    leaf = (
        _builder(_name(HOSTS[0]), ca.subject, key, now)
        .add_extension(x509.SubjectAlternativeName(names), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False
        )
        .sign(ca_key, hashes.SHA256())
    )
    ca_path, cert_path, key_path = directory / "ca.pem", directory / "server.pem", directory / "server.key"
    ca_path.write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    cert_path.write_bytes(leaf.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    return ca_path, cert_path, key_path


@dataclass
class Route:
    body: bytes = b""
    status: int = 200
    headers: dict = field(default_factory=lambda: {"Content-Type": "application/json"})
    delay: float = 0.0  # before answering
    drip: float = 0.0  # between body bytes
    send_length: bool = True


class DocumentServer:
    def __init__(self, directory: Path):
        self.ca_path, cert_path, key_path = make_certificates(directory)
        self.routes: dict[str, Route] = {}
        self.hits: dict[str, int] = {}
        self.lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 -- the http.server hook's name
                with server.lock:
                    server.hits[self.path] = server.hits.get(self.path, 0) + 1
                route = server.routes.get(self.path, Route(status=404, body=b"{}"))
                time.sleep(route.delay)
                self.send_response(route.status)
                for name, value in route.headers.items():
                    self.send_header(name, value)
                if route.send_length:
                    self.send_header("Content-Length", str(len(route.body)))
                self.end_headers()
                try:
                    if route.drip:
                        for byte in route.body:
                            self.wfile.write(bytes([byte]))
                            self.wfile.flush()
                            time.sleep(route.drip)
                    else:
                        self.wfile.write(route.body)
                except OSError:
                    pass  # the portal hung up, as it should

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(cert_path, key_path)
        self.httpd.socket = context.wrap_socket(self.httpd.socket, server_side=True)
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def url(self, path: str, host: str = HOSTS[0]) -> str:
        return f"https://{host}:{self.port}{path}"

    def reset(self):
        self.routes.clear()
        self.hits.clear()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@contextmanager
def trusted_document_server(directory: Path, host: str, settings, monkeypatch) -> Iterator[DocumentServer]:
    """A DocumentServer the portal trusts (CLIENT_METADATA_CA_BUNDLE), with `host` resolving to it."""
    server = DocumentServer(directory)
    settings.CLIENT_METADATA_CA_BUNDLE = str(server.ca_path)
    settings.CLIENT_METADATA_ALLOW_LOOPBACK = True
    real_resolve = fetcher.resolve
    monkeypatch.setattr(
        fetcher,
        "resolve",
        lambda name, port: ["127.0.0.1"] if name == host else real_resolve(name, port),
    )
    try:
        yield server
    finally:
        server.close()
