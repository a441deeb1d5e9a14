"""The agent's first lookup after start imports nothing of the HTTP stack on the thread that
runs the event loop (the window's): the window imports it on a worker once it is shown
(app._load_services_and_open_store → http.import_first_request_modules)."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

HTTP_STACK = ("anyio", "httpcore", "httpx", "h11", "sniffio")

FIRST_LOOKUP = textwrap.dedent(
    """
    import asyncio, json, sys
    from viewer.demo import (
        DEMO_CAPILLARY_PASSWORD, DEMO_CAPILLARY_TIMEZONE, DEMO_CAPILLARY_USERNAME, DemoServer,
    )
    from viewer.domain import IdentifierKind, Query
    from viewer.sources.capillary import CapillaryClient, CapillarySettings
    from viewer.sources.http import import_first_request_modules

    if sys.argv[1] == "preloaded":
        import_first_request_modules()

    async def first_lookup(url):
        client = CapillaryClient(CapillarySettings(
            url, DEMO_CAPILLARY_USERNAME, DEMO_CAPILLARY_PASSWORD, DEMO_CAPILLARY_TIMEZONE
        ))
        try:
            return await client.lookup(Query(IdentifierKind.MOBILE, "919845012345"))
        finally:
            await client.aclose()

    with DemoServer() as server:
        before = set(sys.modules)
        result = asyncio.run(first_lookup(server.url))
        assert result.interactions, "the demo customer has messages"
        print(json.dumps(sorted(set(sys.modules) - before)))
    """
)


def imported_during_first_lookup(mode: str) -> list[str]:
    done = subprocess.run(
        [sys.executable, "-c", FIRST_LOOKUP, mode], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return [
        name
        for name in json.loads(done.stdout.strip().splitlines()[-1])
        if name.split(".")[0] in HTTP_STACK
    ]


def test_the_first_lookup_imports_nothing_of_the_http_stack_once_preloaded():
    assert imported_during_first_lookup("preloaded") == []


def test_without_the_preload_the_first_lookup_imports_the_async_backend():
    """The check above can fail: left to itself, the first request imports anyio's asyncio
    layer (~40 ms, on the window's thread in the program)."""
    assert "anyio._backends._asyncio" in imported_during_first_lookup("cold")
