"""Statistics with up to 1,000,000 reports: every table, the year page and the PDF.

    .venv/bin/python benchmarks/stats.py [--reports 100000] [--runs 7] [--fresh] [--before REV]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/meldpunt_bench_stats_1m \\
        .venv/bin/python benchmarks/stats.py --reports 1000000 --runs 3 --before b609bad

Without DATABASE_URL it uses SQLite in a data directory kept under /var/tmp (a
second run reuses the rows); with it, the named PostgreSQL database (created if
missing). The rows live in two lines of their own ("bench-stats-<seed>-*"): a
run reuses them when their number and the seed's version (``SEED_VERSION``)
match, so name the database after the size (``..._1m``) to keep one of each;
``--fresh`` rebuilds them. A million reports with their rows are written with
COPY in a few minutes (executemany on SQLite).

The rows are what the statistics read: reports spread over 2025 in two lines,
six categories, six channels and 300 municipalities, with case rows
(assessment, closing outcome, classification), a first staff message for half
of them, a reporter's message for 30 % of the web-form reports (the pilot's
mailbox dialogue), forwards to partners of three kinds for 15 % (redaction
recorded or not, feedback on half of those read), and a known-material match
for 1 %. Content is a placeholder: the statistics never read it.

Measured in the same run: the baseline (one ``COUNT(*)`` of the year's reports
in those lines, the cheapest query that touches the same rows), the year page
with no month kept (``stats.MonthFigures`` deleted before each run: every
month counted anew), the background task that keeps them (``stats.tasks``)
from nothing and the year page right after it, then with the months kept:
each table's queries, all tables together, and the page and one CSV
download through Django's test client as a signed-in administrator
(middleware, session, templates and charts included), the year page and the annual report as PDF.
With ``--before REV`` also the statistics code of that git revision
(``meldpunt/stats``' selectors, figures, charts and report, loaded as a
package of their own) on the same rows: all tables, the year's figures and
the PDF, each against the current code. Median and max of ``--runs`` runs.
"""

import argparse
import importlib
import io
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import date, datetime, timedelta
from pathlib import Path

from _setup import django_setup

LINE_PREFIX = "bench-stats"
# Part of the lines' slugs: a change to what _populate makes builds the rows anew.
SEED_VERSION = "s2"


def _delete_ours() -> None:
    from meldpunt.cases.models import Case, CaseClassification, ClassificationScheme
    from meldpunt.evidence.models import EvidenceFile, EvidenceMatch
    from meldpunt.intake.models import Message, Report
    from meldpunt.lines.models import Line
    from meldpunt.network.models import Forward, ForwardFeedback, Partner
    from meldpunt.vault.models import DataKey

    lines = Line.objects.filter(slug__startswith=LINE_PREFIX)
    reports = Report.objects.filter(line__in=lines)
    key_ids = list(reports.values_list("data_key_id", flat=True))
    forward_keys = list(Forward.objects.filter(report__in=reports).values_list("data_key_id"))
    forward_keys += ForwardFeedback.objects.filter(forward__report__in=reports).values_list(
        "data_key_id"
    )
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


class _Table:
    """Rows for one model, written in one go: COPY on PostgreSQL, executemany on SQLite.

    The ORM's ``bulk_create`` builds a model instance per row and an INSERT per
    batch, about 2 minutes per 100,000 reports with their rows; COPY writes a
    million in a few minutes. Columns not given get the field's default (the
    same for every row), so callers name only what varies; ids are given by the
    caller (``next_id``), so rows of other tables can point at them.
    """

    def __init__(self, model, columns: tuple[str, ...]) -> None:
        fields = {field.attname: field for field in model._meta.concrete_fields}
        self.model = model
        self.fields = [fields[name] for name in columns]
        self.fixed: list = []
        for field in fields.values():
            if field.attname in columns or field.null or field.primary_key:
                continue
            if field.has_default() and callable(field.default):
                raise ValueError(f"{model.__name__}.{field.attname} varies: give it")
            self.fields.append(field)
            self.fixed.append(field.get_default())
        self.rows: list[tuple] = []

    def add(self, *values) -> None:
        self.rows.append((*values, *self.fixed))

    def flush(self) -> None:
        from django.db import connection

        table = connection.ops.quote_name(self.model._meta.db_table)
        names = ", ".join(connection.ops.quote_name(field.column) for field in self.fields)
        if connection.vendor == "postgresql":
            with connection.connection.cursor() as cursor:
                with cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                    for row in self.rows:
                        copy.write_row(row)
        else:
            prepare = [field.get_db_prep_save for field in self.fields]
            marks = ", ".join(["%s"] * len(self.fields))
            with connection.cursor() as cursor:
                cursor.executemany(
                    f"INSERT INTO {table} ({names}) VALUES ({marks})",  # noqa: S608 - names only
                    [
                        [prep(value, connection) for prep, value in zip(prepare, row, strict=True)]
                        for row in self.rows
                    ],
                )
        self.rows = []


def next_id(model) -> int:
    from django.db.models import Max

    return (model.objects.aggregate(top=Max("pk"))["top"] or 0) + 1


def _populate(count: int) -> None:
    from django.core.management.color import no_style
    from django.db import connection, transaction
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
    from meldpunt.intake.models import Author, Message, Report, ReportChannel, ReportStatus
    from meldpunt.lines.models import Category, Line, Municipality
    from meldpunt.network.models import (
        FeedbackOutcome,
        Forward,
        ForwardFeedback,
        Partner,
        PartnerKind,
    )
    from meldpunt.vault.models import DataKey

    rng = random.Random(2025)
    zone = timezone.get_current_timezone()
    lines = [
        Line.objects.create(slug=f"{LINE_PREFIX}-{SEED_VERSION}-{n}", name=f"Bench stats {n}")
        for n in (1, 2)
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
    options: dict[int, list[int]] = {}
    for line in lines:
        scheme = ClassificationScheme.objects.create(line=line, slug="kind", name="Kind")
        options[line.pk] = [
            ClassificationOption.objects.create(scheme=scheme, slug=f"o{n}", label=f"Option {n}").pk
            for n in range(4)
        ]
    start = datetime(2025, 1, 1, tzinfo=zone)
    statuses = list(ReportStatus.values)
    channels = list(ReportChannel.values)
    triage = list(TriageOutcome.values)
    closing = list(CloseOutcome.values)
    outcomes = list(FeedbackOutcome.values)
    keys = _Table(DataKey, ("id", "created_at"))
    reports = _Table(
        Report,
        (
            "id", "reference", "line_id", "category_id", "status", "channel",
            "municipality_code", "received_at", "last_activity_at", "closed_at",
            "receipt_lookup", "data_key_id", "sealed_content",
        ),
    )  # fmt: skip
    cases = _Table(Case, ("id", "report_id", "triage_outcome", "close_outcome"))
    classifications = _Table(CaseClassification, ("case_id", "option_id"))
    messages = _Table(Message, ("report_id", "author", "sealed_body", "created_at"))
    forwards = _Table(
        Forward,
        ("id", "report_id", "partner_id", "data_key_id", "sealed_body", "created_at")
        + ("first_read_at", "redacted"),
    )
    feedback = _Table(
        ForwardFeedback, ("forward_id", "outcome", "data_key_id", "sealed_text", "given_at")
    )
    files = _Table(
        EvidenceFile,
        ("id", "data_key_id", "blob_name", "size", "media_type", "sealed_meta", "created_at"),
    )
    matches = _Table(EvidenceMatch, ("evidence_id", "list_name", "subject", "method", "matched_at"))
    tables = (keys, reports, cases, classifications, messages, forwards, feedback, files, matches)
    report_id, case_id, forward_id, file_id = (
        next_id(model) for model in (Report, Case, Forward, EvidenceFile)
    )

    def new_key(created) -> uuid.UUID:
        key = uuid.UUID(int=rng.getrandbits(128), version=4)
        keys.add(key, created)
        return key

    batch = 50_000
    for offset in range(0, count, batch):
        for _ in range(min(batch, count - offset)):
            category = rng.choice(categories)
            received = start + timedelta(hours=rng.randrange(365 * 24))
            status = rng.choice(statuses)
            channel = rng.choice(channels)
            closed = status == ReportStatus.CLOSED
            data_key = new_key(received)
            reports.add(
                report_id,
                f"B{report_id:08d}",
                category.line_id,
                category.pk,
                status,
                channel,
                rng.choice(codes) if rng.random() < 0.8 else "",
                received,
                received,
                received + timedelta(minutes=rng.randrange(60 * 24 * 40)) if closed else None,
                rng.randbytes(32),
                data_key,
                b"-",
            )
            if rng.random() < 0.7:
                cases.add(
                    case_id, report_id, rng.choice(triage), rng.choice(closing) if closed else ""
                )
                if rng.random() < 0.4:
                    classifications.add(case_id, rng.choice(options[category.line_id]))
                case_id += 1
            if rng.random() < 0.5:
                at = received + timedelta(hours=rng.randrange(1, 200))
                messages.add(report_id, Author.STAFF, b"-", at)
            if channel == ReportChannel.FORM and rng.random() < 0.3:
                at = received + timedelta(hours=rng.randrange(1, 400))
                messages.add(report_id, Author.REPORTER, b"-", at)
            if rng.random() < 0.15:
                read = received + timedelta(days=3) if rng.random() < 0.8 else None
                forwards.add(
                    forward_id,
                    report_id,
                    rng.choice(partners).pk,
                    new_key(received),
                    b"-",
                    received + timedelta(days=2),
                    read,
                    rng.choice([None, True, False]),
                )
                if read and rng.random() < 0.5:
                    feedback.add(forward_id, rng.choice(outcomes), new_key(read), b"-", read)
                forward_id += 1
            if rng.random() < 0.01:
                files.add(file_id, data_key, "-", 1, "image/jpeg", b"-", received)
                matches.add(
                    file_id,
                    rng.choice(["known A", "known B"]),
                    MatchSubject.ORIGINAL,
                    MatchMethod.SHA256,
                    received,
                )
                file_id += 1
            report_id += 1
        with transaction.atomic():
            for table in tables:
                table.flush()
        print(f"  {offset + batch:,} reports", end="\r", flush=True)
    print()
    with connection.cursor() as cursor:
        models = [DataKey, Report, Case, CaseClassification, Message, Forward, ForwardFeedback]
        for statement in connection.ops.sequence_reset_sql(
            no_style(), [*models, EvidenceFile, EvidenceMatch]
        ):
            cursor.execute(statement)


def _timed(function, runs: int, setup=None) -> tuple[float, float]:
    """Median and max wall time in milliseconds (``setup`` runs untimed before each run)."""
    times = []
    for _ in range(runs):
        if setup:
            setup()
        started = time.perf_counter()
        function()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times), max(times)


def _code_before(revision: str):
    """The statistics modules of ``revision`` as the package ``stats_before``; its report module.

    Only the modules that compute and lay out (no models, views or templates):
    the old code reads the same tables and renders the current templates.
    """
    repository = Path(__file__).resolve().parents[1]
    package = Path(tempfile.mkdtemp(prefix="stats-before-")) / "stats_before"
    package.mkdir()
    (package / "__init__.py").write_text("")
    for name in ("selectors", "figures", "charts", "report"):
        source = subprocess.run(
            ["git", "show", f"{revision}:meldpunt/stats/{name}.py"],
            cwd=repository,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        (package / f"{name}.py").write_text(source)
    sys.path.insert(0, str(package.parent))
    return importlib.import_module("stats_before.report")


def _before_and_after(revision: str, scope, runs: int) -> list[tuple[str, float, float]]:
    """Median ms of the old and the current statistics code, run alternately on the same rows.

    Alternating keeps a change in the machine's load from favouring one side.
    """
    from meldpunt.stats import report as after

    before = _code_before(revision)
    year = scope.first.year
    work = {
        "all tables (figures.tables_compute)": lambda code: code.figures.tables_compute(scope),
        "year's figures (report.annual_report)": lambda code: code.annual_report(
            year=year, line_ids=scope.line_ids
        ),
        "annual report PDF": lambda code: code.annual_report_pdf(
            code.annual_report(year=year, line_ids=scope.line_ids)
        ),
    }
    pairs = []
    for label, function in work.items():
        times: dict[str, list[float]] = {"before": [], "after": []}
        pages: dict[str, int] = {}
        for _ in range(runs):
            for side, code in (("before", before), ("after", after)):
                started = time.perf_counter()
                result = function(code)
                times[side].append((time.perf_counter() - started) * 1000)
                if isinstance(result, bytes):
                    pages[side] = _pages(result)
        if pages:
            label += f" ({pages['before']} / {pages['after']} pages)"
        pairs.append((label, statistics.median(times["before"]), statistics.median(times["after"])))
    return pairs


def _pages(pdf: bytes) -> int:
    from pypdf import PdfReader

    return len(PdfReader(io.BytesIO(pdf)).pages)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--fresh", action="store_true")
    parser.add_argument("--before", metavar="REV", help="also time the stats code of REV")
    args = parser.parse_args()
    django_setup("bench-stats")

    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from meldpunt.cases.models import Case, TriageOutcome
    from meldpunt.intake.models import Author, Message, Report
    from meldpunt.lines.models import Line
    from meldpunt.stats import figures
    from meldpunt.stats.models import MonthFigures
    from meldpunt.stats.selectors import Scope, reports_in
    from meldpunt.stats.tasks import months_keep
    from meldpunt.testing import make_staff, sign_in
    from meldpunt.vault.models import Role, StaffUser

    call_command("migrate", verbosity=0)
    ours = f"{LINE_PREFIX}-{SEED_VERSION}-"
    lines = Line.objects.filter(slug__startswith=ours)
    have = Report.objects.filter(line__in=lines).count()
    if args.fresh or have != args.reports:
        print(f"Building {args.reports:,} reports (had {have:,}) ...")
        _delete_ours()
        _populate(args.reports)
        if connection.vendor == "postgresql":
            # VACUUM as autovacuum would soon: it marks the pages all-visible (index-only
            # scans) and gives the planner the tables' sizes.
            with connection.cursor() as cursor:
                cursor.execute(
                    "VACUUM ANALYZE intake_report, intake_message, cases_case, "
                    "cases_caseclassification, network_forward, network_forwardfeedback, "
                    "evidence_evidencematch, evidence_evidencefile, vault_datakey"
                )
    lines = Line.objects.filter(slug__startswith=ours)
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

    def year_page() -> None:
        response = client.get("/staff/stats/year/", {"year": "2025"})
        assert response.status_code == 200, response.status_code

    def forget() -> None:
        MonthFigures.objects.filter(line_id__in=scope.line_ids).delete()

    rows = []
    baseline = _timed(lambda: reports_in(scope).count(), args.runs)
    rows.append(("baseline: COUNT(*) of the year's reports", *baseline))
    # First, with no month kept (each run forgets them): what the first request after a
    # deployment, or after a write to every month, costs. Everything after reads them.
    rows.append(("year page, every month counted anew", *_timed(year_page, args.runs, forget)))
    rows.append(("year page (months kept, first)", *_timed(year_page, 1)))
    # The background task (stats.tasks) from nothing, as after a deployment: then the
    # first request finds every ended month kept.
    rows.append(("task: keep every month, from nothing", *_timed(months_keep, args.runs, forget)))

    def forget_and_keep() -> None:
        forget()
        months_keep()

    rows.append(("year page right after the task", *_timed(year_page, args.runs, forget_and_keep)))
    # The usual case: a write to a report forgets its line's month (here the first or
    # the last of the year: the pilot reads the messages and forwards from there on).
    for month in (1, 12):
        starts = Scope(date(2025, month, 1), date(2025, month, 1), scope.line_ids).start

        def forget_one(starts=starts) -> None:
            MonthFigures.objects.filter(line_id=scope.line_ids[0], starts_at=starts).delete()

        label = f"year page, one line's 2025-{month:02d} counted anew"
        rows.append((label, *_timed(year_page, args.runs, forget_one)))
    # Writes as the workflow makes them, to a report of December: each forgets only the
    # passes that read the table written (a message: the pilot's; a case: three).
    december = Scope(date(2025, 12, 1), date(2025, 12, 1), scope.line_ids[:1])
    case = Case.objects.filter(report__in=reports_in(december)).first()
    usable = case.triage_outcome == TriageOutcome.USABLE
    # Every run changes it (an update to the same value forgets nothing).
    outcomes = [case.triage_outcome, TriageOutcome.NOT_USABLE if usable else TriageOutcome.USABLE]
    written: list[int] = []

    def staff_message() -> None:
        written.append(
            Message.objects.create(
                report_id=case.report_id,
                author=Author.STAFF,
                sealed_body=b"-",
                created_at=december.end - timedelta(hours=1),
            ).pk
        )

    def assessment() -> None:
        outcomes.reverse()
        Case.objects.filter(pk=case.pk).update(triage_outcome=outcomes[0])

    rows.append(("year page after a staff message", *_timed(year_page, args.runs, staff_message)))
    rows.append(("year page after an assessment", *_timed(year_page, args.runs, assessment)))
    Message.objects.filter(pk__in=written).delete()
    Case.objects.filter(pk=case.pk).update(triage_outcome=case.triage_outcome)
    for slug, build in figures.TABLES.items():
        rows.append((f"table {slug}", *_timed(lambda build=build: build(scope), args.runs)))
    rows.append(("all tables", *_timed(lambda: figures.tables_compute(scope), args.runs)))

    def page() -> None:
        response = client.get("/staff/stats/", query)
        assert response.status_code == 200, response.status_code

    def download() -> None:
        response = client.get("/staff/stats/csv/municipality_categories/", query)
        assert response.status_code == 200, response.status_code

    def report_pdf() -> None:
        response = client.get("/staff/stats/year/pdf/", {"year": "2025"})
        assert response.status_code == 200, response.status_code

    rows.append(("page /staff/stats/ (all tables, charts)", *_timed(page, args.runs)))
    rows.append(("CSV municipality x category", *_timed(download, args.runs)))
    rows.append(("year page /staff/stats/year/ (months kept)", *_timed(year_page, args.runs)))
    rows.append(("annual report PDF (WeasyPrint)", *_timed(report_pdf, args.runs)))
    pairs = _before_and_after(args.before, scope, args.runs) if args.before else []

    load = os.getloadavg()[0]
    print(f"Database: {connection.vendor}, reports in scope: {reports_in(scope).count():,}")
    print(f"Load average at the end: {load:.1f} on {os.cpu_count()} CPUs")
    print(f"{'what':<44} {'median ms':>10} {'max ms':>8} {'x baseline':>11}")
    for label, median, maximum in rows:
        print(f"{label:<44} {median:>10.1f} {maximum:>8.1f} {median / baseline[0]:>11.1f}")
    if pairs:
        print(f"\nThe code of {args.before} (before) and the current code (after), alternately:")
        print(f"{'what':<44} {'before ms':>10} {'after ms':>10} {'before/after':>13}")
        for label, before, after in pairs:
            print(f"{label:<44} {before:>10.1f} {after:>10.1f} {before / after:>13.1f}")


if __name__ == "__main__":
    main()
