"""The annual report: a content hotline's year, on the year page and in the PDF.

The year is seeded with bulk_create as the minimal plaintext metadata rows the
statistics read (report, case, classification, reported address): the figures
never open content, so the rows need none, and submitting 28,960 reports
through the crypto would take minutes. The PDF's text is read back with pypdf.
"""

import io
import re
import secrets
import sys
import uuid
from datetime import date, datetime, timedelta
from html import unescape
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.template.loader import render_to_string
from django.test import Client
from django.urls import reverse
from django.utils import translation
from pypdf import PdfReader

from meldpunt.cases.models import Case, CaseClassification, ClassificationOption
from meldpunt.cases.services import classification_preset_install
from meldpunt.cases.tests.factories import make_report
from meldpunt.chat.models import (
    Chat,
    ChatStatus,
    ContactChannel,
    ContactRegistration,
    ContactType,
    SurveyCount,
    SurveyQuestion,
)
from meldpunt.hotline.models import Assessment, HostingRoute, ReportedUrl
from meldpunt.intake.models import Report
from meldpunt.lines.models import LineKind
from meldpunt.stats.report import YearState, annual_report, annual_report_pdf, workdays_in
from meldpunt.testing import make_category, make_line, make_staff, sign_in
from meldpunt.vault.models import DataKey, Role

pytestmark = pytest.mark.django_db

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
# The content hotline's year in the brief: reports per assessment class.
CLASSES = {
    "csam": 17_995,
    "child-erotica": 621,
    "child-nudity": 751,
    "adult-pornography": 5_270,
    "not-found": 2_469,
    "other": 1_841,
}
MAY_2025 = datetime(2025, 5, 12, 10, tzinfo=AMSTERDAM)
RECEIVED = 28_960  # 13 of them not classified
HOSTED_HERE = 13_235  # of the CSAM reports' addresses
# Whole percent of the reports received, as the counts give them (see the report).
PERCENT = {
    "csam": 62,
    "child-erotica": 2,
    "child-nudity": 3,
    "adult-pornography": 18,
    "not-found": 9,
    "other": 6,
}
ENGLISH = {
    "csam": "Child sexual abuse material",
    "child-erotica": "Child erotica",
    "child-nudity": "Child nudity",
    "adult-pornography": "Adult pornography",
    "not-found": "Not found / not accessible",
    "other": "Other",
}


def insert_rows(model, given: tuple[str, ...], rows) -> None:
    """INSERT plain rows with one executemany, the other columns at their defaults.

    bulk_create builds a model instance per row, which made seeding 134,000 rows
    take most of a minute on a loaded machine; this prepares each value with its
    field (so SQLite and PostgreSQL get what the ORM would send) and nothing else.
    Defaults are computed once per column: give every unique field explicitly.
    """
    meta = model._meta
    fields = [meta.get_field(name) for name in given]
    defaults = [f for f in meta.concrete_fields if f.name not in given and not f.primary_key]
    default_values = [
        None if field.null else field.get_db_prep_save(field.get_default(), connection)
        for field in defaults
    ]
    quote = connection.ops.quote_name
    columns = ", ".join(quote(field.column) for field in [*fields, *defaults])
    marks = ", ".join(["%s"] * (len(fields) + len(defaults)))
    sql = f"INSERT INTO {quote(meta.db_table)} ({columns}) VALUES ({marks})"
    with connection.cursor() as cursor:
        cursor.executemany(
            sql,
            [
                [
                    *(f.get_db_prep_save(v, connection) for f, v in zip(fields, row, strict=True)),
                    *default_values,
                ]
                for row in rows
            ],
        )


def seed_hotline_year(year: int = 2025):
    """One year of a content hotline: reports, their assessment and their addresses' hosting."""
    line = make_line(slug="content", kind=LineKind.CONTENT_HOTLINE)
    category = make_category(line=line)
    classification_preset_install(line=line, preset=LineKind.CONTENT_HOTLINE, actor=None)
    options = dict(
        ClassificationOption.objects.filter(
            scheme__line=line, scheme__slug="assessment"
        ).values_list("slug", "pk")
    )
    start = datetime(year, 1, 1, tzinfo=AMSTERDAM)
    hours = int((datetime(year + 1, 1, 1, tzinfo=AMSTERDAM) - start).total_seconds() // 3600)
    keys = [uuid.uuid4() for _ in range(RECEIVED)]
    insert_rows(DataKey, ("id", "line", "created_at"), [(key, line.pk, start) for key in keys])
    received = [start + timedelta(hours=n * hours // RECEIVED) for n in range(RECEIVED)]
    insert_rows(
        Report,
        ("reference", "line", "category", "received_at", "last_activity_at", "receipt_lookup")
        + ("data_key", "sealed_content", "needs_attention"),
        [
            (f"T{n:07d}", line.pk, category.pk, at, start, secrets.token_bytes(32), key, b"", False)
            for n, (key, at) in enumerate(zip(keys, received, strict=True))
        ],
    )
    reports = list(
        Report.objects.filter(line=line).order_by("reference").values_list("pk", flat=True)
    )
    slugs = [slug for slug, count in CLASSES.items() for _ in range(count)]
    assessed = reports[: len(slugs)]
    insert_rows(Case, ("report",), [(pk,) for pk in assessed])
    cases = dict(Case.objects.filter(report__line=line).values_list("report_id", "pk"))
    insert_rows(
        CaseClassification,
        ("case", "option"),
        [(cases[pk], options[slug]) for pk, slug in zip(assessed, slugs, strict=True)],
    )
    csam = [
        (pk, at)
        for pk, at, slug in zip(assessed, received[: len(slugs)], slugs, strict=True)
        if slug == "csam"
    ]
    insert_rows(
        ReportedUrl,
        ("report", "sealed_url", "url_tag", "created_at", "assessment", "route"),
        [
            (
                pk,
                b"",
                f"{n:064d}",
                at,
                Assessment.ILLEGAL,
                HostingRoute.DOMESTIC if n < HOSTED_HERE else HostingRoute.ABROAD,
            )
            for n, (pk, at) in enumerate(csam)
        ],
    )
    # The rows sit in the test's open transaction, where autovacuum never sees them:
    # without statistics PostgreSQL plans the year's count for empty tables (49 s
    # instead of 0.5 s, past the suite's timeout on a loaded machine).
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return line


def table_rows(page: str, slug: str) -> list[list[str]]:
    """The body rows of one table on the page, as the text of their cells."""
    section = page.split(f'<section class="stats-table" id="{slug}"', 1)[1].split("</section>")[0]
    body = section.split("<tbody>", 1)[1].split("</tbody>")[0]
    return [
        [unescape(cell) for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
        for row in re.findall(r"<tr>(.*?)</tr>", body, re.S)
    ]


def pdf_text(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    # Words in reading order, one space apart: a cell that wraps onto two lines in
    # the PDF ("Child sexual abuse / material") reads as it does on the page.
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def test_a_content_hotlines_year_on_the_year_page_and_in_the_pdf(tmp_path):
    line = seed_hotline_year(2025)
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    sign_in(client, make_staff(role=Role.ADMINISTRATOR))

    response = client.get(reverse("stats:year"), {"year": "2025", "line": line.slug})
    page = response.content.decode()
    assert response.status_code == 200
    assert "28960 reports received in 2025." in page
    assert "111 reports per workday (260 workdays)." in page
    classified = {row[2]: row[3:] for row in table_rows(page, "classifications")}
    for slug, count in CLASSES.items():
        assert classified[ENGLISH[slug]] == [str(count), f"{PERCENT[slug]} %"], slug
    hosting = {row[0]: row[1:3] for row in table_rows(page, "hotline_hosting")}
    assert hosting["Hosted here"] == [str(HOSTED_HERE), "74 %"]
    assert hosting["Abroad, in a country without a partner hotline"] == ["4760", "26 %"]
    assert table_rows(page, "years")[-1] == ["2025", str(RECEIVED)]
    assert 'id="report-pdf"' in page

    download = client.get(reverse("stats:report"), {"year": "2025", "line": line.slug})
    assert download.status_code == 200 and download["Content-Type"] == "application/pdf"
    assert 'filename="annual-report-2025-content.pdf"' in download["Content-Disposition"]
    text = pdf_text(download.content)
    assert "Annual report 2025" in text
    assert "28960 reports received in 2025." in text
    assert "111 reports per workday (260 workdays)." in text
    for slug, count in CLASSES.items():
        assert f"{ENGLISH[slug]} {count} {PERCENT[slug]} %" in text, slug
    assert f"Hosted here {HOSTED_HERE} 74 %" in text

    # The command writes the same report, in Dutch by default.
    out = tmp_path / "jaarverslag.pdf"
    call_command("stats", "report", "--year", "2025", "--line", line.slug, str(out))
    dutch = pdf_text(out.read_bytes())
    assert "Jaarverslag 2025" in dutch
    assert "Kinderpornografie 17995 62 %" in dutch
    assert "111 meldingen per werkdag (260 werkdagen)." in dutch


def test_workdays_of_a_year_so_far_and_of_a_year_to_come():
    assert workdays_in(2025, date(2026, 12, 7)) == 260
    assert workdays_in(2026, date(2026, 1, 1)) == 1  # never zero: no division by zero
    assert workdays_in(2026, date(2026, 7, 2)) == 130  # 183 of 365 days
    assert workdays_in(2026, date(2026, 12, 31)) == 260
    assert workdays_in(2027, date(2026, 12, 7)) is None


@pytest.fixture
def administrator_client() -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    sign_in(client, make_staff(role=Role.ADMINISTRATOR))
    return client


def test_a_year_to_come_shows_that_it_has_not_begun(administrator_client):
    make_category(line=make_line(slug="tips"))
    year = date.today().year + 1
    response = administrator_client.get(reverse("stats:year"), {"year": str(year)})
    page = response.content.decode()
    assert response.status_code == 200
    assert f"{year} has not begun yet: there are no figures for it." in page
    assert 'class="stats-table"' not in page and 'id="report-pdf"' not in page
    pdf = administrator_client.get(reverse("stats:report"), {"year": str(year)})
    assert pdf.status_code == 200
    assert f"{year} has not begun yet" in pdf_text(pdf.content)


def test_a_year_without_reports_and_a_line_without_categories_are_empty(administrator_client):
    bare = make_line(slug="bare")  # no categories, so never a report
    tips = make_category(line=make_line(slug="tips")).line
    for data in (
        {"year": "2019"},
        {"year": "2025", "line": bare.slug},
        {"year": "2019", "line": tips.slug},
    ):
        response = administrator_client.get(reverse("stats:year"), data)
        page = response.content.decode()
        assert response.status_code == 200, data
        assert f"No reports were received in {data['year']}" in page, data
        assert "per workday" not in page and 'class="stats-table"' not in page
        pdf = administrator_client.get(reverse("stats:report"), data)
        assert pdf.status_code == 200
        assert f"No reports were received in {data['year']}" in pdf_text(pdf.content)
    with translation.override("en"):
        report = annual_report(year=2025, line_ids=(bare.pk,), line=bare)
        assert report.state == YearState.EMPTY and report.per_workday == 0
        assert report.change is None
        assert b"%PDF" in annual_report_pdf(report)[:8]


def test_the_command_refuses_an_unknown_line_and_writes_an_empty_report(tmp_path):
    with pytest.raises(CommandError, match="no line with the slug 'nope'"):
        call_command("stats", "report", "--year", "2025", "--line", "nope", str(tmp_path / "x.pdf"))
    err = io.StringIO()
    out = tmp_path / "empty.pdf"
    call_command("stats", "report", "--year", "2019", "--language", "en", str(out), stderr=err)
    assert "No reports were received in 2019" in pdf_text(out.read_bytes())
    assert "2019" in err.getvalue()


def test_without_pango_the_pdf_is_refused_clearly_and_nothing_is_written(
    administrator_client, tmp_path, monkeypatch
):
    """A machine without Pango: WeasyPrint cannot be loaded (here: cannot be imported)."""
    make_category(line=make_line(slug="tips"))
    monkeypatch.setitem(sys.modules, "weasyprint", None)

    response = administrator_client.get(reverse("stats:report"), {"year": "2019"})
    assert response.status_code == 503
    assert "This server cannot make the PDF" in unescape(response.content.decode())
    out = tmp_path / "report.pdf"
    with pytest.raises(CommandError, match="cannot make the PDF .*install Pango"):
        call_command("stats", "report", "--year", "2019", str(out))
    assert not out.exists()


def test_a_helpline_without_reports_shows_its_contacts_chats_and_survey(administrator_client):
    """The helpline's figures from the brief: contact moments by type, chats, 80/70/92 % yes.

    Contact types in their line's order, then by (Dutch) name.
    """
    line = make_line(slug="helpline")
    worried = ContactType.objects.create(line=line, name="Zorgen", name_en="Worried about someone")
    own = ContactType.objects.create(line=line, name="Eigen gedrag", name_en="Own behaviour")
    month = date(2025, 4, 1)
    registrations = [(worried, ContactChannel.CHAT, True)] * 3 + [
        (worried, ContactChannel.CHAT, False)
    ]
    registrations += [(own, ContactChannel.PHONE, False)] * 2
    ContactRegistration.objects.bulk_create(
        ContactRegistration(line=line, contact_type=t, channel=c, has_follow_up=f, month=month)
        for t, c, f in registrations
    )
    for question, yes, no in (
        (SurveyQuestion.SATISFIED, 80, 20),
        (SurveyQuestion.FEEL_BETTER, 70, 30),
        (SurveyQuestion.RECOMMEND, 92, 8),
    ):
        for is_yes, count in ((True, yes), (False, no)):
            SurveyCount.objects.create(
                line=line, month=month, question=question, is_yes=is_yes, count=count
            )
    Chat.objects.bulk_create(
        Chat(
            line=line,
            status=status,
            token_lookup=secrets.token_bytes(32),
            data_key=DataKey.objects.create(line=line),
            started_at=datetime(2025, 4, 2, 10, tzinfo=AMSTERDAM),
        )
        for status in [ChatStatus.ENDED] * 5 + [ChatStatus.TIMED_OUT]
    )

    page = administrator_client.get(
        reverse("stats:year"), {"year": "2025", "line": line.slug}
    ).content.decode()
    assert "0 reports received in 2025." in page
    contacts = table_rows(page, "contacts")
    assert contacts == [
        [line.name, "Own behaviour", "Phone", "2", "0", "0 %"],
        [line.name, "Worried about someone", "Chat", "4", "3", "75 %"],
    ]
    survey = {row[0]: row[1:] for row in table_rows(page, "survey")}
    assert survey == {
        "Were you satisfied with this chat?": ["100", "80", "80 %"],
        "Do you feel better after this chat?": ["100", "70", "70 %"],
        "Would you recommend this chat to others?": ["100", "92", "92 %"],
    }
    chats = {row[0]: row[1] for row in table_rows(page, "chats")}
    assert chats["Ended"] == "5" and chats["Timed out"] == "1"
    assert 'id="categories"' not in page  # no report tables of zeros
    text = pdf_text(
        administrator_client.get(
            reverse("stats:report"), {"year": "2025", "line": line.slug}
        ).content
    )
    assert "Would you recommend this chat to others? 100 92 92 %" in text


def _table_lengths(year: int, line_ids: tuple[int, ...]) -> dict[str, int]:
    with translation.override("en"):
        report = annual_report(year=year, line_ids=line_ids, today=date(2026, 6, 1))
    return {item.table.slug: len(item.rows) for item in report.tables}


def test_the_reports_length_follows_its_categories_not_its_reports(monkeypatch):
    """Issue 18: more reports from more places must not make a longer annual report."""
    monkeypatch.setattr("meldpunt.stats.figures.LONG_TABLE_BARS", 4)
    category = make_category(line=make_line(slug="tips"))
    line_ids = (category.line_id,)

    def reports_from(codes: list[str], each: int) -> None:
        for code in codes:
            for _ in range(each):
                make_report(category=category, municipality_code=code, received_at=MAY_2025)

    reports_from(["GM0001", "GM0002", "GM0003", "GM0004", "GM0005"], each=6)
    few = _table_lengths(2025, line_ids)
    reports_from([f"GM01{n:02d}" for n in range(20)], each=1)
    reports_from(["GM0003"], each=10)
    many = _table_lengths(2025, line_ids)
    assert few == many
    assert many["municipalities"] == many["municipality_categories"] == 4
    with translation.override("en"):
        report = annual_report(year=2025, line_ids=line_ids, today=date(2026, 6, 1))
        page = render_to_string("stats/report.html", {"report": report, "made": "today"})
    places = next(item for item in report.tables if item.table.slug == "municipalities")
    # The largest first; the twenty places with one report each ("< 5") are all left out.
    assert [row[1] for row in places.rows] == ["16", "6", "6", "6"]
    assert places.table.rows_left_out == 21
    assert "Only the largest rows are shown here; 21 smaller rows are left out." in page
