"""Local servers that speak the real protocols: HTTP on 127.0.0.1 and DNS on a UDP port.

No internet here, and no mocks: the crawler really resolves through dnspython
against ``FakeDns`` and really connects to ``FakeWeb``. Both run in threads of
the test process and record what they were asked.
"""

import io
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import dns.flags
import dns.message
import dns.rcode
import dns.rdatatype
import dns.rrset
import pytest
from PIL import Image, ImageDraw


def picture(*, quality: int = 90, size: int = 256) -> bytes:
    """A JPEG with enough structure for a good-quality PDQ hash."""
    image = Image.new("RGB", (size, size), "white")
    draw = ImageDraw.Draw(image)
    for step in range(0, size, 16):
        draw.rectangle([step, step // 2, step + 10, size - step // 3], fill=(step, 90, 255 - step))
        draw.ellipse([size - step - 20, step, size - step, step + 20], fill=(20, step, 40))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=quality)
    return out.getvalue()


class FakeWeb:
    """An HTTP/1.1 server on 127.0.0.1 with the pages the crawler tests need."""

    def __init__(self) -> None:
        self.requests: list[dict] = []
        self.image = picture()
        self.routes: dict[str, object] = {}
        web = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args) -> None:
                pass

            def do_GET(self) -> None:  # noqa: N802 - http.server's name
                web.requests.append({"path": self.path, "headers": dict(self.headers.items())})
                route = web.routes.get(self.path.split("?")[0])
                try:
                    if route is None:
                        self._send(404, b"not found", "text/plain")
                    else:
                        route(self)
                except (BrokenPipeError, ConnectionResetError):
                    pass

            def _send(self, status: int, body: bytes, media_type: str, **headers) -> None:
                self.send_response(status)
                self.send_header("Content-Type", media_type)
                self.send_header("Content-Length", str(len(body)))
                for name, value in headers.items():
                    self.send_header(name.replace("_", "-"), value)
                self.end_headers()
                self.wfile.write(body)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    def url(self, path: str, host: str = "127.0.0.1") -> str:
        return f"http://{host}:{self.port}{path}"

    def page(self, path: str, body: bytes, media_type: str = "text/html", status: int = 200):
        self.routes[path] = lambda h: h._send(status, body, media_type)

    def redirect(self, path: str, location: str, status: int = 302) -> None:
        self.routes[path] = lambda h: h._send(status, b"", "text/plain", Location=location)

    def trickle(self, path: str, *, seconds_per_byte: float, total_bytes: int) -> None:
        """Headers at once, then the body one byte at a time."""

        def send(h) -> None:
            h.send_response(200)
            h.send_header("Content-Type", "application/octet-stream")
            h.send_header("Content-Length", str(total_bytes))
            h.end_headers()
            for _ in range(total_bytes):
                h.wfile.write(b"x")
                h.wfile.flush()
                time.sleep(seconds_per_byte)

        self.routes[path] = send

    def huge(self, path: str, *, total_bytes: int, declare_length: bool) -> None:
        def send(h) -> None:
            h.send_response(200)
            h.send_header("Content-Type", "image/jpeg")
            if declare_length:
                h.send_header("Content-Length", str(total_bytes))
            else:
                h.send_header("Connection", "close")
            h.end_headers()
            block = b"\0" * 65536
            sent = 0
            while sent < total_bytes:
                h.wfile.write(block)
                sent += len(block)

        self.routes[path] = send

    def paths(self) -> list[str]:
        return [request["path"] for request in self.requests]


class FakeDns:
    """A DNS server on a local UDP port, answering from ``zone`` with dnspython's messages.

    ``zone`` maps a name to a list of addresses, or to a function of the query
    number returning one (for rebinding); names not in it get NXDOMAIN.
    """

    def __init__(self) -> None:
        self.zone: dict[str, object] = {}
        self.queries: list[tuple[str, str]] = []
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self._running = True

    def _answer(self, query: dns.message.Message) -> dns.message.Message:
        response = dns.message.make_response(query)
        response.flags |= dns.flags.AA
        question = query.question[0]
        name = question.name.to_text().rstrip(".").lower()
        rdtype = dns.rdatatype.to_text(question.rdtype)
        self.queries.append((name, rdtype))
        entry = self.zone.get(name)
        if entry is None:
            response.set_rcode(dns.rcode.NXDOMAIN)
            return response
        count = sum(1 for asked in self.queries if asked == (name, rdtype))
        addresses = entry(count) if callable(entry) else entry
        wanted = [a for a in addresses if (":" in a) == (rdtype == "AAAA")]
        if wanted and rdtype in ("A", "AAAA"):
            response.answer.append(dns.rrset.from_text_list(question.name, 0, "IN", rdtype, wanted))
        return response

    def _serve(self) -> None:
        self.sock.settimeout(0.05)
        while self._running:
            try:
                data, peer = self.sock.recvfrom(4096)
            except TimeoutError:
                continue
            except OSError:
                return
            response = self._answer(dns.message.from_wire(data))
            self.sock.sendto(response.to_wire(), peer)

    def close(self) -> None:
        self._running = False
        self.thread.join(timeout=2)
        self.sock.close()


@pytest.fixture(autouse=True)
def first_check_at_once(settings):
    """The tests look at the first check; production waits a random hour or two.

    Batches check one address after the other: a test's transaction is visible
    to its own thread only (the threaded batch has a test of its own).
    """
    settings.HOTLINE_FIRST_CHECK_MINUTES = [0, 0]
    settings.HOTLINE_RECHECK_CONCURRENCY = 1


@pytest.fixture
def fake_web(request):
    web = FakeWeb()
    if "fake_tls_web" not in request.fixturenames:
        web.thread.start()  # the TLS fixture wraps the socket first and starts it itself
    yield web
    if web.thread.is_alive():
        web.server.shutdown()
    web.server.server_close()


@pytest.fixture
def fake_dns(settings):
    server = FakeDns()
    server.thread.start()
    settings.HOTLINE_DNS_NAMESERVERS = [f"127.0.0.1:{server.port}"]
    settings.HOTLINE_DNS_TIMEOUT_SECONDS = 2.0
    yield server
    server.close()


@pytest.fixture
def crawler_may_reach_fake_web(settings):
    """The one exception the tests make: the fake web server's own address, nothing more."""
    settings.HOTLINE_FETCH_ALLOWED_NETWORKS = ["127.0.0.1/32"]


@pytest.fixture
def fake_tls_web(tmp_path, fake_web):
    """The fake web server behind TLS, with a self-signed certificate for pics.example.test.

    Records the server name each client asked for (SNI).
    """
    import ssl
    import subprocess

    key, cert = tmp_path / "key.pem", tmp_path / "cert.pem"
    subprocess.run(  # noqa: S603, S607 - fixed arguments
        [
            "openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
            "-nodes", "-days", "1", "-subj", "/CN=pics.example.test",
            "-addext", "subjectAltName=DNS:pics.example.test",
            "-keyout", str(key), "-out", str(cert),
        ],
        check=True,
        capture_output=True,
    )  # fmt: skip
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    fake_web.server_names = []
    context.sni_callback = lambda sock, name, ctx: fake_web.server_names.append(name)
    fake_web.server.socket = context.wrap_socket(fake_web.server.socket, server_side=True)
    fake_web.thread.start()
    return fake_web
