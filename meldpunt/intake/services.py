"""Writes of the intake: submitting reports and the dialogue with reporters.

The web pages and the JSON API both call these functions, so the rules (which
categories are open, what is sealed for whom, what is atomic) live in one place.
"""

import json
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from typing import BinaryIO

from django.conf import settings
from django.db import transaction
from django.db.models import F, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from nacl.public import PrivateKey

from meldpunt.evidence.services import (
    EvidenceRejected,
    PreparedFile,
    evidence_prepare,
    evidence_store,
)
from meldpunt.lines.models import Category, Line
from meldpunt.vault import blobs, crypto
from meldpunt.vault.audit import audit_record
from meldpunt.vault.keys import data_key_create, data_key_open
from meldpunt.vault.models import Role, StaffUser
from meldpunt.vault.receipts import receipt_derive, receipt_generate

from .models import (
    Attachment,
    Author,
    MailboxFailureWindow,
    Message,
    Report,
    ReportStatus,
    hour_now,
)
from .signals import report_submitted

logger = logging.getLogger(__name__)


class IntakeError(Exception):
    """A submission that cannot be accepted; code for the API, message for people."""

    def __init__(self, code: str, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.code, self.message, self.field = code, message, field


@dataclass
class IncomingFile:
    source: BinaryIO
    name: str
    question_key: str = ""


@dataclass(frozen=True)
class Submission:
    report: Report
    receipt: str


def _prepare_files(
    files: list[IncomingFile], line: Line
) -> list[tuple[IncomingFile, PreparedFile]]:
    """Clean every file under the line's policy: size limit, accepted formats, uncleanable files."""
    prepared: list[tuple[IncomingFile, PreparedFile]] = []
    try:
        for incoming in files:
            try:
                prepared.append(
                    (
                        incoming,
                        evidence_prepare(
                            source=incoming.source,
                            name=incoming.name,
                            max_bytes=line.max_file_mb * 1024 * 1024,
                            allowed_formats=line.allowed_file_formats or None,
                            keep_uncleaned=line.keep_uncleaned_files,
                        ),
                    )
                )
            except EvidenceRejected as rejection:
                raise IntakeError(
                    rejection.code,
                    _("“%(name)s”: %(reason)s")
                    % {"name": incoming.name, "reason": rejection.message},
                    field=incoming.question_key or "files",
                ) from rejection
    except BaseException:
        for _incoming, ready in prepared:
            ready.discard()
        raise
    return prepared


def _store_files(
    *,
    report: Report,
    message: Message | None,
    prepared: list[tuple[IncomingFile, PreparedFile]],
    key_bytes: bytes,
    written: list[str],
) -> None:
    for incoming, ready in prepared:
        evidence = evidence_store(prepared=ready, data_key=report.data_key, key_bytes=key_bytes)
        written.append(evidence.blob_name)
        Attachment.objects.create(
            report=report, message=message, question_key=incoming.question_key, file=evidence
        )


@contextmanager
def _files_stored_atomically(
    prepared: list[tuple[IncomingFile, PreparedFile]],
) -> Iterator[list[str]]:
    """Wraps a transaction that stores files; yields the list of blob names it wrote.

    Temporary files always go. Blobs written before a rollback are unreadable
    (their rows, and for a new report its key, were never stored) but would
    still take space, so they are deleted too.
    """
    written: list[str] = []
    try:
        yield written
    except BaseException:
        for name in written:
            blobs.blob_delete(name=name)
        raise
    finally:
        for _incoming, ready in prepared:
            ready.discard()


def report_submit(
    *,
    category: Category,
    answers: dict[str, str],
    questions: dict[str, str],
    municipality_code: str = "",
    files: list[IncomingFile] = (),
) -> Submission:
    """Seal and store a new report with its files, all or nothing.

    ``questions`` maps answer keys to the question text as the reporter saw it,
    so the report keeps its meaning when the questionnaire changes later.
    """
    line = category.line
    if not category.is_open:
        raise IntakeError("category_closed", _("This category does not accept reports."))
    prepared = _prepare_files(list(files), line)
    receipt = receipt_generate()
    reporter = receipt_derive(receipt)  # slow: outside the transaction
    key_bytes = crypto.new_data_key()
    content = {"category": category.slug, "questions": questions, "answers": answers}
    recipients = StaffUser.objects.filter(line_memberships__line=line, is_active=True).exclude(
        role=Role.PARTNER
    )
    with _files_stored_atomically(prepared) as written, transaction.atomic():
        data_key = data_key_create(
            key_bytes=key_bytes,
            line=line,
            recipients=recipients,
            reporter_public_key=reporter.public_key,
        )
        report = Report.objects.create(
            line=line,
            category=category,
            municipality_code=municipality_code,
            receipt_lookup=reporter.lookup,
            data_key=data_key,
            sealed_content=crypto.encrypt(
                key_bytes, json.dumps(content).encode(), context=b"report-content"
            ),
        )
        _store_files(
            report=report, message=None, prepared=prepared, key_bytes=key_bytes, written=written
        )
        report_submitted.send(sender=Report, report=report, category=category, answers=answers)
        audit_record(actor=None, action="report.received", target=report)
    return Submission(report=report, receipt=receipt)


@dataclass(frozen=True)
class MailboxAccess:
    report: Report
    key_bytes: bytes


class MailboxThrottled(Exception):
    """Too many wrong receipts installation-wide; everyone waits a moment."""


def _failure_window() -> timezone.datetime:
    return timezone.now().replace(second=0, microsecond=0)


def mailbox_is_throttled() -> bool:
    since = _failure_window() - timedelta(minutes=1)
    failures = (
        MailboxFailureWindow.objects.filter(window_start__gte=since).aggregate(
            total=Sum("failures")
        )["total"]
        or 0
    )
    return failures >= settings.INTAKE_RECEIPT_FAILURES_PER_MINUTE


def mailbox_open(*, receipt: str) -> MailboxAccess | None:
    """Find and open the report of a receipt; None when the receipt is wrong.

    No per-client state is kept: failures are counted for the whole installation
    per minute. Every attempt costs one Argon2id derivation, right or wrong.
    """
    if mailbox_is_throttled():
        raise MailboxThrottled
    reporter = receipt_derive(receipt)
    report = Report.objects.filter(
        receipt_lookup=reporter.lookup, destroyed_at__isnull=True
    ).first()
    if report is None:
        window, _created = MailboxFailureWindow.objects.get_or_create(
            window_start=_failure_window()
        )
        MailboxFailureWindow.objects.filter(pk=window.pk).update(failures=F("failures") + 1)
        MailboxFailureWindow.objects.filter(
            window_start__lt=_failure_window() - timedelta(hours=1)
        ).delete()
        return None
    key_bytes = data_key_open(data_key=report.data_key, private_key=reporter.private_key)
    return MailboxAccess(report=report, key_bytes=key_bytes)


def report_content(*, report: Report, key_bytes: bytes) -> dict:
    return json.loads(
        crypto.decrypt(key_bytes, bytes(report.sealed_content), context=b"report-content")
    )


def message_body(*, message: Message, key_bytes: bytes) -> str:
    return crypto.decrypt(key_bytes, bytes(message.sealed_body), context=b"message").decode()


def _message_create(
    *, report: Report, key_bytes: bytes, author: str, body: str, staff: StaffUser | None = None
) -> Message:
    return Message.objects.create(
        report=report,
        author=author,
        staff_author=staff,
        sealed_body=crypto.encrypt(key_bytes, body.encode(), context=b"message"),
    )


def reporter_message_post(
    *, access: MailboxAccess, body: str, files: list[IncomingFile] = ()
) -> Message:
    """The reporter answers a question or adds information (a follow-up)."""
    report = access.report
    if report.destroyed_at is not None:
        raise IntakeError("report_destroyed", _("This report no longer exists."))
    prepared = _prepare_files(list(files), report.line)
    with _files_stored_atomically(prepared) as written, transaction.atomic():
        # Locked and checked again: a purge that committed after the check above
        # must not be followed by content stored under the destroyed key.
        locked = Report.objects.select_for_update().get(pk=report.pk)
        if locked.destroyed_at is not None:
            raise IntakeError("report_destroyed", _("This report no longer exists."))
        message = _message_create(
            report=report, key_bytes=access.key_bytes, author=Author.REPORTER, body=body
        )
        _store_files(
            report=report,
            message=message,
            prepared=prepared,
            key_bytes=access.key_bytes,
            written=written,
        )
        updates = {"needs_attention": True, "last_activity_at": hour_now()}
        if locked.status == ReportStatus.WAITING_FOR_REPORTER:
            updates["status"] = ReportStatus.IN_PROGRESS
        Report.objects.filter(pk=report.pk).update(**updates)
    report.refresh_from_db()
    return message


def staff_message_post(*, report: Report, actor: StaffUser, key_bytes: bytes, body: str) -> Message:
    """A question from staff to the reporter; the report now waits for an answer."""
    with transaction.atomic():
        message = _message_create(
            report=report, key_bytes=key_bytes, author=Author.STAFF, body=body, staff=actor
        )
        Report.objects.filter(pk=report.pk).update(
            status=ReportStatus.WAITING_FOR_REPORTER, last_activity_at=hour_now()
        )
        audit_record(
            actor=actor, action="report.question", target=report, details={"message": message.pk}
        )
    report.refresh_from_db()
    return message


def report_key_for_staff(*, report: Report, user: StaffUser, private_key: PrivateKey) -> bytes:
    """Open a report's data key with a staff member's unlocked private key."""
    return data_key_open(data_key=report.data_key, private_key=private_key, user=user)
