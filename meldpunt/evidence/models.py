"""Files that reach the reporting point, stored only after cleaning and encryption."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from meldpunt.vault.models import DataKey


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
    created_at = models.DateTimeField()
    destroyed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("evidence file")
        verbose_name_plural = _("evidence files")
