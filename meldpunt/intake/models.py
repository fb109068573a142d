"""The report and the dialogue with its reporter.

Only routing and statistics metadata is plaintext (line, category, status,
municipality code, the channel it came through, times rounded to the hour).
Answers, messages and files are encrypted under the report's data key; see
docs/security.md.
"""

import secrets

from django.db import models
from django.utils.translation import gettext_lazy as _

from meldpunt.evidence.models import EvidenceFile
from meldpunt.lines.models import Category, Line, LineKind
from meldpunt.vault.models import DataKey, StaffUser, hour_now

REFERENCE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"


def new_reference() -> str:
    raw = "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(8))
    return f"{raw[:4]}-{raw[4:]}"


class ReportStatus(models.TextChoices):
    NEW = "new", _("New")
    IN_PROGRESS = "in_progress", _("In progress")
    WAITING_FOR_REPORTER = "waiting", _("Waiting for the reporter")
    READY_TO_FORWARD = "ready", _("Ready to forward")
    FORWARDED = "forwarded", _("Forwarded")
    CLOSED = "closed", _("Closed")


class ReportChannel(models.TextChoices):
    """How a report reached the reporting point: plaintext metadata the organisation knows.

    Set where each channel creates the report (intake.services.report_submit's
    callers); the pilot evaluation compares channels with it (docs/statistics.md).
    "Mailbox dialogue" is not a way in: it is a web-form report whose reporter
    wrote back in the mailbox, which the statistics derive from the messages.
    """

    FORM = "form", _("Web form")
    API = "api", _("API")
    CHAT = "chat", _("Chat")
    WEB_ADDRESS = "web_address", _("Web address (content hotline form)")
    PARTNER_HOTLINE = "partner_hotline", _("Partner hotline")
    UNKNOWN = "unknown", _("Not known")

    @classmethod
    def of_web_form(cls, line: Line) -> "ReportChannel":
        """The content hotline's form takes web addresses; every other line's is the form."""
        return cls.WEB_ADDRESS if line.kind == LineKind.CONTENT_HOTLINE else cls.FORM


# What the reporter is told about each status: plain words, no internal detail.
REPORTER_STATUS_TEXT = {
    ReportStatus.NEW: _("Your report has been received and will be read soon."),
    ReportStatus.IN_PROGRESS: _("Your report is being assessed."),
    ReportStatus.WAITING_FOR_REPORTER: _("We have asked you a question. Please answer below."),
    ReportStatus.READY_TO_FORWARD: _("Your report is being assessed."),
    ReportStatus.FORWARDED: _("Your report has been passed on, without your details."),
    ReportStatus.CLOSED: _("We have finished handling your report. Thank you."),
}


class Report(models.Model):
    reference = models.CharField(max_length=9, unique=True, default=new_reference, editable=False)
    line = models.ForeignKey(Line, on_delete=models.PROTECT, related_name="reports")
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="reports")
    status = models.CharField(max_length=20, choices=ReportStatus, default=ReportStatus.NEW)
    municipality_code = models.CharField(max_length=10, blank=True)
    channel = models.CharField(
        max_length=20, choices=ReportChannel, default=ReportChannel.UNKNOWN, editable=False
    )
    received_at = models.DateTimeField(default=hour_now)
    last_activity_at = models.DateTimeField(default=hour_now)
    closed_at = models.DateTimeField(null=True, blank=True)
    destroyed_at = models.DateTimeField(null=True, blank=True)
    needs_attention = models.BooleanField(
        default=True, help_text=_("Something new from the reporter waits for staff.")
    )
    receipt_lookup = models.BinaryField(max_length=32, unique=True, editable=False)
    # Null for reports from before the fast tag existed (vault.receipts.receipt_tag).
    receipt_tag = models.BinaryField(
        max_length=32, unique=True, null=True, blank=True, editable=False
    )
    data_key = models.OneToOneField(DataKey, on_delete=models.PROTECT, related_name="report")
    sealed_content = models.BinaryField(editable=False)
    follows = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="follow_ups"
    )

    class Meta:
        ordering = ["-received_at", "-pk"]
        indexes = [models.Index(fields=["line", "status", "received_at"])]
        verbose_name = _("report")
        verbose_name_plural = _("reports")

    def __str__(self) -> str:
        return self.reference

    @property
    def has_reporter_news(self) -> bool:
        """An answer from the reporter waits unread; a report nobody has opened is simply new."""
        return self.needs_attention and self.status != ReportStatus.NEW

    @property
    def reporter_status_text(self) -> str:
        return REPORTER_STATUS_TEXT[ReportStatus(self.status)]


class Author(models.TextChoices):
    REPORTER = "reporter", _("Reporter")
    STAFF = "staff", _("Reporting point")


class Message(models.Model):
    """One turn of the dialogue; staff questions and reporter answers or additions."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="messages")
    author = models.CharField(max_length=10, choices=Author)
    staff_author = models.ForeignKey(
        StaffUser, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    sealed_body = models.BinaryField()
    created_at = models.DateTimeField(default=hour_now)

    class Meta:
        ordering = ["pk"]


class Attachment(models.Model):
    """A file that came with a report or with a later message of its reporter."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="attachments")
    message = models.ForeignKey(
        Message, null=True, blank=True, on_delete=models.CASCADE, related_name="attachments"
    )
    question_key = models.CharField(max_length=50, blank=True)
    file = models.OneToOneField(EvidenceFile, on_delete=models.CASCADE, related_name="attachment")

    class Meta:
        ordering = ["pk"]


class StagedFile(models.Model):
    """A cleaned file chosen on the first step, held until the report is sent.

    Files are chosen before the review so that the review shows everything that
    will be sent. Between the two steps the file waits here, encrypted under a key
    derived from a secret only the reporter's form carries (intake.staging):
    ``batch`` is a hash of that secret, so the server can neither read a staged
    file nor tell which report it became. Sending the report or the periodic
    purge removes it (STAGED_FOR).
    """

    batch = models.BinaryField(max_length=32, editable=False)
    position = models.PositiveSmallIntegerField()
    question_key = models.CharField(max_length=50, blank=True)
    blob_name = models.CharField(max_length=200)
    # File name, media type, format, hashes and cleaning result, as a PreparedFile holds them.
    sealed_meta = models.BinaryField(editable=False)
    created_at = models.DateTimeField(default=hour_now)  # reporter-caused: the hour only

    class Meta:
        ordering = ["position"]
        indexes = [models.Index(fields=["batch"])]
        constraints = [
            models.UniqueConstraint(fields=["batch", "position"], name="staged_file_position")
        ]


# ``PurgedMaterialCount.list_name`` for the count over all lists together.
ANY_LIST = ""


class PurgedMaterialCount(models.Model):
    """How many purged reports of a line, received in a month, had known material.

    The retention purge deletes the known-material matches with the files: "this
    file matched list X" must not outlive the report. Without these counters the
    statistics' *reports with known material* would drop every time a year's
    reports are purged. So the purge adds each destroyed report that had a match
    here first: once under ``ANY_LIST`` and once per list that matched. The rows
    name no report, only a line, a month of receipt (the statistics' own
    granularity) and a list; the purge adds to them and never deletes them.
    """

    line = models.ForeignKey(Line, on_delete=models.PROTECT, related_name="+")
    # The first day of the month of receipt, in the installation's time zone.
    month = models.DateField()
    list_name = models.CharField(max_length=100, blank=True)
    reports = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["line", "month", "list_name"], name="purged_material_count_once"
            )
        ]
