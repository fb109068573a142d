"""The annual figures: ``meldpunt stats export`` (CSV or JSON) and ``meldpunt stats report`` (PDF).

``meldpunt stats export --year 2026 --format csv|json [--line slug] [--output file]``
``meldpunt stats export --phenomenon --line slug --year 2025 [--min-count 10] [--output file]``
``meldpunt stats report --year 2026 [--line slug] [--language nl|en] OUT.pdf``
``meldpunt stats keep-months`` (count and keep the ended months now, as the hourly task does)
"""

from datetime import date
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation

from meldpunt.lines.models import Line
from meldpunt.stats import phenomenon
from meldpunt.stats.export import tables_csv, tables_json
from meldpunt.stats.figures import min_count, tables_compute
from meldpunt.stats.forms import FIRST_YEAR, LAST_YEAR, MAX_MIN_COUNT
from meldpunt.stats.models import DEFAULT_EXPORT_MIN_COUNT
from meldpunt.stats.report import (
    PdfUnavailable,
    YearState,
    annual_report,
    annual_report_pdf,
)
from meldpunt.stats.selectors import Scope
from meldpunt.stats.tasks import months_keep


class Command(BaseCommand):
    help = (
        "Export the statistics of one year (small counts hidden as on the staff pages), "
        "or a line's phenomenon analysis export (--phenomenon); or count and keep the "
        "ended months the pages read (keep-months)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        verbs = parser.add_subparsers(dest="verb", required=True)
        exporting = verbs.add_parser("export", help="Write one year's figures as CSV or JSON.")
        exporting.add_argument("--year", type=int, required=True)
        exporting.add_argument("--format", choices=["csv", "json"], default="csv")
        exporting.add_argument("--line", help="Slug of one line; default every line.")
        exporting.add_argument("--output", type=Path, help="File to write; default stdout.")
        exporting.add_argument(
            "--language", choices=["nl", "en"], default="nl", help="Language of titles and labels."
        )
        exporting.add_argument(
            "--phenomenon",
            action="store_true",
            help="The line's phenomenon analysis export (CSV, recorded; needs --line).",
        )
        exporting.add_argument(
            "--min-count",
            type=int,
            default=DEFAULT_EXPORT_MIN_COUNT,
            help="Phenomenon export: hide counts below this (k, default 10). "
            "A year already exported keeps the k it was recorded with.",
        )
        reporting = verbs.add_parser("report", help="Write one year's annual report as PDF.")
        reporting.add_argument("--year", type=int, required=True)
        reporting.add_argument("--line", help="Slug of one line; default every line.")
        reporting.add_argument(
            "--language", choices=["nl", "en"], default="nl", help="Language of the report."
        )
        reporting.add_argument("output", type=Path, help="The PDF file to write.")
        verbs.add_parser(
            "keep-months",
            help="Count and keep every ended month the year pages read (after an upgrade, "
            "a restore or a purge), as the hourly task does.",
        )

    def handle(self, *args, verb: str, **options) -> None:
        if verb == "keep-months":
            kept = months_keep()
            self.stdout.write(f"{kept} months of passes and lines counted and kept.")
            return
        year = options["year"]
        if not FIRST_YEAR <= year <= LAST_YEAR:
            raise CommandError(f"--year must be from {FIRST_YEAR} to {LAST_YEAR}")
        lines = Line.objects.all()
        if options["line"]:
            lines = lines.filter(slug=options["line"])
            if not lines.exists():
                raise CommandError(f"no line with the slug {options['line']!r}")
        scope = Scope(
            first=date(year, 1, 1),
            last=date(year, 12, 1),
            line_ids=tuple(lines.values_list("pk", flat=True)),
        )
        if verb == "report":
            self._report(year, lines, options)
            return
        if options["phenomenon"]:
            self._phenomenon(year, lines, options)
            return
        threshold = min_count()
        with translation.override(options["language"]):
            tables = tables_compute(scope)
            if options["format"] == "json":
                text = (
                    tables_json(tables, threshold, year=year, line=options["line"] or None) + "\n"
                )
            else:
                text = tables_csv(tables, threshold)
        self._write(text, options["output"])

    def _write(self, text: str, output: Path | None) -> None:
        if output is None:
            self.stdout.write(text, ending="")
            return
        try:
            output.write_text(text, encoding="utf-8")
        except OSError as error:
            raise CommandError(f"cannot write {output}: {error}") from error

    def _phenomenon(self, year: int, lines, options) -> None:
        if not options["line"]:
            raise CommandError("--phenomenon needs --line: the export is made per line")
        if options["format"] != "csv":
            raise CommandError("the phenomenon export is CSV only")
        k = options["min_count"]
        if not 1 <= k <= MAX_MIN_COUNT:
            raise CommandError(f"--min-count must be from 1 to {MAX_MIN_COUNT}")
        line = lines.get()
        with translation.override(options["language"]):
            state, export = phenomenon.record(line, year, k)
            if export is None:
                # Nothing is written: the reason goes to stderr, the exit status stays 0.
                self.stderr.write(phenomenon.state_text(state, year, k))
                return
            if export.min_count != k:
                self.stderr.write(
                    f"{year} was exported before with --min-count {export.min_count}; "
                    "that export is written unchanged"
                )
            self._write(phenomenon.export_csv(export), options["output"])

    def _report(self, year: int, lines, options) -> None:
        line = lines.first() if options["line"] else None
        with translation.override(options["language"]):
            report = annual_report(
                year=year, line_ids=tuple(lines.values_list("pk", flat=True)), line=line
            )
            try:
                pdf = annual_report_pdf(report)
            except PdfUnavailable as error:
                raise CommandError(
                    f"cannot make the PDF ({error}): install Pango "
                    "(Debian: libpango-1.0-0 libpangoft2-1.0-0)"
                ) from error
        try:
            options["output"].write_bytes(pdf)
        except OSError as error:
            raise CommandError(f"cannot write {options['output']}: {error}") from error
        if report.state != YearState.FIGURES:
            # Still written: the PDF says why it has no figures.
            self.stderr.write(f"no figures for {year} (not begun, or no reports): the PDF says so")
