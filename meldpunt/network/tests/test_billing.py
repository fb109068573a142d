"""Issue 13, item 8: statements and evaluations, against figures computed by hand.

Forwards are placed on chosen local times (Europe/Amsterdam) around the period
boundaries; each carries the fee of its day, so the partner's fee is changed
half-way to show a statement does not rewrite the past.
"""

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from meldpunt.cases.tests.factories import make_report
from meldpunt.lines.models import Category, Municipality
from meldpunt.testing import make_category, make_staff, sign_in
from meldpunt.vault import crypto
from meldpunt.vault.keys import data_key_create
from meldpunt.vault.models import Role

from ..billing import partner_evaluation, partner_statement
from ..models import FeedbackOutcome, Forward, ForwardFeedback, Partner, PartnerKind
from .factories import forwarded, make_partner, usable_report

pytestmark = pytest.mark.django_db

AMSTERDAM = ZoneInfo("Europe/Amsterdam")


def _at(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=AMSTERDAM)


def _category(name: str, line=None):
    category = make_category(line=line)
    Category.objects.filter(pk=category.pk).update(name=name)
    category.refresh_from_db()
    return category


def _sealed():
    return data_key_create(key_bytes=crypto.new_data_key(), line=None, recipients=[])


def _forward(partner: Partner, category, at: datetime, fee: str, outcome: str = "") -> Forward:
    """A forward row as ``forward_create`` leaves it, on a chosen moment (counting only)."""
    forward = Forward.objects.create(
        report=make_report(category=category),
        partner=partner,
        data_key=_sealed(),
        sealed_body=b"-",
        created_at=at,
        fee=Decimal(fee),
    )
    if outcome:
        ForwardFeedback.objects.create(
            forward=forward, outcome=outcome, data_key=_sealed(), sealed_text=b"-"
        )
    return forward


@pytest.fixture
def municipality():
    category = _category("Drugs")
    partner = make_partner(
        lines=[category.line],
        name="Gemeente Utrecht",
        kind=PartnerKind.MUNICIPALITY,
        municipality=Municipality.objects.create(code="GM0344", name="Utrecht"),
        connected_from=date(2026, 1, 15),
        fee_per_forward=Decimal("12.50"),
    )
    return partner, category


def test_the_fee_of_the_day_of_forwarding_is_kept_on_the_forward(municipality):
    partner, category = municipality
    partner.connected_from = date(2020, 1, 1)
    partner.save()
    analyst = make_staff(lines=[category.line])
    report = usable_report(category=category, holder=analyst, text="Hennepteelt op zolder.")
    (forward,) = forwarded(report=report, partners=[partner], actor=analyst)
    assert forward.fee == Decimal("12.50")
    Partner.objects.filter(pk=partner.pk).update(fee_per_forward=Decimal("20.00"))
    forward.refresh_from_db()
    assert forward.fee == Decimal("12.50")


def _march(partner, category) -> list[Forward]:
    return [
        _forward(partner, category, _at(2026, 2, 28, 23, 59), "12.50"),  # February: out
        _forward(partner, category, _at(2026, 3, 1, 0, 0), "12.50"),
        _forward(partner, category, _at(2026, 3, 15, 12, 0), "12.50"),
        _forward(partner, category, _at(2026, 3, 31, 23, 30), "15.00"),  # fee raised
        _forward(partner, category, _at(2026, 4, 1, 0, 30), "15.00"),  # April: out
    ]


def test_a_statement_adds_up_the_fees_of_the_period_by_local_day(municipality):
    partner, category = municipality
    forwards = _march(partner, category)
    _forward(make_partner(name="Politie"), category, _at(2026, 3, 10, 9, 0), "99.00")
    statement = partner_statement(partner=partner, start=date(2026, 3, 1), end=date(2026, 3, 31))
    assert [f.pk for f in statement.forwards] == [f.pk for f in forwards[1:4]]
    assert statement.count == 3
    assert statement.total == Decimal("40.00")  # 12.50 + 12.50 + 15.00
    empty = partner_statement(partner=partner, start=date(2025, 1, 1), end=date(2025, 12, 31))
    assert (empty.count, empty.total) == (0, Decimal("0.00"))


def _client(user) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    sign_in(client, user)
    return client


def test_the_statement_as_csv_and_as_a_printable_page(municipality):
    partner, category = municipality
    forwards = _march(partner, category)
    client = _client(make_staff(role=Role.SUPERVISOR))
    query = {"start": "2026-03-01", "end": "2026-03-31"}
    page = client.get(reverse("network:statement", args=[partner.pk]), query)
    assert page.status_code == 200
    text = page.content.decode()
    assert '<td id="statement-count">3</td><td id="statement-total">40.00</td>' in text
    csv = client.get(reverse("network:statement_csv", args=[partner.pk]), query)
    assert csv["Content-Type"] == "text/csv; charset=utf-8"
    assert csv["Content-Disposition"] == (
        f'attachment; filename="statement-{partner.pk}-20260301-20260331.csv"'
    )
    line = category.line.title
    assert csv.content.decode().splitlines() == [
        "Forward,Forwarded on,Line,Category,Fee (EUR)",
        f"{forwards[1].pk},2026-03-01,{line},Drugs,12.50",
        f"{forwards[2].pk},2026-03-15,{line},Drugs,12.50",
        f"{forwards[3].pk},2026-03-31,{line},Drugs,15.00",
        "Total,,,3,40.00",
    ]


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"start": "2026-03-31", "end": "2026-03-01"}, "The period cannot end before it starts."),
        ({"start": "31-31-2026", "end": "2026-03-01"}, "Enter a valid date."),
        ({"start": "2000-01-01", "end": "2026-03-01"}, "Choose a period of at most ten years."),
    ],
)
def test_a_bad_period_is_a_form_error(municipality, query, message):
    partner, _category = municipality
    client = _client(make_staff(role=Role.ADMINISTRATOR))
    for name in ("network:statement", "network:statement_csv"):
        response = client.get(reverse(name, args=[partner.pk]), query)
        assert response.status_code == 400
        assert message in response.content.decode()


def test_the_evaluation_of_a_connection_year(municipality):
    partner, drugs = municipality
    weapons = _category("Wapens", line=drugs.line)
    _forward(partner, drugs, _at(2026, 1, 14, 23, 59), "12.50", FeedbackOutcome.TAKEN_UP)  # before
    _forward(partner, drugs, _at(2026, 1, 15, 0, 0), "12.50", FeedbackOutcome.TAKEN_UP)
    _forward(partner, drugs, _at(2026, 2, 3, 10, 0), "12.50", FeedbackOutcome.ARREST_OR_SEIZURE)
    _forward(partner, weapons, _at(2026, 2, 10, 10, 0), "12.50", FeedbackOutcome.NO_ACTION)
    _forward(partner, weapons, _at(2026, 2, 28, 23, 30), "12.50", FeedbackOutcome.NOT_OUR_CASE)
    _forward(partner, drugs, _at(2026, 12, 1, 9, 0), "12.50")
    _forward(partner, weapons, _at(2027, 1, 14, 23, 0), "12.50")
    _forward(partner, weapons, _at(2027, 1, 15, 0, 10), "12.50")  # after

    evaluation = partner_evaluation(partner=partner, start=date(2026, 1, 15))
    assert (evaluation.start, evaluation.end) == (date(2026, 1, 15), date(2027, 1, 14))
    assert len(evaluation.months) == 13  # January 2026 up to and including January 2027
    by_category = {row.category: row.counts for row in evaluation.rows}
    #                     J  F  M  A  M  J  J  A  S  O  N  D  J
    assert by_category == {
        "Drugs": [1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0],
        "Wapens": [0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1],
    }
    assert evaluation.month_totals == [1, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1]
    assert (evaluation.received, evaluation.with_feedback, evaluation.followed_up) == (6, 4, 2)
    assert evaluation.followed_up_percent == 33  # 2 of 6
    # The labels are lazy: read in English here, not in whatever an earlier test left active.
    with translation.override("en"):
        outcomes = [(str(o.label), o.count) for o in evaluation.outcomes]
    assert outcomes == [
        ("Taken up", 1),
        ("Led to an arrest or seizure", 1),
        ("No action", 1),
        ("Not our case", 1),
    ]

    page = _client(make_staff(role=Role.SUPERVISOR)).get(
        reverse("network:evaluation", args=[partner.pk])  # the connection's first year
    )
    text = page.content.decode()
    assert page.status_code == 200
    assert '<dd id="received">6</dd>' in text
    assert '<dd id="followed-up">2 (33%)</dd>' in text


def test_only_a_municipality_has_an_evaluation_and_bad_dates_are_form_errors(municipality):
    partner, _category = municipality
    client = _client(make_staff(role=Role.SUPERVISOR))
    police = make_partner(name="Politie")
    assert client.get(reverse("network:evaluation", args=[police.pk])).status_code == 404
    assert client.get(reverse("network:evaluation", args=[2**63])).status_code == 404
    bad = client.get(reverse("network:evaluation", args=[partner.pk]), {"start": "gisteren"})
    assert bad.status_code == 400
    assert "Enter a valid date." in bad.content.decode()
