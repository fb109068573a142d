"""Previews of documents (issue 19 item 3): PDF and TIFF pages, the text of office documents.

The worker draws them in the sandbox from the cleaned file; the file page shows
them blurred until revealed (test_views.py covers the pages).
"""

import io
import os
import time

import pytest
from PIL import Image

from meldpunt.evidence import formats, sandbox, services
from meldpunt.evidence.derivatives import PAGED_FORMATS, page_preview_make
from meldpunt.evidence.errors import EvidenceRejected
from meldpunt.evidence.office import office_text
from meldpunt.evidence.previews import (
    PAGE_GAP_PIXELS,
    TEXT_PAGE_SIZE,
    safe_preview_make,
    text_page_make,
)
from meldpunt.evidence.services import evidence_prepare
from meldpunt.evidence.spool import MemoryFile
from meldpunt.evidence.tests import office_corpus, test_fuzz
from meldpunt.evidence.tests.corpus import (
    PDF_BAND_SCALE,
    pdf_slow_to_draw,
    pdf_with_bands,
    tiff_of_greys,
)
from meldpunt.evidence.tests.office_corpus import empty_odt


def _preview_of(data: bytes, name: str):
    """Clean the file as an upload is cleaned, then draw its preview as the worker does."""
    prepared = evidence_prepare(source=io.BytesIO(data), name=name, max_bytes=10**8)
    document = MemoryFile("test-document")
    try:
        document.file.write(prepared.path.read_bytes())
        return page_preview_make(document=document, fmt=PAGED_FORMATS[prepared.media_type])
    finally:
        document.close()
        prepared.discard()


def test_pdf_first_pages_are_drawn_in_order_and_no_more(settings):
    settings.EVIDENCE_PREVIEW_PAGES = 3
    made = _preview_of(pdf_with_bands(5), "brief.pdf")
    assert (made.kind, made.problem) == ("pages", "")
    sheet = Image.open(io.BytesIO(made.jpeg)).convert("L")
    page_height = round(300 * PDF_BAND_SCALE)
    assert sheet.size == (round(200 * PDF_BAND_SCALE), 3 * page_height + 2 * PAGE_GAP_PIXELS)
    for number in range(3):
        top = number * (page_height + PAGE_GAP_PIXELS)
        # Page n's band is 30 + 60 n points from its top edge; nothing is at page 0's.
        assert sheet.getpixel((100, top + round((30 + 60 * number) * PDF_BAND_SCALE))) < 60
        if number:
            assert sheet.getpixel((100, top + round(30 * PDF_BAND_SCALE))) > 200


def test_tiff_first_pages_are_drawn_in_order(settings):
    settings.EVIDENCE_PREVIEW_PAGES = 3
    made = _preview_of(tiff_of_greys([30, 90, 150, 210]), "scan.tif")
    assert (made.kind, made.problem) == ("pages", "")
    sheet = Image.open(io.BytesIO(made.jpeg)).convert("L")
    assert sheet.size == (100, 3 * 140 + 2 * PAGE_GAP_PIXELS)
    for number, grey in enumerate([30, 90, 150]):
        assert abs(sheet.getpixel((50, number * (140 + PAGE_GAP_PIXELS) + 70)) - grey) < 8


@pytest.mark.parametrize("kind", sorted(office_corpus.BUILDERS))
def test_office_text_is_the_cleaned_documents_visible_text(kind):
    prepared = evidence_prepare(
        source=io.BytesIO(office_corpus.BUILDERS[kind]()), name=f"stuk.{kind}", max_bytes=10**8
    )
    try:
        text = office_text(source=prepared.path)
    finally:
        prepared.discard()
    for word in office_corpus.VISIBLE[kind].split():
        assert word in text, (kind, word, text)
    # Comments, deleted text, authors and properties went with cleaning: not in the preview.
    assert not [marker for marker in office_corpus.PLACES if marker in text], text


def test_office_text_keeps_reading_order_and_stops_at_its_limit():
    prepared = evidence_prepare(
        source=io.BytesIO(office_corpus.xlsx()), name="boek.xlsx", max_bytes=10**8
    )
    try:
        whole = office_text(source=prepared.path)
        cut = office_text(source=prepared.path, limit=20)
    finally:
        prepared.discard()
    assert whole.splitlines()[:3] == [
        "[Betalingen]",
        "Datum\tBedrag\tOntvanger",
        "2024-01-05\t15000\tStichting X",
    ]
    assert cut == whole[:20].rstrip()


def test_office_documents_are_previewed_as_a_page_of_their_text():
    made = _preview_of(office_corpus.docx(), "verslag.docx")
    assert (made.kind, made.problem) == ("text", "")
    page = Image.open(io.BytesIO(made.jpeg))
    assert page.size == TEXT_PAGE_SIZE
    # Black text on white, from the top left margin down.
    assert page.convert("L").crop((40, 40, 760, 80)).getextrema()[0] < 80


def _edges(image: Image.Image) -> int:
    data = image.tobytes()
    return sum(abs(a - b) for a, b in zip(data[1:], data[:-1], strict=False))


def test_the_safe_preview_of_a_text_page_is_not_legible():
    page = text_page_make("Kenteken AB-12-CD gezien bij de snackbar op de Kerkstraat. " * 40)
    blurred = Image.open(io.BytesIO(safe_preview_make(page)))
    assert blurred.mode == "L" and max(blurred.size) == 160
    sharp = Image.open(io.BytesIO(page)).convert("L").resize(blurred.size)
    assert _edges(blurred) < _edges(sharp) / 3


def test_a_document_without_text_says_so():
    assert _preview_of(empty_odt(), "leeg.odt").problem == "no_text"


def test_drawing_is_held_to_the_derivative_time_budget(settings):
    # Seconds of drawing against a twentieth of a second: out of time on any machine
    # (a one-band page once drew within 0.05 s on a fast one).
    settings.EVIDENCE_DERIVATIVE_SECONDS = 0.05
    made = _preview_of(pdf_slow_to_draw(), "brief.pdf")
    assert (made.kind, made.jpeg, made.problem) == ("", b"", "too_complex")


def test_every_stored_document_type_gets_a_preview():
    assert set(PAGED_FORMATS.values()) == {formats.PDF, formats.TIFF, *formats.OFFICE_FORMATS}


PREVIEW_FUZZ_COUNT = int(os.environ.get("EVIDENCE_PREVIEW_FUZZ_COUNT", "150"))


@pytest.mark.parametrize("fmt", ["pdf", "tiff", *sorted(office_corpus.BUILDERS)])
def test_mutants_that_clean_are_previewed_or_say_why(fmt, monkeypatch):
    """Every mutant that survives cleaning is drawn, or refused with a reason; none crashes.

    Cleaning and drawing run in this process (as test_fuzz.py does) so that a
    crash of PDFium, libtiff or lxml would end the test run.
    """
    monkeypatch.setattr(services, "sandbox_run", test_fuzz._clean_in_process)
    outcomes: dict[str, int] = {}
    slowest = 0.0
    for mutant in test_fuzz.mutants(fmt, PREVIEW_FUZZ_COUNT):
        try:
            prepared = evidence_prepare(source=io.BytesIO(mutant), name="fuzz", max_bytes=10**7)
        except EvidenceRejected:
            continue
        if prepared.media_type not in PAGED_FORMATS:  # a mutant that became text or a picture
            prepared.discard()
            continue
        try:
            started = time.monotonic()
            answer = sandbox.job_answer(
                "pages",
                {
                    "format": prepared.format,
                    "source": prepared.memory.descriptor,
                    "target": (target := MemoryFile("fuzz-preview")).descriptor,
                },
            )
            slowest = max(slowest, time.monotonic() - started)
            if "kind" in answer:
                assert Image.open(target.path).format == "JPEG"
        finally:
            target.close()
            prepared.discard()
        outcome = answer.get("kind") or answer["refused"]
        outcomes[outcome] = outcomes.get(outcome, 0) + 1
    assert slowest < test_fuzz.MAX_SECONDS_PER_FILE
    assert set(outcomes) <= {"pages", "text", "no_text", "corrupt", "too_complex"}, outcomes
    assert outcomes.get("pages", 0) + outcomes.get("text", 0) > 0, outcomes
    print(fmt, outcomes, f"slowest {slowest:.2f}s")
