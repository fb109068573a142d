"""Every parser of reporter input runs here: a child process with hard limits.

Image, PDF, video, audio and text files come from anonymous senders, and a
small file can ask a parser for gigabytes (a decompression bomb) or minutes.
So the server never parses them itself: it starts
``python -m meldpunt.evidence.sandbox JOB PARAMETERS`` with the file as an
in-memory file descriptor (spool.py), and the child

- limits its address space (RLIMIT_AS), the size of what it writes
  (RLIMIT_FSIZE) and dumps no core (a core would hold decrypted content);
- is killed when its wall-clock time is up;
- imports only the parser the job needs, to keep start-up short;
- answers with one line of JSON on stdout (results or a refusal code) and
  writes nothing else: its stderr is discarded unread, so no byte of content
  can reach a log through an error message.

A child that runs out of memory or time, or dies any other way, refuses the
file as too complex. At most EVIDENCE_PARSER_CONCURRENCY children run at once
per process, so a server's peak is that many times the budget (operations.md).

Jobs: ``clean`` (check and clean one upload, see ``_clean``), ``video``
(contact sheet and vPDQ of a stored video, for the worker) and ``pages`` (the
first pages of a stored document, for the worker, see pages.py).
"""

import functools
import json
import os
import resource
import subprocess
import sys
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

CONTACT_SHEET_FRAMES = 9
VPDQ_SECONDS_PER_HASH = 1.0
# The settings a child needs; it does not load the project's settings module.
_CHILD_SETTINGS = (
    "EVIDENCE_MAX_IMAGE_PIXELS",
    "EVIDENCE_MAX_TIFF_PAGES",
    "EVIDENCE_MAX_OFFICE_PARTS",
    "EVIDENCE_MAX_OFFICE_BYTES",
    "EVIDENCE_MAX_OFFICE_PART_BYTES",
    "EVIDENCE_MAX_PDF_PAGES",
    "EVIDENCE_MAX_PDF_OBJECTS",
    "EVIDENCE_MAX_MEDIA_STREAMS",
    "EVIDENCE_PREVIEW_PAGES",
)
# Native libraries start a thread (and its stack reservation) per core otherwise.
_CHILD_ENVIRONMENT = {"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1"}


class SandboxRefused(Exception):
    """The child refused the file, or ran out of memory or time; ``code`` says which."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


# --- the parent side ------------------------------------------------------------


@functools.cache
def _parser_slots() -> threading.BoundedSemaphore:
    from meldpunt.evidence.conf import evidence_setting

    return threading.BoundedSemaphore(evidence_setting("EVIDENCE_PARSER_CONCURRENCY"))


def sandbox_run(
    *,
    job: str,
    parameters: dict[str, Any],
    descriptors: Sequence[int],
    memory_bytes: int,
    seconds: float,
) -> dict[str, Any]:
    """Run one job in a child and return its answer; raises SandboxRefused.

    ``descriptors`` are handed to the child under the same numbers, which
    ``parameters`` name.
    """
    from meldpunt.evidence.conf import evidence_setting

    parameters = {
        **parameters,
        "memory_bytes": memory_bytes,
        "settings": {name: evidence_setting(name) for name in _CHILD_SETTINGS},
    }
    # The child finds this very package, however the server was started.
    package_root = str(Path(__file__).resolve().parents[2])
    search_path = os.pathsep.join(filter(None, [package_root, os.environ.get("PYTHONPATH")]))
    environment = (
        {name: value for name, value in os.environ.items() if name != "DJANGO_SETTINGS_MODULE"}
        | _CHILD_ENVIRONMENT
        | {"PYTHONPATH": search_path}
    )
    command = [sys.executable, "-m", "meldpunt.evidence.sandbox", job, json.dumps(parameters)]
    with _parser_slots():
        try:
            finished = subprocess.run(  # noqa: S603 - fixed command, our own module
                command,
                pass_fds=tuple(descriptors),
                env=environment,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
                timeout=seconds,
                check=False,
            )
        except subprocess.TimeoutExpired as error:
            raise SandboxRefused("too_complex") from error
    try:
        answer = json.loads(finished.stdout)
    except ValueError as error:  # killed, out of memory, crashed: no answer
        raise SandboxRefused("too_complex") from error
    if "refused" in answer:
        raise SandboxRefused(answer["refused"])
    return answer


# --- the child side -------------------------------------------------------------


def _limit(memory_bytes: int, output_bytes: int) -> None:
    resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
    resource.setrlimit(resource.RLIMIT_FSIZE, (output_bytes, output_bytes))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def _opened(descriptor: int) -> Path:
    return Path(f"/proc/self/fd/{descriptor}")


def _clean(parameters: dict[str, Any]) -> dict[str, Any]:
    """Check and clean one file; media type, extra hashes and properties of the result."""
    from meldpunt.evidence import formats

    fmt = formats.SNIFFED_FORMATS[parameters["format"]]
    raw, cleaned = _opened(parameters["source"]), _opened(parameters["target"])
    if "memory_bytes" in parameters:  # absent only in job_answer_in_process
        _limit(parameters["memory_bytes"], parameters["output_bytes"])
    if fmt.kind == formats.Kind.IMAGE:
        from meldpunt.evidence.images import clean_image

        image = clean_image(source=raw, target=cleaned, fmt=fmt)
        return {
            "media_type": image.format.media_type,
            "hashes": {"pdq": image.pdq, "pdq_quality": image.pdq_quality},
            "properties": {"width": image.width, "height": image.height},
        }
    if fmt.kind == formats.Kind.MEDIA:
        from meldpunt.evidence.media import clean_media

        media = clean_media(source=raw, target=cleaned, fmt=fmt)
        properties = {"duration_seconds": round(media.duration_seconds, 3)}
        if media.has_video:
            properties |= {"width": media.width, "height": media.height}
        return {"media_type": media.media_type, "hashes": {}, "properties": properties}
    if fmt.kind == formats.Kind.PDF:
        from meldpunt.evidence.documents import clean_pdf

        pages = clean_pdf(source=raw, target=cleaned)
        return {"media_type": fmt.media_type, "hashes": {}, "properties": {"pages": pages}}
    if fmt.kind == formats.Kind.OFFICE:
        from meldpunt.evidence.office import clean_office

        document = clean_office(source=raw, target=cleaned, fmt=fmt)
        return {
            "media_type": document.format.media_type,
            "format": document.format.name,
            "hashes": {},
            "properties": document.properties,
        }
    from meldpunt.evidence.documents import clean_text

    clean_text(source=raw, target=cleaned)
    return {"media_type": "text/plain; charset=utf-8", "hashes": {}, "properties": {}}


def _sample_frames(path: Path, count: int = CONTACT_SHEET_FRAMES) -> list:
    """Frames spread evenly over the video (the first one when its length is unknown)."""
    import av

    frames = []
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        duration = container.duration or 0
        offsets = [duration * (2 * i + 1) // (2 * count) for i in range(count)] if duration else [0]
        for offset in offsets:
            container.seek(offset, backward=True, any_frame=False)
            for frame in container.decode(stream):
                frames.append(frame.to_image())
                break
    return frames


def _vpdq_features(vpdq: Any, path: Path) -> list[dict]:
    """vPDQ: a PDQ hash (and its quality) per second of video, by Meta's reference code."""
    return [
        {
            "frame": feature.frame_number,
            "timestamp": round(feature.timestamp, 3),
            "quality": feature.quality,
            "hash": feature.hex,
        }
        for feature in vpdq.computeHash(
            str(path), seconds_per_hash=VPDQ_SECONDS_PER_HASH, thread_count=1
        )
    ]


def _video(parameters: dict[str, Any]) -> dict[str, Any]:
    """Contact sheet first (into its own memory file), then vPDQ, so a timeout keeps the sheet."""
    from meldpunt.evidence.previews import contact_sheet_make

    try:
        import vpdq
    except ImportError:  # the optional "video" extra; it builds from source against FFmpeg
        vpdq = None
    video = _opened(parameters["source"])
    _limit(parameters["memory_bytes"], parameters["output_bytes"])
    frames = _sample_frames(video)
    if frames:
        with os.fdopen(parameters["sheet"], "wb", closefd=False) as sheet:
            sheet.write(contact_sheet_make(frames))
    if vpdq is not None:
        with os.fdopen(parameters["vpdq"], "w", closefd=False) as hashes:
            hashes.write(json.dumps(_vpdq_features(vpdq, video)))
    return {}


def _pages(parameters: dict[str, Any]) -> dict[str, Any]:
    """The preview of a stored (cleaned) document, written as a JPEG into its own memory file."""
    from meldpunt.evidence import formats
    from meldpunt.evidence.pages import page_preview_make

    source = _opened(parameters["source"])
    if "memory_bytes" in parameters:  # absent when a test calls job_answer itself (fuzzing)
        _limit(parameters["memory_bytes"], parameters["output_bytes"])
    kind, jpeg = page_preview_make(source=source, fmt=formats.FORMATS_BY_NAME[parameters["format"]])
    with os.fdopen(parameters["target"], "wb", closefd=False) as target:
        target.write(jpeg)
    return {"kind": kind}


def _thumbnail(parameters: dict[str, Any]) -> dict[str, Any]:
    """An image's thumbnail: decoding runs libjpeg, libpng or libtiff on the sender's pixels
    (a cleaned JPEG keeps its compressed data), so it is held to the same limits."""
    from meldpunt.evidence.previews import thumbnail_make

    source = _opened(parameters["source"])
    _limit(parameters["memory_bytes"], parameters["output_bytes"])
    with os.fdopen(parameters["target"], "wb", closefd=False) as target:
        target.write(thumbnail_make(source.read_bytes()))
    return {}


_JOBS = {"clean": _clean, "video": _video, "pages": _pages, "thumbnail": _thumbnail}


def job_answer(job: str, parameters: dict[str, Any]) -> dict[str, Any]:
    """Run a job here and now; its results, or {"refused": code}.

    The child's whole work. Tests that clean thousands of mutants (test_fuzz.py)
    call it in their own process, without ``memory_bytes`` in ``parameters``
    (which would limit the test process itself); test_budget.py covers the
    child.
    """
    from meldpunt.evidence.errors import EvidenceRejected
    from meldpunt.evidence.pages import NoPreview

    try:
        answer = _JOBS[job](parameters)
    except (EvidenceRejected, NoPreview) as refusal:
        answer = {"refused": refusal.code}
    except MemoryError:
        answer = {"refused": "too_complex"}
    except Exception as error:  # noqa: BLE001 - hostile files break parsers in many ways
        # OSError, ValueError, pikepdf.PdfError, av.FFmpegError, struct.error...:
        # for the sender every one means the file is damaged. Only the type's
        # name leaves the child, never its message (which may quote content).
        answer = {"refused": "corrupt", "error": type(error).__name__}
    return answer


def main(argv: list[str]) -> int:
    job, parameters = argv[0], json.loads(argv[1])
    from django.conf import settings

    # Only the limits; English messages (the parent words refusals itself).
    settings.configure(USE_I18N=False, **parameters["settings"])
    sys.stdout.write(json.dumps(job_answer(job, parameters)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
