"""Limits and viewing rules of the evidence app, overridable in Django settings.

Each name below may be set in settings (for instance from an environment
variable). The parser budget is enforced, not hoped for: every parser of
reporter input runs in a child process (sandbox.py) that cannot use more
memory or time than set here; docs/operations.md adds up what a whole server
needs.
"""

from typing import Any

from django.conf import settings

DEFAULTS = {
    # Decoded pixels of one image (or one frame). Keep it at or below Pillow's
    # Image.MAX_IMAGE_PIXELS (89 MP) so that our check decides. Cleaning needs
    # about 30 bytes per pixel at its peak (PDQ works in floating point), so 50 MP
    # (a 48 MP phone photo) fits EVIDENCE_PARSER_MEMORY_BYTES below.
    "EVIDENCE_MAX_IMAGE_PIXELS": 50_000_000,
    # Pages of a multi-page TIFF (a scanned file or fax); each is decoded on its own.
    "EVIDENCE_MAX_TIFF_PAGES": 1_000,
    # Office documents (ZIP packages): members, their total and largest unpacked
    # size. Parts are read one at a time; an XML part of 64 MiB needs about
    # ten times that while it is cleaned.
    "EVIDENCE_MAX_OFFICE_PARTS": 10_000,
    "EVIDENCE_MAX_OFFICE_BYTES": 512 * 1024 * 1024,
    "EVIDENCE_MAX_OFFICE_PART_BYTES": 64 * 1024 * 1024,
    # Pages and objects of a PDF: qpdf's work grows with both.
    "EVIDENCE_MAX_PDF_PAGES": 5_000,
    "EVIDENCE_MAX_PDF_OBJECTS": 500_000,
    # Streams of one video or audio file (a real recording has two or three).
    "EVIDENCE_MAX_MEDIA_STREAMS": 16,
    # Each parser child (one per file being cleaned) gets this much address space
    # (RLIMIT_AS, which bounds its resident memory too; the interpreter and
    # libraries take about 0.2 GiB of it) and this much wall-clock time; beyond
    # either the file is refused as too complex. A cleaned copy may be at most
    # EVIDENCE_PARSER_OUTPUT_FACTOR times the original (HEIC becomes JPEG).
    "EVIDENCE_PARSER_MEMORY_BYTES": 2 * 1024 * 1024 * 1024,
    "EVIDENCE_PARSER_SECONDS": 120,
    "EVIDENCE_PARSER_OUTPUT_FACTOR": 4,
    # Parser children running at once in one process, whatever its threads; the
    # others wait their turn. Parsing is CPU-bound, so more than the cores gains
    # nothing; the server's parser peak is this times the memory above.
    "EVIDENCE_PARSER_CONCURRENCY": 2,
    # Uploads are spooled into memory (never to disk, spool.py): at most this much
    # per file (a line's max_file_mb above it is capped) and per request.
    "EVIDENCE_UPLOAD_MAX_FILE_BYTES": 256 * 1024 * 1024,
    "EVIDENCE_UPLOAD_MAX_REQUEST_BYTES": 512 * 1024 * 1024,
    # Derivative work (vPDQ, contact sheet) runs in a child process with these limits.
    "EVIDENCE_DERIVATIVE_SECONDS": 600,
    "EVIDENCE_DERIVATIVE_MEMORY_BYTES": 2 * 1024 * 1024 * 1024,
    # Pages of a PDF or TIFF drawn for the analyst's preview (pages.py).
    "EVIDENCE_PREVIEW_PAGES": 3,
    # A derivative job (the file's data key sealed for the worker) is destroyed
    # after this long, done or not, and its file marked as failed (docs/security.md).
    "EVIDENCE_DERIVATIVE_JOB_SECONDS": 3600,
    # A full disk or an object store that is down is not the file's fault: its job
    # is tried again this much later, until the window above ends.
    "EVIDENCE_STORE_RETRY_SECONDS": 20,
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
