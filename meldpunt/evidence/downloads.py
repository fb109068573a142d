"""Saving the cleaned file from the file page (say, to hand it to a partner), audited.

Only what intake stored is handed out: the cleaned file, never the original
(which is not kept). Two kinds of file are never offered: known material
(a file matched against the known-material lists is not shown, so it is not
handed out either) and a file the line kept uncleaned (its bytes are the
original, with whatever the reporter's device wrote into it).
"""

import enum
import mimetypes
import unicodedata
from dataclasses import dataclass

from django.utils.translation import gettext as _

from meldpunt.evidence import formats
from meldpunt.evidence.known import evidence_is_known
from meldpunt.evidence.meta import evidence_meta
from meldpunt.evidence.models import EvidenceFile
from meldpunt.vault import blobs
from meldpunt.vault.audit import audit_record
from meldpunt.vault.models import StaffUser

# The cleaners' output types whose usual extension mimetypes lacks or spells oddly.
_EXTENSIONS = {
    "audio/wav": ".wav",
    "audio/ogg": ".ogg",
    "text/plain": ".txt",
    "image/tiff": ".tiff",
    # Office types: not in every system's mime.types; a .docm is stored as .docx.
    **{fmt.media_type: f".{fmt.name}" for fmt in formats.OFFICE_FORMATS},
}
NAME_MAX_CHARS = 100
# Kept in a name besides letters and digits: nothing that a file system, a shell
# or a header parser gives a meaning (no slash, quote, dot run, control character).
_NAME_PUNCTUATION = frozenset(" -_()")


class DownloadRefusal(enum.StrEnum):
    KNOWN = "known"
    NOT_CLEANED = "not_cleaned"


def _message(code: DownloadRefusal) -> str:
    # Evaluated per call, so the message follows the language of the request.
    messages = {
        DownloadRefusal.KNOWN: _(
            "This file matched a list of known material. Known material is never "
            "downloaded from here."
        ),
        DownloadRefusal.NOT_CLEANED: _(
            "This file could not be cleaned and is kept as it came, so it is not "
            "offered for download."
        ),
    }
    return messages[code]


class DownloadRefused(Exception):
    """A file that is not handed out; ``message`` says why, in the staff member's language."""

    def __init__(self, code: DownloadRefusal) -> None:
        self.code = code
        self.message = _message(code)
        super().__init__(self.message)


@dataclass(frozen=True)
class EvidenceDownload:
    data: bytes
    name: str
    media_type: str


def download_refusal(evidence: EvidenceFile) -> DownloadRefusal | None:
    """Why the file is not offered for download, or None when it is (the page asks too)."""
    if evidence_is_known(evidence):
        return DownloadRefusal.KNOWN
    if not evidence.is_cleaned:
        return DownloadRefusal.NOT_CLEANED
    return None


def _extension(media_type: str) -> str:
    essence = media_type.partition(";")[0].strip().lower()
    return _EXTENSIONS.get(essence) or mimetypes.guess_extension(essence, strict=False) or ".bin"


def download_name(*, name: str, media_type: str, fallback: str) -> str:
    """The stored name made safe for a Content-Disposition header and any file system.

    The name is the one the reporter reviewed before sending, as the analyst
    sees it; only letters, digits and a few harmless marks are kept. The
    extension follows what the cleaned file is (a HEIC photo is stored as
    JPEG), not what the name claimed.
    """
    essence = media_type.partition(";")[0].strip().lower()
    stem, dot, suffix = name.rpartition(".")
    if not dot:
        stem, suffix = name, ""
    known = mimetypes.guess_all_extensions(essence, strict=False)
    extension = f".{suffix.lower()}" if f".{suffix.lower()}" in known else _extension(essence)
    safe = "".join(
        char if char.isalnum() or char in _NAME_PUNCTUATION else "_"
        for char in unicodedata.normalize("NFC", stem)
    )
    safe = " ".join(safe.split()).strip(" _-")[:NAME_MAX_CHARS].strip(" _-")
    return f"{safe or fallback}{extension}"


def evidence_download(
    *, evidence: EvidenceFile, key_bytes: bytes, actor: StaffUser
) -> EvidenceDownload:
    """The cleaned file, decrypted with the staff member's key; recorded in the audit log.

    Raises DownloadRefused for known material and for files kept uncleaned.
    The file is decrypted in full before anything is sent, so a blob that
    fails its check never leaves as a truncated download.
    """
    refusal = download_refusal(evidence)
    if refusal is not None:
        raise DownloadRefused(refusal)
    data = blobs.blob_read_all(key=key_bytes, name=evidence.blob_name)
    name = download_name(
        name=evidence_meta(evidence=evidence, key_bytes=key_bytes).get("name", ""),
        media_type=evidence.media_type,
        fallback=f"file-{evidence.pk}",
    )
    audit_record(actor=actor, action="evidence.download", target=evidence)
    return EvidenceDownload(data=data, name=name, media_type=evidence.media_type)
