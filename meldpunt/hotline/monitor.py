"""The provider monitor: which hosting company gets how many reports, and how fast it removes them.

Counted per hosting company (the ASN and organisation of an address's latest
hosting trace) and per country, over the addresses judged illegal (by a list
match or an analyst: ``ReportedUrl.illegal_at`` is set). Everything is computed
by the database, the percentiles too, with window functions that SQLite and
PostgreSQL share; only a few rows per group come back.

Definitions (docs/hotline.md, "Provider monitor"):

- *reported*: addresses judged illegal; *removed*: those found gone since;
- time to removal: ``removal_hours`` (from the hour judged illegal to the hour
  of the first check that found the material gone);
- median and 90th percentile by nearest rank: the time within which at least
  half (nine tenths) of the removed addresses were removed, always a time one
  of them took;
- removed within 24 h / 72 h: share of the *reported* addresses, so material
  still online counts against the provider;
- oldest still online: the earliest ``illegal_at`` of an address not gone (and
  still checked: destroyed reports are no longer followed).
"""

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, F, Min, OuterRef, Q, QuerySet, Subquery
from django.db.models.expressions import Window
from django.db.models.functions import RowNumber

from meldpunt.hotline.models import HostingTrace, HotlineState, ReportedUrl

PER_PROVIDER = ("trace_asn", "trace_organisation")
PER_COUNTRY = ("trace_country",)


@dataclass
class MonitorRow:
    """The figures of one hosting company (asn, organisation) or one country."""

    asn: int | None
    organisation: str
    country: str
    reported: int
    removed: int
    within_24h: int
    within_72h: int
    oldest_online: datetime | None
    median_hours: int | None = None
    p90_hours: int | None = None

    @property
    def share_24h(self) -> float:
        return self.within_24h / self.reported if self.reported else 0.0

    @property
    def share_72h(self) -> float:
        return self.within_72h / self.reported if self.reported else 0.0

    @property
    def percent_24h(self) -> int:
        return round(self.share_24h * 100)

    @property
    def percent_72h(self) -> int:
        return round(self.share_72h * 100)

    @property
    def still_online(self) -> int:
        return self.reported - self.removed


def _judged(line_ids: Iterable[int] | None) -> QuerySet[ReportedUrl]:
    """Addresses judged illegal, with the hosting of their latest trace."""
    latest = HostingTrace.objects.filter(reported_url=OuterRef("pk")).order_by("-pk")
    items = ReportedUrl.objects.filter(illegal_at__isnull=False)
    if line_ids is not None:
        items = items.filter(report__line_id__in=list(line_ids))
    return items.annotate(
        trace_asn=Subquery(latest.values("asn")[:1]),
        trace_organisation=Subquery(latest.values("organisation")[:1]),
        trace_country=Subquery(latest.values("country")[:1]),
    )


def _percentiles(items: QuerySet[ReportedUrl], keys: tuple[str, ...]) -> dict[tuple, dict]:
    """Median and 90th percentile of removal_hours per group, by nearest rank, in SQL.

    Rank n of a group's removed addresses ordered by time: the median is rank
    ceil(n/2) = (n + 1) / 2 and the 90th percentile rank ceil(9n/10) =
    (9n + 9) / 10, in integer division, which both databases do for integers.
    """
    partition = [F(key) for key in keys]
    ranked = (
        items.filter(removal_hours__isnull=False)
        .annotate(
            position=Window(
                RowNumber(), partition_by=partition, order_by=[F("removal_hours"), F("pk")]
            ),
            total=Window(Count("pk"), partition_by=partition),
        )
        .annotate(median_rank=(F("total") + 1) / 2, p90_rank=(F("total") * 9 + 9) / 10)
        .filter(Q(position=F("median_rank")) | Q(position=F("p90_rank")))
        .values(*keys, "position", "median_rank", "p90_rank", "removal_hours")
    )
    found: dict[tuple, dict] = {}
    for row in ranked:
        group = found.setdefault(tuple(row[key] for key in keys), {})
        if row["position"] == row["median_rank"]:
            group["median"] = row["removal_hours"]
        if row["position"] == row["p90_rank"]:
            group["p90"] = row["removal_hours"]
    return found


def _figures(line_ids: Iterable[int] | None, keys: tuple[str, ...]) -> list[MonitorRow]:
    items = _judged(line_ids)
    still_online = Q(gone_at__isnull=True, destroyed_at__isnull=True) & ~Q(state=HotlineState.GONE)
    counts = (
        items.values(*keys)
        .annotate(
            reported=Count("pk"),
            removed=Count("pk", filter=Q(removal_hours__isnull=False)),
            within_24h=Count("pk", filter=Q(removal_hours__lte=24)),
            within_72h=Count("pk", filter=Q(removal_hours__lte=72)),
            oldest_online=Min("illegal_at", filter=still_online),
        )
        .order_by("-reported", *keys)
    )
    percentiles = _percentiles(items, keys)
    rows = []
    for row in counts:
        ranks = percentiles.get(tuple(row[key] for key in keys), {})
        rows.append(
            MonitorRow(
                asn=row.get("trace_asn"),
                organisation=row.get("trace_organisation") or "",
                country=row.get("trace_country") or "",
                reported=row["reported"],
                removed=row["removed"],
                within_24h=row["within_24h"],
                within_72h=row["within_72h"],
                oldest_online=row["oldest_online"],
                median_hours=ranks.get("median"),
                p90_hours=ranks.get("p90"),
            )
        )
    return rows


def monitor_per_provider(*, line_ids: Iterable[int] | None = None) -> list[MonitorRow]:
    """Figures per hosting company (ASN and organisation), most reported first."""
    return _figures(line_ids, PER_PROVIDER)


def monitor_per_country(*, line_ids: Iterable[int] | None = None) -> list[MonitorRow]:
    """Figures per hosting country, most reported first."""
    return _figures(line_ids, PER_COUNTRY)


# A cell starting with one of these is run as a formula by spreadsheet programs;
# organisation names come from the imported IP table, i.e. from outside. (The
# same rule as stats.export, which the hotline may not import.)
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

CSV_HEADER = [
    "grouping",
    "asn",
    "organisation",
    "country",
    "reported",
    "removed",
    "median_hours",
    "p90_hours",
    "share_removed_24h",
    "share_removed_72h",
    "oldest_still_online",
]


def monitor_csv(*, providers: list[MonitorRow], countries: list[MonitorRow]) -> str:
    """Both tables in one CSV, one line per group; shares as fractions to four places."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_HEADER)
    for grouping, rows in (("provider", providers), ("country", countries)):
        for row in rows:
            organisation = row.organisation
            if organisation.startswith(_FORMULA_START):
                organisation = "'" + organisation
            writer.writerow(
                [
                    grouping,
                    "" if row.asn is None else row.asn,
                    organisation,
                    row.country,
                    row.reported,
                    row.removed,
                    "" if row.median_hours is None else row.median_hours,
                    "" if row.p90_hours is None else row.p90_hours,
                    round(row.share_24h, 4),
                    round(row.share_72h, 4),
                    row.oldest_online.isoformat() if row.oldest_online else "",
                ]
            )
    return buffer.getvalue()
