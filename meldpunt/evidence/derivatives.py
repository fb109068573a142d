"""Work done after upload by the worker: thumbnails, contact sheets, vPDQ, document pages.

The worker holds no staff key, so it is handed the file's data key sealed for
an installation "worker key" (a DerivativeJob). It claims the job, decrypts the
file, makes what it must, encrypts the results under the same data key and
forgets the key; the job row, and with it the sealed key, is deleted the moment
the job ends, and in any case when it is older than
``EVIDENCE_DERIVATIVE_JOB_SECONDS``. Video is decoded, and documents are drawn,
only in a limited child process (sandbox.py).

The web process needs only the worker's *public* key (``evidence-worker.public``
in the data directory, or derived from the demo's secret). The private key is
read by the worker from ``EVIDENCE_WORKER_KEY_FILE``, a file kept outside the
data directory and its backups (``meldpunt worker_key move``); only where
``EVIDENCE_WORKER_KEY_IN_DATA_DIR`` allows it (the demo) does it come from a
secret file in the data directory, beside the database.
"""

import importlib.util
import json
import logging
import os
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.utils import timezone
from nacl.public import PrivateKey

from meldpunt.datadir import data_dir, installation_secret, shared_dir
from meldpunt.evidence import formats
from meldpunt.evidence.conf import evidence_setting
from meldpunt.evidence.models import DerivativeJob, DerivativeStatus, EvidenceFile
from meldpunt.evidence.sandbox import SandboxRefused, sandbox_run
from meldpunt.evidence.spool import MemoryFile
from meldpunt.vault import crypto
from meldpunt.workers.recovery import AbandonedTask

# vPDQ comes with the optional "video" extra (pip install meldpunt[video]).
VPDQ_INSTALLED = importlib.util.find_spec("vpdq") is not None
logger = logging.getLogger(__name__)
# A contact sheet is a few hundred KiB and vPDQ JSON about 150 bytes a second.
_DERIVATIVE_OUTPUT_BYTES = 64 * 1024 * 1024

WORKER_KEY_NAME = "evidence-worker"  # data-directory secret of the demo: evidence-worker.secret
WORKER_PUBLIC_KEY_FILE = "evidence-worker.public"
# Stored documents whose first pages (or text) the worker draws, by media type.
PAGED_FORMATS = {
    fmt.media_type: fmt for fmt in (formats.PDF, formats.TIFF, *formats.OFFICE_FORMATS)
}
# Statuses of a file whose job has not ended yet.
_WAITING = (DerivativeStatus.PENDING, DerivativeStatus.RETRYING)


def _key_from_secret(secret_hex: str) -> PrivateKey:
    return PrivateKey(crypto.subkey(bytes.fromhex(secret_hex), b"evidence-worker"))


def _secret_in_data_dir() -> Path:
    return shared_dir() / f"{WORKER_KEY_NAME}.secret"


def worker_public_key() -> bytes:
    """What the web process seals job keys for; it never needs the private key.

    Without a published public key (a demo, or an installation that has not
    moved its key out yet) the data directory's secret is used, made on first use.
    """
    public = shared_dir() / WORKER_PUBLIC_KEY_FILE
    if public.exists():
        return bytes.fromhex(public.read_text().strip())
    return bytes(_key_from_secret(installation_secret(WORKER_KEY_NAME)).public_key)


def worker_private_key() -> PrivateKey:
    """The worker key; ImproperlyConfigured (with what to do) when it is not where it may be."""
    key_file = evidence_setting("EVIDENCE_WORKER_KEY_FILE")
    if key_file:
        try:
            key = _key_from_secret(Path(key_file).read_text().strip())
        except (OSError, ValueError) as error:
            raise ImproperlyConfigured(
                f"MELDPUNT_WORKER_KEY_FILE ({key_file}) cannot be read as a worker key: {error}"
            ) from error
        if bytes(key.public_key) != worker_public_key():
            raise ImproperlyConfigured(
                f"The worker key in {key_file} does not belong to the public key in the data "
                f"directory ({WORKER_PUBLIC_KEY_FILE}); run `meldpunt worker_key move` again."
            )
        return key
    if not evidence_setting("EVIDENCE_WORKER_KEY_IN_DATA_DIR"):
        raise ImproperlyConfigured(
            "The worker key would be read from the data directory, beside the database, so a "
            "copy of both opens every file waiting for previews. Move it out with `meldpunt "
            "worker_key move --out PATH` and set MELDPUNT_WORKER_KEY_FILE=PATH for the worker, "
            "or accept the risk with MELDPUNT_WORKER_KEY_IN_DATA_DIR=1 (docs/operations.md)."
        )
    if (shared_dir() / WORKER_PUBLIC_KEY_FILE).exists() and not _secret_in_data_dir().exists():
        raise ImproperlyConfigured(
            "The worker key was moved out of the data directory; set MELDPUNT_WORKER_KEY_FILE."
        )
    return _key_from_secret(installation_secret(WORKER_KEY_NAME))


def worker_key_check() -> None:
    """Refuse to start a worker that could not open its jobs (registered with workers)."""
    worker_private_key()


def worker_key_move(*, destination: Path, is_new: bool) -> None:
    """Put the worker key outside the data directory and publish its public key there.

    ``is_new`` makes a fresh key instead of moving the existing one: backups that
    hold the old secret then open no job sealed from now on, and jobs sealed for
    the old key fail (their files can be requested again).
    """
    destination = destination.resolve()
    if destination.is_relative_to(data_dir().resolve()):
        raise ValueError(f"{destination} is inside the data directory; choose a place outside it")
    old = _secret_in_data_dir()
    secret = secrets.token_hex(32) if is_new else installation_secret(WORKER_KEY_NAME)
    descriptor = os.open(destination, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w") as handle:
        handle.write(secret)
    public = bytes(_key_from_secret(secret).public_key).hex()
    (shared_dir() / WORKER_PUBLIC_KEY_FILE).write_text(public)
    old.unlink(missing_ok=True)


def derivative_jobs_expire(*, now: datetime | None = None) -> int:
    """Destroy every job older than the window, claimed or not, and mark its file failed.

    Runs at every worker start, every minute on a running worker and whenever a
    new job is made (so also where no worker runs at all). A worker still busy
    with an expired job keeps the key it holds in memory and records its result.
    """
    cutoff = (now or timezone.now()) - timedelta(
        seconds=evidence_setting("EVIDENCE_DERIVATIVE_JOB_SECONDS")
    )
    with transaction.atomic():
        expired = list(
            DerivativeJob.objects.filter(created_at__lt=cutoff).values_list("pk", "evidence_id")
        )
        DerivativeJob.objects.filter(pk__in=[pk for pk, _ in expired]).delete()
        EvidenceFile.objects.filter(
            pk__in=[evidence_id for _, evidence_id in expired], derivative_status__in=_WAITING
        ).update(derivative_status=DerivativeStatus.EXPIRED)
    if expired:
        logger.warning("%d derivative job(s) expired; their keys are destroyed.", len(expired))
    return len(expired)


def derivative_job_create(*, evidence: EvidenceFile, key_bytes: bytes) -> DerivativeJob:
    """Seal the file's key for the worker; expired jobs of other files go first."""
    derivative_jobs_expire()
    sealed = crypto.seal(worker_public_key(), key_bytes)
    return DerivativeJob.objects.create(
        evidence=evidence, sealed_key=sealed, created_at=timezone.now()
    )


def derivative_job_claim(*, evidence_id: int) -> bytes | None:
    """Take the job of a file and return its data key; None if there is none to take.

    Marking the row claimed is the claim, so two workers never do the same work.
    The sealed key stays until ``derivative_job_end``, so that recovery can hand
    the job of a worker that died to the next attempt. The worker key is loaded
    first: a worker that may not hold it leaves the job to its window.
    """
    private_key = worker_private_key()
    with transaction.atomic():
        job = DerivativeJob.objects.filter(evidence_id=evidence_id, claimed_at__isnull=True).first()
        if job is None:
            return None
        if not DerivativeJob.objects.filter(pk=job.pk, claimed_at__isnull=True).update(
            claimed_at=timezone.now()
        ):
            return None
    try:
        return crypto.unseal(private_key, bytes(job.sealed_key))
    except crypto.DecryptionError:
        # Sealed for a worker key that has since been replaced (worker_key_move, is_new).
        derivative_job_end(evidence_id=evidence_id, status=DerivativeStatus.FAILED)
        return None


def derivative_job_end(*, evidence_id: int, status: str) -> None:
    """Destroy the job's sealed key and record how it ended, in one transaction."""
    with transaction.atomic():
        DerivativeJob.objects.filter(evidence_id=evidence_id).delete()
        EvidenceFile.objects.filter(pk=evidence_id, destroyed_at__isnull=True).update(
            derivative_status=status
        )


def derivative_job_release(*, evidence_id: int) -> None:
    """Give a claimed job back with its sealed key, for another try (the store was out of reach)."""
    with transaction.atomic():
        DerivativeJob.objects.filter(evidence_id=evidence_id).update(claimed_at=None)
        EvidenceFile.objects.filter(pk=evidence_id, derivative_status__in=_WAITING).update(
            derivative_status=DerivativeStatus.RETRYING
        )


def derivative_job_recover(abandoned: AbandonedTask) -> None:
    """The worker died while making this file's previews: hand the job on, or end it.

    Registered with workers.recovery for ``evidence_derivatives_make``.
    """
    (evidence_id,) = abandoned.args
    if not abandoned.is_retried:
        derivative_job_end(evidence_id=evidence_id, status=DerivativeStatus.WORKER_STOPPED)
        return
    DerivativeJob.objects.filter(evidence_id=evidence_id).update(claimed_at=None)
    EvidenceFile.objects.filter(pk=evidence_id, derivative_status__in=_WAITING).update(
        derivative_status=DerivativeStatus.RETRYING
    )


@dataclass(frozen=True)
class VideoDerivatives:
    """What the child made; vpdq is None when it failed, ran out of time or is not installed."""

    contact_sheet: bytes | None
    vpdq: list[dict] | None

    @property
    def is_complete(self) -> bool:
        return self.contact_sheet is not None and (self.vpdq is not None or not VPDQ_INSTALLED)


def _decoder_run(
    job: str, *, source: MemoryFile, outputs: dict[str, MemoryFile], **options: str
) -> dict:
    """Run a sandbox job that decodes a sender's file, within the derivative budget."""
    return sandbox_run(
        job=job,
        parameters={
            "source": source.descriptor,
            "output_bytes": _DERIVATIVE_OUTPUT_BYTES,
            **{name: output.descriptor for name, output in outputs.items()},
            **options,
        },
        descriptors=[source.descriptor, *(output.descriptor for output in outputs.values())],
        memory_bytes=evidence_setting("EVIDENCE_DERIVATIVE_MEMORY_BYTES"),
        seconds=evidence_setting("EVIDENCE_DERIVATIVE_SECONDS"),
    )


def video_derivatives_make(*, video: MemoryFile) -> VideoDerivatives:
    """Run the sandbox's video job on a decrypted, cleaned video; keep whatever it finished.

    The child writes the contact sheet first, into a memory file of its own,
    so a long video whose vPDQ runs out of time still gets its contact sheet.
    Nothing decrypted is written to disk (spool.py).
    """
    video.seal()
    sheet, hashes = MemoryFile("contact-sheet"), MemoryFile("vpdq")
    try:
        try:
            _decoder_run("video", source=video, outputs={"sheet": sheet, "vpdq": hashes})
        except SandboxRefused as error:
            logger.warning("video derivatives stopped: %s", error.code)
        sheet_bytes, vpdq_text = sheet.path.read_bytes(), hashes.path.read_text()
    finally:
        sheet.close()
        hashes.close()
    return VideoDerivatives(
        contact_sheet=sheet_bytes or None,
        vpdq=json.loads(vpdq_text) if vpdq_text else None,
    )


def image_thumbnail_make(*, image: MemoryFile) -> bytes | None:
    """Run the sandbox's thumbnail job on a decrypted, cleaned image; None if it could not."""
    image.seal()
    thumbnail = MemoryFile("thumbnail")
    try:
        try:
            _decoder_run("thumbnail", source=image, outputs={"target": thumbnail})
        except SandboxRefused as error:
            logger.warning("thumbnail not made: %s", error.code)
            return None
        return thumbnail.path.read_bytes()
    finally:
        thumbnail.close()


@dataclass(frozen=True)
class PagePreview:
    """A document's preview (``kind`` pages or text, and its JPEG), or why there is none."""

    kind: str = ""
    jpeg: bytes = b""
    problem: str = ""


def page_preview_make(*, document: MemoryFile, fmt: formats.Format) -> PagePreview:
    """Run the sandbox's pages job on a decrypted, cleaned document (pages.py).

    Drawing a document runs PDFium or libtiff on what a sender made, so it
    gets the same limits as video decoding; a document that cannot be drawn
    gets a reason instead (corrupt, too_complex, no_text, unavailable).
    """
    document.seal()
    picture = MemoryFile("page-preview")
    try:
        try:
            answer = _decoder_run(
                "pages", source=document, outputs={"target": picture}, format=fmt.name
            )
        except SandboxRefused as error:
            logger.warning("document preview not made: %s", error.code)
            return PagePreview(problem=error.code)
        return PagePreview(kind=answer["kind"], jpeg=picture.path.read_bytes())
    finally:
        picture.close()
