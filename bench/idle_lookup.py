"""A lookup some seconds after the last one, over TLS, with the server some way off.

    .venv/bin/python bench/idle_lookup.py [--runs 4] [--rtt 0.05] [--pause 8]

An agent's lookups, and the detail opened after one, are seconds to minutes apart. httpx
keeps an idle connection 5 s by default; past that, the next lookup opens new connections
and pays a TCP and a TLS handshake before its requests leave. This bench puts the demo
server behind TLS (a certificate made for the run, tests/certificates.py) and a proxy that delays every byte by
half of `--rtt` each way and a new connection by a whole `--rtt` (its TCP handshake), then
times the typical customer's lookup (both sources, as the window asks them: Enter → final
state, no window) `--pause` seconds after the previous one. Two services look up in turn:
one keeps idle connections httpx's 5 s, one `http.KEEPALIVE_S`. Prints each one's median
and how many connections each lookup opened.
"""

from __future__ import annotations

import argparse
import asyncio
import atexit
import os
import shutil
import ssl
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
HOME = tempfile.mkdtemp(prefix="idle-lookup-")  # settings, logs, the run's certificate and key
atexit.register(shutil.rmtree, HOME, ignore_errors=True)
for name in ("CONFIG", "CACHE", "LOG"):  # the access log and settings: not the agent's own
    os.environ[f"VIEWER_{name}_DIR"] = f"{HOME}/{name.lower()}"

TYPICAL = "919845012345"


class FarProxy:
    """A TCP proxy on its own thread: a new connection waits one round trip before its first
    byte moves, and every chunk arrives half a round trip after it was sent, in order."""

    def __init__(self, upstream_port: int, rtt: float) -> None:
        self.upstream_port, self.rtt = upstream_port, rtt
        self.connections = 0
        self.loop = asyncio.new_event_loop()
        started = threading.Event()
        threading.Thread(target=self._serve, args=(started,), daemon=True).start()
        started.wait()

    def _serve(self, started: threading.Event) -> None:
        asyncio.set_event_loop(self.loop)
        server = self.loop.run_until_complete(
            asyncio.start_server(self._connection, "127.0.0.1", 0)
        )
        self.port = server.sockets[0].getsockname()[1]
        started.set()
        self.loop.run_forever()

    async def _connection(self, reader, writer) -> None:
        self.connections += 1
        await asyncio.sleep(self.rtt)  # the TCP handshake
        up_reader, up_writer = await asyncio.open_connection("127.0.0.1", self.upstream_port)
        await asyncio.gather(
            self._pipe(reader, up_writer), self._pipe(up_reader, writer), return_exceptions=True
        )

    async def _pipe(self, reader, writer) -> None:
        chunks: asyncio.Queue = asyncio.Queue()

        async def deliver() -> None:
            while (item := await chunks.get()) is not None:
                due, data = item
                await asyncio.sleep(max(0.0, due - time.monotonic()))
                writer.write(data)
                await writer.drain()
            writer.close()

        delivering = asyncio.ensure_future(deliver())
        try:
            while data := await reader.read(65536):
                chunks.put_nowait((time.monotonic() + self.rtt / 2, data))
        finally:
            chunks.put_nowait(None)
            await delivering


def main() -> int:
    from viewer.demo import DemoServer
    from viewer.domain import IdentifierKind, Query
    from viewer.sources import http
    from viewer.wiring import build_service, demo_profile

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=4)
    parser.add_argument("--rtt", type=float, default=0.05, help="round trip, seconds")
    parser.add_argument("--pause", type=float, default=8.0, help="seconds between lookups")
    args = parser.parse_args()

    from tests.certificates import self_signed

    cert_file, key_file = self_signed(Path(HOME), "127.0.0.1")
    trusting = ssl.create_default_context(cafile=str(cert_file))
    http._tls_context = lambda: trusting  # the bench's certificate, not the OS's store
    server_side = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_side.load_cert_chain(cert_file, key_file)

    query = Query(IdentifierKind.MOBILE, TYPICAL)

    async def lookup(service, proxy: FarProxy) -> tuple[float, int]:
        opened = proxy.connections
        started = time.perf_counter()
        async for state in service.search(query):
            if state.final:
                if state.failure is not None:
                    raise RuntimeError(str(state.failure))
                break
        return time.perf_counter() - started, proxy.connections - opened

    async def measure(url: str, proxy: FarProxy) -> dict[str, list[tuple[float, int]]]:
        services = {}
        for label, keep in (("httpx's 5 s", 5.0), (f"{http.KEEPALIVE_S:.0f} s", http.KEEPALIVE_S)):
            http.KEEPALIVE_S = keep  # read when the service's clients are made
            services[label] = build_service(demo_profile(url))
            await lookup(services[label], proxy)  # warm: tokens, first connections
        timed: dict[str, list[tuple[float, int]]] = {label: [] for label in services}
        for _ in range(args.runs):
            await asyncio.sleep(args.pause)
            for label, service in services.items():
                timed[label].append(await lookup(service, proxy))
        for service in services.values():
            await service.aclose()
        return timed

    with DemoServer() as server:
        # The handshake in the handler's thread, not in accept(), as tests/test_tls.py does.
        server._httpd.socket = server_side.wrap_socket(
            server._httpd.socket, server_side=True, do_handshake_on_connect=False
        )
        proxy = FarProxy(server.port, args.rtt)
        timed = asyncio.run(measure(f"https://127.0.0.1:{proxy.port}", proxy))
    print(
        f"typical customer, both sources, {args.pause:g} s after the last lookup, over TLS, "
        f"server {args.rtt * 1000:.0f} ms away (round trip):"
    )
    for label, runs in timed.items():
        took = statistics.median(t for t, _ in runs) * 1000
        opened = [n for _, n in runs]
        print(f"  idle connections kept {label:>11}: {took:5.0f} ms, connections opened {opened}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
