"""MELDPUNT_SMTP_* sends all outgoing mail through the operator's SMTP server.

The server here is a minimal SMTP listener on 127.0.0.1 that speaks enough of
RFC 5321 for Django's SMTP backend; settings are read at start-up, so the
sender runs in a fresh process with the environment an operator would set.
"""

import os
import socketserver
import subprocess
import sys
import threading


class _Handler(socketserver.StreamRequestHandler):
    def handle(self) -> None:
        self.server.transcript = []
        self.wfile.write(b"220 localhost ESMTP fake\r\n")
        in_data = False
        body: list[bytes] = []
        for line in self.rfile:
            if in_data:
                if line == b".\r\n":
                    in_data = False
                    self.server.messages.append(b"".join(body))
                    self.wfile.write(b"250 queued\r\n")
                else:
                    body.append(line)
                continue
            command = line.strip().upper()
            self.server.transcript.append(line.strip())
            if command.startswith((b"EHLO", b"HELO")):
                self.wfile.write(b"250 localhost\r\n")
            elif command == b"DATA":
                in_data = True
                self.wfile.write(b"354 go ahead\r\n")
            elif command == b"QUIT":
                self.wfile.write(b"221 bye\r\n")
                return
            else:
                self.wfile.write(b"250 ok\r\n")


SENDER = (
    "import django; django.setup()\n"
    "from django.core.mail import send_mail\n"
    "send_mail('Nieuwe melding', 'Er staat een melding klaar.', None, ['a@example.org'])\n"
)


def _send_one_mail(data_dir, **settings: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "meldpunt.settings"}
    env.pop("MELDPUNT_EMAIL_BACKEND", None)
    env.pop("MELDPUNT_SMTP_HOST", None)
    env.update(MELDPUNT_DATA_DIR=str(data_dir), **settings)
    done = subprocess.run(  # noqa: S603 - our own interpreter
        [sys.executable, "-c", SENDER], env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    return done


def test_without_an_smtp_host_mail_is_written_to_the_console(tmp_path):
    assert "Subject: Nieuwe melding" in _send_one_mail(tmp_path).stdout


def test_mail_goes_to_the_configured_smtp_server_from_the_configured_sender(tmp_path):
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), _Handler)
    server.messages = []
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        done = _send_one_mail(
            tmp_path,
            MELDPUNT_SMTP_HOST="127.0.0.1",
            MELDPUNT_SMTP_PORT=str(server.server_address[1]),
            MELDPUNT_EMAIL_FROM="meldpunt@example.org",
        )
        assert "Nieuwe melding" not in done.stdout
    finally:
        server.shutdown()
        server.server_close()
    assert len(server.messages) == 1
    message = server.messages[0].decode()
    assert "From: meldpunt@example.org" in message
    assert "Subject: Nieuwe melding" in message
    transcript = [line.upper() for line in server.transcript]
    assert b"MAIL FROM:<MELDPUNT@EXAMPLE.ORG>" in transcript
    assert b"RCPT TO:<A@EXAMPLE.ORG>" in transcript
