"""Request/response plumbing shared by the demo APIs.

Handlers never touch the socket: they get a `Request` and return a `Response`
(status, headers, body bytes). That keeps them easy to test and lets the server
inject faults (faults.py: delay, bad bodies, cut-off, reset, drip-feed) in one place,
after the handler has produced its reply.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from email.message import Message
from typing import Any, NamedTuple
from urllib.parse import parse_qs, urlsplit


class Response(NamedTuple):
    status: int
    headers: dict[str, str]
    body: bytes


@dataclass(frozen=True)
class Request:
    method: str
    target: str  # path with query, exactly as received
    path: str  # path without query
    query: dict[str, list[str]]  # every value of every parameter, in order
    headers: Message
    body: bytes = b""
    params: dict[str, str] = field(default_factory=dict)  # named groups of the route regex

    @classmethod
    def parse(cls, method: str, target: str, headers: Message, body: bytes = b"") -> Request:
        parts = urlsplit(target)
        # keep_blank_values: "identifierValue=" must read as "given but empty", not "missing".
        query = parse_qs(parts.query, keep_blank_values=True)
        return cls(method.upper(), target, parts.path, query, headers, body)

    def arg(self, name: str, default: str | None = None) -> str | None:
        """The first value of a query parameter."""
        values = self.query.get(name)
        return values[0] if values else default

    def header(self, name: str) -> str | None:
        return self.headers.get(name)


Handler = Callable[[Request], Response]


@dataclass(frozen=True)
class Route:
    method: str
    pattern: re.Pattern[str]
    handler: Handler


class Router:
    """Method + full-match regex on the path -> handler. First match wins."""

    def __init__(self, routes: list[Route] | None = None) -> None:
        self.routes: list[Route] = list(routes or [])

    def dispatch(self, request: Request) -> Response:
        path_matched = False
        for route in self.routes:
            match = route.pattern.fullmatch(request.path)
            if match is None:
                continue
            path_matched = True
            if route.method != request.method:
                continue
            params = {k: v for k, v in match.groupdict().items() if v is not None}
            return route.handler(_with_params(request, params))
        if path_matched:
            return json_response(
                405, {"errors": [{"status": "405", "title": "Method Not Allowed"}]}
            )
        return json_response(
            404,
            {
                "errors": [
                    {
                        "status": "404",
                        "title": "Not Found",
                        "detail": f"No demo route for {request.path}",
                    }
                ]
            },
        )


def _with_params(request: Request, params: dict[str, str]) -> Request:
    return Request(
        request.method,
        request.target,
        request.path,
        request.query,
        request.headers,
        request.body,
        params,
    )


def route(method: str, pattern: str, handler: Handler) -> Route:
    return Route(method.upper(), re.compile(pattern), handler)


def encode_json(payload: Any) -> bytes:
    # Compact and UTF-8 (not \u escapes), like the real services: the client must decode UTF-8.
    # check_circular=False: replies are trees, and it saves time on the 100k-message reply.
    return json.dumps(
        payload, ensure_ascii=False, separators=(",", ":"), check_circular=False
    ).encode("utf-8")


def json_response(
    status: int,
    payload: Any,
    content_type: str = "application/json",
    headers: dict[str, str] | None = None,
) -> Response:
    return bytes_response(status, encode_json(payload), content_type, headers)


def bytes_response(
    status: int,
    body: bytes,
    content_type: str = "application/json",
    headers: dict[str, str] | None = None,
) -> Response:
    all_headers = {"Content-Type": content_type}
    all_headers.update(headers or {})
    return Response(status, all_headers, body)
