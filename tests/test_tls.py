"""TLS: verification is always on, and a certificate nobody trusts is said so plainly."""

from __future__ import annotations

import ssl
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tests.certificates import self_signed
from tests.conftest import TYPICAL_MOBILE, capillary_client
from viewer.domain import IdentifierKind, Query, Unavailable


class Hello(BaseHTTPRequestHandler):
    timeout = 5  # a client that gives up mid-handshake must not hold the server

    def do_GET(self):
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, *args):
        pass


@pytest.fixture
def untrusted_https(tmp_path):
    cert, key = self_signed(tmp_path)
    server = ThreadingHTTPServer(("127.0.0.1", 0), Hello)
    server.daemon_threads = True
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    # Handshake in the handler's thread, not in accept(): the serve loop never blocks.
    server.socket = context.wrap_socket(
        server.socket, server_side=True, do_handshake_on_connect=False
    )
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"https://localhost:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.mark.asyncio
async def test_an_untrusted_certificate_is_refused_with_a_plain_sentence(untrusted_https):
    client = capillary_client(untrusted_https)
    try:
        with pytest.raises(Unavailable) as caught:
            await client.lookup(Query(IdentifierKind.MOBILE, TYPICAL_MOBILE))
    finally:
        await client.aclose()
    assert "certificate is not trusted" in caught.value.message
