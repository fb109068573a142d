"""Destroying stored files: what the retention purge and the hotline's wiper share."""

from dataclasses import dataclass
from datetime import datetime

from meldpunt.evidence.models import DerivativeJob, EvidenceFile, EvidenceMatch, EvidencePreview


@dataclass(frozen=True)
class DestroyedFiles:
    files: int
    previews: int
    blob_names: list[str]  # to delete once the caller's transaction has committed


def evidence_files_destroy(*, files: list[EvidenceFile], now: datetime) -> DestroyedFiles:
    """Mark files destroyed and remove everything kept beside them, inside the caller's transaction.

    A pending derivative job holds the data key sealed for the worker, so it goes
    too; "this file matched list X" would otherwise outlive the content. The
    caller shreds the data keys and deletes the returned blobs after commit:
    deleting a blob cannot be rolled back.
    """
    previews = list(EvidencePreview.objects.filter(evidence__in=files))
    DerivativeJob.objects.filter(evidence__in=files).delete()
    EvidencePreview.objects.filter(pk__in=[preview.pk for preview in previews]).delete()
    EvidenceMatch.objects.filter(evidence__in=files).delete()
    EvidenceFile.objects.filter(pk__in=[file.pk for file in files]).update(
        destroyed_at=now, sealed_meta=b""
    )
    return DestroyedFiles(
        files=len(files),
        previews=len(previews),
        blob_names=[file.blob_name for file in files] + [p.blob_name for p in previews],
    )
