"""The pilot evaluation: channels side by side per line and category (issue 18 item 2).

Reports, cases, messages, forwards and feedback are made as the rows the
services leave (counting only, as in network/tests/test_billing.py), with
known outcomes, and every figure of the table is checked as printed.
"""

import csv
import importlib
import io
import random
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.apps import apps
from django.db.models import Case as Choose
from django.db.models import CharField, Count, Exists, F, OuterRef, Q, Subquery, Value, When
from django.test import Client
from django.urls import reverse
from django.utils import translation

from meldpunt.cases.models import Case
from meldpunt.cases.tests.factories import make_report
from meldpunt.chat.models import Chat
from meldpunt.hotline.models import ReportedUrl
from meldpunt.intake.models import Author, Message, Report, ReportChannel
from meldpunt.lines.models import LineKind
from meldpunt.network.models import (
    FOLLOWED_UP_OUTCOMES,
    FeedbackOutcome,
    Forward,
    ForwardFeedback,
    PartnerHotlineReport,
)
from meldpunt.network.tests.factories import make_partner
from meldpunt.stats import selectors
from meldpunt.stats.figures import display_rows, pilot_table
from meldpunt.stats.selectors import HoursBetween, Scope, reports_in
from meldpunt.testing import make_category, make_line, make_staff, sign_in
from meldpunt.vault import crypto
from meldpunt.vault.keys import data_key_create
from meldpunt.vault.models import Role

pytestmark = pytest.mark.django_db

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
MARCH = datetime(2026, 3, 10, 10, tzinfo=AMSTERDAM)
PERIOD = {"start": "2026-03", "end": "2026-03"}
FORM, API, CHAT = ReportChannel.FORM, ReportChannel.API, ReportChannel.CHAT


def _sealed():
    return data_key_create(key_bytes=crypto.new_data_key(), line=None, recipients=[])


def _named(thing, name: str):
    type(thing).objects.filter(pk=thing.pk).update(name=name)
    thing.refresh_from_db()
    return thing


class Pilot:
    """One month of reports over every channel, with outcomes chosen so each share differs."""

    def __init__(self) -> None:
        self.crime = _named(make_line(slug="crime"), "Misdaad")
        self.hotline = _named(make_line(slug="hotline", kind=LineKind.CONTENT_HOTLINE), "Meldpunt")
        self.drugs = _named(make_category(line=self.crime, order=1), "Drugs")
        self.weapons = _named(make_category(line=self.crime, order=2), "Wapens")
        self.urls = _named(make_category(line=self.hotline), "Kinderporno")
        self.police = make_partner(lines=[self.crime], name="Politie")
        self.fiod = make_partner(lines=[self.crime], name="FIOD")

        # Drugs, web form without dialogue: 2 of 4 usable and forwarded, one of
        # them followed up and one redacted; first responses after 5, 10, 20 h.
        f = [self.report(self.drugs, FORM) for _ in range(4)]
        self.assess(f[0], "usable")
        self.forward(f[0], self.police, redacted=True, feedback="taken_up")
        # Written first but sent later: the first response is the earliest message.
        self.staff_message(f[0], hours=30)
        self.staff_message(f[0], hours=5)
        self.assess(f[1], "usable")
        self.forward(f[1], self.police, redacted=False, feedback="no_action")
        self.staff_message(f[1], hours=10)
        self.assess(f[2], "not_usable")
        self.staff_message(f[2], hours=20)
        # Drugs, web form with a mailbox dialogue: the reporter wrote back in all three.
        m = [self.report(self.drugs, FORM) for _ in range(3)]
        for report in m:
            self.reporter_message(report, hours=3)
        self.assess(m[0], "usable")
        # Two forwards of one report: the report counts once.
        self.forward(m[0], self.police, redacted=None, feedback="arrest_or_seizure")
        self.forward(m[0], self.fiod, redacted=True)
        self.assess(m[1], "usable")
        self.staff_message(m[0], hours=2)
        self.staff_message(m[1], hours=4)
        # Drugs, chat: three reports, nothing done yet.
        for _ in range(3):
            self.report(self.drugs, CHAT)
        # Drugs, API: two reports, below the threshold of 3.
        api = [self.report(self.drugs, API) for _ in range(2)]
        self.assess(api[0], "usable")
        self.forward(api[0], self.police, redacted=True, feedback="taken_up")
        # Weapons, web form: one forward from before redaction was recorded, no feedback.
        w = [self.report(self.weapons, FORM) for _ in range(3)]
        self.assess(w[0], "usable")
        self.forward(w[0], self.police, redacted=None)
        # Content hotline: addresses from the public, from partner hotlines, and old reports.
        for report in [self.report(self.urls, ReportChannel.WEB_ADDRESS) for _ in range(3)]:
            self.assess(report, "usable")
        for _ in range(3):
            self.report(self.urls, ReportChannel.PARTNER_HOTLINE)
        for _ in range(3):
            self.report(self.urls, ReportChannel.UNKNOWN)
        # April: outside the period.
        late = self.report(self.drugs, FORM)
        Report.objects.filter(pk=late.pk).update(received_at=datetime(2026, 4, 1, tzinfo=AMSTERDAM))

    @staticmethod
    def report(category, channel) -> Report:
        return make_report(category=category, channel=channel, received_at=MARCH)

    @staticmethod
    def assess(report: Report, outcome: str) -> None:
        Case.objects.create(report=report, triage_outcome=outcome)

    @staticmethod
    def forward(report, partner, *, redacted, feedback="") -> None:
        forward = Forward.objects.create(
            report=report, partner=partner, data_key=_sealed(), sealed_body=b"-", redacted=redacted
        )
        if feedback:
            ForwardFeedback.objects.create(
                forward=forward, outcome=feedback, data_key=_sealed(), sealed_text=b"-"
            )

    @staticmethod
    def staff_message(report: Report, *, hours: int) -> None:
        created = MARCH + timedelta(hours=hours)
        Message.objects.create(
            report=report, author=Author.STAFF, sealed_body=b"-", created_at=created
        )

    @staticmethod
    def reporter_message(report: Report, *, hours: int) -> None:
        created = MARCH + timedelta(hours=hours)
        Message.objects.create(
            report=report, author=Author.REPORTER, sealed_body=b"-", created_at=created
        )


def _scope(*lines) -> Scope:
    return Scope(
        first=date(2026, 3, 1), last=date(2026, 3, 1), line_ids=tuple(line.pk for line in lines)
    )


def test_every_figure_of_the_pilot_table(settings):
    settings.STATS_MIN_COUNT = 3
    pilot = Pilot()
    with translation.override("en"):
        table = pilot_table(_scope(pilot.crime, pilot.hotline))
    # line, category, channel, reports, usable, forwarded, followed up, redacted, hours
    web_address = "Web address (content hotline form)"
    dialogue = "Web form with mailbox dialogue"
    assert display_rows(table, 3) == [
        ["Meldpunt", "Kinderporno", web_address, "3", "100 %", "0 %", "–", "–", "–"],
        ["Meldpunt", "Kinderporno", "Partner hotline", "3", "0 %", "0 %", "–", "–", "–"],
        ["Meldpunt", "Kinderporno", "Channel not known", "3", "0 %", "0 %", "–", "–", "–"],
        ["Misdaad", "Drugs", "Web form, no dialogue", "4", "50 %", "50 %", "50 %", "50 %", "10"],
        ["Misdaad", "Drugs", dialogue, "3", "67 %", "33 %", "100 %", "100 %", "3"],
        ["Misdaad", "Drugs", "Chat", "3", "0 %", "0 %", "–", "–", "–"],
        # Two reports: the count is hidden, and so is every share that could give it away.
        ["Misdaad", "Drugs", "API", "< 3", "–", "–", "–", "–", "–"],
        # The only forward does not record redaction: no share rather than 0 %.
        ["Misdaad", "Wapens", "Web form, no dialogue", "3", "33 %", "33 %", "0 %", "–", "–"],
    ]


def test_the_pilot_table_as_csv_in_english_with_small_counts_hidden(settings):
    settings.STATS_MIN_COUNT = 3
    pilot = Pilot()
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    sign_in(client, make_staff(lines=[pilot.crime], role=Role.SUPERVISOR))
    response = client.get(reverse("stats:csv", args=["pilot"]), PERIOD)
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == [
        "Line",
        "Category",
        "Channel",
        "Reports",
        "Usable in triage",
        "Forwarded",
        "Followed up by the partner",
        "Identifying details redacted",
        "Median hours to the first response",
    ]
    # A supervisor of the crime line only: no content-hotline rows.
    assert [row[:4] for row in rows[1:]] == [
        ["Misdaad", "Drugs", "Web form, no dialogue", "4"],
        ["Misdaad", "Drugs", "Web form with mailbox dialogue", "3"],
        ["Misdaad", "Drugs", "Chat", "3"],
        ["Misdaad", "Drugs", "API", "< 3"],
        ["Misdaad", "Wapens", "Web form, no dialogue", "3"],
    ]
    page = client.get(reverse("stats:overview"), PERIOD).content.decode()
    assert "Pilot evaluation: channels per category" in page
    assert "Web form with mailbox dialogue" in page


def test_the_pilot_table_in_dutch(settings):
    settings.STATS_MIN_COUNT = 3
    pilot = Pilot()
    client = Client(HTTP_ACCEPT_LANGUAGE="nl")
    sign_in(client, make_staff(role=Role.ADMINISTRATOR))
    page = client.get(reverse("stats:overview"), PERIOD).content.decode()
    assert "Pilotevaluatie: kanalen per categorie" in page
    assert "Webformulier met dialoog in de brievenbus" in page
    assert pilot.hotline.name in page


def test_a_period_without_reports_shows_an_empty_pilot_table(client):
    line = make_line()
    make_category(line=line)
    sign_in(client, make_staff(role=Role.ADMINISTRATOR))
    page = client.get(reverse("stats:overview"), {"start": "2019-01", "end": "2019-12"})
    assert page.status_code == 200
    assert (
        page.context["tables"][[t.table.slug for t in page.context["tables"]].index("pilot")].rows
        == []
    )
    download = client.get(
        reverse("stats:csv", args=["pilot"]), {"start": "2019-01", "end": "2019-12"}
    )
    assert download.status_code == 200
    assert len(list(csv.reader(io.StringIO(download.content.decode())))) == 1  # the header only
    # A line without categories: no rows either, no error.
    assert pilot_table(_scope(make_line())).rows == []


def test_the_migration_fills_the_channel_that_the_rows_still_show():
    fill = importlib.import_module("meldpunt.intake.migrations.0006_report_channel").channels_fill
    category = make_category()
    chatted, imported, other = (make_report(category=category) for _ in range(3))
    Chat.objects.create(line=category.line, data_key=_sealed(), report=chatted)
    from_partner = ReportedUrl.objects.create(
        report=imported, sealed_url=b"-", url_tag="t", created_at=MARCH
    )
    PartnerHotlineReport.objects.create(
        partner=make_partner(name="eco"), external_id="DE-1", reported_url=from_partner
    )
    ReportedUrl.objects.create(report=other, sealed_url=b"-", url_tag="u", created_at=MARCH)
    fill(apps, None)
    assert Report.objects.get(pk=chatted.pk).channel == ReportChannel.CHAT
    assert Report.objects.get(pk=imported.pk).channel == ReportChannel.PARTNER_HOTLINE
    # A form or an API report: nothing stored tells them apart, so not guessed.
    assert Report.objects.get(pk=other.pk).channel == ReportChannel.UNKNOWN


def _pilot_by_subqueries(scope: Scope) -> tuple[dict, dict]:
    """The pilot's figures as first written: an EXISTS or a subquery per report.

    Kept here as the definition the single join must agree with: the channel
    split by an EXISTS on a reporter message, each forward figure an EXISTS on
    the report's forwards, the first response the earliest staff message.
    """

    def forwards(**conditions) -> Exists:
        return Exists(Forward.objects.filter(report=OuterRef("pk"), **conditions))

    reports = reports_in(scope).annotate(
        pilot_channel=Choose(
            When(
                Q(
                    Exists(Message.objects.filter(report=OuterRef("pk"), author=Author.REPORTER)),
                    channel=FORM,
                ),
                then=Value(selectors.MAILBOX_DIALOGUE),
            ),
            default=F("channel"),
            output_field=CharField(),
        )
    )
    keys = ("line_id", "category_id", "pilot_channel")
    counts = {
        (line, category, channel): dict(zip(selectors.PILOT_COUNTS, figures, strict=True))
        for line, category, channel, *figures in reports.values_list(*keys).annotate(
            reports=Count("pk"),
            usable=Count("pk", filter=Q(case__triage_outcome="usable")),
            forwarded=Count("pk", filter=forwards()),
            followed_up=Count("pk", filter=forwards(feedback__outcome__in=FOLLOWED_UP_OUTCOMES)),
            redaction_known=Count("pk", filter=forwards(redacted__isnull=False)),
            redacted=Count("pk", filter=forwards(redacted=True)),
        )
    }
    first = Message.objects.filter(report=OuterRef("pk"), author=Author.STAFF)
    rows = (
        reports.annotate(first_at=Subquery(first.order_by("created_at").values("created_at")[:1]))
        .filter(first_at__isnull=False)
        .annotate(hours=HoursBetween("received_at", "first_at"))
        .values_list(*keys, "hours")
        .annotate(n=Count("pk"))
    )
    hours: dict = {}
    for line, category, channel, hour, n in rows:
        hours.setdefault((line, category, channel), {})[hour] = n
    return counts, hours


def test_the_single_join_gives_what_a_subquery_per_report_gave():
    """Item 2 of issue 18: the pilot's join keeps the figures of the per-report subqueries."""
    rng = random.Random(18)
    line = make_line()
    categories = [make_category(line=line) for _ in range(2)]
    police = make_partner(lines=[line], name="Politie")
    channels = [FORM, FORM, API, CHAT, ReportChannel.UNKNOWN]
    for _ in range(40):
        report = make_report(
            category=rng.choice(categories),
            channel=rng.choice(channels),
            received_at=MARCH + timedelta(hours=rng.randrange(400)),
        )
        if rng.random() < 0.6:
            Pilot.assess(report, rng.choice(["usable", "not_usable", ""]))
        for _ in range(rng.randrange(3)):  # none, one or two forwards
            feedback = rng.choice(["", *FeedbackOutcome.values])
            Pilot.forward(
                report, police, redacted=rng.choice([None, True, False]), feedback=feedback
            )
        for author in (Author.STAFF, Author.STAFF, Author.REPORTER):
            if rng.random() < 0.5:
                created = report.received_at + timedelta(hours=rng.randrange(300))
                Message.objects.create(
                    report=report, author=author, sealed_body=b"-", created_at=created
                )
    scope = Scope(first=date(2026, 3, 1), last=date(2026, 3, 1), line_ids=(line.pk,))
    counts, hours = _pilot_by_subqueries(scope)
    assert sum(n["reports"] for n in counts.values()) > 20  # some fell in April
    assert any(n["followed_up"] for n in counts.values())
    assert selectors.pilot_counts(scope) == counts
    assert selectors.pilot_hours_to_first_response(scope) == hours
    per_line = selectors.histograms_merge(list(hours.values()))
    assert selectors.hours_histogram_to_first_response(scope) == {line.pk: per_line}
