"""Statistics with 100,000 reports: time of every table and of the page, against COUNT(*).

    .venv/bin/python benchmarks/stats.py [--reports 100000] [--runs 7] [--fresh]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/meldpunt_bench_stats \\
        .venv/bin/python benchmarks/stats.py

Without DATABASE_URL it uses SQLite in a data directory kept under /var/tmp (a
second run reuses the rows); with it, the named PostgreSQL database (created if
missing). The rows live in two lines of their own ("bench-stats-*"); ``--fresh``
rebuilds only those.

The rows are what the statistics read: reports spread over 2025 in two lines,
six categories and 300 municipalities, with case rows (assessment, closing
outcome, classification), a first staff message for half of them, forwards to
partners of three kinds for 15 %, and a known-material match for 1 %. Content
is a placeholder: the statistics never read it.

Measured in the same run: the baseline (one ``COUNT(*)`` of the year's reports
in those lines, the cheapest query that touches the same rows), each table's
queries, all tables together, and the page and one CSV download through
Django's test client as a signed-in administrator (middleware, session,
templates and charts included), the year page and the annual report as PDF.
Median and max of ``--runs`` runs each.
"""

import argparse
import os
import random
import statistics
import time
from datetime import date, datetime, timedelta

from _setup import django_setup

LINE_PREFIX = "bench-stats"


def _delete_ours() -> None:
    from meldpunt.cases.models import Case, CaseClassification, ClassificationScheme
    from meldpunt.evidence.models import EvidenceFile, EvidenceMatch
    from meldpunt.intake.models import Message, Report
    from meldpunt.lines.models import Line
    from meldpunt.network.models import Forward, Partner
    from meldpunt.vault.models import DataKey

    lines = Line.objects.filter(slug__startswith=LINE_PREFIX)
    reports = Report.objects.filter(line__in=lines)
    key_ids = list(reports.values_list("data_key_id", flat=True))
    forward_keys = list(Forward.objects.filter(report__in=reports).values_list("data_key_id"))
    EvidenceMatch.objects.filter(evidence__data_key_id__in=key_ids).delete()
    EvidenceFile.objects.filter(data_key_id__in=key_ids).delete()
    Forward.objects.filter(report__in=reports).delete()
    CaseClassification.objects.filter(case__report__in=reports).delete()
    Case.objects.filter(report__in=reports).delete()
    Message.objects.filter(report__in=reports).delete()
    reports.delete()
    DataKey.objects.filter(pk__in=key_ids + [k for (k,) in forward_keys]).delete()
    Partner.objects.filter(name__startswith=LINE_PREFIX).delete()
    ClassificationScheme.objects.filter(line__in=lines).delete()
    lines.delete()


def _populate(count: int) -> None:
    from django.db import transaction
    from django.utils import timezone

    from meldpunt.cases.models import (
        Case,
        CaseClassification,
        ClassificationOption,
        ClassificationScheme,
        CloseOutcome,
        TriageOutcome,
    )
    from meldpunt.evidence.models import EvidenceFile, EvidenceMatch, MatchSubject
    from meldpunt.hashes.models import MatchMethod
    from meldpunt.intake.models import Author, Message, Report, ReportStatus
    from meldpunt.lines.models import Category, Line, Municipality
    from meldpunt.network.models import Forward, Partner, PartnerKind
    from meldpunt.vault.models import DataKey

    rng = random.Random(2025)
    zone = timezone.get_current_timezone()
    lines = [
        Line.objects.create(slug=f"{LINE_PREFIX}-{n}", name=f"Bench stats {n}") for n in (1, 2)
    ]
    categories = [
        Category.objects.create(line=line, slug=f"c{n}", name=f"Category {n}")
        for line in lines
        for n in range(3)
    ]
    codes = [f"GM{n:04d}" for n in range(1, 301)]
    Municipality.objects.bulk_create(
        [Municipality(code=code, name=f"Gemeente {code}") for code in codes],
        ignore_conflicts=True,
    )
    partners = [
        Partner.objects.create(name=f"{LINE_PREFIX} police", kind=PartnerKind.POLICE),
        Partner.objects.create(
            name=f"{LINE_PREFIX} municipality",
            kind=PartnerKind.MUNICIPALITY,
            municipality_id=codes[0],
        ),
        Partner.objects.create(name=f"{LINE_PREFIX} service", kind=PartnerKind.OTHER),
    ]
    options = []
    for line in lines:
        scheme = ClassificationScheme.objects.create(line=line, slug="kind", name="Kind")
        options += [
            ClassificationOption.objects.create(scheme=scheme, slug=f"o{n}", label=f"Option {n}")
            for n in range(4)
        ]
    start = datetime(2025, 1, 1, tzinfo=zone)
    statuses = list(ReportStatus.values)
    triage = list(TriageOutcome.values)
    closing = list(CloseOutcome.values)
    batch = 5000
    for offset in range(0, count, batch):
        size = min(batch, count - offset)
        with transaction.atomic():
            keys = DataKey.objects.bulk_create(DataKey() for _ in range(size))
            reports = []
            for key in keys:
                category = rng.choice(categories)
                received = start + timedelta(hours=rng.randrange(365 * 24))
                status = rng.choice(statuses)
                reports.append(
                    Report(
                        line_id=category.line_id,
                        category=category,
                        status=status,
                        municipality_code=rng.choice(codes) if rng.random() < 0.8 else "",
                        received_at=received,
                        last_activity_at=received,
                        closed_at=received + timedelta(minutes=rng.randrange(60 * 24 * 40))
                        if status == ReportStatus.CLOSED
                        else None,
                        receipt_lookup=os.urandom(32),
                        data_key=key,
                        sealed_content=b"-",
                    )
                )
            reports = Report.objects.bulk_create(reports)
            cases = Case.objects.bulk_create(
                Case(
                    report=report,
                    triage_outcome=rng.choice(triage),
                    close_outcome=rng.choice(closing)
                    if report.status == ReportStatus.CLOSED
                    else "",
                )
                for report in reports
                if rng.random() < 0.7
            )
            CaseClassification.objects.bulk_create(
                CaseClassification(
                    case=case,
                    option=rng.choice(
                        [o for o in options if o.scheme.line_id == case.report.line_id]
                    ),
                )
                for case in cases
                if rng.random() < 0.4
            )
            Message.objects.bulk_create(
                Message(
                    report=report,
                    author=Author.STAFF,
                    sealed_body=b"-",
                    created_at=report.received_at + timedelta(hours=rng.randrange(1, 200)),
                )
                for report in reports
                if rng.random() < 0.5
            )
            forwarded = [report for report in reports if rng.random() < 0.15]
            forward_keys = DataKey.objects.bulk_create(DataKey() for _ in forwarded)
            Forward.objects.bulk_create(
                Forward(
                    report=report,
                    partner=rng.choice(partners),
                    data_key=key,
                    sealed_body=b"-",
                    created_at=report.received_at + timedelta(days=2),
                    first_read_at=report.received_at + timedelta(days=3)
                    if rng.random() < 0.8
                    else None,
                )
                for report, key in zip(forwarded, forward_keys, strict=True)
            )
            matched = [report for report in reports if rng.random() < 0.01]
            files = EvidenceFile.objects.bulk_create(
                EvidenceFile(
                    data_key_id=report.data_key_id,
                    blob_name="-",
                    size=1,
                    media_type="image/jpeg",
                    sealed_meta=b"-",
                    created_at=report.received_at,
                )
                for report in matched
            )
            EvidenceMatch.objects.bulk_create(
                EvidenceMatch(
                    evidence=evidence,
                    list_name=rng.choice(["known A", "known B"]),
                    subject=MatchSubject.ORIGINAL,
                    method=MatchMethod.SHA256,
                    matched_at=evidence.created_at,
                )
                for evidence in files
            )
        print(f"  {offset + size:,} reports", end="\r", flush=True)
    print()


def _timed(function, runs: int) -> tuple[float, float]:
    """Median and max wall time in milliseconds."""
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        function()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times), max(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--fresh", action="store_true")
    args = parser.parse_args()
    django_setup("bench-stats")

    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from meldpunt.intake.models import Report
    from meldpunt.lines.models import Line
    from meldpunt.stats import figures
    from meldpunt.stats.selectors import Scope, reports_in
    from meldpunt.testing import make_staff, sign_in
    from meldpunt.vault.models import Role, StaffUser

    call_command("migrate", verbosity=0)
    lines = Line.objects.filter(slug__startswith=LINE_PREFIX)
    have = Report.objects.filter(line__in=lines).count()
    if args.fresh or have != args.reports:
        print(f"Building {args.reports:,} reports (had {have:,}) ...")
        _delete_ours()
        _populate(args.reports)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(
                    "ANALYZE intake_report, intake_message, cases_case, "
                    "cases_caseclassification, network_forward, evidence_evidencematch, "
                    "evidence_evidencefile"
                )
    lines = Line.objects.filter(slug__startswith=LINE_PREFIX)
    scope = Scope(
        first=date(2025, 1, 1),
        last=date(2025, 12, 1),
        line_ids=tuple(lines.values_list("pk", flat=True)),
    )
    admin = StaffUser.objects.filter(username=f"{LINE_PREFIX}-admin").first() or make_staff(
        role=Role.ADMINISTRATOR, username=f"{LINE_PREFIX}-admin"
    )
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    sign_in(client, admin)
    query = {"start": "2025-01", "end": "2025-12"}

    rows = []
    baseline = _timed(lambda: reports_in(scope).count(), args.runs)
    rows.append(("baseline: COUNT(*) of the year's reports", *baseline))
    for slug, build in figures.TABLES.items():
        rows.append((f"table {slug}", *_timed(lambda build=build: build(scope), args.runs)))
    rows.append(("all tables", *_timed(lambda: figures.tables_compute(scope), args.runs)))

    def page() -> None:
        response = client.get("/staff/stats/", query)
        assert response.status_code == 200, response.status_code

    def download() -> None:
        response = client.get("/staff/stats/csv/municipality_categories/", query)
        assert response.status_code == 200, response.status_code

    def year_page() -> None:
        response = client.get("/staff/stats/year/", {"year": "2025"})
        assert response.status_code == 200, response.status_code

    def report_pdf() -> None:
        response = client.get("/staff/stats/year/pdf/", {"year": "2025"})
        assert response.status_code == 200, response.status_code

    rows.append(("page /staff/stats/ (all tables, charts)", *_timed(page, args.runs)))
    rows.append(("CSV municipality x category", *_timed(download, args.runs)))
    rows.append(("year page /staff/stats/year/", *_timed(year_page, args.runs)))
    rows.append(("annual report PDF (WeasyPrint)", *_timed(report_pdf, args.runs)))

    load = os.getloadavg()[0]
    print(f"Database: {connection.vendor}, reports in scope: {reports_in(scope).count():,}")
    print(f"Load average at the end: {load:.1f} on {os.cpu_count()} CPUs")
    print(f"{'what':<44} {'median ms':>10} {'max ms':>8} {'x baseline':>11}")
    for label, median, maximum in rows:
        print(f"{label:<44} {median:>10.1f} {maximum:>8.1f} {median / baseline[0]:>11.1f}")


if __name__ == "__main__":
    main()
