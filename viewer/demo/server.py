"""The demo HTTP server: a real loopback server speaking both vendors' APIs.

Used by the GUI's --demo mode (in-process, background thread, free port), by the standalone
`customer-viewer demo-server` command, and by the tests. Routing lives in `routing.Router`;
the handler here only turns bytes on the socket into a `Request` and a `Response` back into
bytes; faults.py decides, per request, whether to misbehave on the way.
"""

from __future__ import annotations

import contextlib
import logging
import socket
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from . import faults
from .routing import Request, Response, Router, json_response

log = logging.getLogger(__name__)

# How often serve_forever checks for shutdown: stop() waits up to this long.
POLL_INTERVAL = 0.05


def default_router() -> Router:
    from . import auth_api, capillary_api, ctrlhub_api

    return Router(auth_api.ROUTES + capillary_api.ROUTES + ctrlhub_api.ROUTES)


class _Handler(BaseHTTPRequestHandler):
    # HTTP/1.1 keep-alive, as real API hosts do; every reply carries Content-Length.
    protocol_version = "HTTP/1.1"
    server_version = "CustomerViewerDemo/1"
    timeout = 30  # idle keep-alive connections are dropped, so threads do not pile up
    server: _HTTPServer

    def setup(self) -> None:
        super().setup()
        # Headers and body go out in separate writes; without NODELAY, Nagle + delayed ACK
        # add ~40 ms to every reply on a keep-alive connection.
        with contextlib.suppress(OSError):
            self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.server.demo._track(self.connection, add=True)

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            self.server.demo._track(self.connection, add=False)

    def _handle(self) -> None:
        demo = self.server.demo
        demo._record(
            self.command, self.path
        )  # as received, fault prefix and all: tests count attempts
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length > 0 else b""
        try:
            fault, target = faults.pick(
                self.path, self.headers.get("X-Demo-Fault"), demo.fault, demo.fault_rate
            )
        except ValueError as exc:
            self._write(json_response(400, {"errors": [{"status": "400", "title": str(exc)}]}))
            return
        request = Request.parse(self.command, target, self.headers, body)
        if fault is not None and fault.name in faults.STATUS_FAULTS:
            self._write(faults.status_reply(fault, request.path))
            return
        if fault is not None and fault.name == "delay":
            time.sleep(fault.arg if fault.arg is not None else 5.0)
        try:
            response = demo.router.dispatch(request)
        except Exception:
            # Never let a handler bug kill the connection silently: answer like a real 500.
            trace = uuid.uuid4().hex
            log.exception(
                "demo handler failed for %s %s (trace %s)", self.command, request.path, trace
            )
            response = json_response(
                500,
                {"errors": [{"status": "500", "title": "Internal Server Error"}]},
                headers={"X-Trace-Id": trace},
            )
        if fault is not None and fault.name in faults.BODY_FAULTS:
            response = faults.body_reply(fault, response)
        if fault is not None and fault.name in faults.WIRE_FAULTS:
            faults.write_on_the_wire(fault, self, response)
            return
        self._write(response)

    def _write(self, response: Response) -> None:
        self.send_response(response.status)
        for name, value in response.headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(response.body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(response.body)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = _handle

    def log_message(self, format: str, *args: object) -> None:
        # The default writes to stderr. Method and path only: headers carry credentials.
        pass

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        log.debug("demo %s %s -> %s", self.command, self.path, code)


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True  # a stuck client must never keep the GUI process alive

    def __init__(self, address: tuple[str, int], demo: DemoServer) -> None:
        self.demo = demo
        super().__init__(address, _Handler)

    def handle_error(self, request: object, client_address: object) -> None:
        # The default prints a traceback to stderr, e.g. whenever a client hangs up mid-reply
        # (common with the 100k reply). Keep the terminal and the GUI's stderr quiet.
        log.debug("demo connection from %s ended with an error", client_address, exc_info=True)


class DemoServer:
    """A demo Capillary + Ctrl-Hub server on loopback. Binds at construction, so `url`
    is known at once (port 0 picks a free port)."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        self.router = default_router()
        self.fault: faults.Fault | None = None  # a fault for every request (--fault)...
        self.fault_rate = 1.0  # ...or for this share of them
        self.requests: list[tuple[str, str]] = []  # (method, path with query)
        self._lock = threading.Lock()
        self._connections: set[socket.socket] = set()
        self._thread: threading.Thread | None = None
        self._serving = False
        self._closed = False
        self._httpd = _HTTPServer((host, port), self)

    @property
    def url(self) -> str:
        host, port = self._httpd.server_address[:2]
        if not isinstance(host, str):  # typed str | bytes; bound over AF_INET it is a str
            host = bytes(host).decode("ascii")
        return f"http://{host}:{port}"

    @property
    def port(self) -> int:
        return self._httpd.server_address[1]

    @property
    def request_count(self) -> int:
        with self._lock:
            return len(self.requests)

    def start(self) -> None:
        """Serve in a daemon thread. The socket is already listening, so clients may connect
        as soon as this returns."""
        if self._closed:
            raise RuntimeError("DemoServer was stopped; make a new one")
        if self._thread is not None:
            return
        self._serving = True
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, args=(POLL_INTERVAL,), name="demo-server", daemon=True
        )
        self._thread.start()

    def serve_forever(self) -> None:
        """Block serving requests until Ctrl-C (or `stop()` from another thread)."""
        if self._closed:
            raise RuntimeError("DemoServer was stopped; make a new one")
        self._serving = True
        try:
            self._httpd.serve_forever(POLL_INTERVAL)
        except KeyboardInterrupt:
            pass
        finally:
            self._serving = False
            self.stop()

    def stop(self) -> None:
        with self._lock:
            if self._closed:
                return
            self._closed = True
            serving, self._serving = self._serving, False
            connections = list(self._connections)
        if serving and threading.current_thread() is not self._thread:
            self._httpd.shutdown()  # only if serve_forever runs: otherwise it would wait forever
        self._httpd.server_close()
        # Keep-alive connections outlive the listening socket; cut them so nobody is served later.
        for conn in connections:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> DemoServer:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # Called from handler threads.
    def _record(self, method: str, target: str) -> None:
        with self._lock:
            self.requests.append((method, target))

    def _track(self, conn: socket.socket, add: bool) -> None:
        with self._lock:
            if add:
                self._connections.add(conn)
            else:
                self._connections.discard(conn)
