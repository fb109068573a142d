"""Files that reach the reporting point, stored only after cleaning and encryption."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from meldpunt.hashes.models import HashList, MatchMethod
from meldpunt.vault.models import DataKey


class DerivativeStatus(models.TextChoices):
    """Where the worker's previews and video hashes of a file stand."""

    NOT_NEEDED = "not_needed", _("not needed")
    PENDING = "pending", _("waiting for the worker")
    RETRYING = "retrying", _("retried: the worker stopped while making them, another try waits")
    DONE = "done", _("done")
    FAILED = "failed", _("could not be made")
    WORKER_STOPPED = "worker_stopped", _("failed: the worker stopped while making them")
    EXPIRED = "expired", _("failed: no worker made them in time")


# A staff member holding the file's key may ask for these again (services.py).
DERIVATIVE_FAILURES = (
    DerivativeStatus.FAILED,
    DerivativeStatus.WORKER_STOPPED,
    DerivativeStatus.EXPIRED,
)


class EvidenceFile(models.Model):
    """One cleaned file, encrypted in the blob store under its report's data key.

    The original name and the hashes of the file are encrypted too (``sealed_meta``):
    for a crime tip, a plaintext hash would let anyone with the database confirm
    that a given photo was reported.
    """

    data_key = models.ForeignKey(DataKey, on_delete=models.PROTECT, related_name="files")
    blob_name = models.CharField(max_length=80)
    size = models.PositiveBigIntegerField(help_text=_("Size of the cleaned file in bytes."))
    media_type = models.CharField(max_length=100)
    is_cleaned = models.BooleanField(
        default=True, help_text=_("False when the line keeps files it could not clean.")
    )
    sealed_meta = models.BinaryField(help_text=_("Encrypted: original name and hashes."))
    # Plaintext on purpose: it says only whether a worker has made previews, which
    # the back office needs before it has opened any key (docs/evidence.md).
    derivative_status = models.CharField(
        max_length=20, choices=DerivativeStatus, default=DerivativeStatus.NOT_NEEDED
    )
    created_at = models.DateTimeField()
    destroyed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("evidence file")
        verbose_name_plural = _("evidence files")


class PreviewKind(models.TextChoices):
    THUMBNAIL = "thumbnail", _("thumbnail")
    CONTACT_SHEET = "contact_sheet", _("contact sheet")
    PAGES = "pages", _("first pages")
    TEXT = "text", _("text")


# What the file page shows, blurred, and reveals: the first of these a file has
# (a TIFF has its pages and a thumbnail; the pages are readable when revealed).
PICTURE_KINDS = (
    PreviewKind.PAGES,
    PreviewKind.TEXT,
    PreviewKind.THUMBNAIL,
    PreviewKind.CONTACT_SHEET,
)


class EvidencePreview(models.Model):
    """A small picture made from a file by the worker, encrypted like the file itself."""

    evidence = models.ForeignKey(EvidenceFile, on_delete=models.CASCADE, related_name="previews")
    kind = models.CharField(max_length=20, choices=PreviewKind)
    blob_name = models.CharField(max_length=80)
    media_type = models.CharField(max_length=100)
    created_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["evidence", "kind"], name="evidence_preview_once")
        ]


class DerivativeJob(models.Model):
    """Work for the worker: the file's data key, sealed for the worker key, until done.

    The worker cannot otherwise read or encrypt anything of a report. The row is
    deleted the moment the job ends, however it ends (done, failed, its worker
    died on the last attempt), and in any case ``EVIDENCE_DERIVATIVE_JOB_SECONDS``
    after ``created_at``: the extra sealed copy of the data key never outlives that
    window. It is kept while the worker works (``claimed_at`` set) so that a job
    whose worker died can be retried (derivatives.py).
    """

    evidence = models.OneToOneField(
        EvidenceFile, on_delete=models.CASCADE, related_name="derivative_job"
    )
    sealed_key = models.BinaryField()
    created_at = models.DateTimeField(db_index=True)
    claimed_at = models.DateTimeField(null=True, blank=True)


class ViewingSession(models.Model):
    """One reveal of sensitive material by a staff member, for the daily viewing limit.

    Only time is recorded for the limit; supervisors see sums of hours, never
    which files someone looked at (that stays in the audit log).
    """

    viewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="viewing_sessions"
    )
    evidence = models.ForeignKey(
        EvidenceFile, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    started_at = models.DateTimeField(db_index=True)
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["started_at"]
        indexes = [models.Index(fields=["viewer", "started_at"], name="viewing_by_viewer_day")]


class MatchSubject(models.TextChoices):
    """Which form of the file matched: lists hold hashes of files as they were found."""

    ORIGINAL = "original", _("file as received")
    CLEANED = "cleaned", _("cleaned file")
    VIDEO = "video", _("video frames")


class EvidenceMatch(models.Model):
    """A file matched a list of known material: plaintext routing metadata, on purpose.

    The hashes themselves stay sealed in ``sealed_meta``. That a file matched
    list X is kept readable so the back office can hide known material before
    any key is opened and route the report (docs/security.md, "Known-material
    matches"). The list's name is copied so the record outlives the list.
    """

    evidence = models.ForeignKey(EvidenceFile, on_delete=models.CASCADE, related_name="matches")
    hash_list = models.ForeignKey(
        HashList, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    list_name = models.CharField(max_length=100)
    subject = models.CharField(max_length=10, choices=MatchSubject)
    method = models.CharField(max_length=10, choices=MatchMethod)
    distance = models.PositiveSmallIntegerField(default=0)
    frame_percent = models.FloatField(null=True, blank=True)
    matched_at = models.DateTimeField()

    class Meta:
        ordering = ["list_name", "subject", "method"]
        verbose_name = _("known-material match")
        verbose_name_plural = _("known-material matches")
        constraints = [
            models.UniqueConstraint(
                fields=["evidence", "list_name", "subject", "method"], name="evidence_match_once"
            )
        ]


class ExposureSetting(models.Model):
    """A staff member's own daily number of reveals after which a break is suggested.

    Chosen by the person, for themselves (seed 003: the material wears people
    down); it never blocks anything and nobody else reads it. Empty means no limit.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="exposure_setting"
    )
    daily_reveal_limit = models.PositiveIntegerField(null=True, blank=True)
