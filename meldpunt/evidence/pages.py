"""First pages of a stored document, for the analyst's blurred preview.

Run by the worker in the sandbox (``sandbox.py``, job ``pages``), on the
cleaned file only: the original is never stored. A PDF's first pages are drawn
by PDFium (pypdfium2, whose wheel bundles the library: no converter has to be
on the machine, and PDFium opens nothing outside the file and runs no
JavaScript unless asked to), a TIFF's by Pillow, and an office document is
shown as a picture of its text (office.office_text), since no maintained
renderer for DOCX, XLSX, PPTX or OpenDocument installs with pip. The picture
is blurred like every other preview until the analyst reveals it.
"""

from pathlib import Path

from meldpunt.evidence import formats
from meldpunt.evidence.conf import evidence_setting

# The longest side of one drawn page: readable when revealed, small to store.
PAGE_PIXELS = 1000
# A page is drawn at most this many times its size in points (72 per inch).
_MAX_SCALE = 4.0


class NoPreview(Exception):
    """No preview can be made; ``code`` says why (shown to staff, docs/evidence.md)."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def _pdf_pages(source: Path, count: int) -> list:
    try:
        import pypdfium2
    except ImportError as error:  # a server installed without it: say so, do not fail
        raise NoPreview("unavailable") from error
    # An open file, not the path: pypdfium2 resolves paths, and a memory file's
    # /proc/self/fd link resolves to a name that opens nothing.
    with source.open("rb") as handle:
        document = pypdfium2.PdfDocument(handle)
        try:
            pages = []
            for index in range(min(len(document), count)):
                page = document[index]
                width, height = page.get_size()
                if not (width > 0 and height > 0):
                    raise NoPreview("corrupt")
                scale = min(PAGE_PIXELS / max(width, height), _MAX_SCALE)
                # No form environment is set up (init_forms), so no form script runs.
                pages.append(page.render(scale=scale).to_pil())
                page.close()
            return pages
        finally:
            document.close()


def _tiff_pages(source: Path, count: int) -> list:
    from PIL import Image

    Image.MAX_IMAGE_PIXELS = evidence_setting("EVIDENCE_MAX_IMAGE_PIXELS")
    pages = []
    with Image.open(source) as image:
        for index in range(min(getattr(image, "n_frames", 1), count)):
            image.seek(index)
            page = image.convert("RGB")
            page.thumbnail((PAGE_PIXELS, PAGE_PIXELS))
            pages.append(page)
    return pages


def page_preview_make(*, source: Path, fmt: formats.Format) -> tuple[str, bytes]:
    """The kind of preview (``pages`` or ``text``) and its JPEG; raises NoPreview.

    Any other exception means the renderer could not read the file; the
    sandbox reports it as ``corrupt``.
    """
    from meldpunt.evidence.previews import pages_sheet_make, text_page_make

    count = evidence_setting("EVIDENCE_PREVIEW_PAGES")
    if fmt.kind == formats.Kind.OFFICE:
        from meldpunt.evidence.office import office_text

        text = office_text(source=source)
        if not text.strip():
            raise NoPreview("no_text")
        return "text", text_page_make(text)
    if fmt == formats.PDF:
        pages = _pdf_pages(source, count)
    elif fmt == formats.TIFF:
        pages = _tiff_pages(source, count)
    else:
        raise NoPreview("unavailable")
    if not pages:
        raise NoPreview("corrupt")
    return "pages", pages_sheet_make(pages)
