"""The annual report: one year's figures laid out like a hotline's annual report.

The same figures as the year page (plaintext metadata only, small counts hidden
in the same tables) with what an annual report opens with: reports received,
reports per workday, the change from the year before and the growth over five
years. Every chart has its table beside it, so the report can be read without
the pictures and its figures copied.

The PDF is drawn by WeasyPrint from the same Django template (HTML and CSS,
the server-rendered SVG charts included): a maintained HTML-to-PDF library,
so the layout is the page's own and the Dutch and English texts come from the
same translation catalogue. It needs Pango on the machine (Debian packages
``libpango-1.0-0`` and ``libpangoft2-1.0-0``, see README); nothing is fetched
over the network: the template refers to no URL.
"""

from dataclasses import dataclass, field
from datetime import date

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.formats import date_format

from meldpunt.lines.models import Line

from . import figures
from .charts import Chart, bar_chart
from .selectors import Scope, counts_per_year, shared_counts

DEFAULT_WORKDAYS_PER_YEAR = 260  # 52 weeks of five days: how hotlines' annual reports count
YEARS_OF_GROWTH = 5


def workdays_per_year() -> int:
    return max(1, int(getattr(settings, "STATS_WORKDAYS_PER_YEAR", DEFAULT_WORKDAYS_PER_YEAR)))


def workdays_in(year: int, today: date) -> int | None:
    """Workdays of ``year`` counted so far: the whole year's once it is over.

    The year in progress gets its share by the days passed (a report in
    January must not be divided by 260); a year that has not begun has none.
    """
    per_year = workdays_per_year()
    if year < today.year:
        return per_year
    if year > today.year:
        return None
    days_in_year = (date(year + 1, 1, 1) - date(year, 1, 1)).days
    passed = (today - date(year, 1, 1)).days + 1
    return max(1, round(per_year * passed / days_in_year))


class YearState:
    FIGURES = "figures"
    FUTURE = "future"  # the year has not begun: nothing to count, nothing to divide by
    EMPTY = "empty"  # no report received in the year (or a line without categories)


@dataclass
class Presented:
    """A table as shown: printed rows, its chart (or None) and its width in cells."""

    table: figures.Table
    rows: list[list[str]]
    chart: Chart | None
    width: int

    @property
    def label_width(self) -> int:
        """How many cells of a row are labels; the rest are numbers (right-aligned)."""
        return len(self.table.columns)

    @property
    def downloadable(self) -> bool:
        """Whether the CSV download of the period's tables has it (the five years are not)."""
        return self.table.slug in figures.TABLES


def presented(tables: list[figures.Table], threshold: int) -> list[Presented]:
    return [
        Presented(
            table=table,
            rows=figures.display_rows(table, threshold),
            chart=bar_chart(table, threshold),
            width=len(table.columns) + len(table.measures),
        )
        for table in tables
    ]


@dataclass
class AnnualReport:
    year: int
    line: Line | None
    state: str
    threshold: int
    received: int = 0
    previous: int = 0
    workdays: int | None = None
    tables: list[Presented] = field(default_factory=list)

    @property
    def per_workday(self) -> int | None:
        """Reports per workday, rounded to a whole number; None without workdays."""
        return round(self.received / self.workdays) if self.workdays else None

    @property
    def change(self) -> str | None:
        """The change from the year before in whole percent, signed; None without one."""
        if not self.previous:
            return None
        return f"{round(100 * (self.received - self.previous) / self.previous):+d}"


def year_scope(year: int, line_ids: tuple[int, ...]) -> Scope:
    return Scope(first=date(year, 1, 1), last=date(year, 12, 1), line_ids=line_ids)


def annual_report(
    *, year: int, line_ids: tuple[int, ...], line: Line | None = None, today: date | None = None
) -> AnnualReport:
    """Count one year's figures for the given lines; an empty state instead of zeros.

    Call inside ``translation.override`` for the report's language: titles and
    labels are translated when the tables are built.
    """
    today = today or timezone.localdate()
    threshold = figures.min_count()
    report = AnnualReport(year=year, line=line, state=YearState.FUTURE, threshold=threshold)
    if year > today.year:
        return report
    scope = year_scope(year, line_ids)
    growth = Scope(first=date(year - YEARS_OF_GROWTH + 1, 1, 1), last=scope.last, line_ids=line_ids)
    with shared_counts():
        years = counts_per_year(growth)
        report.received, report.previous = years[year], years[year - 1]
        report.workdays = workdays_in(year, today)
        helpline = [build(scope) for build in figures.HELPLINE_TABLES.values()]
        helpline = [table for table in helpline if figures.has_counts(table)]
        if not report.received and not helpline:
            report.state = YearState.EMPTY
            return report
        report.state = YearState.FIGURES
        tables = helpline
        if report.received:  # a helpline that only chats has no report tables, only zeros
            tables = [figures.years_table(growth), *figures.tables_compute(scope), *helpline]
    # The report's length follows its categories, not its reports: long tables are cut.
    report.tables = presented(
        [figures.largest_rows(table, threshold) for table in tables], threshold
    )
    return report


def annual_report_html(report: AnnualReport) -> str:
    """The report as a standalone HTML document (its CSS inline), for WeasyPrint."""
    made = date_format(timezone.localdate(), "DATE_FORMAT")
    return render_to_string("stats/report.html", {"report": report, "made": made})


class PdfUnavailable(Exception):
    """WeasyPrint cannot run on this machine (its Pango libraries are missing)."""


def annual_report_pdf(report: AnnualReport) -> bytes:
    """The report as PDF. Imported here: WeasyPrint loads Pango, which pages need not."""
    try:
        from weasyprint import HTML, URLFetcher
    except (ImportError, OSError) as error:  # OSError: a system library cannot be loaded
        raise PdfUnavailable(str(error)) from error

    # No protocol allowed: the report is drawn from the template alone, never from a URL.
    fetcher = URLFetcher(allowed_protocols=())
    return HTML(string=annual_report_html(report), base_url=None, url_fetcher=fetcher).write_pdf()
