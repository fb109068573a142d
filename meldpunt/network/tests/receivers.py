"""Local servers that speak the real protocols, for delivery tests: SMTP and an HTTP webhook."""

import http.server
import socket
import threading
import time
from dataclasses import dataclass, field

from aiosmtpd.controller import Controller


class SmtpInbox:
    """What an aiosmtpd handler received: (envelope recipients, raw message bytes)."""

    def __init__(self) -> None:
        self.messages: list[tuple[list[str], bytes]] = []

    async def handle_DATA(self, server, session, envelope) -> str:  # noqa: N802 - aiosmtpd's name
        self.messages.append((list(envelope.rcpt_tos), bytes(envelope.content)))
        return "250 OK"


def smtp_server_start() -> tuple[Controller, SmtpInbox]:
    """An aiosmtpd server on a free port of 127.0.0.1 (``controller.port``)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    inbox = SmtpInbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    return controller, inbox


@dataclass
class Received:
    headers: dict[str, str]
    body: bytes
    status: int


@dataclass
class WebhookReceiver:
    """Answers 500 to the first ``failures`` requests, then 200; waits ``delay`` per request.

    Dedupes on the Idempotency-Key header as a partner should: ``accepted``
    holds the first request of each key, ``repeats`` counts the rest.
    """

    failures: int = 0
    delay: float = 0.0
    requests: list[Received] = field(default_factory=list)
    accepted: dict[str, Received] = field(default_factory=dict)
    repeats: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def handler(self) -> type[http.server.BaseHTTPRequestHandler]:
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's name
                body = self.rfile.read(int(self.headers["Content-Length"]))
                if receiver.delay:
                    time.sleep(receiver.delay)
                with receiver.lock:
                    status = 500 if len(receiver.requests) < receiver.failures else 200
                    item = Received(dict(self.headers.items()), body, status)
                    receiver.requests.append(item)
                    if status == 200:
                        key = self.headers["Idempotency-Key"]
                        if key in receiver.accepted:
                            receiver.repeats += 1
                        else:
                            receiver.accepted[key] = item
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args) -> None:
                pass

        return Handler

    def start(self) -> http.server.ThreadingHTTPServer:
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), self.handler())
        threading.Thread(target=server.serve_forever, daemon=True).start()
        return server
