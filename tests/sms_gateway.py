"""A real HTTP SMS gateway on 127.0.0.1 for tests: it records every text it accepts and
answers a share of the requests with a 500, as a busy gateway does."""

from __future__ import annotations

import random
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

import pytest


@dataclass
class Gateway:
    url: str
    fail_share: float
    received: list[dict[str, str]] = field(default_factory=list)  # the texts accepted
    authorizations: list[str] = field(default_factory=list)  # of every request
    failed: int = 0
    random: random.Random = field(default_factory=lambda: random.Random(18))

    def texts_to(self, number: str) -> list[str]:
        return [text["text"] for text in self.received if text["to"] == number]


def _handler(gateway: Gateway) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", 0))
            form = parse_qs(self.rfile.read(length).decode())
            gateway.authorizations.append(self.headers.get("Authorization", ""))
            if gateway.random.random() < gateway.fail_share:
                gateway.failed += 1
                self.send_response(500)
            else:
                gateway.received.append({key: values[0] for key, values in form.items()})
                self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: Any) -> None:  # the test output stays quiet
            pass

    return Handler


@pytest.fixture
def sms_gateway():
    """`gateway = sms_gateway(fail_share)`: a gateway at `gateway.url` that answers that
    share of the requests with a 500."""
    servers = []

    def start(fail_share: float = 0.0) -> Gateway:
        gateway = Gateway(url="", fail_share=fail_share)
        server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(gateway))
        gateway.url = f"http://127.0.0.1:{server.server_address[1]}/send"
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return gateway

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()
