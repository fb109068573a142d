"""Writes of the intake: submitting reports and the dialogue with reporters.

The web pages and the JSON API both call these functions, so the rules (which
categories are open, what is sealed for whom, what is atomic) live in one place.
"""

import json
import logging
import re
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import BinaryIO

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from nacl.public import PrivateKey

from meldpunt.evidence.services import (
    EvidenceRejected,
    PreparedFile,
    evidence_prepare,
    evidence_store,
)
from meldpunt.lines.models import Category, FileNames, Line, TrackedChanges
from meldpunt.vault import blobs, crypto
from meldpunt.vault.audit import audit_record
from meldpunt.vault.keys import data_key_create, data_key_open
from meldpunt.vault.models import Role, StaffUser
from meldpunt.vault.receipts import (
    receipt_derive,
    receipt_for_submission,
    receipt_generate,
    receipt_tag,
)

from .models import Attachment, Author, Message, Report, ReportChannel, ReportStatus, hour_now
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


@dataclass(frozen=True)
class MailboxKeys:
    """A receipt and what a report stores of it (see vault.receipts).

    Slow to make: the receipt's Argon2id runs through the bounded derivation queue.
    A caller that holds a lock around the report makes them first (mailbox_keys_make),
    so the lock is never held through a derivation or a wait in its queue.
    """

    receipt: str
    lookup: bytes
    tag: bytes | None
    public_key: bytes


def mailbox_keys_make(receipt: str | None = None) -> MailboxKeys:
    """Keys for ``receipt``, or for a new one; raises vault.derivations.DerivationBusy."""
    receipt = receipt or receipt_generate()
    reporter = receipt_derive(receipt)
    return MailboxKeys(
        receipt=receipt,
        lookup=reporter.lookup,
        tag=receipt_tag(receipt),
        public_key=reporter.public_key,
    )


# "file-3.jpg": the same in every language, so a neutral name does not tell which
# language the reporter used.
NEUTRAL_NAME = "file-{number}{extension}"
EXTENSION = re.compile(r"\.[A-Za-z0-9]{1,5}$")


def file_name_neutral(name: str, number: int) -> str:
    """A name that says nothing but the file's number and kind ("file-3.jpg")."""
    extension = EXTENSION.search(name)
    return NEUTRAL_NAME.format(
        number=number, extension=extension.group().lower() if extension else ""
    )


def files_prepare(
    files: list[IncomingFile] | tuple[IncomingFile, ...], line: Line, *, first_number: int = 1
) -> list[tuple[IncomingFile, PreparedFile]]:
    """Clean every file under the line's policy: size limit, accepted formats, uncleanable
    files, and file names (FileNames.NEUTRAL replaces them, counting from ``first_number``).

    A refusal names the file as the reporter chose it; on a line with neutral names
    that name lives only in this request's memory.
    """
    prepared: list[tuple[IncomingFile, PreparedFile]] = []
    try:
        for number, incoming in enumerate(files, start=first_number):
            try:
                ready = evidence_prepare(
                    source=incoming.source,
                    name=incoming.name,
                    max_bytes=line.max_file_mb * 1024 * 1024,
                    allowed_formats=line.allowed_file_formats or None,
                    keep_uncleaned=line.keep_uncleaned_files,
                    refuse_tracked_changes=line.tracked_changes == TrackedChanges.REFUSE,
                )
                if line.file_names == FileNames.NEUTRAL:
                    ready.original_name = file_name_neutral(incoming.name, number)
                prepared.append((incoming, ready))
            except EvidenceRejected as rejection:
                raise IntakeError(
                    rejection.code,
                    _("“%(name)s”: %(reason)s")
                    % {"name": incoming.name, "reason": rejection.message},
                    field=incoming.question_key or "files",
                ) from rejection
    except BaseException:
        files_discard(prepared)
        raise
    return prepared


def files_discard(prepared: list[tuple[IncomingFile, PreparedFile]]) -> None:
    """Free the memory of prepared files that will not (or no longer) be stored."""
    for _incoming, ready in prepared:
        ready.discard()


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
        files_discard(prepared)


def _submitted_before(receipt: str) -> Submission | None:
    report = Report.objects.filter(receipt_tag=receipt_tag(receipt)).first()
    return Submission(report=report, receipt=receipt) if report else None


def report_submitted_before(submission_token: str) -> Submission | None:
    """The report an earlier send of the same review form made, if any."""
    return _submitted_before(receipt_for_submission(submission_token))


def report_submit(
    *,
    category: Category,
    answers: dict[str, str],
    questions: dict[str, str],
    municipality_code: str = "",
    files: list[IncomingFile] = (),
    staged: list[tuple[IncomingFile, PreparedFile]] = (),
    submission_token: str | None = None,
    has_mailbox: bool = True,
    channel: ReportChannel = ReportChannel.UNKNOWN,
    mailbox_keys: MailboxKeys | None = None,
) -> Submission:
    """Seal and store a new report with its files, all or nothing.

    ``questions`` maps answer keys to the question text as the reporter saw it,
    so the report keeps its meaning when the questionnaire changes later.

    With a ``submission_token`` (the web form's) the receipt follows from the
    token, so the same form sent again stores nothing new and answers with the
    first report and the same receipt. ``has_mailbox=False`` is for reports
    that come from another organisation rather than a person (a partner
    hotline's address report): nobody gets a receipt, so no slow derivation
    runs and no reporter key is sealed; ``Submission.receipt`` is empty.
    ``channel`` says how the report came in (plaintext, for the pilot
    evaluation); every way in passes its own.
    ``staged`` are files already cleaned (intake.staging.files_unstage); they
    are stored with ``files``, all or none, and discarded from memory in every
    case. ``mailbox_keys`` made beforehand (mailbox_keys_make) are used instead of
    deriving here. Raises
    vault.derivations.DerivationBusy, before anything is stored, when the
    queue for the slow derivation is too long.
    """
    line = category.line
    # A partner's reports may go to a category the public form does not show.
    if not (category.is_open if has_mailbox else category.line.is_active):
        raise IntakeError("category_closed", _("This category does not accept reports."))
    try:
        if has_mailbox:
            if mailbox_keys is None:
                receipt = receipt_for_submission(submission_token) if submission_token else None
                if receipt and (earlier := _submitted_before(receipt)):
                    files_discard(staged)
                    return earlier
                # Slow, so outside the transaction, and before the files are cleaned: a
                # busy server says so without first spending work on them.
                mailbox_keys = mailbox_keys_make(receipt)
            receipt, lookup = mailbox_keys.receipt, mailbox_keys.lookup
            tag, reporter_key = mailbox_keys.tag, mailbox_keys.public_key
        else:
            # A random lookup value that no receipt derives to: the mailbox stays shut.
            receipt, lookup, tag, reporter_key = "", secrets.token_bytes(32), None, None
        prepared = list(staged) + files_prepare(files, line, first_number=len(staged) + 1)
    except BaseException:
        files_discard(staged)
        raise
    key_bytes = crypto.new_data_key()
    content = {"category": category.slug, "questions": questions, "answers": answers}
    recipients = StaffUser.objects.filter(line_memberships__line=line, is_active=True).exclude(
        role=Role.PARTNER
    )
    try:
        with _files_stored_atomically(prepared) as written, transaction.atomic():
            data_key = data_key_create(
                key_bytes=key_bytes,
                line=line,
                recipients=recipients,
                reporter_public_key=reporter_key,
            )
            report = Report.objects.create(
                line=line,
                category=category,
                municipality_code=municipality_code,
                channel=channel,
                receipt_lookup=lookup,
                receipt_tag=tag,
                data_key=data_key,
                sealed_content=crypto.encrypt(
                    key_bytes, json.dumps(content).encode(), context=b"report-content"
                ),
            )
            _store_files(
                report=report,
                message=None,
                prepared=prepared,
                key_bytes=key_bytes,
                written=written,
            )
            report_submitted.send(sender=Report, report=report, category=category, answers=answers)
            audit_record(actor=None, action="report.received", target=report)
    except IntegrityError:
        # The same form sent twice at once: the other request stored it first.
        if submission_token and (earlier := _submitted_before(receipt)):
            return earlier
        raise
    return Submission(report=report, receipt=receipt)


@dataclass(frozen=True)
class MailboxAccess:
    report: Report
    key_bytes: bytes


def mailbox_open(*, receipt: str) -> MailboxAccess | None:
    """Find and open the report of a receipt; None when the receipt is wrong.

    The report is found by the receipt's fast tag: a wrong receipt costs a keyed
    hash and one indexed query, so a flood of them takes nothing from reporters
    who have the right one. Only a receipt that matched runs the Argon2id
    derivation that yields the reporter's key. Raises
    vault.derivations.DerivationBusy when that derivation would wait too long.

    Reports from before the tag existed are found the old way, by a derivation
    through the same bounded queue, and get their tag on that first visit; that
    path is taken only while such reports remain.
    """
    tag = receipt_tag(receipt)
    if tag is None:
        return None
    live = Report.objects.filter(destroyed_at__isnull=True)
    report = live.filter(receipt_tag=tag).first()
    if report is not None:
        reporter = receipt_derive(receipt)
    elif live.filter(receipt_tag__isnull=True).exists():
        reporter = receipt_derive(receipt)
        report = live.filter(receipt_tag__isnull=True, receipt_lookup=reporter.lookup).first()
        if report is None:
            return None
        Report.objects.filter(pk=report.pk).update(receipt_tag=tag)
    else:
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
    prepared = files_prepare(files, report.line)
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
