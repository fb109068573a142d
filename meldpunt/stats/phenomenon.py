"""The phenomenon analysis export: one line, one calendar year, small counts protected.

Counts per category by region (province), by quarter and by each structured
answer the line chose (a single-choice classification), never free text.
Categories with fewer than ``k`` reports are merged into one row first
(global recoding), so the category totals that every table shares are never
hidden; then ``suppression.suppress`` hides small counts and enough other
cells that no hidden count can be worked out from the totals.

An export covers a whole calendar year that has ended, and is recorded the
first time it is made (``PhenomenonExport``); later requests serve the
recorded one. So there are never two different exports of overlapping
periods to subtract from each other. See docs/statistics.md.
"""

import csv
import io
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from meldpunt.cases.models import CaseClassification
from meldpunt.lines.models import Category, Line, Municipality
from meldpunt.vault.audit import audit_record

from .export import FORMULA_START
from .models import DEFAULT_EXPORT_MIN_COUNT, PhenomenonExport, PhenomenonSettings
from .selectors import Scope, reports_in
from .suppression import suppress

LANGUAGES = ("nl", "en")
QUARTERS = (1, 2, 3, 4)
OTHER = "other"


class ExportState(StrEnum):
    FIGURES = "figures"
    NOT_OVER = "not_over"  # the year has not ended (or not begun): nothing final to publish
    EMPTY = "empty"  # no reports in the year (a line without categories has none)
    TOO_FEW = "too_few"  # fewer than k reports in all: every figure would be hidden


STATE_TEXT = {
    ExportState.NOT_OVER: gettext_lazy(
        "%(year)s is not over yet: an export covers a whole calendar year that has ended."
    ),
    ExportState.EMPTY: gettext_lazy("No reports were received in %(year)s."),
    ExportState.TOO_FEW: gettext_lazy(
        "Fewer than %(k)s reports in %(year)s: every figure would be hidden, so there is "
        "nothing to publish."
    ),
}


@dataclass
class Breakdown:
    """Counts per (category row, column key) before suppression."""

    slug: str
    titles: dict[str, str]
    columns: list[tuple[str, dict[str, str]]]  # (key, label per language)
    counts: dict[tuple[int, str], int]


def _in_languages(text) -> dict[str, str]:
    """A label in every language, computed now: the recorded export keeps both."""
    labels = {}
    for language in LANGUAGES:
        with translation.override(language):
            labels[language] = str(text() if callable(text) else text)
    return labels


def year_state(year: int, today: date | None = None) -> ExportState | None:
    today = today or timezone.localdate()
    return ExportState.NOT_OVER if year >= today.year else None


def _regions(scope: Scope) -> Breakdown:
    rows = reports_in(scope).values_list("category_id", "municipality_code").annotate(n=Count("pk"))
    provinces = dict(Municipality.objects.values_list("code", "province"))
    counts: dict[tuple[int, str], int] = {}
    for category_id, code, n in rows:
        key = (category_id, provinces.get(code, "") or "")
        counts[key] = counts.get(key, 0) + n
    names = sorted({province for _c, province in counts if province})
    return Breakdown(
        slug="regions",
        titles=_in_languages(lambda: _("Reports per category and region")),
        columns=[(name, {language: name for language in LANGUAGES}) for name in names]
        + [("", _in_languages(lambda: _("Region not known")))],
        counts=counts,
    )


def _quarters(scope: Scope) -> Breakdown:
    year = scope.first.year
    quarters = [Scope(date(year, 3 * q - 2, 1), date(year, 3 * q, 1), ()) for q in QUARTERS]
    rows = (
        reports_in(scope)
        .values_list("category_id")
        .annotate(
            **{
                f"q{q}": Count(
                    "pk", filter=Q(received_at__gte=quarter.start, received_at__lt=quarter.end)
                )
                for q, quarter in zip(QUARTERS, quarters, strict=True)
            }
        )
    )
    return Breakdown(
        slug="quarters",
        titles=_in_languages(lambda: _("Reports per category and quarter")),
        columns=[(f"q{q}", {language: f"Q{q}" for language in LANGUAGES}) for q in QUARTERS],
        counts={
            (row[0], f"q{q}"): n for row in rows for q, n in zip(QUARTERS, row[1:], strict=True)
        },
    )


def _scheme(scope: Scope, scheme, totals: dict[int, int]) -> Breakdown:
    rows = (
        CaseClassification.objects.filter(
            option__scheme=scheme,
            case__report__line_id__in=scope.line_ids,
            case__report__received_at__gte=scope.start,
            case__report__received_at__lt=scope.end,
        )
        .order_by()
        .values_list("case__report__category_id", "option_id")
        .annotate(n=Count("case__report", distinct=True))
    )
    counts = {(category_id, str(option_id)): n for category_id, option_id, n in rows}
    classified = (
        reports_in(scope)
        .filter(case__classifications__option__scheme=scheme)
        .values_list("category_id")
        .annotate(n=Count("pk", distinct=True))
    )
    for category_id, n in classified:
        counts[(category_id, "")] = totals.get(category_id, 0) - n
    for category_id, total in totals.items():
        counts.setdefault((category_id, ""), total)
    columns = []
    for option in scheme.options.all():
        if option.is_active or any(key == str(option.pk) for _c, key in counts):
            columns.append((str(option.pk), _in_languages(lambda o=option: o.title)))
    return Breakdown(
        slug=f"scheme-{scheme.slug}",
        titles=_in_languages(
            lambda: _("Reports per category and %(scheme)s") % {"scheme": scheme.title}
        ),
        columns=[*columns, ("", _in_languages(lambda: _("Not classified")))],
        counts=counts,
    )


def merge_small_rows(totals: dict[int, int], k: int) -> dict[int, int | str]:
    """Which row each category counts in: itself, or OTHER for small ones (global recoding).

    Categories with 1 to k - 1 reports go into one row; while that row is
    still smaller than k, the smallest remaining category joins it. Categories
    without reports keep their row of zeros (a zero singles nobody out).
    """
    small = [pk for pk, n in totals.items() if 0 < n < k]
    merged = sum(totals[pk] for pk in small)
    rest = sorted((n, pk) for pk, n in totals.items() if n >= k)
    while small and merged < k and rest:
        n, pk = rest.pop(0)
        small.append(pk)
        merged += n
    return {pk: OTHER if pk in small else pk for pk in totals}


def _table(breakdown: Breakdown, rows: list[tuple[object, dict[str, str]]], row_of, k: int):
    keys = [key for key, _label in breakdown.columns]
    cells = [[0] * len(keys) for _row in rows]
    index = {row: n for n, (row, _label) in enumerate(rows)}
    for (category_id, key), n in breakdown.counts.items():
        if row_of.get(category_id) in index and key in keys:
            cells[index[row_of[category_id]]][keys.index(key)] += n
    hidden = suppress(cells, k)
    table = {"slug": breakdown.slug, "title": breakdown.titles}
    if hidden is None:
        return {**table, "withheld": True}
    totals = [sum(row[c] for row in cells) for c in range(len(keys))]
    return {
        **table,
        "columns": [label for _key, label in breakdown.columns],
        "rows": [
            {
                "label": label,
                "cells": [None if (r, c) in hidden else n for c, n in enumerate(cells[r])],
                "total": sum(cells[r]),
            }
            for r, (_row, label) in enumerate(rows)
        ],
        "totals": [None if (len(rows), c) in hidden else n for c, n in enumerate(totals)],
        "total": sum(totals),
    }


def compute(line: Line, year: int, k: int) -> tuple[ExportState, list[dict]]:
    """The suppressed tables of one line's year, or the reason there are none."""
    state = year_state(year)
    if state is not None:
        return state, []
    scope = Scope(first=date(year, 1, 1), last=date(year, 12, 1), line_ids=(line.pk,))
    totals = dict(reports_in(scope).values_list("category_id").annotate(n=Count("pk")))
    grand = sum(totals.values())
    if not grand:
        return ExportState.EMPTY, []
    if grand < k:
        return ExportState.TOO_FEW, []
    categories = list(Category.objects.filter(line=line).order_by("order", "name"))
    for category in categories:
        totals.setdefault(category.pk, 0)
    row_of = merge_small_rows(totals, k)
    rows = [
        (category.pk, _in_languages(lambda c=category: c.title))
        for category in categories
        if row_of[category.pk] == category.pk and (totals[category.pk] or category.is_public)
    ]
    if OTHER in row_of.values():
        rows.append((OTHER, _in_languages(lambda: _("Other categories, combined"))))
    breakdowns = [_regions(scope), _quarters(scope)]
    chosen = PhenomenonSettings.objects.filter(line=line).first()
    if chosen is not None:
        # Single-choice schemes of this line only: then each row adds up to its category.
        schemes = chosen.schemes.filter(line=line, allows_multiple=False).order_by("order", "pk")
        for scheme in schemes:
            breakdowns.append(_scheme(scope, scheme, totals))
    return ExportState.FIGURES, [_table(b, rows, row_of, k) for b in breakdowns]


def recorded(line: Line, year: int) -> PhenomenonExport | None:
    return PhenomenonExport.objects.filter(line=line, year=year).first()


def record(line: Line, year: int, k: int = DEFAULT_EXPORT_MIN_COUNT, actor=None):
    """The export of the year: the recorded one if any, else made now and recorded.

    Returns (state, export or None). An empty state is not recorded: a year
    without reports has nothing that a later export could be compared with.
    """
    existing = recorded(line, year)
    if existing is not None:
        return ExportState.FIGURES, existing
    state, tables = compute(line, year, k)
    if state != ExportState.FIGURES:
        return state, None
    try:
        with transaction.atomic():
            export = PhenomenonExport.objects.create(
                line=line, year=year, min_count=k, tables=tables, created_by=actor
            )
            audit_record(
                actor=actor,
                action="stats.phenomenon_export",
                target=export,
                details={"line": line.slug, "year": year, "min_count": k},
            )
    except IntegrityError:  # made at the same moment by someone else: serve theirs
        export = recorded(line, year)
    return ExportState.FIGURES, export


def state_text(state: ExportState, year: int, k: int) -> str:
    return str(STATE_TEXT[state]) % {"year": year, "k": k}


def _language() -> str:
    return "en" if (translation.get_language() or "nl").startswith("en") else "nl"


def _quoted(text: str) -> str:
    return "'" + text if text.startswith(FORMULA_START) else text


def presented(tables: list[dict]) -> list[dict]:
    """The recorded tables with labels in the active language and hidden cells as 'x'."""
    language = _language()

    def shown(value):
        return "x" if value is None else value

    result = []
    for table in tables:
        item = {"slug": table["slug"], "title": table["title"][language]}
        if table.get("withheld"):
            result.append({**item, "withheld": True})
            continue
        item["columns"] = [label[language] for label in table["columns"]]
        item["rows"] = [
            (row["label"][language], [shown(v) for v in row["cells"]], row["total"])
            for row in table["rows"]
        ]
        item["totals"] = [shown(v) for v in table["totals"]]
        item["total"] = table["total"]
        result.append(item)
    return result


def export_csv(export: PhenomenonExport) -> str:
    """Long form: one count per line; a hidden count is 'x'. Totals are labelled as such."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["line", "year", "min_count", "table", "row", "column", "reports"])
    total = _("Total")
    head = [export.line.slug, export.year, export.min_count]
    for table in presented(export.tables):
        if table.get("withheld"):
            continue
        for label, cells, row_total in table["rows"]:
            for column, value in zip(table["columns"], cells, strict=True):
                writer.writerow([*head, table["slug"], _quoted(label), _quoted(column), value])
            writer.writerow([*head, table["slug"], _quoted(label), total, row_total])
        for column, value in zip(table["columns"], table["totals"], strict=True):
            writer.writerow([*head, table["slug"], total, _quoted(column), value])
        writer.writerow([*head, table["slug"], total, total, table["total"]])
    return buffer.getvalue()
