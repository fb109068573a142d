"""Reads for billing and evaluation: what a partner received in a period, and what became of it.

A statement adds up the fee recorded on each forward when it was made
(``Forward.fee``), so a later change of the partner's fee never rewrites a past
period. The evaluation of a connection covers one year and counts what the
municipality received per category and month, the feedback it gave and the
share it followed up. Periods are whole days in the installation's time zone.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db.models import Count, QuerySet, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone

from meldpunt.lines.models import Category

from .models import FOLLOWED_UP_OUTCOMES, FeedbackOutcome, Forward, Partner

CENT = Decimal("0.01")


def _bounds(start: date, end: date) -> tuple[datetime, datetime]:
    """From the start of ``start`` up to (not including) the day after ``end``, local time."""
    zone = timezone.get_current_timezone()
    return (
        datetime.combine(start, time.min, tzinfo=zone),
        datetime.combine(end + timedelta(days=1), time.min, tzinfo=zone),
    )


def partner_forwards_between(partner: Partner, start: date, end: date) -> QuerySet[Forward]:
    since, until = _bounds(start, end)
    return Forward.objects.filter(partner=partner, created_at__gte=since, created_at__lt=until)


@dataclass(frozen=True)
class Statement:
    partner: Partner
    start: date
    end: date
    forwards: list[Forward]
    total: Decimal

    @property
    def count(self) -> int:
        return len(self.forwards)


def partner_statement(*, partner: Partner, start: date, end: date) -> Statement:
    """The forwards to ``partner`` from ``start`` to ``end`` (inclusive) with their fees."""
    forwards = partner_forwards_between(partner, start, end).select_related(
        "report__line", "report__category"
    )
    rows = list(forwards.order_by("created_at", "pk"))
    # SQLite sums decimals without their places; a statement always shows cents.
    total = (forwards.aggregate(total=Sum("fee"))["total"] or Decimal(0)).quantize(CENT)
    return Statement(partner=partner, start=start, end=end, forwards=rows, total=total)


@dataclass(frozen=True)
class CategoryMonths:
    category: str
    counts: list[int]  # one per month of the evaluation
    total: int


@dataclass(frozen=True)
class OutcomeCount:
    label: str
    count: int


@dataclass(frozen=True)
class Evaluation:
    partner: Partner
    start: date
    end: date
    months: list[date]  # the first day of each month in the period
    rows: list[CategoryMonths]
    month_totals: list[int]
    received: int
    with_feedback: int
    followed_up: int
    outcomes: list[OutcomeCount]

    @property
    def followed_up_percent(self) -> int | None:
        """Followed up (taken up, or led to an arrest or seizure) of all received; None if none."""
        return round(100 * self.followed_up / self.received) if self.received else None


def evaluation_start(partner: Partner, today: date) -> date:
    """The year to evaluate by default: the connection's first year, else the last year."""
    if partner.connected_from and partner.connected_from <= today:
        return partner.connected_from
    return _add_years(today, -1) + timedelta(days=1)


def _add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def _month_starts(start: date, end: date) -> list[date]:
    months, current = [], start.replace(day=1)
    while current <= end:
        months.append(current)
        current = (current + timedelta(days=32)).replace(day=1)
    return months


def partner_evaluation(*, partner: Partner, start: date) -> Evaluation:
    """One year of a connection from ``start``: received per category and month, feedback."""
    end = _add_years(start, 1) - timedelta(days=1)
    forwards = partner_forwards_between(partner, start, end)
    months = _month_starts(start, end)
    index = {month: number for number, month in enumerate(months)}
    by_category: dict[int, list[int]] = {}
    grouped = (
        forwards.annotate(month=TruncMonth("created_at"))
        .values_list("report__category_id", "month")
        .order_by()
    )
    for category_id, month in grouped:
        counts = by_category.setdefault(category_id, [0] * len(months))
        # TruncMonth works in the current time zone, so the month is the local one.
        counts[index[timezone.localtime(month).date()]] += 1
    titles = {
        category.pk: category.title for category in Category.objects.filter(pk__in=by_category)
    }
    rows = sorted(
        (
            CategoryMonths(category=titles[pk], counts=counts, total=sum(counts))
            for pk, counts in by_category.items()
        ),
        key=lambda row: row.category,
    )
    outcomes = dict(
        forwards.filter(feedback__isnull=False)
        .values("feedback__outcome")
        .annotate(count=Count("pk"))
        .order_by()
        .values_list("feedback__outcome", "count")
    )
    return Evaluation(
        partner=partner,
        start=start,
        end=end,
        months=months,
        rows=rows,
        month_totals=[sum(row.counts[i] for row in rows) for i in range(len(months))],
        received=sum(row.total for row in rows),
        with_feedback=sum(outcomes.values()),
        followed_up=sum(outcomes.get(str(outcome), 0) for outcome in FOLLOWED_UP_OUTCOMES),
        outcomes=[
            OutcomeCount(label=choice.label, count=outcomes.get(choice.value, 0))
            for choice in FeedbackOutcome
        ],
    )
