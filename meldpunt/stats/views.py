"""Statistics pages for supervisors (their lines) and administrators (every line).

Analysts and partner users get 404, like every back-office page they may not
use. The figures come from plaintext metadata only; no key is opened here.
"""

from urllib.parse import urlencode

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from meldpunt.cases.access import staff_required
from meldpunt.lines.models import Line

from . import figures, phenomenon
from .export import table_csv
from .forms import PeriodForm, PhenomenonForm, YearForm
from .models import PhenomenonSettings
from .report import AnnualReport, PdfUnavailable, annual_report, annual_report_pdf, presented
from .selectors import stats_lines_for


def _lines_or_404(request: HttpRequest):
    lines = stats_lines_for(request.user)
    if lines is None:
        raise Http404
    return lines


def _period_form(request: HttpRequest) -> PeriodForm:
    data = request.GET if request.GET else PeriodForm.defaults()
    return PeriodForm(data, lines=_lines_or_404(request))


@staff_required
def overview(request: HttpRequest) -> HttpResponse:
    """Tables and charts for a period; bad input shows the form's message, no figures."""
    form = _period_form(request)
    threshold = figures.min_count()
    context = {"form": form, "threshold": threshold, "tables": []}
    if form.is_valid():
        context["tables"] = presented(figures.tables_compute(form.scope()), threshold)
        context["query"] = _query(form)
    return render(request, "stats/overview.html", context, status=200 if form.is_valid() else 400)


def _query(form: PeriodForm) -> str:
    """The period and line as a query string, for the CSV links of the page."""
    keys = ("start", "end", "line")
    return urlencode({key: form.data[key] for key in keys if form.data.get(key)})


@staff_required
def table_download(request: HttpRequest, slug: str) -> HttpResponse:
    """One table as CSV, for the same period and line as the page."""
    build = figures.TABLES.get(slug)
    if build is None:
        raise Http404
    form = _period_form(request)
    if not form.is_valid():
        threshold = figures.min_count()
        context = {"form": form, "threshold": threshold, "tables": []}
        return render(request, "stats/overview.html", context, status=400)
    scope = form.scope()
    response = HttpResponse(
        table_csv(build(scope), figures.min_count()), content_type="text/csv; charset=utf-8"
    )
    name = f"statistics-{slug}-{scope.first:%Y-%m}-{scope.last:%Y-%m}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _year_form(request: HttpRequest) -> YearForm:
    data = request.GET if request.GET else YearForm.defaults()
    return YearForm(data, lines=_lines_or_404(request))


def _year_report(form: YearForm) -> AnnualReport:
    scope = form.scope()
    return annual_report(
        year=form.cleaned_data["year"], line_ids=scope.line_ids, line=form.cleaned_data.get("line")
    )


@staff_required
def year_overview(request: HttpRequest) -> HttpResponse:
    """The figures of one calendar year, laid out for printing (the annual report).

    A year that has not begun or has no reports shows a sentence saying so
    instead of tables of zeros (and no division by zero per workday).
    """
    form = _year_form(request)
    if not form.is_valid():
        return render(request, "stats/year.html", {"form": form}, status=400)
    report = _year_report(form)
    scope = form.scope()
    line = report.line
    context = {
        "form": form,
        "report": report,
        "query": f"start={scope.first:%Y-%m}&end={scope.last:%Y-%m}"
        + (f"&line={line.slug}" if line else ""),
        "year_query": urlencode({"year": report.year, **({"line": line.slug} if line else {})}),
    }
    return render(request, "stats/year.html", context)


@staff_required
def report_download(request: HttpRequest) -> HttpResponse:
    """The annual report as PDF, in the page's language; bad input shows the year page."""
    form = _year_form(request)
    if not form.is_valid():
        return render(request, "stats/year.html", {"form": form}, status=400)
    report = _year_report(form)
    try:
        pdf = annual_report_pdf(report)
    except PdfUnavailable:
        form.add_error(
            None,
            _(
                "This server cannot make the PDF: the Pango library that it needs is not "
                "installed (see the operator guide). The year overview shows the same figures."
            ),
        )
        return render(request, "stats/year.html", {"form": form}, status=503)
    response = HttpResponse(pdf, content_type="application/pdf")
    name = f"annual-report-{report.year}" + (f"-{report.line.slug}" if report.line else "")
    response["Content-Disposition"] = f'attachment; filename="{name}.pdf"'
    return response


def _phenomenon_form(request: HttpRequest, data) -> PhenomenonForm:
    lines = _lines_or_404(request)
    if not data:
        first = lines.order_by("order", "name").first()
        data = {**PhenomenonForm.defaults(), **({"line": first.slug} if first else {})}
    return PhenomenonForm(data, lines=lines)


def _phenomenon_context(form: PhenomenonForm, state, tables: list[dict], export=None) -> dict:
    data = form.cleaned_data
    k = export.min_count if export else data["min_count"]
    return {
        "form": form,
        "export": export,
        "tables": phenomenon.presented(tables),
        "k": k,
        "empty": None
        if state == phenomenon.ExportState.FIGURES
        else phenomenon.state_text(state, data["year"], k),
    }


@staff_required
def phenomenon_page(request: HttpRequest) -> HttpResponse:
    """A line's phenomenon export for one year: the recorded one, or a preview of it.

    The preview is computed exactly as the export will be; it is recorded (and
    so fixed) only when someone downloads it.
    """
    form = _phenomenon_form(request, request.GET)
    if not form.is_valid():
        return render(request, "stats/phenomenon.html", {"form": form}, status=400)
    line, year = form.cleaned_data["line"], form.cleaned_data["year"]
    export = phenomenon.recorded(line, year)
    if export is not None:
        context = _phenomenon_context(form, phenomenon.ExportState.FIGURES, export.tables, export)
    else:
        state, tables = phenomenon.compute(line, year, form.cleaned_data["min_count"])
        context = _phenomenon_context(form, state, tables)
    return render(request, "stats/phenomenon.html", context)


@require_POST
@staff_required
def phenomenon_download(request: HttpRequest) -> HttpResponse:
    """The export as CSV; the first download records it, later ones serve the same file."""
    form = _phenomenon_form(request, request.POST)
    if not form.is_valid():
        return render(request, "stats/phenomenon.html", {"form": form}, status=400)
    line, year = form.cleaned_data["line"], form.cleaned_data["year"]
    state, export = phenomenon.record(line, year, form.cleaned_data["min_count"], request.user)
    if export is None:
        return render(request, "stats/phenomenon.html", _phenomenon_context(form, state, []))
    response = HttpResponse(phenomenon.export_csv(export), content_type="text/csv; charset=utf-8")
    name = f"phenomenon-{line.slug}-{year}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def public_figures(request: HttpRequest, slug: str, year: int | None = None) -> HttpResponse:
    """A line's recorded phenomenon exports for everyone, if the line turned the page on.

    No sign-in, no JavaScript and nothing from another host; the figures are
    exactly the recorded exports, so they are protected the same way.
    """
    line = get_object_or_404(Line, slug=slug)
    if not PhenomenonSettings.objects.filter(line=line, public_figures=True).exists():
        raise Http404
    exports = list(line.phenomenon_exports.all())
    shown = exports[0] if exports else None
    if year is not None:
        shown = next((export for export in exports if export.year == year), None)
        if shown is None:
            raise Http404
    context = {
        "line": line,
        "export": shown,
        "years": [export.year for export in exports],
        "tables": phenomenon.presented(shown.tables) if shown else [],
    }
    return render(request, "stats/public_figures.html", context)
