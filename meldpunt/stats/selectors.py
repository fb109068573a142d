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

from dataclasses import dataclass
from datetime import date, datetime

from django.db import connection
from django.db.models import (
    BooleanField,
    Case,
    CharField,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.expressions import Func
from django.utils import timezone

from meldpunt.cases.access import member_lines
from meldpunt.cases.models import CaseClassification, TriageOutcome
from meldpunt.chat.models import Chat, ContactRegistration, SurveyCount
from meldpunt.evidence.models import EvidenceMatch
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
from meldpunt.network.models import FOLLOWED_UP_OUTCOMES, Forward
from meldpunt.vault.models import Role, StaffUser


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


def report_totals(scope: Scope) -> dict[str, int]:
    """Key figures in one query: received, closed, follow-up reports, content destroyed."""
    return reports_in(scope).aggregate(
        received=Count("pk"),
        closed=Count("pk", filter=Q(status=ReportStatus.CLOSED)),
        follow_ups=Count("pk", filter=Q(follows__isnull=False)),
        destroyed=Count("pk", filter=Q(destroyed_at__isnull=False)),
    )


def forward_totals(scope: Scope) -> dict[str, int]:
    """Forwards made of the scope's reports, the reports they came from, and those read."""
    return Forward.objects.filter(_received_in(scope, "report__")).aggregate(
        forwards=Count("pk"),
        reports=Count("report", distinct=True),
        read=Count("pk", filter=Q(first_read_at__isnull=False)),
    )


def counts_per_line(scope: Scope) -> dict[int, int]:
    rows = reports_in(scope).values_list("line_id").annotate(n=Count("pk"))
    return dict(rows)


def counts_per_category(scope: Scope) -> dict[int, int]:
    rows = reports_in(scope).values_list("category_id").annotate(n=Count("pk"))
    return dict(rows)


def counts_per_status(scope: Scope) -> dict[str, int]:
    rows = reports_in(scope).values_list("status").annotate(n=Count("pk"))
    return dict(rows)


def counts_per_month(scope: Scope) -> dict[date, int]:
    """Reports per month of receipt, every month of the scope present (zero if none).

    One filtered count per month in a single query rather than ``TruncMonth``:
    plain range comparisons use the index on SQLite, where truncating a
    datetime in the installation's time zone calls a Python function per row.
    """
    months = scope.months()
    counts = reports_in(scope).aggregate(
        **{
            f"m{index}": Count(
                "pk",
                filter=Q(
                    received_at__gte=_local_midnight(month),
                    received_at__lt=_local_midnight(month_after(month)),
                ),
            )
            for index, month in enumerate(months)
        }
    )
    return {month: counts[f"m{index}"] for index, month in enumerate(months)}


def counts_per_year(scope: Scope) -> dict[int, int]:
    """Reports per calendar year of receipt, every year of the scope present (zero if none).

    Like ``counts_per_month``: one filtered count per year in a single query.
    """
    years = range(scope.first.year, scope.last.year + 1)
    counts = reports_in(scope).aggregate(
        **{
            f"y{year}": Count(
                "pk",
                filter=Q(
                    received_at__gte=_local_midnight(date(year, 1, 1)),
                    received_at__lt=_local_midnight(date(year + 1, 1, 1)),
                ),
            )
            for year in years
        }
    )
    return {year: counts[f"y{year}"] for year in years}


def counts_per_triage_outcome(scope: Scope) -> dict[str, int]:
    """Reports by assessment; '' for reports nobody has assessed (or not yet acted on)."""
    rows = reports_in(scope).values_list("case__triage_outcome").annotate(n=Count("pk"))
    counts: dict[str, int] = {}
    for outcome, n in rows:
        counts[outcome or ""] = counts.get(outcome or "", 0) + n
    return counts


def counts_per_close_outcome(scope: Scope) -> dict[str, int]:
    """Closed reports by closing outcome; '' for closed reports without one."""
    rows = (
        reports_in(scope)
        .filter(status=ReportStatus.CLOSED)
        .values_list("case__close_outcome")
        .annotate(n=Count("pk"))
    )
    counts: dict[str, int] = {}
    for outcome, n in rows:
        counts[outcome or ""] = counts.get(outcome or "", 0) + n
    return counts


def forwards_per_partner_kind(scope: Scope) -> dict[str, tuple[int, int]]:
    """Per partner kind: (forwards, distinct reports forwarded to that kind)."""
    rows = (
        Forward.objects.filter(_received_in(scope, "report__"))
        .order_by()
        .values_list("partner__kind")
        .annotate(forwards=Count("pk"), reports=Count("report", distinct=True))
    )
    return {kind: (forwards, reports) for kind, forwards, reports in rows}


def counts_per_municipality(scope: Scope) -> dict[str, int]:
    """Reports per municipality code; '' where the reporter gave none."""
    rows = reports_in(scope).values_list("municipality_code").annotate(n=Count("pk"))
    return dict(rows)


def counts_per_municipality_and_category(scope: Scope) -> dict[tuple[str, int], int]:
    rows = reports_in(scope).values_list("municipality_code", "category_id").annotate(n=Count("pk"))
    return {(code, category_id): n for code, category_id, n in rows}


def counts_per_classification(scope: Scope) -> dict[int, int]:
    """Classified reports per classification option (a report may have several)."""
    rows = (
        CaseClassification.objects.filter(_received_in(scope, "case__report__"))
        .order_by()
        .values_list("option_id")
        .annotate(n=Count("case", distinct=True))
    )
    return dict(rows)


def _matches_in(scope: Scope) -> QuerySet[EvidenceMatch]:
    # A file belongs to its report through the report's data key (files of later
    # messages share it), so the join needs no content.
    return EvidenceMatch.objects.filter(
        _received_in(scope, "evidence__data_key__report__")
    ).order_by()


def _purged_counts_in(scope: Scope) -> QuerySet[PurgedMaterialCount]:
    return PurgedMaterialCount.objects.filter(
        line_id__in=scope.line_ids, month__gte=scope.first, month__lte=scope.last
    ).order_by()


def known_material_reports(scope: Scope) -> int:
    """Reports with at least one file that matched a list of known material.

    Reports whose content the purge destroyed count from the counters it kept
    (``intake.PurgedMaterialCount``): their matches are gone, so no report is
    counted twice, and the figure does not drop after a purge.
    """
    live = _matches_in(scope).aggregate(n=Count("evidence__data_key__report", distinct=True))["n"]
    purged = _purged_counts_in(scope).filter(list_name=ANY_LIST).aggregate(n=Sum("reports"))["n"]
    return live + (purged or 0)


def known_material_per_list(scope: Scope) -> dict[str, int]:
    """Reports with a matching file, per list (by the name copied onto the match)."""
    rows = (
        _matches_in(scope)
        .values_list("list_name")
        .annotate(n=Count("evidence__data_key__report", distinct=True))
    )
    counts = dict(rows)
    purged = (
        _purged_counts_in(scope)
        .exclude(list_name=ANY_LIST)
        .values_list("list_name")
        .annotate(n=Sum("reports"))
    )
    for list_name, n in purged:
        counts[list_name] = counts.get(list_name, 0) + n
    return counts


class HoursBetween(Func):
    """Whole hours from ``start`` to ``end``, computed by the database.

    Grouping by whole hours turns 100,000 durations into a few hundred buckets,
    from which the median is read without fetching a row per report. Reporter
    times are rounded to the hour anyway (``hour_now``), so nothing is lost.
    """

    output_field = IntegerField()
    arity = 2

    def as_sqlite(self, compiler, connection, **extra_context):
        start_sql, start_params = compiler.compile(self.source_expressions[0])
        end_sql, end_params = compiler.compile(self.source_expressions[1])
        # Rounded to whole seconds first, so 3 h as a fraction of days is not 2 h 59.
        sql = (
            f"(CAST(ROUND((julianday({end_sql}) - julianday({start_sql})) * 86400) AS INTEGER)"
            " / 3600)"
        )
        return sql, (*end_params, *start_params)

    def as_postgresql(self, compiler, connection, **extra_context):
        start_sql, start_params = compiler.compile(self.source_expressions[0])
        end_sql, end_params = compiler.compile(self.source_expressions[1])
        sql = f"FLOOR(EXTRACT(EPOCH FROM ({end_sql} - {start_sql})) / 3600)::integer"
        return sql, (*end_params, *start_params)


def hours_histogram_to_close(scope: Scope) -> dict[int, dict[int, int]]:
    """Per line: {hours from receipt to closing: reports}, for closed reports."""
    rows = (
        reports_in(scope)
        .filter(closed_at__isnull=False)
        .annotate(hours=HoursBetween("received_at", "closed_at"))
        .values_list("line_id", "hours")
        .annotate(n=Count("pk"))
    )
    return _per_line(rows)


def hours_histogram_to_first_response(scope: Scope) -> dict[int, dict[int, int]]:
    """Per line: {hours from receipt to the first staff message: reports}.

    The first message from staff to the reporter is the first response the
    reporter sees; both times are rounded to the hour when stored. Written in
    SQL because the ORM can only express "first message" as a subquery per
    report (100,000 index probes, about 0.8 s on PostgreSQL); joining the
    reports to one grouped pass over the messages is a single hash join.
    Messages older than the scope cannot be a first response to its reports,
    so the pass starts at the scope's first day.
    """
    if not scope.line_ids:
        return {}
    ops = connection.ops
    hours = {
        "postgresql": "FLOOR(EXTRACT(EPOCH FROM (m.first_at - r.received_at)) / 3600)::integer",
    }.get(
        connection.vendor,
        "(CAST(ROUND((julianday(m.first_at) - julianday(r.received_at)) * 86400) AS INTEGER)"
        " / 3600)",
    )
    lines = ", ".join(["%s"] * len(scope.line_ids))
    sql = (
        f"SELECT r.line_id, {hours}, COUNT(*)"  # noqa: S608 - table names and placeholders only
        f" FROM {Report._meta.db_table} r"
        " JOIN (SELECT report_id, MIN(created_at) AS first_at"
        f" FROM {Message._meta.db_table} WHERE author = %s AND created_at >= %s"
        " GROUP BY report_id) m ON m.report_id = r.id"
        f" WHERE r.line_id IN ({lines}) AND r.received_at >= %s AND r.received_at < %s"
        " GROUP BY r.line_id, 2"
    )
    start, end = (
        ops.adapt_datetimefield_value(scope.start),
        ops.adapt_datetimefield_value(scope.end),
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [Author.STAFF.value, start, *scope.line_ids, start, end])
        return _per_line(cursor.fetchall())


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


def _pilot_reports(scope: Scope) -> QuerySet[Report]:
    """The scope's reports with ``pilot_channel``: the stored channel, a dialogue split off."""
    reporter_wrote = Exists(
        Message.objects.filter(report=OuterRef("pk"), author=Author.REPORTER).order_by()
    )
    return reports_in(scope).annotate(
        pilot_channel=Case(
            When(Q(reporter_wrote, channel=ReportChannel.FORM), then=Value(MAILBOX_DIALOGUE)),
            default=F("channel"),
            output_field=CharField(),
        )
    )


def _forwards_of_report(**conditions) -> Exists:
    return Exists(Forward.objects.filter(report=OuterRef("pk"), **conditions).order_by())


PilotKey = tuple[int, int, str]  # line, category, channel


def pilot_counts(scope: Scope) -> dict[PilotKey, dict[str, int]]:
    """Per line, category and channel, in one grouped query: reports and their outcomes.

    ``usable``: assessed usable in triage; ``forwarded``: with at least one
    forward; ``followed_up``: a partner's feedback on one of its forwards says
    taken up or led to an arrest or seizure; ``redaction_known``/``redacted``:
    forwarded reports whose forwards record whether identifying details were
    taken out, and those of them where some were. A report counts once in each,
    however many forwards it has.
    """
    rows = (
        _pilot_reports(scope)
        .values_list("line_id", "category_id", "pilot_channel")
        .annotate(
            reports=Count("pk"),
            usable=Count("pk", filter=Q(case__triage_outcome=TriageOutcome.USABLE)),
            forwarded=Count("pk", filter=_forwards_of_report()),
            followed_up=Count(
                "pk", filter=_forwards_of_report(feedback__outcome__in=FOLLOWED_UP_OUTCOMES)
            ),
            redaction_known=Count("pk", filter=_forwards_of_report(redacted__isnull=False)),
            redacted=Count("pk", filter=_forwards_of_report(redacted=True)),
        )
    )
    keys = ("reports", "usable", "forwarded", "followed_up", "redaction_known", "redacted")
    return {
        (line_id, category_id, channel): dict(zip(keys, counts, strict=True))
        for line_id, category_id, channel, *counts in rows
    }


def pilot_hours_to_first_response(scope: Scope) -> dict[PilotKey, dict[int, int]]:
    """Per line, category and channel: {whole hours from receipt to the first staff message: n}.

    A subquery per report (the first staff message), unlike the per-line
    histogram's single join: the channel split needs the report's own row.
    """
    first_response = (
        Message.objects.filter(report=OuterRef("pk"), author=Author.STAFF)
        .order_by("created_at")
        .values("created_at")[:1]
    )
    rows = (
        _pilot_reports(scope)
        .annotate(first_response_at=Subquery(first_response))
        .filter(first_response_at__isnull=False)
        .annotate(hours=HoursBetween("received_at", "first_response_at"))
        .values_list("line_id", "category_id", "pilot_channel", "hours")
        .annotate(n=Count("pk"))
    )
    histograms: dict[PilotKey, dict[int, int]] = {}
    for line_id, category_id, channel, hours, n in rows:
        bucket = histograms.setdefault((line_id, category_id, channel), {})
        bucket[hours] = bucket.get(hours, 0) + n
    return histograms
