"""The HTTPS transport: a threading HTTP/1.1 server over TLS from a throwaway trustme CA (`tls`).
Each request becomes a `Request` for the emulator to answer, and its `Response` goes back as JSON;
`Dropped` answers by closing the connection instead."""

from __future__ import annotations

import json
import logging
import socket
import ssl
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import trustme

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


def tls(host: str, state_dir: Path) -> tuple[ssl.SSLContext, Path]:
    """A server TLS context with a certificate for the loopback names (and `host`) from a new
    throwaway CA, and the path of the CA's certificate, written atomically to `state_dir/ca.pem`."""
    ca = trustme.CA(organization_name="pedns emulator")
    names = ["127.0.0.1", "localhost", "::1"]
    if host not in names and host not in ("0.0.0.0", "::", ""):
        names.append(host)
    cert = ca.issue_cert(*names)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    cert.configure_cert(context)
    ca_path = (state_dir / "ca.pem").resolve()
    tmp = ca_path.with_suffix(".pem.tmp")
    ca.cert_pem.write_to_path(str(tmp))
    tmp.replace(ca_path)
    return context, ca_path
