"""Every change staff make to a case.

Each function checks permission, refuses work on closed or destroyed reports,
applies the change with a compare-and-swap on ``Case.version`` and records an
audit event, all in one transaction. Two analysts acting on the same version:
the first wins, the second gets ``CaseError(CONFLICT)`` and nothing of theirs
is written.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from django.core.mail import send_mail
from django.db import transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from nacl.public import PrivateKey

from meldpunt.intake import services as intake_services
from meldpunt.intake.models import Author, Message, Report, ReportStatus, hour_now
from meldpunt.lines.models import Category, Line
from meldpunt.vault import crypto
from meldpunt.vault.audit import audit_record
from meldpunt.vault.keys import data_key_grant
from meldpunt.vault.models import KeyGrant, StaffUser

from .access import (
    WORKING_ROLES,
    awaits_review,
    can_change,
    can_view,
    can_work,
    line_requires_review,
    may_review,
    member_line_ids,
)
from .models import (
    Case,
    CaseClassification,
    CaseNote,
    ClassificationOption,
    ClassificationScheme,
    CloseOutcome,
    LinkKind,
    NotificationSetting,
    NotificationWatermark,
    QuestionTemplate,
    StaffNotification,
    TriageOutcome,
)
from .presets import PRESETS

NOTE_CONTEXT = b"case-note"
CLOSE_REASON_CONTEXT = b"case-close-reason"
MAX_TEXT_CHARS = 20000
# Where a triage outcome moves the report; any other outcome puts it (back) in progress.
TRIAGE_STATUS = {
    TriageOutcome.USABLE: ReportStatus.READY_TO_FORWARD,
    TriageOutcome.NEEDS_INFORMATION: ReportStatus.IN_PROGRESS,
}


class CaseErrorCode(StrEnum):
    CONFLICT = "conflict"
    CLOSED = "closed"
    DESTROYED = "destroyed"
    NOT_ALLOWED = "not_allowed"
    INVALID = "invalid"


class CaseError(Exception):
    """A refused change; the message is for the person who tried it."""

    def __init__(self, code: CaseErrorCode, message: str) -> None:
        super().__init__(message)
        self.code, self.message = code, message


def case_get(report: Report) -> Case:
    """The case of a report, made on first use (the intake does not create one)."""
    case, _created = Case.objects.get_or_create(report=report)
    return case


def _refuse_if_gone(report: Report) -> Report:
    """Re-read the report's state: the caller's copy may be older than a close or purge."""
    current = Report.objects.select_related("line").get(pk=report.pk)
    if current.destroyed_at is not None:
        raise CaseError(
            CaseErrorCode.DESTROYED, _("The content of this report has been destroyed.")
        )
    return current


def _not_allowed() -> CaseError:
    return CaseError(CaseErrorCode.NOT_ALLOWED, _("You may not do this on this case."))


def _conflict() -> CaseError:
    return CaseError(
        CaseErrorCode.CONFLICT,
        _(
            "Someone else changed this case while you were looking at it. Nothing of your "
            "change was saved; check the case as it is now and try again."
        ),
    )


def _begin(
    *, report: Report, actor: StaffUser, version: int | None, holder_only: bool = True
) -> tuple[Report, Case]:
    """Shared checks of every change to a case, in the order that explains most.

    ``version`` None is for additions (questions) that overwrite nothing.
    """
    current = _refuse_if_gone(report)
    if not can_work(actor, current):
        raise _not_allowed()
    case = case_get(current)
    if version is not None and case.version != version:
        raise _conflict()
    if current.status == ReportStatus.CLOSED:
        raise CaseError(CaseErrorCode.CLOSED, _("This case is closed; it cannot be changed."))
    if holder_only and not can_change(actor, current, case.assignee_id):
        raise CaseError(
            CaseErrorCode.NOT_ALLOWED,
            _("Only the analyst who holds this case, or a supervisor, may change it."),
        )
    return current, case


def _swap(
    case: Case,
    version: int | None,
    *,
    report: Report,
    actor: StaffUser,
    claim: bool = True,
    report_changes: dict | None = None,
    **changes,
) -> Case:
    """Compare-and-swap: write only if nobody changed the case since ``version``.

    Acting on a case nobody holds makes it yours (``claim``), and any action on
    a new report moves it to in progress, which the reporter sees as acknowledgement.
    """
    if claim and case.assignee_id is None:
        changes.setdefault("assignee", actor)
    cases = Case.objects.filter(pk=case.pk)
    if version is not None:
        cases = cases.filter(version=version)
    if not cases.update(version=F("version") + 1, **changes):
        raise _conflict()
    case.refresh_from_db()
    report_changes = dict(report_changes or {})
    if report.status == ReportStatus.NEW:
        report_changes.setdefault("status", ReportStatus.IN_PROGRESS)
    Report.objects.filter(pk=report.pk).update(last_activity_at=hour_now(), **report_changes)
    report.refresh_from_db()
    return case


def _validated_text(text: str, field_name: str) -> str:
    text = text.strip()
    if not text:
        raise CaseError(CaseErrorCode.INVALID, _("%(field)s is empty.") % {"field": field_name})
    if len(text) > MAX_TEXT_CHARS:
        raise CaseError(
            CaseErrorCode.INVALID,
            _("%(field)s is longer than %(max)d characters.")
            % {"field": field_name, "max": MAX_TEXT_CHARS},
        )
    return text


@transaction.atomic
def case_claim(*, report: Report, actor: StaffUser, version: int) -> Case:
    """Take an unheld case; a new report is now in progress (and so acknowledged)."""
    report, case = _begin(report=report, actor=actor, version=version, holder_only=False)
    if case.assignee_id is not None:
        raise CaseError(
            CaseErrorCode.CONFLICT,
            _("This case is already held by %(name)s.") % {"name": case.assignee},
        )
    case = _swap(case, version, report=report, actor=actor)
    audit_record(actor=actor, action="case.claim", target=report)
    return case


@transaction.atomic
def case_release(*, report: Report, actor: StaffUser, version: int) -> Case:
    """Give a case back to the queue."""
    report, case = _begin(report=report, actor=actor, version=version)
    previous = case.assignee
    if previous is None:
        raise CaseError(CaseErrorCode.INVALID, _("Nobody holds this case."))
    case = _swap(case, version, report=report, actor=actor, claim=False, assignee=None)
    audit_record(
        actor=actor,
        action="case.release",
        target=report,
        details={"from": previous.get_username()},
    )
    return case


@transaction.atomic
def case_hand_over(
    *, report: Report, actor: StaffUser, version: int, to: StaffUser, key_bytes: bytes
) -> Case:
    """Pass a case to a colleague of the line, sharing the report's key with them if needed."""
    report, case = _begin(report=report, actor=actor, version=version)
    if not (to.is_active and to.role in WORKING_ROLES and can_view(to, report)):
        raise CaseError(
            CaseErrorCode.INVALID,
            _("%(name)s does not work on this line and cannot take this case.") % {"name": to},
        )
    if to.pk == case.assignee_id:
        raise CaseError(
            CaseErrorCode.INVALID, _("%(name)s holds this case already.") % {"name": to}
        )
    case = _swap(case, version, report=report, actor=actor, claim=False, assignee=to)
    granted = data_key_grant(data_key=report.data_key, key_bytes=key_bytes, users=[to])
    audit_record(
        actor=actor,
        action="case.hand_over",
        target=report,
        details={"to": to.get_username(), "key_granted": bool(granted)},
    )
    return case


@transaction.atomic
def case_triage(*, report: Report, actor: StaffUser, version: int, outcome: TriageOutcome) -> Case:
    """Record the analyst's verdict; a usable report becomes ready to forward."""
    outcome = TriageOutcome(outcome)
    report, case = _begin(report=report, actor=actor, version=version)
    awaits_review = outcome == TriageOutcome.USABLE and line_requires_review(report.line_id)
    status = TRIAGE_STATUS.get(outcome, ReportStatus.IN_PROGRESS)
    case = _swap(
        case,
        version,
        report=report,
        actor=actor,
        report_changes={"status": ReportStatus.IN_PROGRESS if awaits_review else status},
        triage_outcome=outcome,
        triaged_by=actor,
        approved_by=None,  # a new verdict needs a new review
    )
    audit_record(
        actor=actor,
        action="case.triage",
        target=report,
        details={"outcome": outcome, "awaits_review": awaits_review},
    )
    return case


@transaction.atomic
def case_approve(*, report: Report, actor: StaffUser, version: int) -> Case:
    """Four-eyes review: a second analyst agrees the report is usable and ready to forward."""
    report, case = _begin(report=report, actor=actor, version=version, holder_only=False)
    if not awaits_review(case, report.line_id):
        raise CaseError(CaseErrorCode.INVALID, _("Nothing on this case waits for review."))
    if not may_review(actor, report, case):
        raise CaseError(
            CaseErrorCode.NOT_ALLOWED,
            _("The review must come from a second person, not from who assessed or holds it."),
        )
    case = _swap(
        case,
        version,
        report=report,
        actor=actor,
        claim=False,
        report_changes={"status": ReportStatus.READY_TO_FORWARD},
        approved_by=actor,
    )
    audit_record(actor=actor, action="case.approve", target=report)
    return case


@transaction.atomic
def case_classify(
    *, report: Report, actor: StaffUser, version: int, options: Iterable[ClassificationOption]
) -> Case:
    """Replace the case's classification with the chosen options of the line's schemes."""
    chosen = list(options)
    per_scheme: dict[int, int] = {}
    for option in chosen:
        scheme = option.scheme
        if scheme.line_id != report.line_id:
            raise CaseError(
                CaseErrorCode.INVALID, _("This classification does not belong to this line.")
            )
        per_scheme[scheme.pk] = per_scheme.get(scheme.pk, 0) + 1
        if per_scheme[scheme.pk] > 1 and not scheme.allows_multiple:
            raise CaseError(
                CaseErrorCode.INVALID,
                _("Choose one option for “%(scheme)s”.") % {"scheme": scheme.title},
            )
    report, case = _begin(report=report, actor=actor, version=version)
    case = _swap(case, version, report=report, actor=actor)
    case.classifications.all().delete()
    CaseClassification.objects.bulk_create(
        CaseClassification(case=case, option=option) for option in chosen
    )
    audit_record(
        actor=actor,
        action="case.classify",
        target=report,
        details={"options": sorted(f"{o.scheme.slug}:{o.slug}" for o in chosen)},
    )
    return case


@transaction.atomic
def case_category_correct(
    *, report: Report, actor: StaffUser, version: int, category: Category
) -> Case:
    """Move a report the reporter filed under the wrong category (within its line)."""
    if category.line_id != report.line_id:
        raise CaseError(CaseErrorCode.INVALID, _("Choose a category of this report's line."))
    report, case = _begin(report=report, actor=actor, version=version)
    if category.pk == report.category_id:
        raise CaseError(CaseErrorCode.INVALID, _("The report is in this category already."))
    previous = report.category
    case = _swap(case, version, report=report, actor=actor, report_changes={"category": category})
    audit_record(
        actor=actor,
        action="case.category",
        target=report,
        details={"from": previous.slug, "to": category.slug},
    )
    return case


@transaction.atomic
def case_question_ask(
    *,
    report: Report,
    actor: StaffUser,
    key_bytes: bytes,
    body: str,
    template: QuestionTemplate | None = None,
) -> Message:
    """Ask the reporter a (control) question through their mailbox.

    A question adds to the dialogue and overwrites nothing, so it needs no
    version; it still raises the version, because the status changes.
    """
    body = _validated_text(body, _("The question"))
    if template is not None and template.line_id != report.line_id:
        raise CaseError(CaseErrorCode.INVALID, _("This template belongs to another line."))
    report, case = _begin(report=report, actor=actor, version=None)
    _swap(case, None, report=report, actor=actor)
    if template is not None:
        audit_record(
            actor=actor,
            action="case.template_used",
            target=report,
            details={"template": template.pk, "control_question": template.is_control_question},
        )
    # The intake records the question itself, after which the timeline shows the answer.
    return intake_services.staff_message_post(
        report=report, actor=actor, key_bytes=key_bytes, body=body
    )


@transaction.atomic
def case_link(
    *, report: Report, actor: StaffUser, version: int, earlier: Report, kind: LinkKind
) -> Case:
    """Mark a report as a follow-up or duplicate of an earlier one of the same line."""
    kind = LinkKind(kind)
    if earlier.line_id != report.line_id or earlier.destroyed_at is not None:
        raise CaseError(CaseErrorCode.INVALID, _("Link only to a report of the same line."))
    report, case = _begin(report=report, actor=actor, version=version)
    ancestor, steps = earlier, 0
    while ancestor is not None and steps < 1000:
        if ancestor.pk == report.pk:
            raise CaseError(
                CaseErrorCode.INVALID, _("A report cannot follow itself or one of its follow-ups.")
            )
        ancestor, steps = ancestor.follows, steps + 1
    changes = {"link_kind": kind}
    if kind == LinkKind.DUPLICATE and not case.triage_outcome:
        changes["triage_outcome"] = TriageOutcome.DUPLICATE
    case = _swap(
        case, version, report=report, actor=actor, report_changes={"follows": earlier}, **changes
    )
    audit_record(
        actor=actor,
        action="case.link",
        target=report,
        details={"earlier": earlier.reference, "kind": kind},
    )
    return case


@transaction.atomic
def case_unlink(*, report: Report, actor: StaffUser, version: int) -> Case:
    report, case = _begin(report=report, actor=actor, version=version)
    if report.follows_id is None:
        raise CaseError(CaseErrorCode.INVALID, _("This report is not linked."))
    earlier = report.follows
    case = _swap(
        case, version, report=report, actor=actor, report_changes={"follows": None}, link_kind=""
    )
    audit_record(
        actor=actor, action="case.unlink", target=report, details={"earlier": earlier.reference}
    )
    return case


@transaction.atomic
def case_note_add(*, report: Report, actor: StaffUser, key_bytes: bytes, body: str) -> CaseNote:
    """Add an internal note. Colleagues may add notes to a case they do not hold;
    notes only add, so they need no version and claim nothing."""
    body = _validated_text(body, _("The note"))
    report, case = _begin(report=report, actor=actor, version=None, holder_only=False)
    note = CaseNote.objects.create(
        case=case,
        author=actor,
        sealed_body=crypto.encrypt(key_bytes, body.encode(), context=NOTE_CONTEXT),
    )
    audit_record(actor=actor, action="case.note", target=report, details={"note": note.pk})
    return note


@transaction.atomic
def case_close(
    *,
    report: Report,
    actor: StaffUser,
    version: int,
    key_bytes: bytes,
    outcome: CloseOutcome,
    reason: str,
) -> Case:
    """Close with an outcome and a reason; the retention clock starts at ``closed_at``."""
    outcome = CloseOutcome(outcome)
    reason = _validated_text(reason, _("The reason"))
    report, case = _begin(report=report, actor=actor, version=version)
    case = _swap(
        case,
        version,
        report=report,
        actor=actor,
        report_changes={
            "status": ReportStatus.CLOSED,
            "closed_at": timezone.now(),
            "needs_attention": False,
        },
        close_outcome=outcome,
        sealed_close_reason=crypto.encrypt(
            key_bytes, reason.encode(), context=CLOSE_REASON_CONTEXT
        ),
    )
    audit_record(actor=actor, action="case.close", target=report, details={"outcome": outcome})
    return case


# --- Forwarding (called by the network app, which makes the forward itself) ---------------


@transaction.atomic
def case_mark_forwarded(*, report: Report, actor: StaffUser, version: int, details: dict) -> Case:
    """Record on the case that a redacted version was forwarded; the case stays open.

    Only a report assessed usable, and agreed by a second person where the line
    demands it, may leave. The case stays open for feedback and follow-up
    questions; closing it (outcome "forwarded") is a separate step. ``details``
    (partner, forward, whether a supervisor overrode the redaction gate and
    why) go into the audit event; report content never does.
    """
    report, case = _begin(report=report, actor=actor, version=version)
    if case.triage_outcome != TriageOutcome.USABLE:
        raise CaseError(
            CaseErrorCode.INVALID, _("Only a report assessed as usable can be forwarded.")
        )
    if awaits_review(case, report.line_id):
        raise CaseError(
            CaseErrorCode.NOT_ALLOWED,
            _("A second person must agree before this report can be forwarded."),
        )
    case = _swap(
        case,
        version,
        report=report,
        actor=actor,
        report_changes={"status": ReportStatus.FORWARDED},
    )
    audit_record(actor=actor, action="case.forward", target=report, details=details)
    return case


@transaction.atomic
def case_open(*, report: Report, actor: StaffUser, key_opened: bool = True) -> None:
    """Record that someone read the case (or tried to without holding its key).

    The news of a reporter's answer counts as seen when the holder reads it, or
    anyone if nobody holds the case; a supervisor glancing at it does not hide
    it from the analyst.
    """
    if not can_view(actor, report):
        raise _not_allowed()
    if not key_opened:
        audit_record(actor=actor, action="report.open_denied", target=report)
        return
    audit_record(actor=actor, action="report.open", target=report)
    case = Case.objects.filter(report=report).only("assignee_id").first()
    holder_id = case.assignee_id if case else None
    if report.needs_attention and holder_id in (None, actor.pk):
        Report.objects.filter(pk=report.pk).update(needs_attention=False)
        report.needs_attention = False


@transaction.atomic
def classification_preset_install(*, line: Line, preset: str, actor: StaffUser | None) -> int:
    """Add a ready-made set of schemes to a line; returns how many options were added.

    Safe to run twice: schemes and options are matched by slug and existing ones
    (and any edits made to them) are left as they are.
    """
    if preset not in PRESETS:
        raise CaseError(
            CaseErrorCode.INVALID, _("There is no preset “%(preset)s”.") % {"preset": preset}
        )
    added = 0
    for order, (slug, name, name_en, allows_multiple, options) in enumerate(PRESETS[preset]):
        scheme, _created = ClassificationScheme.objects.get_or_create(
            line=line,
            slug=slug,
            defaults={
                "name": name,
                "name_en": name_en,
                "allows_multiple": allows_multiple,
                "order": order,
            },
        )
        for option_order, (option_slug, label, label_en) in enumerate(options):
            _option, created = ClassificationOption.objects.get_or_create(
                scheme=scheme,
                slug=option_slug,
                defaults={"label": label, "label_en": label_en, "order": option_order},
            )
            added += created
    audit_record(
        actor=actor,
        action="cases.preset_installed",
        target=line,
        details={"preset": preset, "options_added": added},
    )
    return added


CONTENT_SEARCH_LIMIT = 500


@dataclass(frozen=True)
class ContentSearch:
    matches: list[Report]
    searched: int
    # Per matching report, where the text was found ("Answer to “What happened?”", ...).
    places: dict[int, list[str]]


@transaction.atomic
def case_content_search(
    *, user: StaffUser, private_key: PrivateKey, text: str, line_id: int | None = None
) -> ContentSearch:
    """Search the text of the most recent reports by decrypting them in this request.

    There is no plaintext index: the reports are opened with the user's own key,
    searched in memory and forgotten. Only reports the user holds a key for are
    searched, at most CONTENT_SEARCH_LIMIT of them. The audit log records that a
    search was made and how many reports it opened, not what was searched for.
    """
    needle = text.strip().casefold()
    if not needle:
        raise CaseError(CaseErrorCode.INVALID, _("Type something to search for."))
    line_ids = [pk for pk in member_line_ids(user) if line_id is None or pk == line_id]
    candidates = list(
        Report.objects.filter(line_id__in=line_ids, destroyed_at__isnull=True).order_by(
            "-received_at", "-pk"
        )[:CONTENT_SEARCH_LIMIT]
    )
    sealed_keys = dict(
        KeyGrant.objects.filter(
            user=user, data_key_id__in=[report.data_key_id for report in candidates]
        ).values_list("data_key_id", "sealed_key")
    )
    messages: dict[int, list[Message]] = {}
    for message in (
        Message.objects.filter(report_id__in=[report.pk for report in candidates])
        .only("report_id", "sealed_body", "author")
        .order_by("pk")
    ):
        messages.setdefault(message.report_id, []).append(message)
    matches, searched, places = [], 0, {}
    for report in candidates:
        sealed = sealed_keys.get(report.data_key_id)
        if sealed is None:
            continue
        key = crypto.unseal(private_key, bytes(sealed))
        found = _search_places(
            needle,
            intake_services.report_content(report=report, key_bytes=key),
            [
                (message.author, intake_services.message_body(message=message, key_bytes=key))
                for message in messages.get(report.pk, [])
            ],
        )
        searched += 1
        if found:
            matches.append(report)
            places[report.pk] = found
    audit_record(
        actor=user,
        action="cases.content_search",
        details={"searched": searched, "matches": len(matches)},
    )
    return ContentSearch(matches=matches, searched=searched, places=places)


def _search_places(needle: str, content: dict, messages: list[tuple[str, str]]) -> list[str]:
    """Where in one report the text occurs, each place said once, in reading order."""
    questions = content.get("questions", {})
    found = [
        _("Answer to “%(question)s”") % {"question": questions.get(slug, slug)}
        for slug, answer in content.get("answers", {}).items()
        if needle in str(answer).casefold()
    ]
    for author, body in messages:
        if needle in body.casefold():
            place = (
                _("Message from the reporter")
                if author == Author.REPORTER
                else _("Message from the reporting point")
            )
            if place not in found:
                found.append(place)
    return found


# Staff notifications -------------------------------------------------------------

# News waits this long before it is mailed, so a burst becomes one mail.
NOTIFICATION_BATCH = timedelta(minutes=5)
# Pause after the n-th failed send: 2, 4, 8 … minutes, at most six hours.
NOTIFICATION_MAX_PAUSE = timedelta(hours=6)


@transaction.atomic
def notification_setting_update(*, user: StaffUser, by_email: bool) -> NotificationSetting:
    setting, _created = NotificationSetting.objects.update_or_create(
        user=user, defaults={"by_email": by_email}
    )
    audit_record(
        actor=user, action="notifications.setting", target=user, details={"by_email": by_email}
    )
    return setting


@transaction.atomic
def notifications_collect(*, now: datetime | None = None) -> int:
    """Turn new reports and reporter messages into pending notifications; returns how many
    were created (news for someone who already has an unsent one joins it).

    Safe on many workers at once: the watermark row is locked while it moves.
    """
    now = now or timezone.now()
    _mark, is_first_run = NotificationWatermark.objects.get_or_create(pk=1)
    mark = NotificationWatermark.objects.select_for_update().get(pk=1)
    if is_first_run:
        # Start from now: earlier news was seen in the queue, not worth a mail to all.
        mark.last_report_id = (
            Report.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        )
        mark.last_message_id = (
            Message.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        )
        mark.save()
        return 0
    new_reports = Report.objects.filter(pk__gt=mark.last_report_id)
    new_messages = Message.objects.filter(pk__gt=mark.last_message_id)
    line_ids = set(new_reports.values_list("line_id", flat=True)) | set(
        new_messages.filter(author=Author.REPORTER).values_list("report__line_id", flat=True)
    )
    mark.last_report_id = max(new_reports.values_list("pk", flat=True), default=mark.last_report_id)
    mark.last_message_id = max(
        new_messages.values_list("pk", flat=True), default=mark.last_message_id
    )
    mark.save()
    recipients = (
        StaffUser.objects.filter(
            line_memberships__line_id__in=line_ids,
            is_active=True,
            role__in=WORKING_ROLES,
        )
        .exclude(email="")
        .exclude(notification_setting__by_email=False)
        .values_list("pk", "line_memberships__line_id")
    )
    created = 0
    for user_id, line_id in recipients:
        if line_id not in line_ids:
            continue
        _notification, is_new = StaffNotification.objects.get_or_create(
            user_id=user_id,
            line_id=line_id,
            sent_at=None,
            defaults={"created_at": now, "next_attempt_at": now + NOTIFICATION_BATCH},
        )
        created += is_new
    return created


def notifications_deliver(*, now: datetime | None = None) -> tuple[int, int]:
    """Send the notifications that are due; returns (sent, failed).

    Each is sent in its own transaction with its row locked (skipped if another
    worker holds it), so a crash or a second worker never sends one twice. The
    mail names the line only: nothing about any report.
    """
    now = now or timezone.now()
    sent = failed = 0
    due = StaffNotification.objects.filter(sent_at__isnull=True, next_attempt_at__lte=now)
    for pk in list(due.values_list("pk", flat=True)):
        with transaction.atomic():
            notification = (
                StaffNotification.objects.select_for_update(skip_locked=True)
                .select_related("user", "line")
                .filter(pk=pk, sent_at__isnull=True)
                .first()
            )
            if notification is None:
                continue
            try:
                with translation.override("nl"):
                    subject = _("Something new is waiting in %(line)s") % {
                        "line": notification.line.name
                    }
                    body = _("Log in to the reporting point to read it.")
                send_mail(subject, body, None, [notification.user.email])
            except Exception as error:  # noqa: BLE001 - any failure is retried and shown
                notification.attempts += 1
                notification.last_error = f"{type(error).__name__}: {error}"[:200]
                notification.next_attempt_at = now + min(
                    timedelta(minutes=2**notification.attempts), NOTIFICATION_MAX_PAUSE
                )
                notification.save(update_fields=["attempts", "last_error", "next_attempt_at"])
                failed += 1
            else:
                notification.sent_at = now
                notification.save(update_fields=["sent_at"])
                sent += 1
    return sent, failed
