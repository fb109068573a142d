"""Reads of the back office: the queue, deadlines, the timeline, notes and linked reports.

Queue queries touch plaintext metadata only (line, category, status, times,
municipality code, reference); report content is never searched here.
"""

import re
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from meldpunt.intake.models import Author, Message, Report, ReportStatus
from meldpunt.lines.models import Category, Line
from meldpunt.vault import crypto
from meldpunt.vault.models import AuditEvent, StaffUser

from .access import member_line_ids
from .models import Case, CaseNote, ClassificationScheme, StaffNotification
from .services import CLOSE_REASON_CONTEXT, NOTE_CONTEXT
from .timeline import timeline_describe

OPEN_STATUSES = [
    ReportStatus.NEW,
    ReportStatus.IN_PROGRESS,
    ReportStatus.WAITING_FOR_REPORTER,
    ReportStatus.READY_TO_FORWARD,
]
FEEDBACK_GIVEN_STATUSES = {ReportStatus.FORWARDED, ReportStatus.CLOSED}
# A question unanswered this long is flagged in the queue. The reporter cannot be
# reached outside their mailbox, so the reminder is for staff: ask again or close.
REMINDER_AFTER_DAYS = 14
# Days since receipt: (newer than, older than); None leaves that side open.
AGES = {
    "lt1": (1, None),
    "lt7": (7, None),
    "gt7": (None, 7),
    "gt30": (None, 30),
    "gt90": (None, 90),
}
SORTS = {
    "oldest": ["received_at", "pk"],
    "newest": ["-received_at", "-pk"],
}
ASSIGNEE_ME, ASSIGNEE_NOBODY = "me", "nobody"
_REFERENCE = re.compile(r"^[0-9A-Z]{1,8}$")


@dataclass(frozen=True)
class QueueQuery:
    """The queue's filters; empty values filter nothing."""

    line_id: int | None = None
    status: str = ""
    category_id: int | None = None
    assignee: str = ""
    municipality_code: str = ""
    age: str = ""
    is_overdue: bool = False
    needs_attention: bool = False
    is_unanswered: bool = False
    search: str = ""
    sort: str = "oldest"

    @property
    def has_row_filters(self) -> bool:
        """Filters beyond line and status, which no index serves."""
        return bool(
            self.category_id is not None
            or self.assignee
            or self.municipality_code
            or self.age
            or self.is_overdue
            or self.needs_attention
            or self.is_unanswered
            or self.search.strip()
        )


@dataclass(frozen=True)
class Deadlines:
    """The Whistleblower Directive's clocks: acknowledge (7 days), feedback (3 months).

    A report is acknowledged once staff move it out of "new" (the reporter sees
    the change in their mailbox); feedback is given once it is forwarded or closed.
    """

    acknowledge_by: datetime
    feedback_by: datetime
    is_acknowledged: bool
    is_feedback_given: bool
    now: datetime
    # When a question was asked and the case is still waiting for the answer.
    waiting_since: datetime | None = None

    @property
    def is_unanswered(self) -> bool:
        """The reporter has left a question open for a long time: time to remind or decide."""
        return self.waiting_since is not None and self.now - self.waiting_since > timedelta(
            days=REMINDER_AFTER_DAYS
        )

    @property
    def is_acknowledge_overdue(self) -> bool:
        return not self.is_acknowledged and self.now > self.acknowledge_by

    @property
    def is_feedback_overdue(self) -> bool:
        return not self.is_feedback_given and self.now > self.feedback_by

    @property
    def is_overdue(self) -> bool:
        return self.is_acknowledge_overdue or self.is_feedback_overdue


def deadlines_for(report: Report, now: datetime | None = None) -> Deadlines:
    line = report.line
    return Deadlines(
        acknowledge_by=report.received_at + timedelta(days=line.acknowledge_days),
        feedback_by=report.received_at + timedelta(days=line.feedback_days),
        is_acknowledged=report.status != ReportStatus.NEW,
        is_feedback_given=report.status in FEEDBACK_GIVEN_STATUSES,
        now=now or timezone.now(),
        waiting_since=(
            report.last_activity_at if report.status == ReportStatus.WAITING_FOR_REPORTER else None
        ),
    )


def _overdue_q(lines: list[Line], now: datetime) -> Q:
    """Overdue in SQL: one clause per line, because each line has its own deadlines."""
    condition = Q(pk__in=[])
    for line in lines:
        condition |= Q(
            line_id=line.pk,
            status=ReportStatus.NEW,
            received_at__lt=now - timedelta(days=line.acknowledge_days),
        ) | Q(
            line_id=line.pk,
            status__in=OPEN_STATUSES,
            received_at__lt=now - timedelta(days=line.feedback_days),
        )
    return condition


def _search_q(search: str) -> Q:
    """A reference (or its start, with or without the dash) or a municipality code."""
    compact = re.sub(r"[\s-]", "", search.upper())
    condition = Q(municipality_code__iexact=search.strip())
    if _REFERENCE.match(compact):
        prefix = compact if len(compact) <= 4 else f"{compact[:4]}-{compact[4:]}"
        condition |= Q(reference=prefix) if len(compact) == 8 else Q(reference__startswith=prefix)
    return condition


@dataclass(frozen=True)
class QueuePage:
    """One page of the queue, the cases with news on top, and the size of every tab.

    Tab sizes are counted up to COUNT_CAP (shown as "1000+" beyond), and pages
    only know whether a next one exists: both keep the cost independent of how
    many cases a line holds.
    """

    rows: list[Report]
    news: list[Report]
    status_counts: dict[str, int]
    number: int
    has_next: bool

    @property
    def has_previous(self) -> bool:
        return self.number > 1


COUNT_CAP = 1000
NEWS_LIMIT = 10
PAGE_SIZE = 50
MAX_PAGE = 10_000


def queue_page(
    user: StaffUser, query: QueueQuery, *, page: int = 1, now: datetime | None = None
) -> QueuePage:
    """The user's queue, in a fixed number of queries whatever the number of rows.

    Membership is read once instead of joined per row. Rows are ordered by
    receipt time within one status, which the (line, status, received_at) index
    serves directly; news from reporters is listed apart instead of sorted in.
    A search looks in every status.
    """
    now = now or timezone.now()
    page = min(max(page, 1), MAX_PAGE)
    reports = _filtered(user, query, now)
    counts = {
        status: len(reports.filter(status=status).values_list("pk", flat=True)[: COUNT_CAP + 1])
        for status in _statuses_to_count(query)
    }
    # Only outer joins: an inner join to lines or categories lets SQLite drive the
    # query from that small table and sort every matching report instead of
    # walking the (line, status, received_at) index. Lines and categories are
    # few; they are attached from memory below.
    reports = reports.select_related("case__assignee").defer("sealed_content", "receipt_lookup")
    # News comes before the tab: an answer must not hide under a tab nobody opens.
    news = list(
        reports.filter(needs_attention=True)
        .exclude(status=ReportStatus.NEW)
        .order_by(*SORTS["oldest"])[:NEWS_LIMIT]
    )
    if query.status and not query.search.strip():
        reports = reports.filter(status=query.status)
    offset = (page - 1) * PAGE_SIZE
    rows = list(
        reports.order_by(*SORTS.get(query.sort, SORTS["oldest"]))[offset : offset + PAGE_SIZE + 1]
    )
    attach_lines_and_categories(news + rows)
    in_news = {report.pk for report in news}
    return QueuePage(
        rows=[report for report in rows[:PAGE_SIZE] if report.pk not in in_news],
        news=news,
        status_counts=counts,
        number=page,
        has_next=len(rows) > PAGE_SIZE,
    )


def _statuses_to_count(query: QueueQuery) -> list[str]:
    """Every tab of the plain queue; with filters only the open tab.

    Counting a filtered tab means reading each of its rows, because the filters
    are not indexed; doing that for six tabs would read the whole line.
    """
    if query.search.strip():
        return []
    if query.has_row_filters:
        return [query.status] if query.status else []
    return list(ReportStatus.values)


def attach_lines_and_categories(reports: list[Report]) -> None:
    """Two queries for all rows, whatever their number."""
    if not reports:
        return
    lines = Line.objects.in_bulk({report.line_id for report in reports})
    categories = Category.objects.in_bulk({report.category_id for report in reports})
    for report in reports:
        report.line = lines[report.line_id]
        report.category = categories[report.category_id]


def _filtered(user: StaffUser, query: QueueQuery, now: datetime) -> QuerySet[Report]:
    line_ids = member_line_ids(user)
    if query.line_id is not None:
        line_ids = [pk for pk in line_ids if pk == query.line_id]
    reports = Report.objects.filter(line_id__in=line_ids, destroyed_at__isnull=True)
    if query.category_id is not None:
        reports = reports.filter(category_id=query.category_id)
    if query.municipality_code:
        reports = reports.filter(municipality_code__iexact=query.municipality_code)
    if query.assignee == ASSIGNEE_ME:
        reports = reports.filter(case__assignee=user)
    elif query.assignee == ASSIGNEE_NOBODY:
        reports = reports.filter(case__assignee__isnull=True)
    elif query.assignee:
        reports = reports.filter(case__assignee_id=int(query.assignee))
    if query.age:
        newer_than, older_than = AGES[query.age]
        if newer_than is not None:
            reports = reports.filter(received_at__gte=now - timedelta(days=newer_than))
        if older_than is not None:
            reports = reports.filter(received_at__lt=now - timedelta(days=older_than))
    if query.is_overdue:
        reports = reports.filter(_overdue_q(list(Line.objects.filter(pk__in=line_ids)), now))
    if query.needs_attention:
        reports = reports.filter(needs_attention=True)
    if query.is_unanswered:
        reports = reports.filter(
            status=ReportStatus.WAITING_FOR_REPORTER,
            last_activity_at__lt=now - timedelta(days=REMINDER_AFTER_DAYS),
        )
    if query.search.strip():
        reports = reports.filter(_search_q(query.search))
    return reports


def case_of(report: Report) -> Case | None:
    """The case loaded with the report, or None while nobody has acted on it."""
    try:
        return report.case
    except Case.DoesNotExist:
        return None


def line_colleagues(line: Line) -> QuerySet[StaffUser]:
    """Who a case can be handed to: active analysts and supervisors of the line."""
    return StaffUser.objects.filter(
        line_memberships__line=line, is_active=True, role__in=["analyst", "supervisor"]
    ).order_by("username")


def line_schemes(line: Line) -> list[ClassificationScheme]:
    return list(line.classification_schemes.prefetch_related("options"))


def case_option_ids(case: Case | None) -> set[int]:
    if case is None:
        return set()
    return set(case.classifications.values_list("option_id", flat=True))


def case_thread(report: Report) -> QuerySet[Message]:
    """The dialogue with the reporter, with authors loaded in the same query."""
    return report.messages.select_related("staff_author").prefetch_related("attachments__file")


def case_notes(case: Case | None, key_bytes: bytes) -> list[tuple[CaseNote, str]]:
    if case is None:
        return []
    return [
        (note, crypto.decrypt(key_bytes, bytes(note.sealed_body), context=NOTE_CONTEXT).decode())
        for note in case.notes.select_related("author")
    ]


def case_close_reason(case: Case | None, key_bytes: bytes) -> str:
    if case is None or not case.sealed_close_reason:
        return ""
    return crypto.decrypt(
        key_bytes, bytes(case.sealed_close_reason), context=CLOSE_REASON_CONTEXT
    ).decode()


ACTION_LABELS = {
    "report.received": _("Report received"),
    "report.open": _("Opened"),
    "report.open_denied": _("Tried to open without the key"),
    "report.question": _("Question sent to the reporter"),
    "case.claim": _("Claimed"),
    "case.release": _("Released to the queue"),
    "case.hand_over": _("Handed over"),
    "case.triage": _("Triaged"),
    "case.approve": _("Review: agreed, ready to forward"),
    "case.classify": _("Classified"),
    "case.category": _("Category corrected"),
    "case.template_used": _("Question template used"),
    "case.link": _("Linked to an earlier report"),
    "case.unlink": _("Link removed"),
    "case.note": _("Internal note added"),
    "case.close": _("Closed"),
    "case.forward": _("Forwarded to a partner"),
    "report.locate": _("Municipality chosen"),
    "forward.feedback": _("Feedback from a partner"),
    "forward.question": _("Follow-up question from a partner"),
    "forward.question_relay": _("Partner's question passed on to the reporter"),
    "forward.answer": _("Reporter's answer sent to the partner, redacted"),
    "case.known_files_show": _("Files matching known material shown"),
    "hotline.open": _("Web addresses viewed"),
    "hotline.open_denied": _("Tried to view the web addresses without the key"),
    "hotline.assess": _("Web address assessed"),
    "hotline.recheck": _("Web address check requested"),
    "hotline.actions_confirm": _("Actions on a web address confirmed"),
    "hotline.action_sent": _("Action on a web address sent"),
    "hotline.action_refused": _("Action on a web address refused by the mail server"),
    "hotline.classify": _("Material at a web address classified"),
    "hotline.export": _("Web address exported for a partner hotline"),
    "network.partner_report_import": _("Web address received from a partner hotline"),
}
# An event this list does not know yet is named in words all the same, never by its code.
OTHER_ACTION = _("Other change (see the audit log)")
REPORTER_ANSWER = pgettext_lazy("timeline", "The reporter wrote")
# Views are audited one by one, but one line per person and day is enough to read.
FOLDED_ACTIONS = frozenset({"report.open"})
REPORTER_MESSAGE = "reporter.message"  # not an audit action: reporters are not logged


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime
    action: str
    label: str
    actor: str
    details: dict
    is_reporter: bool = False
    count: int = 1  # folded views: how many times this person opened the case that day
    # The details in words of the page language (cases.timeline); the raw details stay
    # for code that needs them, the page shows only this.
    description: str = ""


def case_timeline(report: Report) -> list[TimelineEntry]:
    """The audit events of the report, with the reporter's messages in their place.

    Reporter messages carry only hour-rounded times (anonymity), so each is shown
    right after the staff question it answers (the latest one before it), or
    after the report's arrival when no question preceded it.
    """
    events = list(
        AuditEvent.objects.filter(
            target_type=Report._meta.label_lower, target_id=str(report.pk)
        ).order_by("sequence")
    )
    question_pks = sorted(
        event.details["message"]
        for event in events
        if event.action == "report.question" and "message" in event.details
    )
    answers_after: dict[int | None, list[datetime]] = {}
    for message_pk, created_at in (
        Message.objects.filter(report=report, author=Author.REPORTER)
        .order_by("pk")
        .values_list("pk", "created_at")
    ):
        anchor = max((pk for pk in question_pks if pk < message_pk), default=None)
        answers_after.setdefault(anchor, []).append(created_at)
    entries: list[TimelineEntry] = []
    views: dict[tuple[str, date], int] = {}  # (person, day) -> index of its one "Opened" line
    for index, event in enumerate(events):
        if event.action in FOLDED_ACTIONS:
            day = (event.actor_name, timezone.localtime(event.created_at).date())
            if day in views:
                folded = entries[views[day]]
                entries[views[day]] = replace(folded, count=folded.count + 1)
                continue
            views[day] = len(entries)
        entries.append(
            TimelineEntry(
                at=event.created_at,
                action=event.action,
                label=str(ACTION_LABELS.get(event.action, OTHER_ACTION)),
                actor=event.actor_name,
                details={k: v for k, v in event.details.items() if k != "message"},
                description=timeline_describe(event.action, event.details, report),
            )
        )
        anchor = event.details.get("message") if event.action == "report.question" else None
        if anchor is not None or index == 0:
            entries.extend(_answer_entry(at) for at in answers_after.pop(anchor, []))
    for remaining in answers_after.values():
        entries.extend(_answer_entry(at) for at in remaining)
    return entries


def _answer_entry(created_at: datetime) -> TimelineEntry:
    return TimelineEntry(
        at=created_at,
        action=REPORTER_MESSAGE,
        label=str(REPORTER_ANSWER),
        actor="",
        details={},
        is_reporter=True,
    )


MAX_FAMILY = 200


def report_family(user: StaffUser, report: Report) -> list[Report]:
    """The earliest report of a chain of follow-ups and everything linked to it.

    Bounded, so a long chain cannot make the page hang; only reports of the
    user's lines appear.
    """
    line_ids = member_line_ids(user)
    visible = Report.objects.filter(line_id__in=line_ids, destroyed_at__isnull=True).select_related(
        "line", "category"
    )
    root, seen = report, {report.pk}
    while root.follows_id is not None and len(seen) < MAX_FAMILY:
        parent = visible.filter(pk=root.follows_id).first()
        if parent is None or parent.pk in seen:
            break
        root = parent
        seen.add(root.pk)
    family, frontier, found = [root], [root.pk], {root.pk}
    while frontier and len(family) < MAX_FAMILY:
        children = list(
            visible.filter(follows_id__in=frontier).exclude(pk__in=found)[
                : MAX_FAMILY - len(family)
            ]
        )
        found.update(child.pk for child in children)
        family.extend(children)
        frontier = [child.pk for child in children]
    return sorted(family, key=lambda member: (member.received_at, member.pk))


def notifications_failing() -> list[StaffNotification]:
    return list(
        StaffNotification.objects.filter(sent_at__isnull=True, attempts__gt=0)
        .select_related("user", "line")
        .order_by("next_attempt_at")[:500]
    )


def notifications_pending_count() -> int:
    return StaffNotification.objects.filter(sent_at__isnull=True).count()
