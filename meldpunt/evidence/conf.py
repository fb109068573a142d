"""Limits and viewing rules of the evidence app, overridable in Django settings.

Each name below may be set in settings (for instance from an environment
variable); the defaults keep one file within about 1 GiB of memory and a few
seconds of work on a small machine.
"""

from typing import Any

from django.conf import settings

DEFAULTS = {
    # Decoded pixels of one image (or one frame); 64 MP is 256 MiB as RGBA. Keep it
    # at or below Pillow's Image.MAX_IMAGE_PIXELS (89 MP) so that our check decides.
    "EVIDENCE_MAX_IMAGE_PIXELS": 64_000_000,
    # Pages and objects of a PDF: qpdf's work grows with both.
    "EVIDENCE_MAX_PDF_PAGES": 5_000,
    "EVIDENCE_MAX_PDF_OBJECTS": 500_000,
    # Streams of one video or audio file (a real recording has two or three).
    "EVIDENCE_MAX_MEDIA_STREAMS": 16,
    # Derivative work (vPDQ, contact sheet) runs in a child process with these limits.
    "EVIDENCE_DERIVATIVE_SECONDS": 600,
    "EVIDENCE_DERIVATIVE_MEMORY_BYTES": 2 * 1024 * 1024 * 1024,
    # A derivative job (the file's data key sealed for the worker) is destroyed
    # after this long, done or not, and its file marked as failed (docs/security.md).
    "EVIDENCE_DERIVATIVE_JOB_SECONDS": 3600,
    # Where the worker's private key comes from: a file outside the data directory,
    # or the data directory itself when explicitly allowed (the demo).
    "EVIDENCE_WORKER_KEY_FILE": "",
    "EVIDENCE_WORKER_KEY_IN_DATA_DIR": False,
    # Safe viewing: minutes of revealed material per analyst per day, and the local
    # time after which nothing is revealed ("after lunch, other work"; "" for none).
    "EVIDENCE_VIEWING_DAILY_MINUTES": 120,
    "EVIDENCE_VIEWING_WARN_FRACTION": 0.8,
    "EVIDENCE_VIEWING_CUTOFF": "13:00",
    # A reveal that is never closed (no JavaScript to say so) counts this long.
    "EVIDENCE_VIEWING_DEFAULT_SECONDS": 120,
    "EVIDENCE_VIEWING_MAX_SECONDS": 30 * 60,
}


def evidence_setting(name: str) -> Any:
    return getattr(settings, name, DEFAULTS[name])
