"""Office documents: every planted value gone, the visible text the same, bad input refused.

The corpus (office_corpus.py) plants a marker in each place the cleaner must
empty; each test first checks the marker really is in the original.
"""

import io
import re
import zipfile

import pytest
from django.utils import translation
from lxml import etree
from PIL import Image

from meldpunt.evidence import formats
from meldpunt.evidence.errors import EvidenceRejected
from meldpunt.evidence.services import evidence_prepare
from meldpunt.evidence.tests import corpus, office_corpus

OFFICE = sorted(office_corpus.BUILDERS)
OOXML = ["docx", "docm", "xlsx", "pptx"]
ODF = ["odt", "ods", "odp"]
STORED_AS = {"docx": "docx", "docm": "docx", "xlsx": "xlsx", "pptx": "pptx", **{k: k for k in ODF}}
_ANY_MARKER = re.compile(
    "|".join(re.escape(marker) for marker in [*office_corpus.PLACES, *corpus.TEXT_MARKERS])
)


def _prepare(data: bytes, name: str = "document", **options):
    return evidence_prepare(
        source=io.BytesIO(data), name=name, max_bytes=50 * 1024 * 1024, **options
    )


def _cleaned(data: bytes, **options) -> tuple[bytes, object]:
    prepared = _prepare(data, **options)
    try:
        return prepared.path.read_bytes(), prepared
    finally:
        prepared.discard()


def _parts(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert archive.testzip() is None
        return {name: archive.read(name) for name in archive.namelist()}


def _everything(data: bytes) -> str:
    """Names and unpacked contents of every member, as text, for a marker search."""
    return "\n".join(
        f"{name}\n{content.decode('latin-1')}" for name, content in _parts(data).items()
    )


_TEXT_TAGS = {
    "docx": "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}t",
    "xlsx": "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}t",
    "pptx": "{http://schemas.openxmlformats.org/drawingml/2006/main}t",
}
_ODF_HIDDEN = {
    "{urn:oasis:names:tc:opendocument:xmlns:office:1.0}annotation",
    "{urn:oasis:names:tc:opendocument:xmlns:text:1.0}tracked-changes",
    "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}tracked-changes",
}


def _shown_text(element: etree._Element) -> str:
    """An element's text without comments and tracked-change records inside it."""
    text = [element.text or ""]
    for child in element:
        if child.tag not in _ODF_HIDDEN:
            text.append(_shown_text(child))
        text.append(child.tail or "")
    return "".join(text)


def visible_text(data: bytes, kind: str) -> str:
    """What a reader sees: text runs (not deleted text, comments or tracked-change records)."""
    parts = _parts(data)
    words = []
    if kind in ODF:
        root = etree.fromstring(parts["content.xml"])
        for paragraph in root.iter("{urn:oasis:names:tc:opendocument:xmlns:text:1.0}p"):
            if any(ancestor.tag in _ODF_HIDDEN for ancestor in paragraph.iterancestors()):
                continue
            words.append(_shown_text(paragraph))
    else:
        kind = STORED_AS[kind]
        folder = {"docx": "word/", "xlsx": "xl/worksheets/", "pptx": "ppt/slides/"}[kind]
        for name in sorted(parts):
            if name.startswith(folder) and name.endswith(".xml") and "/" not in name[len(folder) :]:
                if kind == "docx" and name != "word/document.xml":
                    continue
                root = etree.fromstring(parts[name])
                words += [element.text or "" for element in root.iter(_TEXT_TAGS[kind])]
    return " ".join(" ".join(words).split())


@pytest.mark.parametrize("kind", OFFICE)
def test_office_planted_values_were_there_and_are_gone(kind):
    original = office_corpus.BUILDERS[kind]()
    planted = set(_ANY_MARKER.findall(_everything(original)))
    assert len(planted) >= 8, planted  # an honest test: the places really hold markers
    cleaned, prepared = _cleaned(original)
    left = {marker: office_corpus.PLACES.get(marker, "") for marker in _ANY_MARKER.findall(
        _everything(cleaned)
    )}  # fmt: skip
    assert left == {}
    assert prepared.format == STORED_AS[kind]
    assert prepared.media_type == formats.FORMATS_BY_NAME[STORED_AS[kind]].media_type


@pytest.mark.parametrize("kind", OFFICE)
def test_office_cleaned_file_opens_with_the_same_visible_text(kind):
    original = office_corpus.BUILDERS[kind]()
    cleaned, _prepared = _cleaned(original)
    before, after = visible_text(original, kind), visible_text(cleaned, kind)
    assert before == " ".join(office_corpus.VISIBLE[kind].split())
    assert after == before
    for name, content in _parts(cleaned).items():
        if name.endswith((".xml", ".rels", ".vml")):
            etree.fromstring(content)  # every XML part parses


@pytest.mark.parametrize("kind", OOXML)
def test_ooxml_package_is_consistent_after_cleaning(kind):
    """Every relationship leads to a part, every part has a content type, nothing dangles."""
    parts = _parts(_cleaned(office_corpus.BUILDERS[kind]())[0])
    types = etree.fromstring(parts["[Content_Types].xml"])
    overrides = {
        element.get("PartName").lstrip("/") for element in types if element.get("PartName")
    }
    for name in parts:
        if not name.endswith(".rels") and name != "[Content_Types].xml":
            assert name in overrides, name
    for name, content in parts.items():
        if not name.endswith(".rels"):
            continue
        folder = name.rsplit("_rels/", 1)[0]
        for relationship in etree.fromstring(content):
            if relationship.get("TargetMode") == "External":
                assert relationship.get("Type").endswith("/hyperlink")
                continue
            target = relationship.get("Target")
            resolved = target.lstrip("/") if target.startswith("/") else folder + target
            resolved = re.sub(r"[^/]+/\.\./", "", resolved)
            assert resolved in parts, (name, target)
    with zipfile.ZipFile(io.BytesIO(_cleaned(office_corpus.BUILDERS[kind]())[0])) as archive:
        assert {info.date_time for info in archive.infolist()} == {(1980, 1, 1, 0, 0, 0)}
        assert archive.infolist()[0].filename == "[Content_Types].xml"


def test_docx_tracked_changes_are_accepted_and_counted():
    cleaned, prepared = _cleaned(office_corpus.docx())
    document = _parts(cleaned)["word/document.xml"].decode()
    assert "Kenteken AB-12-CD." in document
    assert "w:ins" not in document and "w:del " not in document and "w:delText" not in document
    assert "rsid" not in document and "commentReference" not in document
    assert prepared.properties["tracked_insertions_accepted"] == 1
    assert prepared.properties["tracked_deletions_dropped"] == 1


@pytest.mark.parametrize("kind", ["docx", "odt", "ods"])
def test_a_line_that_refuses_tracked_changes_refuses_such_documents(kind):
    data = office_corpus.BUILDERS[kind]()
    assert _cleaned(data)[1].properties.keys() & set(formats.TRACKED_CHANGE_COUNTS)
    for keep_uncleaned in (False, True):  # never kept as it came either
        with pytest.raises(EvidenceRejected) as refusal, translation.override("en"):
            _prepare(data, refuse_tracked_changes=True, keep_uncleaned=keep_uncleaned)
        assert refusal.value.code == "tracked_changes"
        assert "accept or reject the changes" in refusal.value.message


def test_a_line_that_refuses_tracked_changes_takes_documents_without_them():
    cleaned, prepared = _cleaned(office_corpus.pptx(), refuse_tracked_changes=True)
    assert prepared.format == "pptx" and cleaned


def test_docx_hyperlink_stays_and_external_picture_and_template_go():
    cleaned, prepared = _cleaned(office_corpus.docx())
    parts = _parts(cleaned)
    relationships = parts["word/_rels/document.xml.rels"].decode()
    assert office_corpus.EXTERNAL_HYPERLINK in relationships
    assert "tracker.example" not in _everything(cleaned)
    assert "attachedTemplate" not in parts["word/settings.xml"].decode()
    assert prepared.properties["external_relationships_removed"] == 2


def test_embedded_pictures_are_cleaned_losslessly():
    original = _parts(office_corpus.docx())["word/media/image1.jpeg"]
    cleaned = _parts(_cleaned(office_corpus.docx())[0])["word/media/image1.jpeg"]
    assert corpus.SERIAL.encode() in original and corpus.SERIAL.encode() not in cleaned
    with Image.open(io.BytesIO(original)) as before, Image.open(io.BytesIO(cleaned)) as after:
        assert before.tobytes() == after.tobytes()
        assert not after.getexif()


@pytest.mark.parametrize("kind", ["docm", "xlsm"])
def test_macros_are_removed_and_the_file_is_stored_macro_free(kind):
    data = office_corpus.docm() if kind == "docm" else office_corpus.xlsx(macros=True)
    assert "PLANTED-MACRO" in _everything(data)
    cleaned, prepared = _cleaned(data, name=f"stuk.{kind}")
    parts = _parts(cleaned)
    assert not [name for name in parts if "vba" in name.lower()]
    assert "macroEnabled" not in parts["[Content_Types].xml"].decode()
    assert "vbaProject" not in _everything(cleaned)
    assert prepared.properties["macros_removed"] == 1
    assert prepared.format == {"docm": "docx", "xlsm": "xlsx"}[kind]


def test_xlsx_hidden_sheet_is_kept_and_workbook_loses_user_path_and_links():
    cleaned, prepared = _cleaned(office_corpus.xlsx())
    assert prepared.properties["hidden_sheets_kept"] == 1
    parts = _parts(cleaned)
    workbook = parts["xl/workbook.xml"].decode()
    assert 'state="hidden"' in workbook and "xl/worksheets/sheet2.xml" in parts
    assert "absPath" not in workbook and "externalReference" not in workbook
    assert "fileSharing" not in workbook and "revisionPtr" not in workbook
    assert "legacyDrawing" not in parts["xl/worksheets/sheet1.xml"].decode()


def test_odf_mimetype_comes_first_uncompressed():
    cleaned, _prepared = _cleaned(office_corpus.odt())
    with zipfile.ZipFile(io.BytesIO(cleaned)) as archive:
        first = archive.infolist()[0]
        assert first.filename == "mimetype" and first.compress_type == zipfile.ZIP_STORED
        manifest = archive.read("META-INF/manifest.xml").decode()
    assert "meta.xml" not in manifest and "Thumbnails" not in manifest
    assert "Pictures/photo.jpg" in manifest


# --- bad input -----------------------------------------------------------------------


def _refusal(data: bytes, **options) -> str:
    with pytest.raises(EvidenceRejected) as refusal:
        _prepare(data, **options)
    assert refusal.value.message
    return refusal.value.code


def test_password_protected_documents_are_refused_as_such():
    assert _refusal(office_corpus.encrypted_ooxml(), name="geheim.docx") == "encrypted"
    assert _refusal(office_corpus.odf("odt", encrypted=True)) == "encrypted"


def test_legacy_office_and_plain_zip_are_not_accepted():
    legacy = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 1024
    assert _refusal(legacy, name="oud.doc") == "type_not_allowed"
    assert _refusal(office_corpus.package({"readme.txt": "hallo"})) == "type_not_allowed"


def test_zip_bomb_inside_a_document_is_refused_without_unpacking_it(settings):
    """The declared sizes add up past the limit: refused before any part is unpacked."""
    settings.EVIDENCE_MAX_OFFICE_BYTES = 16 * 1024 * 1024
    with zipfile.ZipFile(io.BytesIO(office_corpus.docx())) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    parts["word/document.xml"] = b"<a>" + b" " * (20 * 1024 * 1024) + b"</a>"
    assert _refusal(office_corpus.package(parts)) == "too_complex"


def test_highly_compressed_part_is_refused(settings):
    with zipfile.ZipFile(io.BytesIO(office_corpus.docx())) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    parts["word/media/image1.jpeg"] = b"\0" * (8 * 1024 * 1024)
    assert _refusal(office_corpus.package(parts)) == "too_complex"


def test_document_with_thousands_of_parts_is_refused(settings):
    settings.EVIDENCE_MAX_OFFICE_PARTS = 1000
    with zipfile.ZipFile(io.BytesIO(office_corpus.docx())) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    parts |= {f"word/media/extra{number}.png": b"x" for number in range(1200)}
    assert _refusal(office_corpus.package(parts)) == "too_complex"


def test_entity_expansion_and_doctype_are_refused():
    with zipfile.ZipFile(io.BytesIO(office_corpus.docx())) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    parts["word/document.xml"] = (
        b'<?xml version="1.0"?><!DOCTYPE w [<!ENTITY a "aaaaaaaaaa">'
        b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]><w:document xmlns:w="'
        + office_corpus.W.encode()
        + b'"><w:body><w:p><w:r><w:t>&b;</w:t></w:r></w:p></w:body></w:document>'
    )
    assert _refusal(office_corpus.package(parts)) == "corrupt"


def test_damaged_document_is_refused_as_damaged_and_nothing_is_left():
    data = office_corpus.docx()
    assert _refusal(data[: len(data) // 2], name="rapport.docx") == "corrupt"
    assert _refusal(data[: len(data) // 2], name="archief.zip") == "type_not_allowed"
    assert _refusal(b"\x00\x01 not a document", name="rapport.docx") == "corrupt"


def test_office_types_follow_the_line_allow_list():
    assert _refusal(office_corpus.docx(), allowed_formats=["pdf"]) == "type_not_allowed"
    assert _refusal(office_corpus.xlsx(), allowed_formats=["docx"]) == "type_not_allowed"
    _prepare(office_corpus.docx(), allowed_formats=["docx"]).discard()
    _prepare(office_corpus.odt(), allowed_formats=["odt"]).discard()


def test_line_that_keeps_what_it_cannot_clean_keeps_an_encrypted_document_flagged():
    prepared = _prepare(office_corpus.encrypted_ooxml(), keep_uncleaned=True)
    try:
        assert prepared.is_cleaned is False
        assert prepared.properties == {"refusal": "encrypted"}
        assert prepared.path.read_bytes() == office_corpus.encrypted_ooxml()
    finally:
        prepared.discard()
