"""Cleaning PDFs (with pikepdf/qpdf) and plain text.

A PDF is rewritten from its object graph: only objects still reachable from
the document are written, so earlier revisions (incremental updates) and
orphaned objects disappear along with the document information dictionary,
XMP packets (document, page and image level), file identifiers, embedded and
associated files, thumbnails, application private data (PieceInfo), XFA
forms, JavaScript and actions that run, launch, submit or import anything.
JPEG images inside the PDF lose their EXIF and other APPn segments the same
way a JPEG upload does.
"""

import codecs
import re
from pathlib import Path

import pikepdf

from meldpunt.evidence.conf import evidence_setting
from meldpunt.evidence.errors import EvidenceRejected, RejectionCode
from meldpunt.evidence.images import strip_jpeg

_DROPPED_KEYS = {
    "/Metadata", "/PieceInfo", "/AA", "/OpenAction", "/JS", "/JavaScript", "/EmbeddedFiles",
    "/EF", "/RF", "/AF", "/Thumb", "/LastModified", "/XFA", "/Collection",
}  # fmt: skip
# Actions that run, open or send something; they are emptied, which viewers ignore.
# Links (/URI) stay: where a document points to can be the evidence itself.
_ACTIVE_ACTIONS = {
    "/JavaScript", "/Launch", "/SubmitForm", "/ImportData", "/GoToE", "/GoToR",
    "/Rendition", "/Sound", "/Movie", "/RichMediaExecute",
}  # fmt: skip


def _is_dct_image(stream: pikepdf.Stream) -> bool:
    filters = stream.get("/Filter")
    if isinstance(filters, pikepdf.Array):
        filters = filters[0] if len(filters) == 1 else None
    return filters == pikepdf.Name.DCTDecode


def _clean_dictionary(dictionary: pikepdf.Dictionary | pikepdf.Stream) -> None:
    for key in _DROPPED_KEYS & set(dictionary.keys()):
        del dictionary[key]
    if dictionary.get("/S") in _ACTIVE_ACTIONS:
        for key in list(dictionary.keys()):
            del dictionary[key]
    if isinstance(dictionary, pikepdf.Stream) and _is_dct_image(dictionary):
        dictionary.write(strip_jpeg(dictionary.read_raw_bytes()), filter=pikepdf.Name.DCTDecode)


def _clean_object_tree(root: pikepdf.Object) -> None:
    """Clean a dictionary, stream or array and the direct objects nested in it.

    Indirect objects are skipped here: the caller visits each of them once.
    An explicit stack keeps hostile nesting depth from exhausting recursion.
    """
    stack = [root]
    while stack:
        item = stack.pop()
        if isinstance(item, (pikepdf.Dictionary, pikepdf.Stream)):
            _clean_dictionary(item)
            children = list(item.values())
        elif isinstance(item, pikepdf.Array):
            children = list(item)
        else:
            continue
        stack.extend(
            child
            for child in children
            if isinstance(child, pikepdf.Object) and not child.is_indirect
        )


def clean_pdf(*, source: Path, target: Path) -> int:
    """Write a cleaned copy of a PDF; returns its number of pages."""
    try:
        pdf = pikepdf.open(source)
    except pikepdf.PasswordError as error:
        raise EvidenceRejected(RejectionCode.ENCRYPTED) from error
    with pdf:
        pages = len(pdf.pages)
        if pages == 0:
            raise pikepdf.PdfError("PDF without pages")
        if pages > evidence_setting("EVIDENCE_MAX_PDF_PAGES") or len(pdf.objects) > (
            evidence_setting("EVIDENCE_MAX_PDF_OBJECTS")
        ):
            raise EvidenceRejected(RejectionCode.TOO_COMPLEX)
        for key in ("/Info", "/ID"):
            if key in pdf.trailer:
                del pdf.trailer[key]
        _clean_object_tree(pdf.Root)
        for item in pdf.objects:
            _clean_object_tree(item)
        pdf.remove_unreferenced_resources()
        pdf.save(target, encryption=False, deterministic_id=True, fix_metadata_version=False)
    return pages


_CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")
_TEXT_CHUNK = 64 * 1024


def _transcode(source: Path, target: Path, encoding: str) -> None:
    decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
    with source.open("rb") as reader, target.open("wb") as writer:
        while chunk := reader.read(_TEXT_CHUNK):
            text = decoder.decode(chunk)
            if _CONTROL_CHARACTERS.search(text):
                raise EvidenceRejected(RejectionCode.TYPE_NOT_ALLOWED)
            writer.write(text.encode("utf-8"))
        writer.write(decoder.decode(b"", final=True).encode("utf-8"))


def clean_text(*, source: Path, target: Path) -> None:
    """Accept text as UTF-8 (or, failing that, Windows-1252) and store it as UTF-8.

    Text carries no hidden metadata, but a binary file without a known
    signature must not pass as text: control characters refuse it.
    """
    try:
        _transcode(source, target, "utf-8-sig")
    except UnicodeDecodeError:
        try:
            _transcode(source, target, "cp1252")
        except UnicodeDecodeError as error:
            raise EvidenceRejected(RejectionCode.TYPE_NOT_ALLOWED) from error
