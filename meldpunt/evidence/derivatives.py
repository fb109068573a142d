"""Work done after upload by the worker: thumbnails, contact sheets, vPDQ.

The worker holds no staff key, so it is handed the file's data key sealed for
an installation "worker key" (a DerivativeJob). It claims the job by deleting
it, decrypts the file, makes what it must, encrypts the results under the same
data key and forgets the key. Video is decoded only in a limited child process
(sandbox.py).
"""

import importlib.util
import json
import logging
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from nacl.public import PrivateKey

from meldpunt.datadir import installation_secret
from meldpunt.evidence.conf import evidence_setting
from meldpunt.evidence.models import DerivativeJob, EvidenceFile
from meldpunt.evidence.sandbox import SandboxRefused, sandbox_run
from meldpunt.evidence.spool import MemoryFile
from meldpunt.vault import crypto

# vPDQ comes with the optional "video" extra (pip install meldpunt[video]).
VPDQ_INSTALLED = importlib.util.find_spec("vpdq") is not None
logger = logging.getLogger(__name__)
# A contact sheet is a few hundred KiB and vPDQ JSON about 150 bytes a second.
_DERIVATIVE_OUTPUT_BYTES = 64 * 1024 * 1024


def worker_private_key() -> PrivateKey:
    """The installation's worker key, from a secret file in the data directory."""
    secret = bytes.fromhex(installation_secret("evidence-worker"))
    return PrivateKey(crypto.subkey(secret, b"evidence-worker"))


def derivative_job_create(*, evidence: EvidenceFile, key_bytes: bytes) -> DerivativeJob:
    sealed = crypto.seal(bytes(worker_private_key().public_key), key_bytes)
    return DerivativeJob.objects.create(
        evidence=evidence, sealed_key=sealed, created_at=timezone.now()
    )


def derivative_job_claim(*, evidence_id: int) -> bytes | None:
    """Take the job of a file and return its data key; None if another worker took it.

    Deleting the row is the claim, so two workers never do the same work and
    the sealed key copy is gone before any work starts.
    """
    with transaction.atomic():
        job = DerivativeJob.objects.filter(evidence_id=evidence_id).first()
        if job is None or DerivativeJob.objects.filter(pk=job.pk).delete()[0] == 0:
            return None
    return crypto.unseal(worker_private_key(), bytes(job.sealed_key))


@dataclass(frozen=True)
class VideoDerivatives:
    """What the child made; vpdq is None when it failed, ran out of time or is not installed."""

    contact_sheet: bytes | None
    vpdq: list[dict] | None

    @property
    def is_complete(self) -> bool:
        return self.contact_sheet is not None and (self.vpdq is not None or not VPDQ_INSTALLED)


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
            sandbox_run(
                job="video",
                parameters={
                    "source": video.descriptor,
                    "sheet": sheet.descriptor,
                    "vpdq": hashes.descriptor,
                    "output_bytes": _DERIVATIVE_OUTPUT_BYTES,
                },
                descriptors=[video.descriptor, sheet.descriptor, hashes.descriptor],
                memory_bytes=evidence_setting("EVIDENCE_DERIVATIVE_MEMORY_BYTES"),
                seconds=evidence_setting("EVIDENCE_DERIVATIVE_SECONDS"),
            )
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
