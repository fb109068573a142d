"""Local servers for the hotline's actions: SMTP (aiosmtpd) and RDAP (http.server), and the
crawler's own local web and DNS servers (imported from the hotline's tests)."""

import email
import email.policy
import json
import socket
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from jsonschema import Draft202012Validator, FormatChecker
from referencing import Registry, Resource

from meldpunt.hotline.tests import conftest as crawler_servers

# The crawler's local web and DNS servers, shared with the hotline's tests.
fake_web = crawler_servers.fake_web
fake_dns = crawler_servers.fake_dns
crawler_may_reach_fake_web = crawler_servers.crawler_may_reach_fake_web
first_check_at_once = crawler_servers.first_check_at_once

XARF_SCHEMAS = Path(__file__).parent / "data" / "xarf"


class FakeSmtp:
    """What an SMTP server accepted. Recipients named "bounce…" get a 550 at RCPT; a
    message to "reject…" is refused with a 554 after its final dot."""

    def __init__(self) -> None:
        self.messages: list[email.message.EmailMessage] = []
        self.refused: list[str] = []
        self.address: tuple[str, int] = ("", 0)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        if address.startswith("bounce"):
            self.refused.append(address)
            return f"550 5.1.1 <{address}>: mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        if any(address.startswith("reject") for address in envelope.rcpt_tos):
            return "554 5.7.1 Message refused by content policy"
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        message["X-Envelope-To"] = ", ".join(envelope.rcpt_tos)
        self.messages.append(message)
        return "250 Message accepted for delivery"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp_server(settings):
    """aiosmtpd on 127.0.0.1, and Django's SMTP mailer pointed at it."""
    handler = FakeSmtp()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    handler.address = (controller.hostname, controller.port)
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": controller.port, "timeout": 10},
        }
    }
    yield handler
    controller.stop()


def rdap_answer(*, asn: int, abuse_email: str | None) -> bytes:
    """An RDAP autnum answer (RFC 9083) with the abuse entity nested as registries do."""
    abuse = {
        "objectClassName": "entity",
        "handle": "ABUSE-1",
        "roles": ["abuse"],
        "vcardArray": [
            "vcard",
            [
                ["version", {}, "text", "4.0"],
                ["fn", {}, "text", "Abuse desk"],
                *([["email", {}, "text", abuse_email]] if abuse_email else []),
            ],
        ],
    }
    return json.dumps(
        {
            "rdapConformance": ["rdap_level_0"],
            "objectClassName": "autnum",
            "handle": f"AS{asn}",
            "startAutnum": asn,
            "endAutnum": asn,
            "entities": [
                {
                    "objectClassName": "entity",
                    "handle": "ORG-1",
                    "roles": ["registrant"],
                    "entities": [abuse],
                }
            ],
        }
    ).encode()


@pytest.fixture
def rdap(fake_web, crawler_may_reach_fake_web, settings):
    """The RDAP service on the local web server; a test adds /rdap/autnum/<asn> routes."""
    settings.HOTLINE_RDAP_BASE_URL = fake_web.url("/rdap/")
    settings.HOTLINE_RDAP_TIMEOUT_SECONDS = 2.0
    return fake_web


def xarf_validator() -> Draft202012Validator:
    """The X-ARF v4 "content/csam" schema with the schemas it refers to, all local."""
    resources = [
        json.loads((XARF_SCHEMAS / name).read_text())
        for name in ("xarf-core.json", "content-base.json", "content-csam.json")
    ]
    registry = Registry().with_resources(
        (schema["$id"], Resource.from_contents(schema)) for schema in resources
    )
    return Draft202012Validator(resources[2], registry=registry, format_checker=FormatChecker())
