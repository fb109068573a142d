"""Reads of the back office: the queue, deadlines, the timeline, notes and linked reports.

Queue queries touch plaintext metadata only (line, category, status, times,
municipality code, reference); report content is never searched here.
"""

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from meldpunt.intake.models import Author, Message, Report, ReportStatus
from meldpunt.lines.models import Line
from meldpunt.vault import crypto
from meldpunt.vault.models import AuditEvent, StaffUser

from .access import member_line_ids
from .models import Case, CaseNote, ClassificationScheme
from .services import CLOSE_REASON_CONTEXT, NOTE_CONTEXT

OPEN_STATUSES = [
    ReportStatus.NEW,
    ReportStatus.IN_PROGRESS,
    ReportStatus.WAITING_FOR_REPORTER,
    ReportStatus.READY_TO_FORWARD,
]
FEEDBACK_GIVEN_STATUSES = {ReportStatus.FORWARDED, ReportStatus.CLOSED}
# Days since receipt: (newer than, older than); None leaves that side open.
AGES = {
    "lt1": (1, None),
    "lt7": (7, None),
    "gt7": (None, 7),
    "gt30": (None, 30),
    "gt90": (None, 90),
}
SORTS = {
    "attention": ["-needs_attention", "received_at", "pk"],
    "oldest": ["received_at", "pk"],
    "newest": ["-received_at", "-pk"],
    "activity": ["-last_activity_at", "-pk"],
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
    search: str = ""
    sort: str = "attention"


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


@dataclass
class Queue:
    reports: QuerySet[Report]
    status_counts: dict[str, int] = field(default_factory=dict)


def queue_for(user: StaffUser, query: QueueQuery, *, now: datetime | None = None) -> Queue:
    """The user's queue: rows for the chosen tab, and the size of every tab.

    Two queries whatever the number of rows (plus one for the line deadlines when
    filtering on overdue): membership is read once instead of joined per row.
    """
    now = now or timezone.now()
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
    if query.search.strip():
        reports = reports.filter(_search_q(query.search))
    counts = {
        row["status"]: row["total"]
        for row in reports.order_by().values("status").annotate(total=Count("pk"))
    }
    if query.status:
        reports = reports.filter(status=query.status)
    rows = reports.select_related("line", "category", "case__assignee").order_by(
        *SORTS.get(query.sort, SORTS["attention"])
    )
    return Queue(reports=rows, status_counts=counts)


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
    "case.classify": _("Classified"),
    "case.category": _("Category corrected"),
    "case.template_used": _("Question template used"),
    "case.link": _("Linked to an earlier report"),
    "case.unlink": _("Link removed"),
    "case.note": _("Internal note added"),
    "case.close": _("Closed"),
}
REPORTER_ANSWER = pgettext_lazy("timeline", "The reporter wrote")


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime
    label: str
    actor: str
    details: dict
    is_reporter: bool = False


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
    for index, event in enumerate(events):
        entries.append(
            TimelineEntry(
                at=event.created_at,
                label=str(ACTION_LABELS.get(event.action, event.action)),
                actor=event.actor_name,
                details={k: v for k, v in event.details.items() if k != "message"},
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
        at=created_at, label=str(REPORTER_ANSWER), actor="", details={}, is_reporter=True
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
