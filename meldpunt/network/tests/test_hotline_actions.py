"""The hotline's actions by where an address is hosted, on local SMTP, RDAP, web and DNS servers."""

import importlib
import json
import time
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
from django.apps import apps as django_apps
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from meldpunt.cases.services import case_claim
from meldpunt.cases.tests.factories import make_report
from meldpunt.hotline.iptable import ip_table_import
from meldpunt.hotline.models import (
    ActionKind,
    AddressAction,
    HostingProvider,
    HostingRoute,
    HotlineState,
    ReportedUrl,
)
from meldpunt.hotline.sealing import url_open
from meldpunt.hotline.services import reported_url_assess, reported_url_create
from meldpunt.hotline.signals import removal_overdue
from meldpunt.lines.models import Category, Line, LineKind
from meldpunt.lines.webaddress import url_normalise
from meldpunt.testing import make_category, make_line, make_staff, sign_in
from meldpunt.vault.models import AuditEvent, Role, StaffUser

from ..hotline_actions import address_action_deliver, hotline_actions_propose
from ..models import Forward, Partner, PartnerCountry, PartnerKind
from .conftest import rdap_answer, xarf_validator
from .factories import make_partner

HOTLINE_DATA = Path(__file__).parents[2] / "hotline" / "tests" / "data"
pytestmark = pytest.mark.django_db


@dataclass
class World:
    line: Line
    category: Category
    analyst: StaffUser
    police: Partner
    web: object
    smtp: object
    client: Client  # the analyst's, signed in once (a TOTP code is taken only once)


@pytest.fixture
def world(fake_web, fake_dns, rdap, smtp_server) -> World:
    line = make_line(kind=LineKind.CONTENT_HOTLINE)
    fake_dns.zone["pics.example.test"] = ["127.0.0.1"]
    fake_web.page("/image.jpg", fake_web.image, "image/jpeg")
    fake_web.page(
        "/rdap/autnum/64500",
        rdap_answer(asn=64500, abuse_email="abuse@loopback-hosting.example"),
        "application/rdap+json",
    )
    ip_table_import(path=HOTLINE_DATA / "ip2asn-sample.tsv")  # 127.0.0.0/8: AS64500, NL
    analyst = make_staff(lines=[line])
    return World(
        line=line,
        category=make_category(line=line),
        analyst=analyst,
        client=client_for(analyst),
        police=make_partner(lines=[line], name="Politie Landelijke Eenheid"),
        web=fake_web,
        smtp=smtp_server,
    )


def hosted_in(country: str, tmp_path) -> None:
    """Trace the local server to ``country`` from now on (the IP table is the operator's)."""
    table = tmp_path / f"{country}.tsv"
    table.write_text(f"127.0.0.0\t127.255.255.255\t64496\t{country}\tEXAMPLE-{country}\n")
    ip_table_import(path=table)


def illegal(world: World, capture) -> ReportedUrl:
    """An address of a new report, checked, held by the analyst and assessed illegal."""
    report = make_report(category=world.category)
    address = url_normalise(world.web.url("/image.jpg", host="pics.example.test"))
    with capture(execute=True):
        item = reported_url_create(report=report, address=address)
    case_claim(report=report, actor=world.analyst, version=0)
    item.refresh_from_db()
    return reported_url_assess(
        item=item, actor=world.analyst, decision="illegal", seen_state=item.state
    )


def client_for(user) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    sign_in(client, user)
    return client


def actions_url(item: ReportedUrl) -> str:
    return reverse("network:hotline_actions", args=[item.report_id, item.pk])


def confirm(world: World, item: ReportedUrl, capture, *, state: str | None = None):
    with capture(execute=True):
        return world.client.post(actions_url(item), {"state": state or item.state})


def xarf_part(message) -> dict:
    [part] = [p for p in message.iter_attachments() if p.get_filename() == "xarf.json"]
    assert part.get_content_type() == "application/json"
    return json.loads(part.get_content())


def test_hosted_here_a_notice_with_x_arf_goes_to_the_rdap_abuse_address_and_the_police_get_a_report(
    world, django_capture_on_commit_callbacks
):
    item = illegal(world, django_capture_on_commit_callbacks)
    assert item.route == HostingRoute.DOMESTIC
    client = world.client
    # The hotline page links to the confirm page, which shows what will be sent, to whom.
    assert (
        actions_url(item)
        in client.get(reverse("hotline:report", args=[item.report_id])).content.decode()
    )
    page = client.get(actions_url(item)).content.decode()
    assert "notice to the hosting provider" in page and "Politie Landelijke Eenheid" in page
    assert "looked up by RDAP when sent" in page
    assert not world.smtp.messages  # nothing leaves before the analyst confirms

    response = confirm(world, item, django_capture_on_commit_callbacks)
    assert response.status_code == 302

    [message] = world.smtp.messages
    address = url_open(item.sealed_url)
    assert message["X-Envelope-To"] == "abuse@loopback-hosting.example"
    assert message["Message-ID"].startswith("<hotline-action-")
    text = message.get_body(preferencelist=("plain",)).get_content()
    assert address in text
    assert "gehost op uw netwerk" in text and "It is hosted on your network" in text
    report = xarf_part(message)
    xarf_validator().validate(report)
    assert report["url"] == address and report["type"] == "csam" and report["asn"] == 64500
    assert report["detection_method"] == "manual_review"

    item.refresh_from_db()
    assert item.state == HotlineState.NOTICE_SENT
    notice, police = item.actions.order_by("kind")
    assert (notice.kind, police.kind) == (ActionKind.NOTICE, ActionKind.POLICE)
    assert notice.sent_at is not None and notice.recipient == "abuse@loopback-hosting.example"
    provider = HostingProvider.objects.get(asn=64500)
    assert provider.rdap_email == "abuse@loopback-hosting.example" and not provider.rdap_error
    # The police read the report on their portal: the address's facts, no reporter text.
    forward = Forward.objects.get(address_action=police)
    assert forward.partner == world.police
    member = client_for(world.police.memberships.get().user)
    assert (
        reverse("partner:forward", args=[forward.pk])
        in member.get(reverse("partner:inbox")).content.decode()
    )
    body = member.get(reverse("partner:forward", args=[forward.pk])).content.decode()
    assert address in body and "AS64500" in body
    assert "A van unloads at night" not in body
    # Recorded in the case timeline.
    actions = list(
        AuditEvent.objects.filter(
            target_id=str(item.report_id), action__startswith="hotline.action"
        )
        .order_by("sequence")
        .values_list("action", "details__action")
    )
    assert actions[0] == ("hotline.actions_confirm", None)
    assert sorted(actions[1:]) == [
        ("hotline.action_sent", "notice"),
        ("hotline.action_sent", "police"),
    ]
    page = client.get(reverse("hotline:report", args=[item.report_id])).content.decode()
    assert "police informed, notice sent to the provider" in page
    assert "abuse@loopback-hosting.example" in page and "sent " in page


def test_the_rdap_look_up_is_cached_and_the_operator_override_wins(
    world, django_capture_on_commit_callbacks
):
    first = illegal(world, django_capture_on_commit_callbacks)
    confirm(world, first, django_capture_on_commit_callbacks)
    asked = world.web.paths().count("/rdap/autnum/64500")
    second = illegal(world, django_capture_on_commit_callbacks)
    confirm(world, second, django_capture_on_commit_callbacks)
    assert world.web.paths().count("/rdap/autnum/64500") == asked == 1

    HostingProvider.objects.filter(asn=64500).update(override_email="notices@hoster.example")
    third = illegal(world, django_capture_on_commit_callbacks)
    assert "notices@hoster.example" in world.client.get(actions_url(third)).content.decode()
    confirm(world, third, django_capture_on_commit_callbacks)
    assert world.smtp.messages[-1]["X-Envelope-To"] == "notices@hoster.example"
    assert world.web.paths().count("/rdap/autnum/64500") == 1


def test_an_rdap_server_that_times_out_leaves_a_clear_failed_notice_that_is_retried(
    world, django_capture_on_commit_callbacks
):
    world.web.routes["/rdap/autnum/64500"] = lambda handler: time.sleep(4)
    item = illegal(world, django_capture_on_commit_callbacks)
    assert confirm(world, item, django_capture_on_commit_callbacks).status_code == 302

    notice = item.actions.get(kind=ActionKind.NOTICE)
    assert notice.sent_at is None and notice.attempts == 1
    assert "did not answer in time" in notice.last_error
    assert "did not answer in time" in HostingProvider.objects.get(asn=64500).rdap_error
    assert not world.smtp.messages
    item.refresh_from_db()
    assert item.state == HotlineState.ILLEGAL  # not moved on while the notice is not sent
    page = world.client.get(reverse("hotline:report", args=[item.report_id]))
    assert "did not answer in time" in page.content.decode()

    # Not before its pause; then, with the registry answering again, sent once.
    world.web.page(
        "/rdap/autnum/64500",
        rdap_answer(asn=64500, abuse_email="abuse@loopback-hosting.example"),
        "application/rdap+json",
    )
    assert address_action_deliver(action_id=notice.pk) == (0, 0)
    later = timezone.now() + timedelta(minutes=3)
    assert address_action_deliver(action_id=notice.pk, now=later) == (1, 0)
    assert address_action_deliver(action_id=notice.pk, now=later) == (0, 0)
    assert len(world.smtp.messages) == 1
    item.refresh_from_db()
    assert item.state == HotlineState.NOTICE_SENT


def test_an_rdap_record_without_an_abuse_contact_says_so_on_the_address(
    world, django_capture_on_commit_callbacks
):
    world.web.page(
        "/rdap/autnum/64500", rdap_answer(asn=64500, abuse_email=None), "application/rdap+json"
    )
    item = illegal(world, django_capture_on_commit_callbacks)
    confirm(world, item, django_capture_on_commit_callbacks)
    notice = item.actions.get(kind=ActionKind.NOTICE)
    assert "names no abuse contact" in notice.last_error and notice.sent_at is None
    page = world.client.get(reverse("hotline:report", args=[item.report_id]))
    assert "names no abuse contact" in page.content.decode()
    assert not world.smtp.messages


def test_a_bouncing_abuse_address_fails_visibly_and_is_sent_once_after_the_operator_fixes_it(
    world, django_capture_on_commit_callbacks
):
    world.web.page(
        "/rdap/autnum/64500",
        rdap_answer(asn=64500, abuse_email="bounce@loopback-hosting.example"),
        "application/rdap+json",
    )
    item = illegal(world, django_capture_on_commit_callbacks)
    confirm(world, item, django_capture_on_commit_callbacks)
    notice = item.actions.get(kind=ActionKind.NOTICE)
    assert world.smtp.refused == ["bounce@loopback-hosting.example"]
    assert "SMTPRecipientsRefused" in notice.last_error and "550" in notice.last_error
    assert notice.sent_at is None and not world.smtp.messages

    HostingProvider.objects.filter(asn=64500).update(override_email="abuse-desk@hoster.example")
    later = timezone.now() + timedelta(minutes=3)
    assert address_action_deliver(action_id=notice.pk, now=later) == (1, 0)
    notice.refresh_from_db()
    assert notice.sent_at is not None and notice.attempts == 1
    assert [m["X-Envelope-To"] for m in world.smtp.messages] == ["abuse-desk@hoster.example"]


def test_a_failed_action_gives_up_after_the_maximum_and_stays_in_the_operators_list(
    world, django_capture_on_commit_callbacks, settings
):
    settings.HOTLINE_ACTION_MAX_ATTEMPTS = 2
    world.web.page(
        "/rdap/autnum/64500", rdap_answer(asn=64500, abuse_email=None), "application/rdap+json"
    )
    item = illegal(world, django_capture_on_commit_callbacks)
    confirm(world, item, django_capture_on_commit_callbacks)
    notice = item.actions.get(kind=ActionKind.NOTICE)
    later = timezone.now() + timedelta(days=1)
    assert address_action_deliver(action_id=notice.pk, now=later) == (0, 1)
    assert address_action_deliver(action_id=notice.pk, now=later + timedelta(days=1)) == (0, 0)
    admin = make_staff(role=Role.ADMINISTRATOR)
    StaffUser.objects.filter(pk=admin.pk).update(is_staff=True, is_superuser=True)
    listing = client_for(admin).get("/staff/admin/hotline/addressaction/?state=failing")
    assert listing.status_code == 200
    assert "given up after 2 attempts" in listing.content.decode()


def test_abroad_with_a_partner_hotline_the_address_is_forwarded_to_it(
    world, django_capture_on_commit_callbacks, tmp_path
):
    hotline_de = make_partner(
        lines=[world.line], name="Hotline DE", kind=PartnerKind.FOREIGN_HOTLINE, country="DE"
    )
    PartnerCountry.objects.update_or_create(code="DE", defaults={"partner": hotline_de})
    hosted_in("DE", tmp_path)
    item = illegal(world, django_capture_on_commit_callbacks)
    assert item.country == "DE"
    assert [a.kind for a in hotline_actions_propose(item).actions] == [ActionKind.FORWARD]

    confirm(world, item, django_capture_on_commit_callbacks)
    item.refresh_from_db()
    assert item.state == HotlineState.FORWARDED
    forward = Forward.objects.get()
    assert forward.partner == hotline_de and forward.address_action.kind == ActionKind.FORWARD
    assert not world.smtp.messages or all(
        "xarf.json" not in str(m) for m in world.smtp.messages
    )  # no provider notice abroad


def test_abroad_without_a_partner_hotline_the_police_are_told_and_the_daily_check_goes_on(
    world, django_capture_on_commit_callbacks, tmp_path
):
    hosted_in("FR", tmp_path)  # in the list, but no partner is set for it
    item = illegal(world, django_capture_on_commit_callbacks)
    assert item.route == HostingRoute.ABROAD
    confirm(world, item, django_capture_on_commit_callbacks)
    item.refresh_from_db()
    assert item.state == HotlineState.POLICE_INFORMED
    assert item.next_check_at is not None  # still re-checked every day
    assert Forward.objects.get().partner == world.police


def test_a_partner_hotline_without_a_working_channel_is_refused_with_its_reason(
    world, django_capture_on_commit_callbacks, tmp_path
):
    nobody = make_partner(
        lines=[world.line], name="Hotline BE", kind=PartnerKind.FOREIGN_HOTLINE, country="BE",
        members=0,
    )  # fmt: skip
    PartnerCountry.objects.update_or_create(code="BE", defaults={"partner": nobody})
    hosted_in("BE", tmp_path)
    item = illegal(world, django_capture_on_commit_callbacks)
    page = world.client.get(actions_url(item)).content.decode()
    assert "Nobody at Hotline BE can read a forward yet" in page and 'id="confirm"' not in page
    response = confirm(world, item, django_capture_on_commit_callbacks)
    assert response.status_code == 409
    assert "Nobody at Hotline BE can read a forward yet" in response.content.decode()
    assert not AddressAction.objects.exists() and not Forward.objects.exists()


def test_a_channel_that_breaks_after_confirming_fails_the_forward_visibly(
    world, django_capture_on_commit_callbacks, tmp_path
):
    hotline_be = make_partner(
        lines=[world.line], name="Hotline BE", kind=PartnerKind.FOREIGN_HOTLINE, country="BE"
    )
    PartnerCountry.objects.update_or_create(code="BE", defaults={"partner": hotline_be})
    hosted_in("BE", tmp_path)
    item = illegal(world, django_capture_on_commit_callbacks)
    hotline_be.is_active = False  # between confirming and sending
    with django_capture_on_commit_callbacks(execute=False) as queued:
        world.client.post(actions_url(item), {"state": item.state})
    hotline_be.save()
    for callback in queued:
        callback()
    forward = item.actions.get()
    assert "does not receive reports of this line" in forward.last_error
    assert forward.sent_at is None and not Forward.objects.exists()


def test_a_stale_or_unassessed_address_is_refused_and_nothing_is_made(
    world, django_capture_on_commit_callbacks
):
    item = illegal(world, django_capture_on_commit_callbacks)
    response = confirm(
        world, item, django_capture_on_commit_callbacks, state=HotlineState.ASSESSMENT
    )
    assert response.status_code == 409 and not AddressAction.objects.exists()
    bad = world.client.post(actions_url(item), {"state": "no-such-state"})
    assert bad.status_code == 400 and not AddressAction.objects.exists()
    colleague = make_staff(lines=[world.line])
    with django_capture_on_commit_callbacks(execute=True):
        refused = client_for(colleague).post(actions_url(item), {"state": item.state})
    assert refused.status_code == 403 and not AddressAction.objects.exists()


def test_confirming_twice_sends_once(world, django_capture_on_commit_callbacks):
    item = illegal(world, django_capture_on_commit_callbacks)
    confirm(world, item, django_capture_on_commit_callbacks)
    again = confirm(world, item, django_capture_on_commit_callbacks, state=HotlineState.ILLEGAL)
    assert again.status_code == 409
    for action in AddressAction.objects.all():
        assert address_action_deliver(action_id=action.pk) == (0, 0)
    assert len(world.smtp.messages) == 1 and Forward.objects.count() == 1


def test_removal_overdue_sends_one_reminder_to_the_same_provider(
    world, django_capture_on_commit_callbacks
):
    item = illegal(world, django_capture_on_commit_callbacks)
    confirm(world, item, django_capture_on_commit_callbacks)
    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            removal_overdue.send(sender=ReportedUrl, reported_url=item)
    first, reminder = world.smtp.messages
    assert reminder["X-Envelope-To"] == first["X-Envelope-To"]
    assert (
        "Reminder" in reminder["Subject"]
        and "still online" in reminder.get_body(preferencelist=("plain",)).get_content()
    )
    xarf_validator().validate(xarf_part(reminder))
    item.refresh_from_db()
    assert item.state == HotlineState.NOTICE_SENT
    assert item.actions.filter(kind=ActionKind.REMINDER, sent_at__isnull=False).count() == 1


def test_abroad_no_reminder_is_made(world, django_capture_on_commit_callbacks, tmp_path):
    hosted_in("FR", tmp_path)
    item = illegal(world, django_capture_on_commit_callbacks)
    confirm(world, item, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        removal_overdue.send(sender=ReportedUrl, reported_url=item)
    assert not item.actions.filter(kind=ActionKind.REMINDER).exists()


def test_the_inhope_country_list_ships_as_data_and_is_loaded_by_the_migration():
    migration = importlib.import_module(
        "meldpunt.network.migrations.0009_partner_hotline_countries"
    )
    shipped = json.loads(migration.COUNTRIES.read_text(encoding="utf-8"))
    PartnerCountry.objects.all().delete()
    migration.countries_load(django_apps, None)
    assert PartnerCountry.objects.count() == len(shipped) > 40
    germany = PartnerCountry.objects.get(code="DE")
    assert germany.partner is None and "jugendschutz.net" in germany.member_hotlines
    migration.countries_load(django_apps, None)  # running it again changes nothing
    assert PartnerCountry.objects.count() == len(shipped)


def test_the_operator_sets_a_providers_abuse_address_in_the_admin(
    world, django_capture_on_commit_callbacks
):
    item = illegal(world, django_capture_on_commit_callbacks)
    confirm(world, item, django_capture_on_commit_callbacks)
    provider = HostingProvider.objects.get(asn=64500)
    admin = make_staff(role=Role.ADMINISTRATOR)
    StaffUser.objects.filter(pk=admin.pk).update(is_staff=True, is_superuser=True)
    client = client_for(admin)
    url = f"/staff/admin/hotline/hostingprovider/{provider.pk}/change/"
    page = client.get(url).content.decode()
    assert 'name="override_email"' in page and "abuse@loopback-hosting.example" in page
    assert 'name="rdap_email"' not in page  # what RDAP said is shown, not edited
    saved = client.post(
        url, {"asn": "64500", "name": provider.name, "override_email": "desk@hoster.example"}
    )
    assert saved.status_code == 302, saved.content.decode()[:1000]
    provider.refresh_from_db()
    assert provider.abuse_email == "desk@hoster.example"
    assert provider.rdap_email == "abuse@loopback-hosting.example"


def test_a_notice_refused_after_its_final_dot_is_failed_again_and_said_so_in_the_timeline(
    world, django_capture_on_commit_callbacks
):
    world.web.page(
        "/rdap/autnum/64500",
        rdap_answer(asn=64500, abuse_email="reject@loopback-hosting.example"),
        "application/rdap+json",
    )
    item = illegal(world, django_capture_on_commit_callbacks)
    confirm(world, item, django_capture_on_commit_callbacks)
    notice = item.actions.get(kind=ActionKind.NOTICE)
    assert notice.sent_at is None and "554" in notice.last_error
    assert not world.smtp.messages
    item.refresh_from_db()
    assert item.state == HotlineState.ILLEGAL  # the police report alone does not move it on
    refused = AuditEvent.objects.get(action="hotline.action_refused")
    assert refused.details["action"] == "notice" and "554" in refused.details["error"]
    timeline = world.client.get(reverse("cases:report", args=[item.report_id])).content.decode()
    assert "Action on a web address refused by the mail server" in timeline
