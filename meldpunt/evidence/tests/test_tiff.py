"""TIFF (scanners, fax software): every page kept, pixel for pixel, and nothing else.

The corpus (corpus.tiff and friends) plants EXIF with its EXIF and GPS
directories, XMP, IPTC, an ICC profile, software, artist, host computer,
document and page names and dates in every page, and adds a thumbnail page.
"""

import io

import numpy
import pytest
from PIL import Image, ImageSequence

from meldpunt.evidence import formats
from meldpunt.evidence.errors import EvidenceRejected
from meldpunt.evidence.services import evidence_prepare
from meldpunt.evidence.tests import corpus

TIFFS = ["tiff", "tiff_fax", "tiff_jpeg"]
MARKERS = [*corpus.TEXT_MARKERS, corpus.TIFF_HOST, corpus.TIFF_DOCUMENT, "2021:05:01"]
# Tags that say how to decode the pixels: all a cleaned page may have.
DECODE_TAGS = {
    254,  # NewSubfileType (0: a full page)
    256, 257, 258, 259, 262,  # size, bits per sample, compression, photometric
    266,  # FillOrder
    273, 277, 278, 279,  # strip offsets, samples per pixel, rows per strip, strip byte counts
    284,  # PlanarConfiguration
    292, 293,  # T4/T6 options (fax)
    317,  # Predictor
    320,  # ColorMap
    338, 339,  # ExtraSamples, SampleFormat
    347,  # JPEGTables
    530, 532,  # YCbCr subsampling, reference black and white
}  # fmt: skip
METADATA_TAGS = {
    269, 270, 271, 272, 274, 282, 283, 285, 296, 305, 306, 315, 316, 330, 700,
    33432, 33723, 34377, 34665, 34675, 34853,
}  # fmt: skip


def _prepare(data: bytes, name: str = "scan", **options):
    return evidence_prepare(
        source=io.BytesIO(data), name=name, max_bytes=50 * 1024 * 1024, **options
    )


def _cleaned(data: bytes) -> tuple[bytes, object]:
    prepared = _prepare(data)
    try:
        return prepared.path.read_bytes(), prepared
    finally:
        prepared.discard()


def _pages(data: bytes) -> list[tuple[dict, numpy.ndarray]]:
    with Image.open(io.BytesIO(data)) as image:
        return [
            (dict(page.tag_v2), numpy.asarray(page.convert("RGB")))
            for page in ImageSequence.Iterator(image)
        ]


@pytest.mark.parametrize(
    "head", [b"II*\x00\x08\x00\x00\x00", b"MM\x00*\x00\x00\x00\x08", b"II+\x00\x08\x00\x00\x00"]
)
def test_tiff_is_recognised_by_its_first_bytes(head):
    assert formats.sniff(head) == formats.TIFF


def test_tiff_is_cleaned_whatever_its_name_and_a_named_tiff_that_is_not_one_is_damaged():
    cleaned, prepared = _cleaned(corpus.tiff())
    assert prepared.media_type == "image/tiff"
    assert prepared.format == "tiff"
    with pytest.raises(EvidenceRejected) as refusal:
        _prepare(b"\x00\x01 not a scan at all", name="scan.tif")
    assert refusal.value.code == "corrupt"


@pytest.mark.parametrize("fmt", TIFFS)
def test_tiff_planted_tags_were_there_and_are_gone(fmt):
    original = corpus.BUILDERS[fmt]()
    planted = [marker for marker in MARKERS if marker.encode() in original]
    assert len(planted) >= 3, planted  # an honest test: the markers really are there
    cleaned, _prepared = _cleaned(original)
    assert [marker for marker in MARKERS if marker.encode() in cleaned] == []
    for tags, _pixels in _pages(cleaned):
        assert set(tags) <= DECODE_TAGS, sorted(set(tags) - DECODE_TAGS)
        assert tags.get(254, 0) == 0


def test_tiff_every_metadata_tag_of_the_corpus_is_planted_and_removed():
    original_pages = _pages(corpus.tiff())
    # Not planted: resolution, sub-IFDs, Photoshop; Pillow lists EXIF and GPS apart.
    planted = METADATA_TAGS - {282, 283, 296, 330, 34377, 34665, 34853}
    assert planted <= set(original_pages[0][0]), sorted(planted - set(original_pages[0][0]))
    assert corpus.SERIAL.encode() in corpus.tiff()  # in the EXIF sub-directory
    cleaned, _prepared = _cleaned(corpus.tiff())
    for tags, _pixels in _pages(cleaned):
        assert not METADATA_TAGS & set(tags)
    assert corpus.SERIAL.encode() not in cleaned
    with Image.open(io.BytesIO(cleaned)) as image:
        assert not image.getexif().get_ifd(0x8769) and not image.getexif().get_ifd(0x8825)
    for marker in (corpus.TIFF_ICC, corpus.TIFF_IPTC, corpus.TIFF_THUMBNAIL_TEXT):
        assert marker in corpus.tiff()
        assert marker not in cleaned


@pytest.mark.parametrize("fmt", ["tiff", "tiff_fax"])
def test_tiff_pages_keep_their_pixels_and_the_thumbnail_page_goes(fmt):
    original = _pages(corpus.BUILDERS[fmt]())
    cleaned_bytes, prepared = _cleaned(corpus.BUILDERS[fmt]())
    cleaned = _pages(cleaned_bytes)
    full_pages = [pixels for tags, pixels in original if not tags.get(254, 0) & 1]
    assert len(cleaned) == len(full_pages)
    if fmt == "tiff":
        assert (len(original), len(cleaned)) == (3, 2)
    for (_tags, after), before in zip(cleaned, full_pages, strict=True):
        assert numpy.array_equal(before, after)
    height, width = full_pages[0].shape[:2]
    assert (prepared.properties["width"], prepared.properties["height"]) == (width, height)


def test_tiff_black_and_white_stays_black_and_white_group4():
    cleaned, _prepared = _cleaned(corpus.tiff_fax())
    with Image.open(io.BytesIO(cleaned)) as image:
        assert image.mode == "1"
        assert image.info["compression"] == "group4"


def test_tiff_jpeg_pages_are_encoded_again_close_to_the_original():
    cleaned, _prepared = _cleaned(corpus.tiff_jpeg())
    [(_tags, before)] = _pages(corpus.tiff_jpeg())
    [(tags, after)] = _pages(cleaned)
    assert tags[259] == 7  # JPEG
    assert numpy.abs(before.astype(int) - after.astype(int)).mean() < 3


def test_tiff_orientation_is_applied_to_the_pixels():
    """Orientation 6: the stored 96 x 64 pages are shown turned a quarter clockwise."""
    cleaned, prepared = _cleaned(corpus.tiff(orientation=6))
    pages = _pages(cleaned)
    for seed, (tags, pixels) in zip((1, 2), pages, strict=True):
        upright = numpy.rot90(corpus.pixels(96, 64, seed), k=-1)
        assert numpy.array_equal(pixels, upright)
        assert 274 not in tags
    assert (prepared.properties["width"], prepared.properties["height"]) == (64, 96)


def test_tiff_with_too_many_pages_is_refused(settings):
    settings.EVIDENCE_MAX_TIFF_PAGES = 1
    with pytest.raises(EvidenceRejected) as refusal:
        _prepare(corpus.tiff())
    assert refusal.value.code == "too_complex"


def test_tiff_with_a_later_page_over_the_pixel_limit_is_refused(settings):
    buffer = io.BytesIO()
    small = corpus.picture(16, 16)
    small.save(buffer, format="TIFF", save_all=True, append_images=[corpus.picture(96, 64)])
    settings.EVIDENCE_MAX_IMAGE_PIXELS = 1000
    with pytest.raises(EvidenceRejected) as refusal:
        _prepare(buffer.getvalue())
    assert refusal.value.code == "too_complex"


def test_tiff_is_refused_where_the_line_does_not_allow_it():
    with pytest.raises(EvidenceRejected) as refusal:
        _prepare(corpus.tiff(), allowed_formats=["jpeg", "pdf"])
    assert refusal.value.code == "type_not_allowed"
    prepared = _prepare(corpus.tiff(), allowed_formats=["tiff"])
    prepared.discard()


def test_truncated_tiff_is_refused_as_damaged():
    with pytest.raises(EvidenceRejected) as refusal:
        _prepare(corpus.tiff()[:200])
    assert refusal.value.code == "corrupt"


def test_tiff_and_documents_are_cleaned_without_writing_any_file(tmp_path, monkeypatch):
    """libtiff names its in-memory file "tempfile.tif" in messages; nothing is written."""
    import os
    import tempfile

    from meldpunt.evidence.tests import office_corpus

    monkeypatch.chdir(tmp_path)
    temporary = set(os.listdir(tempfile.gettempdir()))
    for data in (corpus.tiff_jpeg(), corpus.tiff_fax(), corpus.tiff(), office_corpus.docx()):
        _cleaned(data)
    assert os.listdir(tmp_path) == []
    # Other tests' processes write there at the same time ("playwright-artifacts-…"):
    # only a TIFF file name counts.
    assert not {
        name
        for name in set(os.listdir(tempfile.gettempdir())) - temporary
        if name.lower().endswith((".tif", ".tiff"))
    }
