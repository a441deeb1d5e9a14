"""A loopback HTTP server that says exactly what a test tells it to: the attacker's server.

The demo server speaks the vendors' APIs politely; this one answers every request with
whatever bytes, headers and timing a test scripts, so a test can reproduce what a hostile
or broken API host does (stacked gzip, HTML names, negative page totals, a 4,300-digit
count, a reply that drips forever) against the program's real HTTP client.

    with HostileServer() as server:
        server.reply = lambda req: Raw(200, body=b'{"data": []}')
        ... CtrlHubSettings(server.url, ...) ...
        assert server.count("/v3/orgs") == 2

`reply` gets a `Seen` request (method, path, query, headers, body) and returns a `Raw`.
Headers are sent exactly as given (no Content-Length is added unless `length=True`).
"""

from __future__ import annotations

import contextlib
import gzip
import json
import socket
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit


@dataclass
class Seen:
    method: str
    target: str  # path with query, as received
    headers: dict[str, str]
    body: bytes
    connection: int = 0  # which connection it came on: 1, 2, … in the order they were opened
    turn: int = 1  # which request on that connection: 2 and on came over a kept-alive one
    at: float = 0.0  # when it arrived (time.monotonic)

    @property
    def path(self) -> str:
        return urlsplit(self.target).path

    @property
    def query(self) -> dict[str, str]:
        return dict(parse_qsl(urlsplit(self.target).query, keep_blank_values=True))


@dataclass
class Raw:
    status: int = 200
    body: bytes | Iterable[bytes] = b""  # an iterable is sent chunk by chunk (drip, endless)
    headers: list[tuple[str, str]] = field(
        default_factory=lambda: [("Content-Type", "application/json")]
    )
    length: bool = True  # add Content-Length for a bytes body
    chunk_delay: float = 0.0  # seconds between chunks of an iterable body
    hang_up: bool = False  # close the connection without a byte of reply


def json_reply(data: Any, status: int = 200, headers: list[tuple[str, str]] | None = None) -> Raw:
    return Raw(
        status, json.dumps(data).encode(), [("Content-Type", "application/json"), *(headers or [])]
    )


def gzipped(body: bytes, layers: int = 1) -> bytes:
    for _ in range(layers):
        body = gzip.compress(body, compresslevel=9)
    return body


def compression_bomb(decoded_mb: int, layers: int = 2) -> Raw:
    """`decoded_mb` MB of zeros inside a JSON string, gzip `layers` times over:
    Content-Encoding says "gzip, gzip" for two layers, as the attack in issue 10 did."""
    inner = b'{"name": "' + b"0" * (decoded_mb * 1024 * 1024) + b'"}'
    encoding = ", ".join(["gzip"] * layers)
    return Raw(
        200,
        gzipped(inner, layers),
        [("Content-Type", "application/json"), ("Content-Encoding", encoding)],
    )


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def setup(self) -> None:
        super().setup()
        with contextlib.suppress(OSError):
            self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        with self.server.owner.lock:
            self.server.owner.connections += 1
            self.number = self.server.owner.connections
        self.turns = 0

    def _handle(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        self.turns += 1
        seen = Seen(
            self.command,
            self.path,
            dict(self.headers.items()),
            self.rfile.read(length) if length else b"",
            self.number,
            self.turns,
            time.monotonic(),
        )
        owner = self.server.owner
        with owner.lock:
            owner.seen.append(seen)
        raw = owner.reply(seen)
        if raw.hang_up:
            self.close_connection = True
            return
        self.send_response(raw.status)
        for name, value in raw.headers:
            self.send_header(name, value)
        if isinstance(raw.body, bytes | bytearray):
            if raw.length:
                self.send_header("Content-Length", str(len(raw.body)))
            else:
                self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(raw.body)
            if not raw.length:
                self.close_connection = True
            return
        self.send_header("Connection", "close")  # an iterable body ends when the socket does
        self.end_headers()
        self.close_connection = True
        try:
            for chunk in raw.body:
                if owner.stopping.is_set():
                    return
                self.wfile.write(chunk)
                self.wfile.flush()
                if raw.chunk_delay:
                    time.sleep(raw.chunk_delay)
        except OSError:
            return  # the client gave up: that is what the test wanted

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _handle

    def log_message(self, format: str, *args: object) -> None:
        pass


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, owner: HostileServer) -> None:
        self.owner = owner
        super().__init__(("127.0.0.1", 0), _Handler)

    def handle_error(self, request: object, client_address: object) -> None:
        pass  # clients hang up on hostile replies on purpose


class HostileServer:
    def __init__(self, reply: Callable[[Seen], Raw] | None = None) -> None:
        self.reply: Callable[[Seen], Raw] = reply or (lambda _seen: Raw(404, b"{}"))
        self.seen: list[Seen] = []
        self.connections = 0  # opened so far
        self.lock = threading.Lock()
        self.stopping = threading.Event()
        self._httpd = _Server(self)
        self._thread = threading.Thread(target=self._httpd.serve_forever, args=(0.05,), daemon=True)

    @property
    def url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"

    def count(self, path_part: str = "") -> int:
        with self.lock:
            return sum(1 for s in self.seen if path_part in s.target)

    def __enter__(self) -> HostileServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stopping.set()
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)


def endless(chunk: bytes = b" ", delay: float = 0.5) -> Iterable[bytes]:
    """A body that never ends: one chunk every `delay` seconds (use Raw.chunk_delay=0)."""
    while True:
        yield chunk
        time.sleep(delay)
