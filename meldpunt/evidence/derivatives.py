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
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from nacl.public import PrivateKey

from meldpunt.datadir import installation_secret
from meldpunt.evidence.conf import evidence_setting
from meldpunt.evidence.models import DerivativeJob, EvidenceFile
from meldpunt.vault import crypto

# vPDQ comes with the optional "video" extra (pip install meldpunt[video]).
VPDQ_INSTALLED = importlib.util.find_spec("vpdq") is not None
logger = logging.getLogger(__name__)


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


def video_derivatives_make(*, video: Path) -> VideoDerivatives:
    """Run sandbox.py on a decrypted, cleaned video and keep whatever it finished.

    The child writes the contact sheet first, so a long video whose vPDQ runs
    out of time still gets its contact sheet.
    """
    with tempfile.TemporaryDirectory(dir=settings.FILE_UPLOAD_TEMP_DIR) as output:
        command = [
            sys.executable,
            "-m",
            "meldpunt.evidence.sandbox",
            str(video),
            output,
            str(evidence_setting("EVIDENCE_DERIVATIVE_MEMORY_BYTES")),
        ]
        try:
            subprocess.run(  # noqa: S603 - fixed command, our own module, paths we made
                command,
                check=True,
                capture_output=True,
                timeout=evidence_setting("EVIDENCE_DERIVATIVE_SECONDS"),
            )
        except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as error:
            logger.warning("video derivatives stopped: %s", type(error).__name__)
        sheet, vpdq = Path(output) / "contact_sheet.jpg", Path(output) / "vpdq.json"
        return VideoDerivatives(
            contact_sheet=sheet.read_bytes() if sheet.exists() else None,
            vpdq=json.loads(vpdq.read_text()) if vpdq.exists() else None,
        )
