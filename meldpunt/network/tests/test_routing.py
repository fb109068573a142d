"""Issue 13, items 2 and 3: connected municipalities and routing rules, end to end.

Reports are submitted through the reporter's web form with a postcode answer
(real sealing), worked through the staff pages and forwarded with real crypto.
A report in a connected municipality is proposed to that municipality and the
police and reaches both, each copy sealed for its own members; the same in a
municipality whose connection ended yesterday goes to the police only and the
analyst sees why; an ambiguous postcode is settled by the analyst from the
candidates shown.
"""

from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import formats, timezone, translation

from meldpunt.cases.models import Case
from meldpunt.cases.services import case_claim, case_triage
from meldpunt.intake.models import Report
from meldpunt.intake.services import report_content
from meldpunt.lines.models import Municipality, Question, QuestionKind
from meldpunt.lines.regions import regions_import
from meldpunt.testing import PASSWORD, make_category, make_staff, sign_in, submission_token
from meldpunt.vault.keys import staff_key_unlock
from meldpunt.vault.models import AuditEvent

from ..models import Forward, Partner, PartnerKind, RecipientKind, RoutingRule
from ..selectors import forward_proposal, partner_forwards
from ..services import forward_open
from .factories import key_of, make_partner

pytestmark = pytest.mark.django_db


SAMPLES = Path(__file__).resolve().parents[2] / "lines" / "data" / "regions"


def _municipality(code: str) -> Municipality:
    return Municipality.objects.get(code=code)


@pytest.fixture
def world():
    regions_import(
        municipalities=SAMPLES / "gemeenten-alfabetisch-2025.csv",
        mergers=SAMPLES / "herindelingen.csv",
        postcodes=SAMPLES / "pc6hnr-sample.csv",
    )
    today = timezone.localdate()

    class World:
        category = make_category()
        line = category.line
        postcode_question = Question.objects.create(
            category=category, key="postcode", kind=QuestionKind.POSTCODE, label="Postcode?"
        )
        analyst = make_staff(lines=[line])
        police = make_partner(lines=[line], name="Politie Eenheid Amsterdam", members=2)
        amsterdam = make_partner(
            lines=[line],
            name="Gemeente Amsterdam",
            kind=PartnerKind.MUNICIPALITY,
            municipality=_municipality("GM0363"),
            connected_from=today - timedelta(days=365),
            fee_per_forward=Decimal("2.50"),
        )
        vught = make_partner(
            lines=[line],
            name="Gemeente Vught",
            kind=PartnerKind.MUNICIPALITY,
            municipality=_municipality("GM0865"),
            connected_from=today - timedelta(days=400),
            connected_until=today - timedelta(days=1),  # ended yesterday
        )

    RoutingRule.objects.create(
        line=World.line, recipient=RecipientKind.PARTNER, partner=World.police
    )
    RoutingRule.objects.create(line=World.line, recipient=RecipientKind.REPORT_MUNICIPALITY)
    return World


def _staff_client(user) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    sign_in(client, user)
    return client


def _submitted(world, postcode: str) -> Report:
    """A report sent through the reporter's form, then held and assessed usable."""
    reporter = Client(HTTP_ACCEPT_LANGUAGE="en")
    form = f"/report/{world.line.slug}/{world.category.slug}/"
    answers = {"what": "Er wordt gedeald bij de snackbar", "postcode": postcode}
    review = reporter.post(form, answers)
    assert review.status_code == 200, review.content[:500]
    sent = reporter.post(form + "send/", {**answers, **submission_token(review.content.decode())})
    assert sent.status_code == 200, sent.content[:500]
    report = Report.objects.latest("pk")
    case_claim(report=report, actor=world.analyst, version=0)
    case_triage(report=report, actor=world.analyst, version=1, outcome="usable")
    return report


def _prepared(client: Client, report: Report) -> tuple[str, int]:
    """Open the prepare page and review every marked passage; (page text, draft version)."""
    url = reverse("network:prepare", args=[report.pk])
    page = client.get(url)
    assert page.status_code == 200
    version = page.context["version"]
    for row in page.context["rows"]:
        decided = client.post(
            reverse("network:decide", args=[report.pk]),
            {"version": version, "index": row.index, "decision": "redact"},
        )
        assert decided.status_code == 302
        version += 1
    page = client.get(url)
    return page.content.decode(), version


def _forward(client: Client, report: Report, version: int, partners: list[Partner]):
    return client.post(
        reverse("network:forward", args=[report.pk]),
        {
            "partner": [partner.pk for partner in partners],
            "version": version,
            "case_version": Case.objects.get(report=report).version,
        },
    )


def _checkbox(partner: Partner, *, checked: bool) -> str:
    return (
        f'<input type="checkbox" name="partner" value="{partner.pk}" '
        f'id="fw_partner_{partner.pk}"{" checked" if checked else ""}>'
    )


def _proposal(report: Report, municipality):
    # A reporter's request leaves Dutch active in this thread; read the reasons in English.
    with translation.override("en"):
        return forward_proposal(report=report, municipality=municipality)


def _opens(forward: Forward, user) -> str:
    return forward_open(
        forward=forward, user=user, private_key=staff_key_unlock(user=user, password=PASSWORD)
    )


def test_connected_municipality_and_police_both_receive_their_own_sealed_copy(world):
    report = _submitted(world, "1012 ab")
    # Intake resolved the postcode: the municipality is plaintext, the postcode is not.
    assert report.municipality_code == "GM0363"
    assert "1012" not in str(Report.objects.filter(pk=report.pk).values().get())
    answers = report_content(report=report, key_bytes=key_of(report, world.analyst))["answers"]
    assert answers["postcode"] == "1012 ab"

    client = _staff_client(world.analyst)
    page, version = _prepared(client, report)
    assert "The postcode 1012 AB lies in Amsterdam." in page
    assert "Routed as located in Amsterdam (GM0363)." in page
    assert _checkbox(world.police, checked=True) in page
    assert _checkbox(world.amsterdam, checked=True) in page
    assert "proposed: rule for every report of the line" in page
    assert "proposed: the report is located in Amsterdam (rule for every report" in page
    # Vught is not connected any more: not offered, with the reason.
    assert f'value="{world.vught.pk}"' not in page
    assert "Gemeente Vught is not connected: the connection ended on" in page

    sent = _forward(client, report, version, [world.police, world.amsterdam])
    assert sent.status_code == 302
    follow = client.get(sent["Location"])
    assert (
        "The report has been forwarded to Gemeente Amsterdam, Politie Eenheid Amsterdam."
        in follow.content.decode()
    )
    to_police = Forward.objects.get(report=report, partner=world.police)
    to_amsterdam = Forward.objects.get(report=report, partner=world.amsterdam)
    assert to_police.data_key_id != to_amsterdam.data_key_id
    police_members = set(world.police.memberships.values_list("user", flat=True))
    amsterdam_members = set(world.amsterdam.memberships.values_list("user", flat=True))
    assert set(to_police.data_key.grants.values_list("user", flat=True)) == police_members
    assert set(to_amsterdam.data_key.grants.values_list("user", flat=True)) == amsterdam_members
    event = AuditEvent.objects.get(action="case.forward")
    assert event.details["forwards"] == [to_amsterdam.pk, to_police.pk]
    assert event.details["recipients"] == [1, 2]

    # Each partner reads its own copy and nothing of the other's.
    amsterdam_member = world.amsterdam.memberships.get().user
    assert "Er wordt gedeald bij de snackbar" in _opens(to_amsterdam, amsterdam_member)
    for police_member in world.police.memberships.all():
        assert "Er wordt gedeald" in _opens(to_police, police_member.user)
        assert list(partner_forwards(police_member.user)) == [to_police]
    assert list(partner_forwards(amsterdam_member)) == [to_amsterdam]
    partner_client = _staff_client(amsterdam_member)
    inbox = partner_client.get(reverse("partner:inbox")).content.decode()
    assert reverse("partner:forward", args=[to_amsterdam.pk]) in inbox
    assert reverse("partner:forward", args=[to_police.pk]) not in inbox
    other = partner_client.get(reverse("partner:forward", args=[to_police.pk]))
    assert other.status_code == 404
    vught_member = world.vught.memberships.get().user
    assert list(partner_forwards(vught_member)) == []


def test_unconnected_municipality_gets_nothing_and_the_analyst_sees_why(world):
    report = _submitted(world, "5261AA")
    assert report.municipality_code == "GM0865"
    client = _staff_client(world.analyst)
    page, version = _prepared(client, report)
    assert "Routed as located in Vught (GM0865)." in page
    assert _checkbox(world.police, checked=True) in page
    assert f'value="{world.vught.pk}"' not in page
    with translation.override("en"):
        ended = formats.date_format(world.vught.connected_until, "DATE_FORMAT")
    assert f"Gemeente Vught is not connected: the connection ended on {ended}." in page

    # Posting the unconnected partner anyway is refused with the reason; nothing is made.
    forced = _forward(client, report, version, [world.police, world.vught])
    assert forced.status_code == 400
    assert "Gemeente Vught is not connected" in forced.content.decode()
    assert not Forward.objects.exists()
    assert Case.objects.get(report=report).version == 2

    sent = _forward(client, report, version, [world.police])
    assert sent.status_code == 302
    assert list(Forward.objects.values_list("partner__name", flat=True)) == [
        "Politie Eenheid Amsterdam"
    ]


def test_an_ambiguous_postcode_is_settled_by_the_analyst_from_the_candidates(world):
    report = _submitted(world, "5076")
    assert report.municipality_code == ""  # two municipalities: intake does not guess
    client = _staff_client(world.analyst)
    page, _version = _prepared(client, report)
    assert "The postcode 5076 lies in more than one municipality" in page
    assert "Oisterwijk (GM0824) · 3 addresses" in page
    assert "Vught (GM0865) · 1 address" in page
    assert "The report's municipality is not known." in page
    assert "The report&#x27;s location is not known; choose its municipality." in page
    assert _checkbox(world.police, checked=True) in page
    # The choice offers the candidates only.
    options = page[page.index('id="locate_municipality"') :].split("</select>")[0]
    assert 'value="GM0824"' in options and 'value="GM0865"' in options
    assert 'value="GM0363"' not in options

    chosen = client.post(reverse("network:locate", args=[report.pk]), {"municipality": "GM0824"})
    assert chosen.status_code == 302
    report.refresh_from_db()
    assert report.municipality_code == "GM0824"
    event = AuditEvent.objects.get(action="report.locate")
    assert event.details == {"municipality": "GM0824", "previous": ""}
    page = client.get(reverse("network:prepare", args=[report.pk])).content.decode()
    assert "Routed as located in Oisterwijk (GM0824)." in page
    assert "Municipality Oisterwijk is not connected." in page

    merged = client.post(reverse("network:locate", args=[report.pk]), {"municipality": "GM0457"})
    assert merged.status_code == 400  # Weesp no longer exists: not a choice
    report.refresh_from_db()
    assert report.municipality_code == "GM0824"

    # A choice can be corrected later, to any existing municipality.
    corrected = client.post(reverse("network:locate", args=[report.pk]), {"municipality": "GM0865"})
    assert corrected.status_code == 302
    report.refresh_from_db()
    assert report.municipality_code == "GM0865"
    assert AuditEvent.objects.filter(action="report.locate").latest("sequence").details == {
        "municipality": "GM0865",
        "previous": "GM0824",
    }


def test_an_unknown_postcode_lets_the_analyst_choose_any_existing_municipality(world):
    report = _submitted(world, "9999 ZZ")
    client = _staff_client(world.analyst)
    page, _version = _prepared(client, report)
    assert "The postcode 9999 ZZ is not known; choose the municipality." in page
    options = page[page.index('id="locate_municipality"') :].split("</select>")[0]
    assert 'value="GM0363"' in options and 'value="GM0457"' not in options


def test_a_report_made_before_a_merger_is_routed_to_the_successor(world):
    report = _submitted(world, "")
    Report.objects.filter(pk=report.pk).update(municipality_code="GM0457")  # Weesp
    report.refresh_from_db()
    proposal = _proposal(report, None)
    assert [p.partner for p in proposal.proposed] == [world.police]
    client = _staff_client(world.analyst)
    page = client.get(reverse("network:prepare", args=[report.pk])).content.decode()
    assert "Routed as located in Amsterdam (GM0363)." in page
    assert _checkbox(world.amsterdam, checked=True) in page


def test_partners_without_members_or_keys_are_refused_with_the_reason(world):
    empty = make_partner(lines=[world.line], name="FIOD", kind=PartnerKind.INVESTIGATIVE_SERVICE)
    empty.memberships.all().delete()
    RoutingRule.objects.create(
        line=world.line,
        category=world.category,
        recipient=RecipientKind.PARTNER_KIND,
        partner_kind=PartnerKind.INVESTIGATIVE_SERVICE,
    )
    report = _submitted(world, "1012AB")
    proposal = _proposal(report, _municipality("GM0363"))
    assert [p.partner.name for p in proposal.proposed] == [
        "Politie Eenheid Amsterdam",
        "Gemeente Amsterdam",
    ]
    assert [(r.name, r.reason) for r in proposal.refused] == [
        ("FIOD", "Nobody at FIOD can read a forward yet (no active member with a key).")
    ]
    client = _staff_client(world.analyst)
    _page, version = _prepared(client, report)
    refused = _forward(client, report, version, [empty])
    assert refused.status_code == 400
    assert "Nobody at FIOD can read a forward yet" in refused.content.decode()
    assert not Forward.objects.exists()


def test_rules_are_scoped_by_category_and_municipality(world):
    other_category = make_category(line=world.line)
    utrecht_police = make_partner(lines=[world.line], name="Politie Midden-Nederland")
    RoutingRule.objects.create(
        line=world.line,
        municipality=_municipality("GM0344"),
        recipient=RecipientKind.PARTNER,
        partner=utrecht_police,
    )
    special = make_partner(lines=[world.line], name="Team Drugs")
    RoutingRule.objects.create(
        line=world.line,
        category=other_category,
        recipient=RecipientKind.PARTNER,
        partner=special,
    )
    report = _submitted(world, "3511 AA")
    names = [p.partner.name for p in _proposal(report, None).proposed]
    assert names == ["Politie Eenheid Amsterdam"]
    utrecht = _proposal(report, _municipality("GM0344"))
    assert [(p.partner.name, p.reason) for p in utrecht.proposed] == [
        ("Politie Eenheid Amsterdam", f"rule for every report of the line {world.line.name}"),
        ("Politie Midden-Nederland", "rule for reports located in Utrecht"),
    ]
    assert [r.reason for r in utrecht.refused] == ["Municipality Utrecht is not connected."]


def test_connection_dates_decide_whether_a_municipality_is_connected(world):
    partner = world.vught
    day = partner.connected_until
    assert partner.is_connected_on(day)  # the last day counts
    assert not partner.is_connected_on(day + timedelta(days=1))
    assert partner.is_connected_on(partner.connected_from)
    assert not partner.is_connected_on(partner.connected_from - timedelta(days=1))
    partner.connected_until = None
    assert partner.is_connected_on(day + timedelta(days=3650))
    partner.connected_from = None
    assert not partner.is_connected_on(day)
    assert world.police.is_connected_on(day)  # police need no connection


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"connected_until": "2026-01-01"}, "connected_from"),
        ({"connected_from": "2026-02-01", "connected_until": "2026-01-31"}, "connected_until"),
        ({"connected_from": "2026-01-01", "fee_per_forward": Decimal("-1")}, "fee_per_forward"),
    ],
)
def test_connection_validation(world, fields, field):
    partner = Partner(
        name="Gemeente Utrecht",
        kind=PartnerKind.MUNICIPALITY,
        municipality=_municipality("GM0344"),
        **fields,
    )
    with pytest.raises(ValidationError) as refused:
        partner.full_clean()
    assert set(refused.value.message_dict) == {field}


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"recipient": RecipientKind.PARTNER}, "partner"),
        ({"recipient": RecipientKind.PARTNER_KIND}, "partner_kind"),
        (
            {"recipient": RecipientKind.REPORT_MUNICIPALITY, "partner_kind": PartnerKind.POLICE},
            "partner_kind",
        ),
        ({"recipient": RecipientKind.REPORT_MUNICIPALITY, "other_line_category": True}, "category"),
    ],
)
def test_routing_rule_validation(world, fields, field):
    if fields.pop("other_line_category", False):
        fields["category"] = make_category()
    rule = RoutingRule(line=world.line, **fields)
    with pytest.raises(ValidationError) as refused:
        rule.full_clean()
    assert set(refused.value.message_dict) == {field}
