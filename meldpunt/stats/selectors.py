"""Aggregate reads behind the statistics: plaintext metadata only, never content.

Every figure is counted by the database (GROUP BY), so the cost does not grow
with Python work per report; the only loops here run over the groups that come
back (lines, categories, months, hour buckets), never over reports. Nothing
here opens a key: the figures use line, category, status, municipality code,
dates, the back office's outcomes, forwards and known-material matches, all of
which stay when the retention purge destroys a report's content (the matches
as counters the purge keeps: ``intake.PurgedMaterialCount``).

All figures are about the reports *received* in the period: a report received
in December and forwarded in January counts in December. That keeps a
published year's figures from changing later.
"""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import date, datetime
from functools import wraps

from django.conf import settings
from django.db import connection, transaction
from django.db.models import (
    BooleanField,
    Case,
    Count,
    ExpressionWrapper,
    IntegerField,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.db.models.expressions import Func
from django.utils import timezone

from meldpunt.cases.access import member_lines
from meldpunt.cases.models import Case as CaseRow
from meldpunt.cases.models import CaseClassification, TriageOutcome
from meldpunt.chat.models import Chat, ContactRegistration, SurveyCount
from meldpunt.evidence.models import EvidenceFile, EvidenceMatch
from meldpunt.hotline.models import Assessment, HotlineState, KnownStatus, ReportedUrl
from meldpunt.intake.models import (
    ANY_LIST,
    Author,
    Message,
    PurgedMaterialCount,
    Report,
    ReportChannel,
    ReportStatus,
)
from meldpunt.lines.models import Line
from meldpunt.network.models import FOLLOWED_UP_OUTCOMES, Forward, ForwardFeedback
from meldpunt.vault.models import Role, StaffUser

from .monthly import month_rows


def month_after(month: date) -> date:
    return date(month.year + (month.month == 12), month.month % 12 + 1, 1)


@dataclass(frozen=True)
class Scope:
    """Which reports a figure counts: received from ``first`` to ``last`` month, in lines."""

    first: date  # first day of the first month
    last: date  # first day of the last month (inclusive)
    line_ids: tuple[int, ...]

    @property
    def start(self) -> datetime:
        return _local_midnight(self.first)

    @property
    def end(self) -> datetime:
        """Exclusive: midnight at the start of the month after ``last``."""
        return _local_midnight(month_after(self.last))

    def months(self) -> list[date]:
        months, month = [], self.first
        while month <= self.last:
            months.append(month)
            month = month_after(month)
        return months


def _local_midnight(day: date) -> datetime:
    # Months are counted in the installation's time zone, like TruncMonth does.
    return datetime(day.year, day.month, day.day, tzinfo=timezone.get_current_timezone())


_shared: ContextVar[dict | None] = ContextVar("stats_shared_counts", default=None)


@contextmanager
def shared_counts() -> Iterator[None]:
    """Let the tables built inside share the grouped queries they derive from.

    A year's page builds some twenty tables, and many are sums over one grouped
    pass (per category, status, month and outcome; per channel and response
    time). Inside this block each such pass runs once per scope; outside it
    every table queries on its own, so a single table (a CSV download) costs
    one pass, never a stale one from an earlier request.
    """
    if _shared.get() is not None:  # already inside: share with the enclosing block
        yield
        return
    token = _shared.set({})
    try:
        yield
    finally:
        _shared.reset(token)


@contextmanager
def _large_aggregate() -> Iterator[None]:
    """On PostgreSQL, let a grouped pass over a year's reports hash its groups in memory.

    The planner guesses the number of groups as if line, category, status,
    month and outcome were independent: 750,000 for a million reports that
    form 5,600. With the default ``work_mem`` of 4 MB it then sorts the million
    joined rows on disk to group them (4.4 s of the pass, against 2.7 s hashed
    in memory, measured with EXPLAIN ANALYZE). The hash holds only the groups
    that exist (26 MB) and the joined case rows (47 MB). JIT compiling costs
    0.1 to 0.15 s per pass and saves nothing on plans of this size. Both are
    set for the pass's own transaction only (``SET LOCAL``); ``work_mem`` is
    the setting ``STATS_WORK_MEM`` (empty: the server's own). Months kept by
    ``stats.monthly`` are not counted again, so this matters for the months
    counted anew: the month in progress, and a whole year the first time.
    """
    if connection.vendor != "postgresql":
        yield
        return
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT set_config('jit', 'off', true)")
        if settings.STATS_WORK_MEM:
            cursor.execute("SELECT set_config('work_mem', %s, true)", [settings.STATS_WORK_MEM])
        yield


def _grouped[T](function: Callable[[Scope], T]) -> Callable[[Scope], T]:
    """A grouped pass over the reports of a scope, run as ``_large_aggregate`` allows."""

    @wraps(function)
    def counted(scope: Scope) -> T:
        with _large_aggregate():
            return function(scope)

    return counted


def _once_per_scope[T](function: Callable[[Scope], T]) -> Callable[[Scope], T]:
    """Figures from a grouped pass: once per scope inside ``shared_counts``, else every time."""

    @wraps(function)
    def shared(scope: Scope) -> T:
        cache = _shared.get()
        key = (function.__name__, scope)
        if cache is None:
            return function(scope)
        if key not in cache:
            cache[key] = function(scope)
        return cache[key]

    return shared


def stats_lines_for(user: StaffUser) -> QuerySet[Line] | None:
    """The lines whose figures a user may see; None for everyone else.

    Administrators see every line (they configure the installation), supervisors
    the lines they belong to. Analysts and partner users see no statistics: the
    figures are management information, and a partner must not learn volumes of
    lines it does not serve.
    """
    if not user.is_authenticated:
        return None
    if user.is_administrator:
        return Line.objects.all()
    if user.role == Role.SUPERVISOR:
        return member_lines(user)
    return None


def reports_in(scope: Scope) -> QuerySet[Report]:
    """Reports received in the scope, including those whose content was destroyed."""
    return Report.objects.filter(
        line_id__in=scope.line_ids, received_at__gte=scope.start, received_at__lt=scope.end
    ).order_by()


def _received_in(scope: Scope, path: str) -> Q:
    """The scope as conditions on the report reached through ``path`` (e.g. ``"report__"``).

    A plain join filter rather than ``report__in=reports_in(scope)``: SQLite
    plans an IN-subquery by walking every report of the lines first, which made
    the known-material count (a few hundred matches) three times slower.
    """
    return Q(
        **{
            f"{path}line_id__in": scope.line_ids,
            f"{path}received_at__gte": scope.start,
            f"{path}received_at__lt": scope.end,
        }
    )


@dataclass(frozen=True)
class CubeRow:
    """One group of the scope's reports: the same line, category, status, month and outcomes."""

    line_id: int
    category_id: int
    status: str
    month: int  # index into scope.months()
    triage_outcome: str  # '' when not assessed (or no case)
    close_outcome: str  # '' when none recorded
    reports: int
    follow_ups: int
    destroyed: int


def _month_index(scope: Scope, path: str = "") -> Case:
    """The month of receipt (of the report reached through ``path``) as an index into
    ``scope.months()``, by range comparisons.

    Plain comparisons rather than ``TruncMonth``: on SQLite, truncating a
    datetime in the installation's time zone calls a Python function per row.
    """
    months = scope.months()
    return Case(
        *(
            When(
                Q(**{f"{path}received_at__lt": _local_midnight(month_after(month))}),
                then=Value(index),
            )
            for index, month in enumerate(months[:-1])
        ),
        default=Value(len(months) - 1),
        output_field=IntegerField(),
    )


@_once_per_scope
def report_cube(scope: Scope) -> list[CubeRow]:
    """The scope's reports counted in one grouped pass, for every breakdown derived from it.

    Totals, lines, categories, statuses, months, assessments and closing
    outcomes are sums over these groups (a few thousand at most: categories x
    statuses x months x outcomes, however many reports), so a year's page
    reads the reports once for all of them instead of once per table; ended
    months are read back as kept (``stats.monthly``).
    """
    index = {month: n for n, month in enumerate(scope.months())}
    return [
        CubeRow(line_id, category, status, index[month], triage, close, *counts)
        for line_id, month, category, status, triage, close, *counts in month_rows(
            "cube/1", scope, _cube_count
        )
    ]


@_grouped
def _cube_count(scope: Scope) -> list[tuple]:
    rows = (
        reports_in(scope)
        .annotate(month=_month_index(scope))
        .values_list(
            "line_id",
            "month",
            "category_id",
            "status",
            "case__triage_outcome",
            "case__close_outcome",
        )
        .annotate(
            n=Count("pk"),
            follow_ups=Count("pk", filter=Q(follows__isnull=False)),
            destroyed=Count("pk", filter=Q(destroyed_at__isnull=False)),
        )
    )
    return [
        (line_id, month, category, status, triage or "", close or "", *counts)
        for line_id, month, category, status, triage, close, *counts in rows
    ]


def _cube_sum[K](scope: Scope, key: Callable[[CubeRow], K], only=None) -> dict[K, int]:
    counts: dict[K, int] = {}
    for row in report_cube(scope):
        if only is None or only(row):
            counts[key(row)] = counts.get(key(row), 0) + row.reports
    return counts


def report_totals(scope: Scope) -> dict[str, int]:
    """Key figures: received, closed, follow-up reports, content destroyed."""
    cube = report_cube(scope)
    return {
        "received": sum(row.reports for row in cube),
        "closed": sum(row.reports for row in cube if row.status == ReportStatus.CLOSED),
        "follow_ups": sum(row.follow_ups for row in cube),
        "destroyed": sum(row.destroyed for row in cube),
    }


def forward_totals(scope: Scope) -> dict[str, int]:
    """Forwards made of the scope's reports, the reports they came from, and those read."""
    per_kind = forwards_per_partner_kind(scope).values()
    return {
        "forwards": sum(forwards for forwards, _reports, _read in per_kind),
        "reports": sum(counts["forwarded"] for counts in pilot_counts(scope).values()),
        "read": sum(read for _forwards, _reports, read in per_kind),
    }


def counts_per_line(scope: Scope) -> dict[int, int]:
    return _cube_sum(scope, lambda row: row.line_id)


def counts_per_category(scope: Scope) -> dict[int, int]:
    return _cube_sum(scope, lambda row: row.category_id)


def counts_per_status(scope: Scope) -> dict[str, int]:
    return _cube_sum(scope, lambda row: row.status)


def counts_per_month(scope: Scope) -> dict[date, int]:
    """Reports per month of receipt, every month of the scope present (zero if none)."""
    counts = _cube_sum(scope, lambda row: row.month)
    return {month: counts.get(index, 0) for index, month in enumerate(scope.months())}


@_once_per_scope
def counts_per_year(scope: Scope) -> dict[int, int]:
    """Reports per calendar year of receipt, every year of the scope present (zero if none).

    The sum of the reports per line and month, which ended months keep.
    """
    counts = dict.fromkeys(range(scope.first.year, scope.last.year + 1), 0)
    for _line_id, month, n in month_rows("received/1", scope, _received_count):
        counts[month.year] += n
    return counts


@_grouped
def _received_count(scope: Scope) -> list[tuple]:
    return list(
        reports_in(scope)
        .annotate(month=_month_index(scope))
        .values_list("line_id", "month")
        .annotate(n=Count("pk"))
    )


def counts_per_triage_outcome(scope: Scope) -> dict[str, int]:
    """Reports by assessment; '' for reports nobody has assessed (or not yet acted on)."""
    return _cube_sum(scope, lambda row: row.triage_outcome)


def counts_per_close_outcome(scope: Scope) -> dict[str, int]:
    """Closed reports by closing outcome; '' for closed reports without one."""
    return _cube_sum(
        scope, lambda row: row.close_outcome, only=lambda row: row.status == ReportStatus.CLOSED
    )


@_once_per_scope
def forwards_per_partner_kind(scope: Scope) -> dict[str, tuple[int, int, int]]:
    """Per partner kind: (forwards, distinct reports forwarded to that kind, forwards read).

    A report is one line's and one month's, so its distinct count adds up over them.
    """
    counts: dict[str, tuple[int, int, int]] = {}
    for _line_id, _month, kind, *row in month_rows("partner_kinds/1", scope, _forwards_count):
        counts[kind] = tuple(a + b for a, b in zip(counts.get(kind, (0, 0, 0)), row, strict=True))
    return counts


@_grouped
def _forwards_count(scope: Scope) -> list[tuple]:
    return list(
        Forward.objects.filter(_received_in(scope, "report__"))
        .order_by()
        .annotate(month=_month_index(scope, "report__"))
        .values_list("report__line_id", "month", "partner__kind")
        .annotate(
            forwards=Count("pk"),
            reports=Count("report", distinct=True),
            read=Count("pk", filter=Q(first_read_at__isnull=False)),
        )
    )


def counts_per_municipality(scope: Scope) -> dict[str, int]:
    """Reports per municipality code; '' where the reporter gave none."""
    counts: dict[str, int] = {}
    for (code, _category_id), n in counts_per_municipality_and_category(scope).items():
        counts[code] = counts.get(code, 0) + n
    return counts


def _summed[K](rows: list[tuple]) -> dict[K, int]:
    """``(line_id, month, *key, n)`` rows summed per key (a tuple, or its one value)."""
    counts: dict = {}
    for _line_id, _month, *key, n in rows:
        key = tuple(key) if len(key) > 1 else key[0]
        counts[key] = counts.get(key, 0) + n
    return counts


@_once_per_scope
def counts_per_municipality_and_category(scope: Scope) -> dict[tuple[str, int], int]:
    return _summed(month_rows("municipality_categories/1", scope, _municipality_count))


@_grouped
def _municipality_count(scope: Scope) -> list[tuple]:
    return list(
        reports_in(scope)
        .annotate(month=_month_index(scope))
        .values_list("line_id", "month", "municipality_code", "category_id")
        .annotate(n=Count("pk"))
    )


def counts_per_classification(scope: Scope) -> dict[int, int]:
    """Classified reports per classification option (a report may have several)."""
    return _summed(month_rows("classifications/1", scope, _classification_count))


@_grouped
def _classification_count(scope: Scope) -> list[tuple]:
    return list(
        CaseClassification.objects.filter(_received_in(scope, "case__report__"))
        .order_by()
        .annotate(month=_month_index(scope, "case__report__"))
        .values_list("case__report__line_id", "month", "option_id")
        .annotate(n=Count("case", distinct=True))
    )


def _purged_counts_in(scope: Scope) -> QuerySet[PurgedMaterialCount]:
    return PurgedMaterialCount.objects.filter(
        line_id__in=scope.line_ids, month__gte=scope.first, month__lte=scope.last
    ).order_by()


@_once_per_scope
def _live_known_material(scope: Scope) -> dict[str | None, int]:
    """Reports with a matching file still kept, per list and (None) for any list."""
    return _summed(month_rows("known_material/1", scope, _known_material_count))


@_grouped
def _known_material_count(scope: Scope) -> list[tuple]:
    """Reports with a matching file per line, month and list, and (None) for any list.

    A file belongs to its report through the report's data key (files of later
    messages share it), so the join needs no content. Joined in SQL from the
    file's key straight to the report's (unique) key: the ORM's path through
    ``vault_datakey`` made PostgreSQL hash every data key (1.2 million at
    1,000,000 reports, 0.4 s even for one month's reports).
    """
    month, month_params = _month_index_sql(scope, "r.received_at")
    lines = ", ".join(["%s"] * len(scope.line_ids))
    ops = connection.ops
    joined = (
        f" FROM {EvidenceMatch._meta.db_table} m"  # noqa: S608 - names and placeholders only
        f" JOIN {EvidenceFile._meta.db_table} f ON f.id = m.evidence_id"
        f" JOIN {Report._meta.db_table} r ON r.data_key_id = f.data_key_id"
        f" WHERE r.line_id IN ({lines}) AND r.received_at >= %s AND r.received_at < %s"
    )
    params = [
        *month_params,
        *scope.line_ids,
        ops.adapt_datetimefield_value(scope.start),
        ops.adapt_datetimefield_value(scope.end),
    ]
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT r.line_id, {month}, m.list_name, COUNT(DISTINCT r.id) {joined}"
            " GROUP BY 1, 2, 3",
            params,
        )
        per_list = cursor.fetchall()
        cursor.execute(
            f"SELECT r.line_id, {month}, NULL, COUNT(DISTINCT r.id) {joined} GROUP BY 1, 2",
            params,
        )
        return [*per_list, *cursor.fetchall()]


def known_material_reports(scope: Scope) -> int:
    """Reports with at least one file that matched a list of known material.

    Reports whose content the purge destroyed count from the counters it kept
    (``intake.PurgedMaterialCount``): their matches are gone, so no report is
    counted twice, and the figure does not drop after a purge.
    """
    live = _live_known_material(scope).get(None, 0)
    purged = _purged_counts_in(scope).filter(list_name=ANY_LIST).aggregate(n=Sum("reports"))["n"]
    return live + (purged or 0)


def known_material_per_list(scope: Scope) -> dict[str, int]:
    """Reports with a matching file, per list (by the name copied onto the match)."""
    counts = {name: n for name, n in _live_known_material(scope).items() if name is not None}
    purged = (
        _purged_counts_in(scope)
        .exclude(list_name=ANY_LIST)
        .values_list("list_name")
        .annotate(n=Sum("reports"))
    )
    for list_name, n in purged:
        counts[list_name] = counts.get(list_name, 0) + n
    return counts


def _hours_sql(start: str, end: str) -> str:
    """SQL for the whole hours from ``start`` to ``end`` (NULL when either is NULL)."""
    if connection.vendor == "postgresql":
        return f"FLOOR(EXTRACT(EPOCH FROM ({end} - {start})) / 3600)::integer"
    # Rounded to whole seconds first, so 3 h as a fraction of days is not 2 h 59.
    return f"(CAST(ROUND((julianday({end}) - julianday({start})) * 86400) AS INTEGER) / 3600)"


class HoursBetween(Func):
    """Whole hours from ``start`` to ``end``, computed by the database.

    Grouping by whole hours turns 100,000 durations into a few hundred buckets,
    from which the median is read without fetching a row per report. Reporter
    times are rounded to the hour anyway (``hour_now``), so nothing is lost.
    """

    output_field = IntegerField()
    arity = 2

    def as_sql(self, compiler, connection, **extra_context):
        start_sql, start_params = compiler.compile(self.source_expressions[0])
        end_sql, end_params = compiler.compile(self.source_expressions[1])
        return _hours_sql(start_sql, end_sql), (*end_params, *start_params)


def hours_histogram_to_close(scope: Scope) -> dict[int, dict[int, int]]:
    """Per line: {hours from receipt to closing: reports}, for closed reports."""
    rows = month_rows("hours_to_close/1", scope, _hours_to_close_count)
    return _per_line((line_id, hours, n) for line_id, _month, hours, n in rows)


@_grouped
def _hours_to_close_count(scope: Scope) -> list[tuple]:
    return list(
        reports_in(scope)
        .filter(closed_at__isnull=False)
        .annotate(hours=HoursBetween("received_at", "closed_at"), month=_month_index(scope))
        .values_list("line_id", "month", "hours")
        .annotate(n=Count("pk"))
    )


def hours_histogram_to_first_response(scope: Scope) -> dict[int, dict[int, int]]:
    """Per line: {hours from receipt to the first staff message: reports}.

    The first message from staff to the reporter is the first response the
    reporter sees; both times are rounded to the hour when stored. The pilot
    evaluation's pass has the same hours per category and channel, so this is
    their sum rather than a pass of its own.
    """
    histograms: dict[int, dict[int, int]] = {}
    for (line_id, _category_id, _channel), histogram in pilot_hours_to_first_response(
        scope
    ).items():
        bucket = histograms.setdefault(line_id, {})
        for hours, n in histogram.items():
            bucket[hours] = bucket.get(hours, 0) + n
    return histograms


def _per_line(rows) -> dict[int, dict[int, int]]:
    histograms: dict[int, dict[int, int]] = {}
    for line_id, hours, n in rows:
        bucket = histograms.setdefault(line_id, {})
        bucket[hours] = bucket.get(hours, 0) + n
    return histograms


def histogram_median(histogram: dict[int, int]) -> float | None:
    """The median of values given as {value: how often}; None when empty."""
    total = sum(histogram.values())
    if not total:
        return None
    lower_rank, upper_rank = (total - 1) // 2, total // 2
    lower = upper = None
    seen = 0
    for value in sorted(histogram):
        seen += histogram[value]
        if lower is None and seen > lower_rank:
            lower = value
        if seen > upper_rank:
            upper = value
            break
    return (lower + upper) / 2


def histograms_merge(histograms: list[dict[int, int]]) -> dict[int, int]:
    merged: dict[int, int] = {}
    for histogram in histograms:
        for value, n in histogram.items():
            merged[value] = merged.get(value, 0) + n
    return merged


def histogram_percentile(histogram: dict[int, int], percent: int) -> int | None:
    """The nearest-rank percentile of values given as {value: how often}; None when empty.

    The smallest value with at least ``percent`` % of all values at or below it:
    the 90th percentile of ten removal times is the ninth fastest.
    """
    total = sum(histogram.values())
    if not total:
        return None
    rank = -(-percent * total // 100)  # ceil without floats
    seen = 0
    for value in sorted(histogram):
        seen += histogram[value]
        if seen >= rank:
            return value
    return None  # not reached: rank <= total


class AddressClass:
    """The outcome classes of a reported web address, from its plaintext fields."""

    ILLEGAL = "illegal"  # an analyst judged it illegal
    KNOWN = "known"  # recognised as known material, not (yet) judged by an analyst
    NOT_ILLEGAL = "not_illegal"
    NOT_ASSESSED = "not_assessed"


def _address_class(assessment: str, known_status: str) -> str:
    if assessment == Assessment.ILLEGAL:
        return AddressClass.ILLEGAL
    if assessment == Assessment.NOT_ILLEGAL:
        return AddressClass.NOT_ILLEGAL
    if known_status == KnownStatus.KNOWN:
        return AddressClass.KNOWN
    return AddressClass.NOT_ASSESSED


def _addresses_in(scope: Scope) -> QuerySet[ReportedUrl]:
    """Reported web addresses of the scope's reports (the report's receipt decides)."""
    return ReportedUrl.objects.filter(_received_in(scope, "report__")).order_by()


# Addresses a partner hotline sent (network.PartnerHotlineReport): counted apart.
_FROM_PARTNER = Q(partner_source__isnull=False)


def address_classes(scope: Scope) -> dict[tuple[str, bool], int]:
    """{(class, came from a partner hotline): addresses}, in one grouped query."""
    rows = (
        _addresses_in(scope)
        .annotate(from_partner=ExpressionWrapper(_FROM_PARTNER, output_field=BooleanField()))
        .values_list("assessment", "known_status", "from_partner")
        .annotate(n=Count("pk"))
    )
    counts: dict[tuple[str, bool], int] = {}
    for assessment, known_status, from_partner, n in rows:
        key = (_address_class(assessment, known_status), bool(from_partner))
        counts[key] = counts.get(key, 0) + n
    return counts


# Material that was acted on or must be: judged illegal, or known without a "not illegal".
_ACTIONABLE = Q(assessment=Assessment.ILLEGAL) | Q(assessment="", known_status=KnownStatus.KNOWN)


def actionable_addresses_per_route(scope: Scope) -> dict[tuple[str, bool], int]:
    """Illegal or known addresses by hosting route: {(route, from a partner hotline): n}."""
    rows = (
        _addresses_in(scope)
        .filter(_ACTIONABLE)
        .annotate(from_partner=ExpressionWrapper(_FROM_PARTNER, output_field=BooleanField()))
        .values_list("route", "from_partner")
        .annotate(n=Count("pk"))
    )
    return {(route, bool(from_partner)): n for route, from_partner, n in rows}


def address_totals(scope: Scope) -> dict[str, int]:
    """Addresses from reporters and from partner hotlines, forwarded, and removed."""
    return _addresses_in(scope).aggregate(
        addresses=Count("pk"),
        from_partner=Count("pk", filter=_FROM_PARTNER),
        forwarded=Count("pk", filter=Q(state=HotlineState.FORWARDED)),
        removed=Count("pk", filter=Q(gone_at__isnull=False)),
    )


def hours_histogram_to_removal(scope: Scope) -> dict[str, dict[int, int]]:
    """Per hosting route: {whole hours from the report's receipt to ``gone_at``: addresses}."""
    rows = (
        _addresses_in(scope)
        .filter(gone_at__isnull=False)
        .annotate(hours=HoursBetween("report__received_at", "gone_at"))
        .values_list("route", "hours")
        .annotate(n=Count("pk"))
    )
    histograms: dict[str, dict[int, int]] = {}
    for route, hours, n in rows:
        bucket = histograms.setdefault(route, {})
        bucket[hours] = bucket.get(hours, 0) + n
    return histograms


def contact_moments(scope: Scope) -> dict[tuple[int, str], tuple[int, int]]:
    """Helpline contact moments {(contact type, channel): (moments, with a follow-up)}.

    Registered per month only (chat.ContactRegistration), so the scope's months decide.
    """
    rows = (
        ContactRegistration.objects.filter(
            line_id__in=scope.line_ids, month__gte=scope.first, month__lte=scope.last
        )
        .order_by()
        .values_list("contact_type_id", "channel")
        .annotate(n=Count("pk"), follow_ups=Count("pk", filter=Q(has_follow_up=True)))
    )
    return {(type_id, channel): (n, follow_ups) for type_id, channel, n, follow_ups in rows}


def survey_answers(scope: Scope) -> dict[tuple[str, bool], int]:
    """The chat survey's answers {(question, yes): how often}, kept as counts per month."""
    rows = (
        SurveyCount.objects.filter(
            line_id__in=scope.line_ids, month__gte=scope.first, month__lte=scope.last
        )
        .order_by()
        .values_list("question", "is_yes")
        .annotate(n=Sum("count"))
    )
    return {(question, is_yes): n for question, is_yes, n in rows}


def chats_started(scope: Scope) -> dict[str, int]:
    """Chats started in the scope, by how they stand or finished."""
    rows = (
        Chat.objects.filter(
            line_id__in=scope.line_ids, started_at__gte=scope.start, started_at__lt=scope.end
        )
        .order_by()
        .values_list("status")
        .annotate(n=Count("pk"))
    )
    return dict(rows)


# A web-form report whose reporter wrote back in the mailbox: the pilot's "mailbox
# dialogue", told apart from the form alone by the messages' plaintext author.
MAILBOX_DIALOGUE = "mailbox_dialogue"


PilotKey = tuple[int, int, str]  # line, category, channel


PILOT_COUNTS = ("reports", "usable", "forwarded", "followed_up", "redaction_known", "redacted")


@dataclass
class PilotFigures:
    """The scope's reports of one line, category and channel."""

    counts: dict[str, int]  # by PILOT_COUNTS
    hours: dict[int, int]  # whole hours from receipt to the first staff message: reports


@_once_per_scope
def pilot_figures(scope: Scope) -> dict[PilotKey, PilotFigures]:
    """The pilot evaluation's figures, summed over the months (ended months as kept)."""
    summed: dict[PilotKey, PilotFigures] = {}
    for line_id, _month, category_id, channel, counts, hours, reports in month_rows(
        "pilot/1", scope, _pilot_count
    ):
        entry = summed.setdefault(
            (line_id, category_id, channel), PilotFigures(dict.fromkeys(PILOT_COUNTS, 0), {})
        )
        for name, n in zip(PILOT_COUNTS, counts, strict=True):
            entry.counts[name] += n
        histogram = entry.hours
        for hour, n in zip(hours, reports, strict=True):
            histogram[hour] = histogram.get(hour, 0) + n
    return summed


def _month_index_sql(scope: Scope, column: str) -> tuple[str, list]:
    """``_month_index`` as SQL on a datetime column, with its parameters."""
    ends = [_local_midnight(month_after(month)) for month in scope.months()[:-1]]
    if not ends:
        return "0", []
    whens = " ".join(f"WHEN {column} < %s THEN {index}" for index in range(len(ends)))
    adapt = connection.ops.adapt_datetimefield_value
    return f"CASE {whens} ELSE {len(ends)} END", [adapt(end) for end in ends]


@_grouped
def _pilot_count(scope: Scope) -> list[tuple]:
    """The pilot evaluation's figures in one pass: each report joined once to its facts.

    The facts of a report (its case judged usable, its messages, its forwards
    with their feedback) are stacked and grouped per report in one pass, giving
    the first staff message, whether the reporter wrote, and whether any
    forward was followed up, recorded redaction or was redacted; the reports
    joined to that are grouped by line, category, channel and whole hours to
    the first response. This replaces a subquery per report for the first
    response and four ``EXISTS`` per report for the forwards, which PostgreSQL
    and SQLite both ran as index probes per report.

    The facts are those of the scope's reports (a semi-join on the reports of
    the scope), so a report's figures do not depend on the period it is
    counted in: kept months are counted in runs of different lengths. (Facts
    from the scope's first day on, as before, left out a message dated before
    its report's receipt when the report's month was counted alone; the
    semi-join is also faster: 0.46 s against 1.6 s for one line's January at
    1,000,000 reports, 2.4 s against 2.8 s for the year.) The web form is
    split by whether the reporter wrote in the mailbox: the pilot's "mailbox
    dialogue". Grouped by line and month of
    receipt as well, for ``month_rows``, and given back per line, month,
    category and channel: the counts, and the first-response hours as two
    lists (hours, reports), which a page reads back from the kept months much
    faster than a row per hour.
    """
    ops = connection.ops
    start = ops.adapt_datetimefield_value(scope.start)
    end = ops.adapt_datetimefield_value(scope.end)
    followed_up = sorted(FOLLOWED_UP_OUTCOMES)
    lines = ", ".join(["%s"] * len(scope.line_ids))
    outcomes = ", ".join(["%s"] * len(followed_up))
    month, month_params = _month_index_sql(scope, "r.received_at")
    # One row per fact (a usable case, a message, a forward), stacked and grouped per
    # report once: one hash of the reports' facts and one join, where joining three
    # grouped tables one after the other hashed and probed a million reports three
    # times (1.6 times slower at 1,000,000 reports, measured alternately).
    sql = (
        f"SELECT r.line_id, {month}, r.category_id,"  # noqa: S608 - names and placeholders only
        " CASE WHEN r.channel = %s AND p.reporter_wrote = 1 THEN %s ELSE r.channel END,"
        f" {_hours_sql('r.received_at', 'p.first_at')}, COUNT(*),"
        " COALESCE(SUM(p.usable), 0), COALESCE(SUM(p.forwarded), 0),"
        " COALESCE(SUM(p.followed_up), 0), COALESCE(SUM(p.redaction_known), 0),"
        " COALESCE(SUM(p.redacted), 0)"
        f" FROM {Report._meta.db_table} r LEFT JOIN ("
        " SELECT report_id, MAX(usable) AS usable, MIN(first_at) AS first_at,"
        " MAX(reporter_wrote) AS reporter_wrote, MAX(forwarded) AS forwarded,"
        " MAX(followed_up) AS followed_up, MAX(redaction_known) AS redaction_known,"
        " MAX(redacted) AS redacted FROM ("
        " SELECT report_id, 1 AS usable, NULL AS first_at, 0 AS reporter_wrote,"
        " 0 AS forwarded, 0 AS followed_up, 0 AS redaction_known, 0 AS redacted"
        f" FROM {CaseRow._meta.db_table} WHERE triage_outcome = %s"
        " UNION ALL SELECT report_id, 0, CASE WHEN author = %s THEN created_at END,"
        " CASE WHEN author = %s THEN 1 ELSE 0 END, 0, 0, 0, 0"
        f" FROM {Message._meta.db_table}"
        " UNION ALL SELECT fw.report_id, 0, NULL, 0, 1,"
        f" CASE WHEN fb.outcome IN ({outcomes}) THEN 1 ELSE 0 END,"
        " CASE WHEN fw.redacted IS NULL THEN 0 ELSE 1 END,"
        " CASE WHEN fw.redacted THEN 1 ELSE 0 END"
        f" FROM {Forward._meta.db_table} fw"
        f" LEFT JOIN {ForwardFeedback._meta.db_table} fb ON fb.forward_id = fw.id"
        f" ) facts WHERE report_id IN (SELECT id FROM {Report._meta.db_table}"
        f" WHERE line_id IN ({lines}) AND received_at >= %s AND received_at < %s)"
        " GROUP BY report_id) p ON p.report_id = r.id"
        f" WHERE r.line_id IN ({lines}) AND r.received_at >= %s AND r.received_at < %s"
        " GROUP BY 1, 2, 3, 4, 5"
    )
    params = [
        *month_params,
        ReportChannel.FORM.value,
        MAILBOX_DIALOGUE,
        TriageOutcome.USABLE.value,
        Author.STAFF.value,
        Author.REPORTER.value,
        *(str(outcome) for outcome in followed_up),
        *scope.line_ids,
        start,
        end,
        *scope.line_ids,
        start,
        end,
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    grouped: dict[tuple, tuple[list[int], list[int], list[int]]] = {}
    for line_id, month, category_id, channel, hours, *counts in rows:
        sums, hour_list, reports = grouped.setdefault(
            (line_id, month, category_id, channel), ([0] * len(PILOT_COUNTS), [], [])
        )
        for index, n in enumerate(counts):
            sums[index] += n
        if hours is not None:
            hour_list.append(hours)
            reports.append(counts[0])
    return [(*key, *lists) for key, lists in grouped.items()]


def pilot_counts(scope: Scope) -> dict[PilotKey, dict[str, int]]:
    """Per line, category and channel: reports and their outcomes.

    ``usable``: assessed usable in triage; ``forwarded``: with at least one
    forward; ``followed_up``: a partner's feedback on one of its forwards says
    taken up or led to an arrest or seizure; ``redaction_known``/``redacted``:
    forwarded reports whose forwards record whether identifying details were
    taken out, and those of them where some were. A report counts once in each,
    however many forwards it has.
    """
    return {key: dict(facts.counts) for key, facts in pilot_figures(scope).items()}


def pilot_hours_to_first_response(scope: Scope) -> dict[PilotKey, dict[int, int]]:
    """Per line, category and channel: {whole hours from receipt to the first staff message: n}."""
    return {key: dict(facts.hours) for key, facts in pilot_figures(scope).items() if facts.hours}
