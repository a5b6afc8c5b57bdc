"""The HTTPS transport: a threading HTTP/1.1 server over TLS, its certificate issued by the state dir's
trustme CA (`tls`: reused while valid, so emulators started side by side share it).
Each request becomes a `Request` for the emulator to answer, and its `Response` goes back as JSON;
`Dropped` answers by closing the connection instead."""

from __future__ import annotations

import contextlib
import datetime
import json
import logging
import os
import re
import socket
import ssl
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import trustme
from cryptography import x509
from cryptography.hazmat.primitives import serialization

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: the state dir's lock holds within one process only
    fcntl = None  # type: ignore[assignment]

from ._http import Request, Response

log = logging.getLogger(__name__)


class Dropped(Exception):
    """Answer by closing the connection without a response."""


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "pedns-emulator"
    sys_version = ""
    timeout = 60
    disable_nagle_algorithm = True  # headers and body go out in two writes; no 40 ms delayed-ACK stall

    server: HttpsServer

    def setup(self) -> None:
        # The TLS handshake runs here, in the request thread, so a slow client cannot stall accept().
        self.request.settimeout(self.timeout)
        self.request.do_handshake()
        super().setup()

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 (the base class's name)
        log.debug("%s " + format, self.client_address[0], *args)

    def do_GET(self) -> None:
        self._dispatch()

    do_PUT = do_PATCH = do_DELETE = do_POST = do_HEAD = do_OPTIONS = do_GET

    def _read_body(self) -> bytes:
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            chunks: list[bytes] = []
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    return b"".join(chunks)
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def _dispatch(self) -> None:
        body = self._read_body()
        split = urlsplit(self.path)
        query: dict[str, str] = {}
        for key, value in parse_qsl(split.query, keep_blank_values=True):
            query.setdefault(key.lower(), value)
        host = self.headers.get("Host") or self.server.authority()
        req = Request(self.command, split.path, query, self.headers, body, f"https://{host}")
        try:
            response = self.server.respond(req)
        except Dropped:
            self.close_connection = True
            return
        self._send(response)

    def _send(self, response: Response) -> None:
        payload = b"" if response.body is None else json.dumps(response.body).encode()
        self.send_response(response.status)
        for name, value in response.headers.items():
            self.send_header(name, value)
        if response.body is not None:
            self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(payload)))
        if "x-ms-request-id" not in response.headers:
            self.send_header("x-ms-request-id", self.headers.get("x-ms-client-request-id") or "emulator")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(payload)


class HttpsServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    block_on_close = False

    def __init__(self, address: tuple[str, int], family: socket.AddressFamily, context: ssl.SSLContext,
                 respond: Callable[[Request], Response], authority: Callable[[], str]) -> None:
        """`respond(request)` answers each request (raising `Dropped` to close the connection);
        `authority()` is the host:port for absolute links when a request has no Host header."""
        self.address_family = family
        self.respond = respond
        self.authority = authority
        super().__init__(address, _Handler)
        self.socket = context.wrap_socket(self.socket, server_side=True, do_handshake_on_connect=False)

    def handle_error(self, request: Any, client_address: Any) -> None:
        # Clients hang up, fail TLS, or time out; none of that is the emulator's error.
        log.debug("connection from %s ended with an error", client_address, exc_info=True)


#: In the state dir: the CA's certificate (what clients trust, `PEDNS_CA_BUNDLE`) and its private key
#: with the certificate again (mode 0600), which emulators started later from the same dir reuse.
CA_FILE = "ca.pem"
CA_KEY_FILE = "ca-key.pem"
_LOCK_FILE = ".ca.lock"
#: A CA this close to its end is replaced (trustme's run to the year 3000).
_MIN_VALIDITY = datetime.timedelta(days=1)


def tls(host: str, state_dir: Path) -> tuple[ssl.SSLContext, Path]:
    """A server TLS context with a new certificate for the loopback names (and `host`), issued by the
    state dir's CA, and the path of that CA's certificate (`state_dir/ca.pem`).

    The CA is the one already in `state_dir` when it is valid, else a new one: so any number of
    emulators started from one checkout (one state dir) share it, and a client that trusts
    `ca.pem` reaches each of them, also one started after the client read the file."""
    ca, ca_path = state_dir_ca(state_dir)
    names = ["127.0.0.1", "localhost", "::1"]
    if host not in names and host not in ("0.0.0.0", "::", ""):
        names.append(host)
    cert = ca.issue_cert(*names)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    cert.configure_cert(context)
    return context, ca_path


def state_dir_ca(state_dir: Path) -> tuple[trustme.CA, Path]:
    """The state dir's CA (reused when valid, else made and written) and the path of its certificate.
    Under a lock on the state dir (where `fcntl` exists), so emulators starting at the same moment
    agree on one CA; files are written whole (temporary file, then rename)."""
    state_dir.mkdir(parents=True, exist_ok=True)
    ca_path = (state_dir / CA_FILE).resolve()
    with _locked(state_dir / _LOCK_FILE):
        ca = _load_ca(state_dir / CA_KEY_FILE)
        if ca is None:
            ca = trustme.CA(organization_name="pedns emulator")
            _write(state_dir / CA_KEY_FILE, ca.private_key_pem.bytes() + ca.cert_pem.bytes(), 0o600)
        pem = ca.cert_pem.bytes()
        try:
            current = ca_path.read_bytes()
        except OSError:
            current = b""
        if current != pem:  # rewritten only when it is not this CA's: a client may be reading it
            _write(ca_path, pem, 0o644)
    return ca, ca_path


def _load_ca(path: Path) -> trustme.CA | None:
    """The CA in `path` (its private key and certificate, PEM), or None when there is none or it is not
    a usable CA: unreadable, not a CA certificate, a key that is not the certificate's, or about to end."""
    try:
        data = path.read_bytes()
        key_pem, cert_pem = _split_pem(data)
        certificate = x509.load_pem_x509_certificate(cert_pem)
        key = serialization.load_pem_private_key(key_pem, password=None)
        if not certificate.extensions.get_extension_for_class(x509.BasicConstraints).value.ca:
            return None
        spki = serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        if key.public_key().public_bytes(*spki) != certificate.public_key().public_bytes(*spki):
            return None
        now = datetime.datetime.now(datetime.timezone.utc)
        if not _utc(certificate, "not_valid_before") <= now < _utc(certificate, "not_valid_after") - _MIN_VALIDITY:
            return None
        return trustme.CA.from_pem(cert_pem, key_pem)
    except (OSError, ValueError, TypeError, x509.ExtensionNotFound):
        return None


def _utc(certificate: x509.Certificate, name: str) -> datetime.datetime:
    """A validity bound, timezone-aware (cryptography 42 added the `_utc` properties)."""
    aware = getattr(certificate, f"{name}_utc", None)
    if isinstance(aware, datetime.datetime):
        return aware
    naive: datetime.datetime = getattr(certificate, name)
    return naive.replace(tzinfo=datetime.timezone.utc)


def _split_pem(data: bytes) -> tuple[bytes, bytes]:
    """(the private key block, the certificate block) of a PEM file holding one of each."""
    blocks = [(m.group(1), m.group(0)) for m in _PEM_BLOCK.finditer(data)]
    keys = [block for kind, block in blocks if kind.endswith(b"PRIVATE KEY")]
    certs = [block for kind, block in blocks if kind == b"CERTIFICATE"]
    if (len(keys), len(certs), len(blocks)) != (1, 1, 2):
        raise ValueError("expected one private key and one certificate")
    return keys[0], certs[0]


_PEM_BLOCK = re.compile(rb"-----BEGIN ([A-Z ]+)-----.+?-----END \1-----\r?\n?", re.S)


def _write(path: Path, data: bytes, mode: int) -> None:
    """`data` to `path` whole: a new temporary file (created with `mode`) renamed over it."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    """An exclusive lock held while the block runs, across processes (`fcntl.flock`; where there is no
    `fcntl`, across this process's threads only)."""
    with _THREAD_LOCK, open(path, "a+b") as handle:
        if fcntl is not None:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            if fcntl is not None:
                fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


_THREAD_LOCK = threading.Lock()
