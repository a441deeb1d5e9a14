"""Fault injection: the demo server misbehaving like real networks and real APIs do.

A fault is named, per request, by (first match wins):
- a base-path prefix `/fault/NAME[/ARG]` — a profile whose URL carries it gets the fault on
  every request, so one source can fail while the other answers;
- the header `X-Demo-Fault: NAME[/ARG]` or the query parameter `demoFault=NAME[/ARG]`;
- the server's default (`customer-viewer demo-server --fault NAME [--fault-rate P]`).
ARG is seconds for `delay` and `drip`, and the Retry-After for `429`.
"""

from __future__ import annotations

import contextlib
import random
import re
import socket
import struct
import time
import uuid
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

from .routing import Response, json_response

STATUS_FAULTS = ("401", "403", "404", "429", "461", "500", "502", "503", "504", "521")
BODY_FAULTS = ("malformed", "wrong-shape", "html", "empty")
WIRE_FAULTS = ("cutoff", "reset", "drip", "huge")
FAULTS = ("delay", *STATUS_FAULTS, *BODY_FAULTS, *WIRE_FAULTS)
HUGE_BYTES = 50 * 1024 * 1024
_PREFIX = re.compile(r"^/fault/(?P<spec>[a-z0-9-]+(?:/[0-9.]+)?)(?=/)")
_CTRLHUB_PATHS = ("/v3/orgs/", "/v3/iam/", "/self-service/", "/oauth2/")


@dataclass(frozen=True)
class Fault:
    name: str
    arg: float | None = None

    @classmethod
    def parse(cls, spec: str) -> Fault:
        name, _, arg = spec.strip().partition("/")
        if name not in FAULTS:
            raise ValueError(f"unknown fault {name!r}; known: {', '.join(FAULTS)}")
        return cls(name, float(arg) if arg else None)


def pick(
    target: str, header: str | None, default: Fault | None, rate: float
) -> tuple[Fault | None, str]:
    """The fault for this request and the request target without any fault prefix."""
    match = _PREFIX.match(target)
    if match:
        return Fault.parse(match.group("spec")), target[match.end() :]
    if header:
        return Fault.parse(header), target
    query = parse_qs(urlsplit(target).query)
    if query.get("demoFault"):
        return Fault.parse(query["demoFault"][0]), target
    if default is not None and random.random() < rate:
        return default, target
    return None, target


def _is_ctrlhub(path: str) -> bool:
    return path.startswith(_CTRLHUB_PATHS)


def status_reply(fault: Fault, path: str) -> Response:
    """An error reply in the API's own format: JSON:API errors for Ctrl-Hub, errors[] for Capillary."""
    status = int(fault.name)
    headers: dict[str, str] = {}
    if status == 429:
        headers["Retry-After"] = str(int(fault.arg if fault.arg is not None else 1))
    if _is_ctrlhub(path):
        if status >= 500:
            headers["X-Trace-Id"] = uuid.uuid4().hex
        body: dict[str, object] = {
            "errors": [
                {
                    "status": str(status),
                    "title": _TITLES.get(status, "Error"),
                    "detail": "Injected by the demo server",
                }
            ]
        }
        return json_response(status, body, "application/vnd.api+json", headers)
    body = {"errors": [{"status": False, "code": status, "message": _TITLES.get(status, "Error")}]}
    return json_response(status, body, headers=headers)


_TITLES = {
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    429: "Too Many Requests",
    461: "Search engine busy",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
    504: "Gateway Timeout",
    521: "Another action is running for this customer",
}


def body_reply(fault: Fault, real: Response) -> Response:
    if fault.name == "malformed":
        cut = real.body[: max(1, len(real.body) // 2)]
        return Response(200, {"Content-Type": "application/json"}, cut)
    if fault.name == "wrong-shape":
        return json_response(200, {"unexpected": True, "items": [1, 2, 3]})
    if fault.name == "html":
        page = b"<html><head><title>502 Bad Gateway</title></head><body><h1>Bad Gateway</h1></body></html>"
        return Response(200, {"Content-Type": "text/html"}, page)
    return Response(200, {"Content-Type": "application/json"}, b"")  # empty


def write_on_the_wire(fault: Fault, handler, real: Response) -> None:
    """Faults that break the HTTP exchange itself; `handler` is the request handler."""
    handler.close_connection = True
    if fault.name == "reset":  # RST instead of a reply
        handler.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        handler.connection.close()
        return
    with contextlib.suppress(OSError):  # the client hanging up is the expected end
        handler.send_response(200)
        handler.send_header("Content-Type", "application/json")
        if fault.name == "huge":  # no length, closed at the end: only counting can stop it
            handler.send_header("Connection", "close")
            handler.end_headers()
            chunk = b" " * 65536
            for _ in range(HUGE_BYTES // len(chunk)):
                handler.wfile.write(chunk)
            return
        handler.send_header("Content-Length", str(len(real.body)))
        handler.end_headers()
        if fault.name == "cutoff":  # half the promised body, then the connection closes
            handler.wfile.write(real.body[: len(real.body) // 2])
            handler.wfile.flush()
            handler.connection.shutdown(socket.SHUT_RDWR)
            return
        pause = fault.arg if fault.arg is not None else 1.0  # drip: one byte per `pause`
        for byte in real.body:
            handler.wfile.write(bytes([byte]))
            handler.wfile.flush()
            time.sleep(pause)
