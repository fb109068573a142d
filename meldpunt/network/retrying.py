"""Sending rows out once, with retries: the pattern of everything the network sends.

A row to send (``ForwardNotification``, the hotline's ``AddressAction``) exists
before anything is sent and carries ``sent_at``, ``attempts``, ``last_error``
and ``next_attempt_at``. ``outbox_deliver`` sends the due rows one at a time,
each in its own transaction with the row locked (skipped while another worker
holds it), and marks it sent in that transaction; a second run or a second
worker finds it sent and does nothing. A failure is recorded and retried after
a growing pause; after ``max_attempts`` it is given up and stays visible.

Mail is the one side effect a database transaction cannot undo. ``mail_begin``
hands the whole message to the SMTP server but for the final dot; the dot is
sent last, inside the row's transaction, after everything "sent" writes. A
worker killed before the dot leaves the server an unfinished message, which it
throws away, and the retry sends it again; a worker killed between the
server's acceptance and the commit sends that one message again on retry,
with the same Message-ID for the receiver to drop. So no mail is ever lost,
and at most the one in flight when a worker dies is handed over twice.
"""

import email.policy
import logging
import re
import smtplib
from collections.abc import Callable
from datetime import datetime, timedelta

from django.core.mail import EmailMessage, mailers
from django.core.mail.backends.smtp import EmailBackend as SmtpBackend
from django.db import models, transaction
from django.db.models import Min, QuerySet

logger = logging.getLogger(__name__)

# Pause after the n-th failed send: 2, 4, 8 … minutes, at most six hours.
MAX_PAUSE = timedelta(hours=6)

# Sends one row inside its transaction; returns what completes it after the
# commit (the final dot of a mail), or None when nothing is left to do.
Sender = Callable[[models.Model], Callable[[], None] | None]


def retry_pause(attempts: int) -> timedelta:
    return min(timedelta(minutes=2**attempts), MAX_PAUSE)


def _failed(row: models.Model, error: Exception, now: datetime) -> None:
    row.sent_at = None
    row.attempts += 1
    row.last_error = f"{type(error).__name__}: {error}"[:200]
    row.next_attempt_at = now + retry_pause(row.attempts)
    row.save(update_fields=["sent_at", "attempts", "last_error", "next_attempt_at"])


def outbox_due(queryset: QuerySet, *, max_attempts: int) -> QuerySet:
    """The rows of ``queryset`` not sent yet and not given up."""
    return queryset.filter(sent_at__isnull=True, attempts__lt=max_attempts)


def outbox_deliver(
    *,
    queryset: QuerySet,
    send: Sender,
    max_attempts: int,
    now: datetime,
    on_sent: Callable[[models.Model], None] | None = None,
    on_refused: Callable[[models.Model], None] | None = None,
) -> tuple[int, int]:
    """Send the due rows of ``queryset`` with ``send``; returns (sent, failed).

    ``send`` and ``on_sent`` run in a savepoint inside the row's transaction,
    so what they write is kept exactly when the row is marked sent, and a
    worker killed at any moment leaves the row and its consequences together.
    When the mail server refuses the message at its final dot, the savepoint is
    rolled back, the row failed, and ``on_refused`` records the refusal.
    """
    model = queryset.model
    due = outbox_due(queryset, max_attempts=max_attempts).filter(next_attempt_at__lte=now)
    sent = failed = 0
    for pk in list(due.values_list("pk", flat=True)):
        with transaction.atomic():
            row = (
                outbox_due(
                    model.objects.select_for_update(skip_locked=True), max_attempts=max_attempts
                )
                .filter(pk=pk)
                .first()
            )
            if row is None:
                continue
            finish = None
            try:
                with transaction.atomic():
                    finish = send(row)
                    row.sent_at = now
                    row.save(update_fields=["sent_at"])
                    if on_sent is not None:
                        on_sent(row)
                    if finish is not None:
                        finish()  # the final dot: the last thing before the commit
            except Exception as error:  # noqa: BLE001 - any failure is recorded and retried
                _failed(row, error, now)
                if finish is not None and on_refused is not None:
                    on_refused(row)
                failed += 1
                continue
        sent += 1
    return sent, failed


def outbox_retry_at(queryset: QuerySet, *, max_attempts: int) -> datetime | None:
    """When the next unsent row of ``queryset`` is due again; None if none waits."""
    return outbox_due(queryset, max_attempts=max_attempts).aggregate(at=Min("next_attempt_at"))[
        "at"
    ]


def outbox_task_requeue(task, argument: int, retry_at: datetime | None) -> None:
    """Queue ``task(argument)`` again for ``retry_at`` (backends that cannot defer log)."""
    if retry_at is None:
        return
    if task.get_backend().supports_defer:
        task.using(run_after=retry_at).enqueue(argument)
    else:
        logger.warning("%s(%d): cannot queue its retry.", task.name, argument)


def mail_begin(message: EmailMessage) -> Callable[[], None] | None:
    """Give ``message`` to the mail server up to its final dot; returns what sends the dot.

    Refusals (sender, recipients, the DATA command) raise here, inside the
    caller's transaction. With a mailer other than SMTP (console, file, memory)
    the message is simply sent and None returned.
    """
    mailer = mailers.default
    if not isinstance(mailer, SmtpBackend):
        mailer.send_messages([message])
        return None
    mailer.open()
    server = mailer.connection
    try:
        sender = mailer.prep_address(message.from_email)
        recipients = [mailer.prep_address(address) for address in message.recipients()]
        server.ehlo_or_helo_if_needed()
        code, reply = server.mail(sender)
        if code != 250:
            raise smtplib.SMTPSenderRefused(code, reply, sender)
        refused = {}
        for recipient in recipients:
            code, reply = server.rcpt(recipient)
            if code not in (250, 251):
                refused[recipient] = (code, reply)
        if refused:
            raise smtplib.SMTPRecipientsRefused(refused)
        code, reply = server.docmd("data")
        if code != 354:
            raise smtplib.SMTPDataError(code, reply)
        data = message.message(policy=email.policy.SMTP).as_bytes()
        data = re.sub(rb"(?m)^\.", b"..", data)
        server.send(data if data.endswith(b"\r\n") else data + b"\r\n")
    except BaseException:
        _drop(mailer)
        raise

    def finish() -> None:
        try:
            server.send(b".\r\n")
            code, reply = server.getreply()
        except BaseException:
            _drop(mailer)
            raise
        mailer.close()
        if code != 250:
            raise smtplib.SMTPDataError(code, reply)

    return finish


def _drop(mailer: SmtpBackend) -> None:
    """Close the socket without QUIT: inside DATA the server would take QUIT as text.

    The server then discards the unfinished message.
    """
    if mailer.connection is not None:
        mailer.connection.close()
        mailer.connection = None
