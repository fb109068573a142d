"""The statistics as labelled tables, and the rule that hides small counts.

Small counts: a count from 1 up to (not including) the threshold in a table
that breaks reports down by place or time (``Table.is_sensitive``) is shown as
"< 5" on the page, in CSV and in the annual export. One report from a small
municipality in one category, or the only report of a quiet month, could
point at the person who made it. Zero is shown (it singles nobody out). The
threshold is the setting ``STATS_MIN_COUNT`` (environment variable
``MELDPUNT_STATS_MIN_COUNT``, default 5). Sensitive tables carry no totals or
shares per cell, which would let a reader recompute a hidden count. See
docs/statistics.md.
"""

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from enum import StrEnum

from django.conf import settings
from django.utils.translation import gettext as _

from meldpunt.cases.models import ClassificationOption, CloseOutcome, TriageOutcome
from meldpunt.chat.models import ChatStatus, ContactChannel, ContactType, SurveyQuestion
from meldpunt.hotline.models import HostingRoute
from meldpunt.intake.models import ReportChannel, ReportStatus
from meldpunt.lines.models import Category, Line, Municipality
from meldpunt.network.models import PartnerKind

from . import selectors
from .selectors import AddressClass, Scope

DEFAULT_MIN_COUNT = 5
LONG_TABLE_BARS = 25


def min_count() -> int:
    """Counts below this are hidden in sensitive tables (at least 1: 0 disables nothing)."""
    return max(1, int(getattr(settings, "STATS_MIN_COUNT", DEFAULT_MIN_COUNT)))


class Kind(StrEnum):
    COUNT = "count"
    PERCENT = "percent"
    HOURS = "hours"


@dataclass(frozen=True)
class Measure:
    key: str
    title: str
    kind: Kind = Kind.COUNT


Value = int | float | None


@dataclass
class Table:
    """One breakdown: label columns, measure columns and rows of (labels, values)."""

    slug: str
    title: str
    columns: tuple[str, ...]
    measures: tuple[Measure, ...]
    rows: list[tuple[tuple[str, ...], tuple[Value, ...]]] = field(default_factory=list)
    is_sensitive: bool = False
    note: str = ""
    # How many bars the chart may have: None for one per row, 0 for no chart.
    # Long tables (municipalities) chart only their largest rows.
    chart_bars: int | None = None
    # Rows ``largest_rows`` left out (the annual report's cut of a long table).
    rows_left_out: int = 0

    def is_hidden(self, value: Value, measure: Measure, threshold: int) -> bool:
        return (
            self.is_sensitive
            and measure.kind == Kind.COUNT
            and value is not None
            and 0 < value < threshold
        )


Row = tuple[tuple[str, ...], tuple[Value, ...]]


def shown_count(table: Table, value: Value, threshold: int) -> Value:
    """The first measure's value as a chart or ranking may use it: hidden counts as zero."""
    return 0 if value is None or table.is_hidden(value, table.measures[0], threshold) else value


def ranked_rows(table: Table, threshold: int) -> list[Row]:
    """The rows by their first count as shown, largest first; hidden counts rank as zero.

    Ranking by the true count would put a hidden "< 5" of 4 above one of 1 and
    so give away part of what the threshold hides; ties keep the table's order.
    """
    return sorted(table.rows, key=lambda row: -shown_count(table, row[1][0], threshold))


def largest_rows(table: Table, threshold: int) -> Table:
    """A long table cut to the rows its chart shows, for the annual report.

    Without the cut, the municipality tables made the report grow with the
    reports: every municipality with a report adds a row, every municipality
    and category pair another (1,800 rows, most of 72 pages, at 100,000
    reports). Cut to the ``chart_bars`` largest, the report's length depends on
    its lines and categories only; the whole table stays on the statistics
    page and in its CSV download. Leaving rows out adds no figure, so it gives
    away nothing the whole table does not.
    """
    if not table.chart_bars or len(table.rows) <= table.chart_bars:
        return table
    return replace(
        table,
        rows=ranked_rows(table, threshold)[: table.chart_bars],
        rows_left_out=len(table.rows) - table.chart_bars,
    )


def suppressed_text(threshold: int) -> str:
    return f"< {threshold}"


def value_text(table: Table, value: Value, measure: Measure, threshold: int) -> str:
    """The value as printed on the page and in CSV: small counts hidden, shares in %."""
    if table.is_hidden(value, measure, threshold):
        return suppressed_text(threshold)
    if value is None:
        return "–"
    if measure.kind == Kind.PERCENT:
        return f"{value:.0f} %"
    if measure.kind == Kind.HOURS:
        return f"{value:g}"
    return str(value)


def display_rows(table: Table, threshold: int) -> list[list[str]]:
    rows = []
    for labels, values in table.rows:
        pairs = zip(values, table.measures, strict=True)
        rows.append([*labels, *(value_text(table, v, m, threshold) for v, m in pairs)])
    return rows


def share(part: int, whole: int) -> float | None:
    return 100 * part / whole if whole else None


def _reports() -> Measure:
    return Measure("reports", _("Reports"))


def _share() -> Measure:
    return Measure("share", _("Share"), Kind.PERCENT)


def summary_table(scope: Scope) -> Table:
    """The key figures an annual report opens with."""
    totals = selectors.report_totals(scope)
    forwards = selectors.forward_totals(scope)
    matched = selectors.known_material_reports(scope)
    received = totals["received"]
    rows = [
        (_("Reports received"), received, None),
        (
            _("Reports forwarded to a partner"),
            forwards["reports"],
            share(forwards["reports"], received),
        ),
        (_("Forwards made"), forwards["forwards"], None),
        (
            _("Forwards read by the partner"),
            forwards["read"],
            share(forwards["read"], forwards["forwards"]),
        ),
        (_("Follow-up reports"), totals["follow_ups"], share(totals["follow_ups"], received)),
        (_("Reports closed"), totals["closed"], share(totals["closed"], received)),
        (_("Reports with known material"), matched, share(matched, received)),
        (
            _("Reports whose content was destroyed"),
            totals["destroyed"],
            share(totals["destroyed"], received),
        ),
    ]
    return Table(
        slug="summary",
        title=_("Key figures"),
        columns=(_("Figure"),),
        measures=(Measure("number", _("Count")), _share()),
        rows=[((label,), (n, pct)) for label, n, pct in rows],
        chart_bars=0,  # figures of different kinds: one bar chart would compare apples and pears
        note=_(
            "Shares of forwards read are of the forwards made; all other shares are of the "
            "reports received."
        ),
    )


def lines_table(scope: Scope) -> Table:
    counts = selectors.counts_per_line(scope)
    total = sum(counts.values())
    lines = Line.objects.filter(pk__in=scope.line_ids)
    return Table(
        slug="lines",
        title=_("Reports per line"),
        columns=(_("Line"),),
        measures=(_reports(), _share()),
        rows=[
            ((line.title,), (counts.get(line.pk, 0), share(counts.get(line.pk, 0), total)))
            for line in lines
        ],
    )


def categories_table(scope: Scope) -> Table:
    counts = selectors.counts_per_category(scope)
    total = sum(counts.values())
    categories = Category.objects.filter(line_id__in=scope.line_ids).select_related("line")
    categories = categories.order_by("line__order", "line__name", "order", "name")
    return Table(
        slug="categories",
        title=_("Reports per category"),
        columns=(_("Line"), _("Category")),
        measures=(_reports(), _share()),
        rows=[
            (
                (category.line.title, category.title),
                (counts.get(category.pk, 0), share(counts.get(category.pk, 0), total)),
            )
            for category in categories
            if category.pk in counts or category.is_public
        ],
    )


def months_table(scope: Scope) -> Table:
    counts = selectors.counts_per_month(scope)
    return Table(
        slug="months",
        title=_("Reports per month"),
        columns=(_("Month"),),
        measures=(_reports(),),
        rows=[((month.strftime("%Y-%m"),), (n,)) for month, n in counts.items()],
        is_sensitive=True,
    )


def _pilot_channels() -> list[tuple[str, str]]:
    """The channels in the pilot's order; the web form without and with a mailbox dialogue."""
    return [
        (ReportChannel.FORM, _("Web form, no dialogue")),
        (selectors.MAILBOX_DIALOGUE, _("Web form with mailbox dialogue")),
        (ReportChannel.CHAT, str(ReportChannel.CHAT.label)),
        (ReportChannel.API, str(ReportChannel.API.label)),
        (ReportChannel.WEB_ADDRESS, str(ReportChannel.WEB_ADDRESS.label)),
        (ReportChannel.PARTNER_HOTLINE, str(ReportChannel.PARTNER_HOTLINE.label)),
        (ReportChannel.UNKNOWN, _("Channel not known")),
    ]


def pilot_table(scope: Scope) -> Table:
    """The pilot evaluation: per line and category, the channels side by side.

    Which way of reporting works best for which crime: how many reports each
    channel brought, how many were usable, forwarded, followed up by the
    partner and needed identifying details taken out, and how soon staff
    first answered. A channel with a hidden count shows none of its shares
    either: a share of a few reports would give the count away.
    """
    counts = selectors.pilot_counts(scope)
    hours = selectors.pilot_hours_to_first_response(scope)
    threshold = min_count()
    categories = Category.objects.filter(line_id__in=scope.line_ids).select_related("line")
    rows = []
    for category in categories.order_by("line__order", "line__name", "order", "name"):
        for channel, label in _pilot_channels():
            key = (category.line_id, category.pk, channel)
            if key not in counts:
                continue
            n = counts[key]
            values: tuple[Value, ...] = (
                n["reports"],
                share(n["usable"], n["reports"]),
                share(n["forwarded"], n["reports"]),
                share(n["followed_up"], n["forwarded"]),
                share(n["redacted"], n["redaction_known"]),
                selectors.histogram_median(hours.get(key, {})),
            )
            if n["reports"] < threshold:
                values = (n["reports"], *(None for _value in values[1:]))
            rows.append(((category.line.title, category.title, label), values))
    return Table(
        slug="pilot",
        title=_("Pilot evaluation: channels per category"),
        columns=(_("Line"), _("Category"), _("Channel")),
        measures=(
            _reports(),
            Measure("usable_share", _("Usable in triage"), Kind.PERCENT),
            Measure("forwarded_share", _("Forwarded"), Kind.PERCENT),
            Measure("followed_up_share", _("Followed up by the partner"), Kind.PERCENT),
            Measure("redacted_share", _("Identifying details redacted"), Kind.PERCENT),
            Measure("first_response_hours", _("Median hours to the first response"), Kind.HOURS),
        ),
        rows=rows,
        is_sensitive=True,
        chart_bars=0,
        note=_(
            "Usable and forwarded: shares of the channel's reports. Followed up (the partner "
            "took it up or it led to an arrest or seizure) and redacted: shares of the "
            "forwarded reports. First response: whole hours from receipt to the first message "
            "from staff, both stored rounded to the hour. Where a channel brought fewer reports "
            "than the threshold, its shares are left out (–) so that the count cannot be "
            "worked out from them."
        ),
    )


def _choices_table(
    *, slug: str, title: str, column: str, counts: dict[str, int], choices, missing: str
) -> Table:
    total = sum(counts.values())
    labels = [(value, label) for value, label in choices.choices]
    if "" in counts:
        labels.append(("", missing))
    return Table(
        slug=slug,
        title=title,
        columns=(column,),
        measures=(_reports(), _share()),
        rows=[
            ((str(label),), (counts.get(value, 0), share(counts.get(value, 0), total)))
            for value, label in labels
        ],
    )


def statuses_table(scope: Scope) -> Table:
    return _choices_table(
        slug="statuses",
        title=_("Reports per status"),
        column=_("Status"),
        counts=selectors.counts_per_status(scope),
        choices=ReportStatus,
        missing="",
    )


def triage_table(scope: Scope) -> Table:
    return _choices_table(
        slug="triage",
        title=_("Assessment of the reports"),
        column=_("Assessment"),
        counts=selectors.counts_per_triage_outcome(scope),
        choices=TriageOutcome,
        missing=_("Not assessed yet"),
    )


def closing_table(scope: Scope) -> Table:
    return _choices_table(
        slug="closing",
        title=_("Closed reports per outcome"),
        column=_("Outcome"),
        counts=selectors.counts_per_close_outcome(scope),
        choices=CloseOutcome,
        missing=_("No outcome recorded"),
    )


def partner_kinds_table(scope: Scope) -> Table:
    counts = selectors.forwards_per_partner_kind(scope)
    return Table(
        slug="partner_kinds",
        title=_("Forwards per kind of partner"),
        columns=(_("Kind of partner"),),
        measures=(Measure("forwards", _("Forwards")), _reports()),
        rows=[
            ((str(label),), counts.get(kind, (0, 0, 0))[:2])
            for kind, label in PartnerKind.choices
            if kind in counts or kind != PartnerKind.OTHER
        ],
        note=_("A report forwarded to several partners counts once per kind of partner."),
    )


def _municipality_label(code: str, names: dict[str, str]) -> str:
    if not code:
        return _("Not given")
    return f"{names[code]} ({code})" if code in names else code


def municipalities_table(scope: Scope) -> Table:
    counts = selectors.counts_per_municipality(scope)
    names = dict(Municipality.objects.filter(code__in=counts).values_list("code", "name"))
    ordered = sorted(counts.items(), key=lambda item: (item[0] == "", names.get(item[0], item[0])))
    return Table(
        slug="municipalities",
        title=_("Reports per municipality"),
        columns=(_("Municipality"),),
        measures=(_reports(),),
        rows=[((_municipality_label(code, names),), (n,)) for code, n in ordered],
        is_sensitive=True,
        chart_bars=LONG_TABLE_BARS,
    )


def municipality_categories_table(scope: Scope) -> Table:
    counts = selectors.counts_per_municipality_and_category(scope)
    codes = {code for code, _category in counts}
    names = dict(Municipality.objects.filter(code__in=codes).values_list("code", "name"))
    categories = {
        category.pk: category
        for category in Category.objects.filter(pk__in={pk for _code, pk in counts})
    }
    ordered = sorted(
        counts.items(),
        key=lambda item: (
            item[0][0] == "",
            names.get(item[0][0], item[0][0]),
            categories[item[0][1]].title,
        ),
    )
    return Table(
        slug="municipality_categories",
        title=_("Reports per municipality and category"),
        columns=(_("Municipality"), _("Category")),
        measures=(_reports(),),
        rows=[
            ((_municipality_label(code, names), categories[pk].title), (n,))
            for (code, pk), n in ordered
        ],
        is_sensitive=True,
        chart_bars=LONG_TABLE_BARS,
    )


def classifications_table(scope: Scope) -> Table:
    counts = selectors.counts_per_classification(scope)
    received = selectors.counts_per_line(scope)
    options = (
        ClassificationOption.objects.filter(scheme__line_id__in=scope.line_ids)
        .select_related("scheme__line")
        .order_by("scheme__line__order", "scheme__line__name", "scheme__order", "order", "pk")
    )
    return Table(
        slug="classifications",
        title=_("Classification of the reports"),
        columns=(_("Line"), _("Classification"), _("Option")),
        measures=(_reports(), Measure("share", _("Share of the line's reports"), Kind.PERCENT)),
        rows=[
            (
                (option.scheme.line.title, option.scheme.title, option.title),
                (
                    counts.get(option.pk, 0),
                    share(counts.get(option.pk, 0), received.get(option.scheme.line_id, 0)),
                ),
            )
            for option in options
            if option.pk in counts or option.is_active
        ],
        note=_(
            "A report classified with several options counts once for each. Shares are of "
            "all reports the line received in the period, classified or not."
        ),
    )


def years_table(scope: Scope) -> Table:
    """Reports per calendar year: the growth chart of an annual report."""
    return Table(
        slug="years",
        title=_("Reports per year"),
        columns=(_("Year"),),
        measures=(_reports(),),
        rows=[((str(year),), (n,)) for year, n in selectors.counts_per_year(scope).items()],
        is_sensitive=True,
    )


def known_material_table(scope: Scope) -> Table:
    counts = selectors.known_material_per_list(scope)
    return Table(
        slug="known_material",
        title=_("Reports with known material per list"),
        columns=(_("List"),),
        measures=(_reports(),),
        rows=[((name,), (n,)) for name, n in sorted(counts.items())],
        note=_(
            "Reports whose content was destroyed by the retention purge still count: the "
            "purge keeps how many of them had known material, per month and list."
        ),
    )


def response_times_table(scope: Scope) -> Table:
    to_first = selectors.hours_histogram_to_first_response(scope)
    to_close = selectors.hours_histogram_to_close(scope)
    lines = list(Line.objects.filter(pk__in=scope.line_ids))
    rows = []
    for label, first, close in [
        *((line.title, to_first.get(line.pk, {}), to_close.get(line.pk, {})) for line in lines),
        (
            _("All lines"),
            selectors.histograms_merge(list(to_first.values())),
            selectors.histograms_merge(list(to_close.values())),
        ),
    ]:
        rows.append(
            (
                (label,),
                (
                    sum(first.values()),
                    selectors.histogram_median(first),
                    sum(close.values()),
                    selectors.histogram_median(close),
                ),
            )
        )
    return Table(
        slug="response_times",
        title=_("Time to first response and to closing"),
        columns=(_("Line"),),
        measures=(
            Measure("answered", _("Reports with a question from staff")),
            Measure("first_response_hours", _("Median hours to the first question"), Kind.HOURS),
            Measure("closed", _("Reports closed")),
            Measure("closing_hours", _("Median hours to closing"), Kind.HOURS),
        ),
        rows=rows,
        chart_bars=0,
        note=_(
            "Whole hours from receipt; receipt and messages are stored rounded to the hour. "
            "The first response is the first message from staff to the reporter."
        ),
    )


def _from_reporters_and_partners() -> tuple[Measure, ...]:
    """Addresses from the public and from partner hotlines side by side, never added up."""
    return (
        Measure("addresses", _("Addresses from reporters")),
        Measure("share", _("Share"), Kind.PERCENT),
        Measure("partner_addresses", _("Addresses from partner hotlines")),
        Measure("partner_share", _("Share (partner hotlines)"), Kind.PERCENT),
    )


def _split_rows(
    labels: list[tuple[str, str]], counts: dict[tuple[str, bool], int]
) -> list[tuple[tuple[str, ...], tuple[Value, ...]]]:
    own = sum(n for (_key, from_partner), n in counts.items() if not from_partner)
    partner = sum(n for (_key, from_partner), n in counts.items() if from_partner)
    rows = []
    for key, label in labels:
        mine, theirs = counts.get((key, False), 0), counts.get((key, True), 0)
        rows.append(((str(label),), (mine, share(mine, own), theirs, share(theirs, partner))))
    return rows


def hotline_summary_table(scope: Scope) -> Table:
    """The content hotline's key figures: addresses, from where, forwarded, removed."""
    totals = selectors.address_totals(scope)
    addresses = totals["addresses"]
    rows = [
        (_("Web addresses reported"), addresses),
        (_("of which from reporters"), addresses - totals["from_partner"]),
        (_("of which from partner hotlines"), totals["from_partner"]),
        (_("Forwarded to a partner hotline"), totals["forwarded"]),
        (_("No longer online (removed)"), totals["removed"]),
    ]
    return Table(
        slug="hotline_summary",
        title=_("Content hotline: key figures"),
        columns=(_("Figure"),),
        measures=(Measure("number", _("Count")), _share()),
        rows=[((label,), (n, share(n, addresses))) for label, n in rows],
        chart_bars=0,
        note=_("Web addresses of the reports received in the period; shares of all of them."),
    )


def hotline_assessment_table(scope: Scope) -> Table:
    labels = [
        (AddressClass.ILLEGAL, _("Illegal (assessed by an analyst)")),
        (AddressClass.KNOWN, _("Known material (recognised, not assessed)")),
        (AddressClass.NOT_ILLEGAL, _("Not illegal")),
        (AddressClass.NOT_ASSESSED, _("Not assessed yet")),
    ]
    return Table(
        slug="hotline_assessment",
        title=_("Content hotline: web addresses per assessment"),
        columns=(_("Assessment"),),
        measures=_from_reporters_and_partners(),
        rows=_split_rows(labels, selectors.address_classes(scope)),
        note=_(
            "Addresses from partner hotlines are counted apart; shares are of each column's total."
        ),
    )


def _route_labels() -> list[tuple[str, str]]:
    return [
        (HostingRoute.DOMESTIC, _("Hosted here")),
        (HostingRoute.PARTNER_HOTLINE, _("Abroad, in a country with a partner hotline")),
        (HostingRoute.ABROAD, _("Abroad, in a country without a partner hotline")),
        (HostingRoute.UNKNOWN, _("Hosting not traced")),
    ]


def hotline_hosting_table(scope: Scope) -> Table:
    return Table(
        slug="hotline_hosting",
        title=_("Content hotline: where illegal material was hosted"),
        columns=(_("Hosting"),),
        measures=_from_reporters_and_partners(),
        rows=_split_rows(_route_labels(), selectors.actionable_addresses_per_route(scope)),
        note=_(
            "Addresses judged illegal or recognised as known material, by the country of the "
            "latest hosting trace."
        ),
    )


def hotline_removal_table(scope: Scope) -> Table:
    histograms = selectors.hours_histogram_to_removal(scope)
    rows = []
    for label, histogram in [
        *((label, histograms.get(route, {})) for route, label in _route_labels()),
        (_("All addresses"), selectors.histograms_merge(list(histograms.values()))),
    ]:
        rows.append(
            (
                (str(label),),
                (
                    sum(histogram.values()),
                    selectors.histogram_median(histogram),
                    selectors.histogram_percentile(histogram, 90),
                ),
            )
        )
    return Table(
        slug="hotline_removal",
        title=_("Content hotline: time to removal"),
        columns=(_("Hosting"),),
        measures=(
            Measure("removed", _("Addresses removed")),
            Measure("median_hours", _("Median hours to removal"), Kind.HOURS),
            Measure("p90_hours", _("Hours within which 90 % were removed"), Kind.HOURS),
        ),
        rows=rows,
        chart_bars=0,
        note=_(
            "Whole hours from the report's receipt (rounded to the hour) to the check that "
            "found the material gone."
        ),
    )


def chats_table(scope: Scope) -> Table:
    counts = selectors.chats_started(scope)
    total = sum(counts.values())
    return Table(
        slug="chats",
        title=_("Chats"),
        columns=(_("Status"),),
        measures=(Measure("chats", _("Chats")), _share()),
        rows=[
            ((str(label),), (counts.get(status, 0), share(counts.get(status, 0), total)))
            for status, label in ChatStatus.choices
        ],
        note=_("Chats started in the period, by how they finished or stand now."),
    )


def contacts_table(scope: Scope) -> Table:
    counts = selectors.contact_moments(scope)
    types = {
        contact_type.pk: contact_type
        for contact_type in ContactType.objects.filter(pk__in={pk for pk, _c in counts})
        .select_related("line")
        .order_by("line__order", "line__name", "order", "name")
    }
    channels = dict(ContactChannel.choices)
    return Table(
        slug="contacts",
        title=_("Helpline contact moments"),
        columns=(_("Line"), _("Kind of contact"), _("Channel")),
        measures=(
            Measure("contacts", _("Contact moments")),
            Measure("follow_ups", _("With a follow-up appointment")),
            Measure("follow_up_share", _("Share with a follow-up appointment"), Kind.PERCENT),
        ),
        rows=[
            (
                (types[pk].line.title, str(types[pk]), str(channels.get(channel, channel))),
                (n, follow_ups, share(follow_ups, n)),
            )
            for pk in types
            for channel in channels
            if (pk, channel) in counts
            for n, follow_ups in [counts[(pk, channel)]]
        ],
    )


def survey_table(scope: Scope) -> Table:
    counts = selectors.survey_answers(scope)
    rows = []
    for question, label in SurveyQuestion.choices:
        yes, no = counts.get((question, True), 0), counts.get((question, False), 0)
        rows.append(((str(label),), (yes + no, yes, share(yes, yes + no))))
    return Table(
        slug="survey",
        title=_("Chat survey"),
        columns=(_("Question"),),
        measures=(
            Measure("answers", _("Answers")),
            Measure("yes", _("Yes")),
            Measure("yes_share", _("Share yes"), Kind.PERCENT),
        ),
        rows=rows,
        chart_bars=0,
        note=_("Answered anonymously at the end of a chat; only the counts are kept."),
    )


# The helpline's own figures, in the annual report when the installation has any.
HELPLINE_TABLES: dict[str, Callable[[Scope], Table]] = {
    "chats": chats_table,
    "contacts": contacts_table,
    "survey": survey_table,
}


def has_counts(table: Table) -> bool:
    """Whether any row has a count above zero in its first measure."""
    return any(values and values[0] for _labels, values in table.rows)


TABLES: dict[str, Callable[[Scope], Table]] = {
    "summary": summary_table,
    "lines": lines_table,
    "categories": categories_table,
    "months": months_table,
    "statuses": statuses_table,
    "triage": triage_table,
    "closing": closing_table,
    "partner_kinds": partner_kinds_table,
    "response_times": response_times_table,
    "pilot": pilot_table,
    "classifications": classifications_table,
    "known_material": known_material_table,
    "hotline_summary": hotline_summary_table,
    "hotline_assessment": hotline_assessment_table,
    "hotline_hosting": hotline_hosting_table,
    "hotline_removal": hotline_removal_table,
    "municipalities": municipalities_table,
    "municipality_categories": municipality_categories_table,
}


def tables_compute(scope: Scope) -> list[Table]:
    """Every table, in the order the page and the annual export show them.

    Built together, the tables share the grouped passes they are sums of
    (``selectors.shared_counts``): a dozen queries over the reports instead of
    some thirty.
    """
    with selectors.shared_counts():
        return [build(scope) for build in TABLES.values()]
