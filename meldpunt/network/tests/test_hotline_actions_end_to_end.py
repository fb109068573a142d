"""From the public form to the provider's abuse desk and the partners' portals.

A reporter names an address on the content hotline's public form; the crawler
checks it on the local web and DNS servers; the analyst assesses it illegal and
confirms the actions; the notice arrives at the local SMTP server with a valid
X-ARF part, and the police (or the partner hotline abroad) find the report on
their portal. Committed transactions, as in production: the first check and
the actions run on commit.
"""

import json
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from meldpunt.hotline.exchange import (
    document_read,
    document_verify,
    documents_list,
    documents_parse,
    exchange_public_key,
)
from meldpunt.hotline.iptable import ip_table_import
from meldpunt.hotline.models import HostingRoute, HotlineState, ReportedUrl
from meldpunt.hotline.tests.test_reporter_form import _post, _with_address_question
from meldpunt.lines.models import LineKind
from meldpunt.testing import make_line, make_staff, sign_in

from ..models import Forward, PartnerCountry, PartnerKind
from .conftest import rdap_answer, xarf_validator
from .factories import make_partner

HOTLINE_DATA = Path(__file__).parents[2] / "hotline" / "tests" / "data"
pytestmark = pytest.mark.django_db(transaction=True)


def _signed_in(user) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    sign_in(client, user)
    return client


@pytest.fixture
def hotline(fake_web, fake_dns, rdap, smtp_server):
    fake_dns.zone["pics.example.test"] = ["127.0.0.1"]
    fake_web.page("/gallery/1.jpg", fake_web.image, "image/jpeg")
    fake_web.page(
        "/rdap/autnum/64500",
        rdap_answer(asn=64500, abuse_email="abuse@loopback-hosting.example"),
        "application/rdap+json",
    )
    ip_table_import(path=HOTLINE_DATA / "ip2asn-sample.tsv")  # 127.0.0.0/8: AS64500, NL
    category = _with_address_question(make_line(kind=LineKind.CONTENT_HOTLINE))
    return category


def _report(client: Client, category, address: str) -> ReportedUrl:
    """Report ``address`` through the public form (review, then send); the new address,
    its first check done on commit."""
    review = _post(client, category, address, send=False)
    sent = _post(client, category, review.context["hidden_form"].initial["urls"], send=True)
    assert sent.status_code == 200 and sent.context["receipt"]
    return ReportedUrl.objects.latest("pk")


def _report_assess_confirm(client: Client, category, web) -> ReportedUrl:
    """Report through the public form; the analyst assesses illegal and confirms the actions."""
    analyst = _signed_in(make_staff(lines=[category.line]))  # a member before the report comes
    item = _report(client, category, web.url("/gallery/1.jpg", host="pics.example.test"))
    assert item.state == HotlineState.ASSESSMENT and item.check_count == 1  # checked

    assessed = analyst.post(
        reverse("hotline:assess", args=[item.report_id, item.pk]),
        {"decision": "illegal", "state": item.state},
    )
    assert assessed.status_code == 302
    return _confirm_actions(analyst, item)


def _confirm_actions(analyst: Client, item: ReportedUrl) -> ReportedUrl:
    """The analyst opens the actions the hosting calls for from the report's page and
    confirms them; the address as it stands after the actions ran."""
    page = analyst.get(reverse("hotline:report", args=[item.report_id])).content.decode()
    actions = reverse("network:hotline_actions", args=[item.report_id, item.pk])
    assert actions in page
    assert analyst.get(actions).status_code == 200
    confirmed = analyst.post(actions, {"state": HotlineState.ILLEGAL})
    assert confirmed.status_code == 302, confirmed.content.decode()[:2000]
    item.refresh_from_db()
    return item


def _portal_shows(member, forward: Forward, *texts: str) -> Client:
    """Signed in as ``member``, the portal lists the forward and shows ``texts``; the client."""
    client = _signed_in(member)
    inbox = client.get(reverse("partner:inbox")).content.decode()
    assert reverse("partner:forward", args=[forward.pk]) in inbox
    body = client.get(reverse("partner:forward", args=[forward.pk])).content.decode()
    for text in texts:
        assert text in body
    assert "Afbeeldingen van kinderen" not in body  # never the reporter's words
    return client


def test_hosted_here_from_the_public_form_to_the_abuse_desk_and_the_police_portal(
    client, hotline, fake_web, smtp_server
):
    police = make_partner(lines=[hotline.line], name="Politie Landelijke Eenheid")
    item = _report_assess_confirm(client, hotline, fake_web)

    assert item.route == HostingRoute.DOMESTIC and item.state == HotlineState.NOTICE_SENT
    [notice] = [m for m in smtp_server.messages if "xarf.json" in m.as_string()]
    assert notice["X-Envelope-To"] == "abuse@loopback-hosting.example"
    [part] = [p for p in notice.iter_attachments() if p.get_filename() == "xarf.json"]
    report = json.loads(part.get_content())
    xarf_validator().validate(report)
    assert report["url"] == fake_web.url("/gallery/1.jpg", host="pics.example.test")
    _portal_shows(police.memberships.get().user, Forward.objects.get(partner=police), report["url"])


def test_hosted_abroad_with_a_partner_hotline_it_is_forwarded_there(
    client, hotline, fake_web, smtp_server, tmp_path
):
    make_partner(lines=[hotline.line], name="Politie Landelijke Eenheid")
    hotline_de = make_partner(
        lines=[hotline.line], name="Hotline DE", kind=PartnerKind.FOREIGN_HOTLINE, country="DE"
    )
    PartnerCountry.objects.update_or_create(code="DE", defaults={"partner": hotline_de})
    table = tmp_path / "de.tsv"
    table.write_text("127.0.0.0\t127.255.255.255\t64496\tDE\tEXAMPLE-DE\n")
    ip_table_import(path=table)

    item = _report_assess_confirm(client, hotline, fake_web)

    assert item.country == "DE" and item.state == HotlineState.FORWARDED
    [forward] = Forward.objects.all()
    assert forward.partner == hotline_de
    portal = _portal_shows(
        hotline_de.memberships.get().user, forward, "pics.example.test", "AS64496"
    )
    assert not [m for m in smtp_server.messages if "xarf.json" in m.as_string()]
    # The partner hotline also gets the signed address report it can import.
    download = portal.get(reverse("partner:file", args=[forward.pk, 1]))
    assert download.status_code == 200
    [envelope] = documents_list(documents_parse(download.content))
    report = document_verify(document_read(envelope), public_key=exchange_public_key())
    assert report["address"] == fake_web.url("/gallery/1.jpg", host="pics.example.test")


def test_hosted_abroad_without_a_partner_hotline_the_police_get_it(
    client, hotline, fake_web, smtp_server, tmp_path
):
    police = make_partner(lines=[hotline.line], name="Politie Landelijke Eenheid")
    table = tmp_path / "us.tsv"
    table.write_text("127.0.0.0\t127.255.255.255\t64497\tUS\tEXAMPLE-US\n")
    ip_table_import(path=table)

    item = _report_assess_confirm(client, hotline, fake_web)

    assert item.country == "US" and item.state == HotlineState.POLICE_INFORMED
    assert item.next_check_at is not None  # the daily re-check goes on
    [forward] = Forward.objects.all()
    assert forward.partner == police
    _portal_shows(police.memberships.get().user, forward, "pics.example.test", "AS64497")
