"""Cleaning office documents: Office Open XML (DOCX, XLSX, PPTX) and OpenDocument (ODT, ODS, ODP).

Both are ZIP packages of XML parts, pictures and other files. A document is
rebuilt from what its root reaches, in the spirit of the PDF cleaner: only
parts that the package's relationships (OOXML) or manifest (OpenDocument)
lead to are copied, and of those only the kinds we know (document text,
styles, tables, slides, charts, drawings, pictures, fonts). So document
properties (author, last modified by, company, manager, template, revision
count, editing time, dates), comments and their authors, custom XML and
custom properties, thumbnails, printer settings, macros (VBA, StarBasic,
scripts), signatures, data connections, external links and every part we do
not know are left behind. Inside the XML parts tracked changes are accepted
(insertions kept, deletions dropped: what the document shows is what it
says), comment anchors, revision save IDs (rsid) and document IDs are
removed, and relationships to anything outside the package (remote templates,
linked pictures, linked workbooks; they would be fetched when the file is
opened) are removed and never followed. Hyperlinks stay, as in PDFs: where a
document points to can be the evidence. Pictures are cleaned by the image
cleaners (images.py), losslessly.

The XML parser (lxml/libxml2) neither loads DTDs nor expands entities nor
reaches the network, and a part with a DOCTYPE is refused. The ZIP is read
within limits (parts, total size, size of one part, compression ratio), so a
zip bomb costs a little reading, not the sandbox's memory. Encrypted documents
(an OLE compound file with an EncryptionInfo stream, or an OpenDocument with
encryption data) are refused as such.
"""

import io
import posixpath
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote

from lxml import etree
from PIL import Image

from meldpunt.evidence import formats
from meldpunt.evidence.conf import evidence_setting
from meldpunt.evidence.errors import EvidenceRejected, RejectionCode
from meldpunt.evidence.images import (
    rewrite_tiff,
    strip_gif,
    strip_jpeg,
    strip_png,
    strip_webp,
)

# A part whose compressed bytes expand more than this many times (and to more
# than a megabyte) is a bomb: real XML compresses 5-30 times, a very regular
# sheet up to about 100.
_MAX_RATIO = 200
_RATIO_FLOOR = 1024 * 1024


class MalformedOffice(ValueError):
    """The package is broken: missing parts, bad names, XML that is not well-formed."""


@dataclass
class CleanedOffice:
    format: formats.Format
    properties: dict = field(default_factory=dict)


# --- reading the package within limits ----------------------------------------


class _Package:
    """The ZIP's members by name, read one at a time within the limits."""

    def __init__(self, source: Path) -> None:
        try:
            self.zip = zipfile.ZipFile(source)  # noqa: SIM115 - closed by clean_office
        except zipfile.BadZipFile as error:
            # Not even its directory is there: nothing says it was a document.
            # services.py calls it damaged when its name says it was one.
            raise EvidenceRejected(RejectionCode.TYPE_NOT_ALLOWED) from error
        infos = self.zip.infolist()
        if len(infos) > evidence_setting("EVIDENCE_MAX_OFFICE_PARTS"):
            raise EvidenceRejected(RejectionCode.TOO_COMPLEX)
        total = sum(info.file_size for info in infos)
        if total > evidence_setting("EVIDENCE_MAX_OFFICE_BYTES"):
            raise EvidenceRejected(RejectionCode.TOO_COMPLEX)
        self.members: dict[str, zipfile.ZipInfo] = {}
        self.folded: dict[str, str] = {}
        for info in infos:
            if info.flag_bits & 0x1:  # ZIP-level encryption
                raise EvidenceRejected(RejectionCode.ENCRYPTED)
            name = info.filename
            if name.endswith("/"):
                continue
            if name.startswith("/") or "\\" in name or ".." in name.split("/") or "\0" in name:
                raise MalformedOffice("bad part name")
            if name.lower() in self.folded:  # part names are case-insensitive (OPC)
                raise MalformedOffice("duplicate part name")
            self.folded[name.lower()] = name
            self.members[name] = info

    def find(self, name: str) -> str | None:
        """The member's real name, matched without regard to case."""
        if name in self.members:
            return name
        lowered = name.lower()
        return self.folded.get(lowered)

    def read(self, name: str) -> bytes:
        info = self.members[name]
        limit = evidence_setting("EVIDENCE_MAX_OFFICE_PART_BYTES")
        if info.file_size > limit:
            raise EvidenceRejected(RejectionCode.TOO_COMPLEX)
        if info.file_size > _RATIO_FLOOR and info.file_size > _MAX_RATIO * max(
            info.compress_size, 1
        ):
            raise EvidenceRejected(RejectionCode.TOO_COMPLEX)
        with self.zip.open(info) as member:
            data = member.read(limit + 1)  # zipfile stops at the declared size, checks the CRC
        if len(data) != info.file_size:
            raise MalformedOffice("part size differs from its header")
        return data

    def close(self) -> None:
        self.zip.close()


_PARSER_OPTIONS = {
    "resolve_entities": False,
    "no_network": True,
    "load_dtd": False,
    "huge_tree": False,
    "remove_comments": True,
    "remove_pis": True,
}


def _parse(data: bytes) -> etree._ElementTree:
    parser = etree.XMLParser(**_PARSER_OPTIONS)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as error:
        raise MalformedOffice("XML is not well-formed") from error
    tree = root.getroottree()
    if tree.docinfo.doctype or tree.docinfo.internalDTD is not None:
        raise MalformedOffice("DOCTYPE in a document part")
    return tree


def _serialise(tree: etree._ElementTree) -> bytes:
    return etree.tostring(tree, xml_declaration=True, encoding="UTF-8", standalone=True)


def _local(element: etree._Element) -> tuple[str, str]:
    """(namespace, local name) of an element or attribute name."""
    qname = etree.QName(element)
    return qname.namespace or "", qname.localname


def _unwrap(element: etree._Element, drop_children: set[str] = frozenset()) -> None:
    """Put an element's children (and text) in its place."""
    parent = element.getparent()
    if parent is None:
        return
    index = parent.index(element)
    children = [child for child in element if _local(child)[1] not in drop_children]
    _move_text(element, element.text)
    for offset, child in enumerate(children):
        parent.insert(index + offset, child)
    _drop(element)


def _move_text(element: etree._Element, text: str | None) -> None:
    if not text:
        return
    previous = element.getprevious()
    parent = element.getparent()
    if previous is not None:
        previous.tail = (previous.tail or "") + text
    elif parent is not None:
        parent.text = (parent.text or "") + text


def _walk(root: etree._Element):
    """Every element in document order, for the caller to drop, unwrap or change.

    What the caller dropped is not descended into; the children of what it
    unwrapped are visited where they now are. Linear in the number of
    elements, whatever the depth.
    """
    stack = [root]
    while stack:
        element = stack.pop()
        children = [child for child in element if isinstance(child.tag, str)]
        yield element
        if element is root or element.getparent() is not None:
            stack.extend(reversed(children))
        else:  # dropped, or unwrapped: its children that moved up are visited
            moved = [child for child in children if child.getparent() not in (None, element)]
            stack.extend(reversed(moved))


def _drop(element: etree._Element) -> None:
    """Remove an element, keeping the text that follows it."""
    parent = element.getparent()
    if parent is None:
        return
    _move_text(element, element.tail)
    parent.remove(element)


# --- images ---------------------------------------------------------------------

_IMAGE_CLEANERS = {
    formats.JPEG: strip_jpeg,
    formats.PNG: strip_png,
    formats.GIF: strip_gif,
    formats.WEBP: strip_webp,
}
# Pictures kept as they are: vector formats and BMP have no place for a
# camera's or editor's metadata that we know of (listed in docs/evidence.md).
_KEPT_PICTURE_SIGNATURES = (
    b"\x01\x00\x00\x00",  # EMF (record type 1: header)
    b"\xd7\xcd\xc6\x9a",  # placeable WMF
    b"\x01\x00\x09\x00",  # WMF
    b"\x02\x00\x09\x00",  # WMF
    b"BM",  # BMP
    b"VCLMTF",  # StarView metafile (LibreOffice's replacement pictures)
)


def _clean_picture(data: bytes) -> bytes | None:
    """The picture without metadata, the same bytes for kept vector formats, or None to drop it."""
    fmt = formats.sniff(data[: formats.HEAD_BYTES])
    if fmt in _IMAGE_CLEANERS:
        return _IMAGE_CLEANERS[fmt](data)
    if fmt == formats.TIFF:
        with Image.open(io.BytesIO(data)) as image:
            width, height = image.size
            if width * height > evidence_setting("EVIDENCE_MAX_IMAGE_PIXELS"):
                raise EvidenceRejected(RejectionCode.TOO_COMPLEX)
            return rewrite_tiff(image)
    if data.startswith(_KEPT_PICTURE_SIGNATURES):
        return data
    if data.lstrip()[:5] in (b"<?xml", b"<svg ", b"<svg\n", b"<svg>"):
        return _clean_svg(data)
    return None


_SVG_DROPPED = {"metadata", "title", "desc", "script", "foreignObject"}
_EDITOR_NAMESPACES = {
    "http://www.inkscape.org/namespaces/inkscape",
    "http://sodipodi.sourceforge.net/DTD/sodipodi-0.dtd",
    "http://ns.adobe.com/AdobeIllustrator/10.0/",
}


def _clean_svg(data: bytes) -> bytes:
    """An SVG without metadata, titles, scripts and editors' attributes (file paths, names)."""
    tree = _parse(data)
    for element in _walk(tree.getroot()):
        namespace, name = _local(element)
        if name in _SVG_DROPPED or namespace in _EDITOR_NAMESPACES:
            _drop(element)
            continue
        for attribute in list(element.attrib):
            if etree.QName(attribute).namespace in _EDITOR_NAMESPACES:
                del element.attrib[attribute]
    return _serialise(tree)


# --- Office Open XML --------------------------------------------------------------

_RELATIONSHIPS_NS = {
    "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
    "http://purl.oclc.org/ooxml/officeDocument/relationships",
}
_PACKAGE_RELATIONSHIPS_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
_CONTENT_TYPES_NS = "http://schemas.openxmlformats.org/package/2006/content-types"
_HYPERLINK_TYPES = {
    "http://schemas.openxmlformats.org/officeDocument/2006/relationships/hyperlink",
    "http://purl.oclc.org/ooxml/officeDocument/relationships/hyperlink",
}
_OOXML = "application/vnd.openxmlformats-officedocument."
# Main part content type -> (format, the macro-free main content type it is stored as).
_MAIN_TYPES = {
    f"{_OOXML}wordprocessingml.document.main+xml": formats.DOCX,
    "application/vnd.ms-word.document.macroEnabled.main+xml": formats.DOCX,
    f"{_OOXML}wordprocessingml.template.main+xml": formats.DOCX,
    "application/vnd.ms-word.template.macroEnabledTemplate.main+xml": formats.DOCX,
    f"{_OOXML}spreadsheetml.sheet.main+xml": formats.XLSX,
    "application/vnd.ms-excel.sheet.macroEnabled.main+xml": formats.XLSX,
    f"{_OOXML}spreadsheetml.template.main+xml": formats.XLSX,
    "application/vnd.ms-excel.template.macroEnabled.main+xml": formats.XLSX,
    f"{_OOXML}presentationml.presentation.main+xml": formats.PPTX,
    "application/vnd.ms-powerpoint.presentation.macroEnabled.main+xml": formats.PPTX,
    f"{_OOXML}presentationml.slideshow.main+xml": formats.PPTX,
    "application/vnd.ms-powerpoint.slideshow.macroEnabled.main+xml": formats.PPTX,
    f"{_OOXML}presentationml.template.main+xml": formats.PPTX,
    "application/vnd.ms-powerpoint.template.macroEnabled.main+xml": formats.PPTX,
}
_MACRO_FREE_MAIN = {
    formats.DOCX: f"{_OOXML}wordprocessingml.document.main+xml",
    formats.XLSX: f"{_OOXML}spreadsheetml.sheet.main+xml",
    formats.PPTX: f"{_OOXML}presentationml.presentation.main+xml",
}
# Parts left behind whatever refers to them, by content type.
_DROPPED_TYPES = {
    "application/vnd.openxmlformats-package.core-properties+xml",
    f"{_OOXML}extended-properties+xml",
    f"{_OOXML}custom-properties+xml",
    f"{_OOXML}customXmlProperties+xml",
    f"{_OOXML}wordprocessingml.comments+xml",
    "application/vnd.ms-word.commentsExtended+xml",
    "application/vnd.ms-word.commentsIds+xml",
    "application/vnd.ms-word.commentsExtensible+xml",
    "application/vnd.ms-word.people+xml",
    f"{_OOXML}wordprocessingml.people+xml",
    f"{_OOXML}wordprocessingml.webSettings+xml",
    f"{_OOXML}wordprocessingml.printerSettings",
    "application/vnd.ms-word.keyMapCustomizations+xml",
    "application/vnd.ms-word.attachedToolbars",
    "application/vnd.ms-word.vbaData+xml",
    f"{_OOXML}wordprocessingml.document.glossary+xml",
    f"{_OOXML}spreadsheetml.comments+xml",
    "application/vnd.ms-excel.threadedcomments+xml",
    "application/vnd.ms-excel.person+xml",
    f"{_OOXML}spreadsheetml.externalLink+xml",
    f"{_OOXML}spreadsheetml.connections+xml",
    f"{_OOXML}spreadsheetml.queryTable+xml",
    f"{_OOXML}spreadsheetml.revisionHeaders+xml",
    f"{_OOXML}spreadsheetml.revisionLog+xml",
    f"{_OOXML}spreadsheetml.userNames+xml",
    f"{_OOXML}spreadsheetml.printerSettings",
    f"{_OOXML}presentationml.comments+xml",
    f"{_OOXML}presentationml.commentAuthors+xml",
    "application/vnd.ms-powerpoint.comments+xml",
    "application/vnd.ms-powerpoint.authors+xml",
    "application/vnd.ms-powerpoint.revinfo+xml",
    "application/vnd.ms-powerpoint.changesinfo+xml",
    f"{_OOXML}presentationml.tags+xml",
    f"{_OOXML}presentationml.printerSettings",
    "application/vnd.ms-office.vbaProject",
    "application/vnd.ms-office.vbaProjectSignature",
    "application/vnd.ms-office.activeX+xml",
    "application/vnd.ms-office.activeX",
    f"{_OOXML}oleObject",
    f"{_OOXML}package",
    "application/vnd.ms-office.webextension+xml",
    "application/vnd.ms-office.webextensiontaskpanes+xml",
    "application/vnd.ms-office.classificationlabels+xml",
    "application/vnd.ms-excel.sheetMetadata+xml",
    "application/vnd.ms-office.legacyDocTextInfo",
    "application/vnd.ms-excel.controlproperties+xml",
    "application/vnd.ms-excel.attachedToolbars",
}
# Relationship types whose targets are left behind, whatever their content type says.
_DROPPED_RELATIONSHIP_ENDINGS = (
    "/metadata/core-properties", "/extended-properties", "/custom-properties",
    "/metadata/thumbnail", "/printerSettings", "/customXml", "/customXmlProps", "/comments",
    "/commentAuthors", "/people", "/person", "/threadedComment", "/vbaProject", "/glossaryDocument",
    "/attachedTemplate", "/externalLink", "/externalLinkPath", "/connections", "/queryTable",
    "/oleObject", "/package", "/control", "/activeXControlBinary", "/tags", "/webSettings",
    "/commentsExtended", "/commentsIds", "/commentsExtensible", "/authors", "/revisionInfo",
    "/changesInfo", "/keyMapCustomizations", "/vbaData", "/webextension", "/usernames",
    "/revisionHeaders", "/revisionLog", "/classificationlabels", "/digital-signature/origin",
    "/sheetMetadata", "/subDocument", "/frame", "/ctrlProp",
)  # fmt: skip
_KEPT_TYPE_PREFIXES = (
    _OOXML, "application/vnd.ms-office.", "application/vnd.ms-excel.",
    "application/vnd.ms-powerpoint.", "application/vnd.ms-word.", "image/", "font/",
    "application/x-font", "application/x-fontdata",
)  # fmt: skip
_FONT_TYPES_PREFIXES = (f"{_OOXML}obfuscatedFont", "font/", "application/x-font")

W_NS = {
    "http://schemas.openxmlformats.org/wordprocessingml/2006/main",
    "http://purl.oclc.org/ooxml/wordprocessingml/main",
}
_W14 = "http://schemas.microsoft.com/office/word/2010/wordml"
_W15 = "http://schemas.microsoft.com/office/word/2012/wordml"
_SPREADSHEET_REVISION_PREFIX = "http://schemas.microsoft.com/office/spreadsheetml/2014/revision"
_X15AC = "http://schemas.microsoft.com/office/spreadsheetml/2010/11/ac"
_S_NS = {
    "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
    "http://purl.oclc.org/ooxml/spreadsheetml/main",
}
# WordprocessingML elements dropped with their content: deletions and moves away
# (tracked changes accepted), formatting-change records (they name their author),
# comment anchors, revision save IDs, document variables, mail-merge data
# sources, templates and protection password hashes.
_W_DROPPED = {
    "del", "moveFrom", "rPrChange", "pPrChange", "sectPrChange", "tblPrChange", "trPrChange",
    "tcPrChange", "tblGridChange", "numberingChange", "cellDel", "cellIns", "cellMerge",
    "commentRangeStart", "commentRangeEnd", "commentReference", "annotationRef",
    "moveFromRangeStart", "moveFromRangeEnd", "moveToRangeStart", "moveToRangeEnd",
    "customXmlInsRangeStart", "customXmlInsRangeEnd", "customXmlDelRangeStart",
    "customXmlDelRangeEnd", "customXmlMoveFromRangeStart", "customXmlMoveFromRangeEnd",
    "customXmlMoveToRangeStart", "customXmlMoveToRangeEnd", "rsids", "docVars", "mailMerge",
    "attachedTemplate", "documentProtection", "writeProtection", "nsid", "tmpl", "dataBinding",
    "saveThroughXslt", "hdrShapeDefaults", "removePersonalInformation",
}  # fmt: skip
# Kept in place without their wrapper: insertions and moves here (accepted), and
# custom XML and smart tags around text (their properties go).
_W_UNWRAPPED = {"ins", "moveTo", "customXml", "smartTag"}
_W_WRAPPER_PROPERTIES = {"customXmlPr", "smartTagPr"}
_HIDDEN_STATES = {"hidden", "veryHidden"}
_S_DROPPED = {"fileSharing", "fileVersion", "fileRecoveryPr"}
_DROPPED_ATTRIBUTE_NAMES = {"author", "initials", "date", "refreshedBy", "userName", "userId"}


def _relationships_name(part: str) -> str:
    folder, base = posixpath.split(part)
    return posixpath.join(folder, "_rels", f"{base}.rels")


def _resolve(source: str, target: str) -> str:
    """A relationship's internal target as a part name (no leading slash)."""
    target = unquote(target.split("#", 1)[0])  # part names are URIs in relationships
    if target.startswith("/"):
        return posixpath.normpath(target.lstrip("/"))
    return posixpath.normpath(posixpath.join(posixpath.dirname(source), target))


@dataclass
class _Relationship:
    element: etree._Element
    id: str
    type: str
    target: str  # a part name, or the raw target of an external one
    external: bool


def _relationships(package: _Package, part: str) -> tuple[etree._ElementTree | None, list]:
    name = package.find(_relationships_name(part)) if part else package.find("_rels/.rels")
    if name is None:
        return None, []
    tree = _parse(package.read(name))
    found = []
    for element in tree.getroot():
        if _local(element) != (_PACKAGE_RELATIONSHIPS_NS, "Relationship"):
            continue
        external = element.get("TargetMode", "Internal") == "External"
        target = element.get("Target", "")
        found.append(
            _Relationship(
                element=element,
                id=element.get("Id", ""),
                type=element.get("Type", ""),
                target=target if external else _resolve(part, target),
                external=external,
            )
        )
    return tree, found


def _content_types(package: _Package) -> tuple[dict[str, str], dict[str, str]]:
    name = package.find("[Content_Types].xml")
    if name is None:
        raise EvidenceRejected(RejectionCode.TYPE_NOT_ALLOWED)  # a ZIP, not a document
    tree = _parse(package.read(name))
    defaults, overrides = {}, {}
    for element in tree.getroot():
        namespace, local = _local(element)
        if local == "Default":
            defaults[element.get("Extension", "").lower()] = element.get("ContentType", "")
        elif local == "Override":
            overrides[element.get("PartName", "").lstrip("/").lower()] = element.get(
                "ContentType", ""
            )
    return defaults, overrides


@dataclass
class _OoxmlResult:
    kept_types: dict[str, str] = field(default_factory=dict)  # part -> content type
    counts: dict[str, int] = field(default_factory=dict)

    def count(self, name: str, by: int = 1) -> None:
        self.counts[name] = self.counts.get(name, 0) + by


def _clean_ooxml_tree(
    tree: etree._ElementTree, dropped_ids: set[str], result: _OoxmlResult
) -> None:
    """Tracked changes accepted, comment anchors, rsids, IDs and dropped references removed."""
    for element in _walk(tree.getroot()):
        namespace, name = _local(element)
        if namespace in W_NS and name in _W_DROPPED:
            if name in ("del", "moveFrom"):
                result.count("tracked_deletions_dropped")
            _drop(element)
            continue
        if namespace in W_NS and name in _W_UNWRAPPED:
            if name in ("ins", "moveTo"):
                result.count("tracked_insertions_accepted")
            _unwrap(element, _W_WRAPPER_PROPERTIES)
            continue
        if (namespace, name) in {(_W14, "docId"), (_W15, "docId"), (_X15AC, "absPath")} or (
            namespace.startswith(_SPREADSHEET_REVISION_PREFIX)
        ):
            _drop(element)
            continue
        if namespace in _S_NS and name in _S_DROPPED:
            _drop(element)
            continue
        if namespace in _S_NS and name == "sheet" and element.get("state") in _HIDDEN_STATES:
            result.count("hidden_sheets_kept")  # kept: hiding is no deletion; staff are told
        if _references_dropped(element, dropped_ids):
            _drop(element)
            continue
        for attribute in list(element.attrib):
            attribute_ns, attribute_name = _local_name(attribute)
            if (
                (attribute_ns in W_NS and attribute_name.lower().startswith("rsid"))
                or (attribute_ns == _W14 and attribute_name in ("paraId", "textId"))
                or attribute_ns.startswith(_SPREADSHEET_REVISION_PREFIX)
                or attribute_name in _DROPPED_ATTRIBUTE_NAMES
            ):
                del element.attrib[attribute]
    for container in ("externalReferences", "Choice", "AlternateContent"):
        _drop_empty(tree, container)


def _local_name(attribute: str) -> tuple[str, str]:
    qname = etree.QName(attribute)
    return qname.namespace or "", qname.localname


def _references_dropped(element: etree._Element, dropped_ids: set[str]) -> bool:
    """Drop an element whose r:id names a dropped relationship; strip other r: references."""
    for attribute, value in list(element.attrib.items()):
        namespace, name = _local_name(attribute)
        if namespace in _RELATIONSHIPS_NS and value in dropped_ids:
            if name == "id":
                return True
            del element.attrib[attribute]
    return False


def _drop_empty(tree: etree._ElementTree, local_name: str) -> None:
    for element in list(tree.iter(etree.Element)):
        if _local(element)[1] == local_name and len(element) == 0:
            _drop(element)


def _kept_relationship(relationship: _Relationship, fmt: formats.Format) -> bool:
    if relationship.external:
        return relationship.type in _HYPERLINK_TYPES
    if fmt == formats.XLSX and relationship.type.endswith("/vmlDrawing"):
        return False  # in a workbook: the boxes of comments (notes), which may hold their text
    return not relationship.type.endswith(_DROPPED_RELATIONSHIP_ENDINGS)


def _content_type(name: str, defaults: dict, overrides: dict) -> str:
    return overrides.get(name.lower()) or defaults.get(posixpath.splitext(name)[1][1:].lower(), "")


def _clean_ooxml(package: _Package) -> tuple[formats.Format, dict[str, bytes], dict]:
    defaults, overrides = _content_types(package)
    _root, root_relationships = _relationships(package, "")
    main = next(
        (
            relationship
            for relationship in root_relationships
            if relationship.type.endswith("/officeDocument") and not relationship.external
        ),
        None,
    )
    main_name = package.find(main.target) if main else None
    main_type = _content_type(main_name, defaults, overrides) if main_name else ""
    if main_type not in _MAIN_TYPES:
        raise EvidenceRejected(RejectionCode.TYPE_NOT_ALLOWED)
    fmt = _MAIN_TYPES[main_type]
    result = _OoxmlResult()
    if "macroEnabled" in main_type:
        result.counts["macros_removed"] = 1
    # Walk the graph of relationships from the package root: what is not reached is not kept.
    queue: list[str] = [""]
    visited: set[str] = {""}
    relationship_parts: dict[str, tuple[str, etree._ElementTree]] = {}
    written: dict[str, bytes | None] = {}  # part -> cleaned bytes, None when left out
    dropped_ids: dict[str, set[str]] = {}
    while queue:
        part = queue.pop(0)
        tree, relationships = _relationships(package, part)
        dropped_ids[part] = set()
        for relationship in relationships:
            if relationship.type.endswith("/vbaProject"):
                result.counts["macros_removed"] = 1
            target = None if relationship.external else package.find(relationship.target)
            content_type = _content_type(target, defaults, overrides) if target else ""
            keep = _kept_relationship(relationship, fmt) and (
                relationship.external
                or (
                    target is not None
                    and content_type not in _DROPPED_TYPES
                    and content_type.startswith(_KEPT_TYPE_PREFIXES)
                    and _cleaned_part(package, target, content_type, written) is not None
                )
            )
            if not keep:
                dropped_ids[part].add(relationship.id)
                _drop(relationship.element)
                if relationship.external:
                    result.count("external_relationships_removed")
                elif "comment" in relationship.type.lower():
                    result.count("comment_parts_removed")
                continue
            if target is not None and target not in visited:
                visited.add(target)
                queue.append(target)
                result.kept_types[target] = content_type
        if tree is not None:
            name = package.find(_relationships_name(part)) if part else package.find("_rels/.rels")
            relationship_parts[part] = (name, tree)
    parts: dict[str, bytes] = {}
    for name in result.kept_types:
        data = written[name]
        if _is_xml(name, result.kept_types[name]):
            tree = _parse(data)
            _clean_ooxml_tree(tree, dropped_ids.get(name, set()), result)
            data = _serialise(tree)
        parts[name] = data
    for name, tree in relationship_parts.values():
        parts[name] = _serialise(tree)
    parts = {"[Content_Types].xml": _content_types_part(result.kept_types, main_name, fmt), **parts}
    result.counts["parts_removed"] = len(package.members) - len(parts)
    return fmt, parts, result.counts


def _is_xml(name: str, content_type: str) -> bool:
    return content_type.endswith("xml") or name.lower().endswith((".xml", ".vml"))


def _cleaned_part(
    package: _Package, name: str, content_type: str, written: dict[str, bytes | None]
) -> bytes | None:
    """A kept part's bytes (pictures already cleaned), or None when it is left out; once per part.

    XML parts are cleaned later, once it is known which of their references go.
    """
    if name not in written:
        data = package.read(name)
        if name.lower().endswith(".vml"):
            # Legacy VML is often not well-formed XML: such a drawing is left out.
            try:
                _parse(data)
            except MalformedOffice:
                data = None
            written[name] = data
        elif _is_xml(name, content_type):
            written[name] = data
        elif content_type.startswith("image/"):
            written[name] = _clean_picture(data)
        elif content_type.startswith(_FONT_TYPES_PREFIXES):
            written[name] = data
        else:
            written[name] = None
    return written[name]


def _content_types_part(kept_types: dict[str, str], main_name: str, fmt: formats.Format) -> bytes:
    """[Content_Types].xml listing exactly the kept parts, the main one in its macro-free type."""
    root = etree.Element(f"{{{_CONTENT_TYPES_NS}}}Types", nsmap={None: _CONTENT_TYPES_NS})
    etree.SubElement(
        root,
        f"{{{_CONTENT_TYPES_NS}}}Default",
        Extension="rels",
        ContentType="application/vnd.openxmlformats-package.relationships+xml",
    )
    etree.SubElement(
        root, f"{{{_CONTENT_TYPES_NS}}}Default", Extension="xml", ContentType="application/xml"
    )
    for name, content_type in kept_types.items():
        if name == main_name:
            content_type = _MACRO_FREE_MAIN[fmt]
        etree.SubElement(
            root, f"{{{_CONTENT_TYPES_NS}}}Override", PartName=f"/{name}", ContentType=content_type
        )
    return _serialise(root.getroottree())


# --- OpenDocument -----------------------------------------------------------------

_ODF_TYPES = {
    "application/vnd.oasis.opendocument.text": formats.ODT,
    "application/vnd.oasis.opendocument.spreadsheet": formats.ODS,
    "application/vnd.oasis.opendocument.presentation": formats.ODP,
}
_MANIFEST_NS = "urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"
_OFFICE = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
_TEXT = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
_TABLE = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
_SCRIPT = "urn:oasis:names:tc:opendocument:xmlns:script:1.0"
_DC = "http://purl.org/dc/elements/1.1/"
_XLINK = "http://www.w3.org/1999/xlink"
_DRAW = "urn:oasis:names:tc:opendocument:xmlns:drawing:1.0"
# Dropped with their content: comments (annotations), the record of tracked
# changes (deleted text and who changed what; the body already shows the
# accepted state once the markers below go), change markers, macros and event
# bindings, and author/date elements wherever they are left.
_ODF_DROPPED = {
    (_OFFICE, "annotation"), (_OFFICE, "annotation-end"), (_TEXT, "tracked-changes"),
    (_TABLE, "tracked-changes"), (_TEXT, "change"), (_TEXT, "change-start"),
    (_TEXT, "change-end"), (_OFFICE, "scripts"), (_OFFICE, "event-listeners"),
    (_SCRIPT, "event-listener"), (_DC, "creator"), (_DC, "date"),
}  # fmt: skip
# Linked from outside the package: the link goes (never followed); for linked
# sections and sheets the whole link element.
_ODF_LINK_ELEMENTS = {(_TEXT, "section-source"), (_TABLE, "table-source")}
_ODF_HYPERLINKS = {(_TEXT, "a"), (_DRAW, "a")}
_ODF_PART_FILES = {"content.xml", "styles.xml"}
_ODF_DROPPED_FILES = {"meta.xml", "settings.xml", "manifest.rdf", "layout-cache"}
_ODF_DROPPED_FOLDERS = ("Thumbnails/", "Configurations2/", "Basic/", "Scripts/", "Dialogs/")


def _odf_format(package: _Package) -> tuple[formats.Format, etree._ElementTree]:
    manifest_name = package.find("META-INF/manifest.xml")
    if manifest_name is None:
        raise EvidenceRejected(RejectionCode.TYPE_NOT_ALLOWED)
    manifest = _parse(package.read(manifest_name))
    if any(
        _local(element) == (_MANIFEST_NS, "encryption-data")
        for element in manifest.iter(etree.Element)
    ):
        raise EvidenceRejected(RejectionCode.ENCRYPTED)
    media_type = ""
    if "mimetype" in package.members:
        media_type = package.read("mimetype").decode("ascii", "replace").strip()
    for entry in manifest.getroot():
        if entry.get(f"{{{_MANIFEST_NS}}}full-path") == "/":
            media_type = media_type or entry.get(f"{{{_MANIFEST_NS}}}media-type", "")
    if media_type not in _ODF_TYPES:
        raise EvidenceRejected(RejectionCode.TYPE_NOT_ALLOWED)
    return _ODF_TYPES[media_type], manifest


def _odf_dropped(path: str) -> bool:
    base = posixpath.basename(path)
    return (
        base in _ODF_DROPPED_FILES
        or path.startswith(_ODF_DROPPED_FOLDERS)
        or "/Thumbnails/" in path
        or (path.startswith("META-INF/") and path != "META-INF/manifest.xml")
    )


def _is_external(href: str) -> bool:
    """Whether an xlink:href leaves the package (a URL, an absolute or parent path)."""
    href = href.strip()
    if not href or href.startswith("#"):
        return False
    if ":" in href.split("/", 1)[0] or href.startswith(("/", "\\")):
        return True
    return ".." in href.replace("\\", "/").split("/")


def _clean_odf_tree(tree: etree._ElementTree, counts: dict[str, int]) -> None:
    for element in _walk(tree.getroot()):
        key = _local(element)
        if key in _ODF_DROPPED:
            if key[1] == "annotation":
                counts["comments_removed"] = counts.get("comments_removed", 0) + 1
            elif key[1] == "tracked-changes":
                counts["tracked_changes_removed"] = counts.get("tracked_changes_removed", 0) + len(
                    element
                )
            _drop(element)
            continue
        href = element.get(f"{{{_XLINK}}}href")
        if href is None or key in _ODF_HYPERLINKS or not _is_external(href):
            continue
        counts["external_links_removed"] = counts.get("external_links_removed", 0) + 1
        if key in _ODF_LINK_ELEMENTS:
            _drop(element)
        else:
            del element.attrib[f"{{{_XLINK}}}href"]


def _clean_odf(package: _Package) -> tuple[formats.Format, dict[str, bytes], dict]:
    fmt, manifest = _odf_format(package)
    counts: dict[str, int] = {}
    parts: dict[str, bytes] = {"mimetype": fmt.media_type.encode("ascii")}
    listed = {
        entry.get(f"{{{_MANIFEST_NS}}}full-path", ""): entry for entry in list(manifest.getroot())
    }
    for path, entry in listed.items():
        if path.endswith("/") or path in ("", "/"):
            continue
        name = package.find(path)
        if path.startswith(("Basic/", "Scripts/")):
            counts["macros_removed"] = 1
        if name is None or _odf_dropped(path):
            manifest.getroot().remove(entry)
            continue
        data = package.read(name)
        if posixpath.basename(path) in _ODF_PART_FILES:
            tree = _parse(data)
            _clean_odf_tree(tree, counts)
            parts[name] = _serialise(tree)
            continue
        picture = _clean_picture(data)
        if picture is None:
            counts["parts_removed"] = counts.get("parts_removed", 0) + 1
            manifest.getroot().remove(entry)
            continue
        parts[name] = picture
    if "content.xml" not in parts:
        raise MalformedOffice("OpenDocument without content.xml")
    parts["META-INF/manifest.xml"] = _serialise(manifest)
    counts["parts_removed"] = len(package.members) - len(parts)
    return fmt, parts, counts


# --- the whole file -------------------------------------------------------------

_OLE_ENCRYPTION_STREAMS = (
    "EncryptionInfo".encode("utf-16-le"),
    "EncryptedPackage".encode("utf-16-le"),
)
# Fixed member times: a ZIP member's time says when the document was saved.
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)


def _write_zip(target: Path, parts: dict[str, bytes]) -> None:
    with target.open("wb") as output, zipfile.ZipFile(output, "w") as archive:
        for name, data in parts.items():
            info = zipfile.ZipInfo(name, date_time=_ZIP_TIME)
            info.create_system = 0
            info.external_attr = 0
            info.compress_type = zipfile.ZIP_STORED if name == "mimetype" else zipfile.ZIP_DEFLATED
            archive.writestr(info, data)


def clean_office(*, source: Path, target: Path, fmt: formats.Format) -> CleanedOffice:
    """Write a cleaned copy of an office document; the format it turned out to be, and counts."""
    if fmt == formats.OLE:
        head = source.read_bytes()
        if any(stream in head for stream in _OLE_ENCRYPTION_STREAMS):
            raise EvidenceRejected(RejectionCode.ENCRYPTED)
        raise EvidenceRejected(RejectionCode.TYPE_NOT_ALLOWED)  # .doc, .xls, .ppt, .msg
    package = _Package(source)
    try:
        if package.find("[Content_Types].xml") is not None:
            found, parts, counts = _clean_ooxml(package)
        else:
            found, parts, counts = _clean_odf(package)
    finally:
        package.close()
    _write_zip(target, parts)
    return CleanedOffice(found, {name: value for name, value in counts.items() if value})


# --- the text, for the analyst's preview ---------------------------------------

_A = "http://schemas.openxmlformats.org/drawingml/2006/main"
_P = "http://schemas.openxmlformats.org/presentationml/2006/main"
_R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
# Where text is, by (namespace, local name): runs of text, tabs, line breaks and
# the elements whose end ends a line. Word and DrawingML keep text only in their
# text elements (whitespace elsewhere is indentation); OpenDocument text is
# mixed content of its paragraphs.
_OOXML_TEXT = {(ns, "t") for ns in W_NS} | {(_A, "t")}
_OOXML_TABS = {(ns, "tab") for ns in W_NS}
_OOXML_BREAKS = {(ns, name) for ns in W_NS for name in ("br", "cr")} | {(_A, "br")}
_OOXML_LINES = {(ns, "p") for ns in W_NS} | {(_A, "p")}
_ODF_LINES = {(_TEXT, "p"), (_TEXT, "h")}
_ODF_CELL = (_TABLE, "table-cell")
_ODF_ROW = (_TABLE, "table-row")
_ODF_PAGE = (_DRAW, "page")


class _TextFull(Exception):
    """Enough text for a preview: stop reading."""


class _Text:
    """Text gathered up to a limit; lines without trailing blanks."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.parts: list[str] = []
        self.size = 0

    def add(self, text: str | None) -> None:
        if not text:
            return
        self.parts.append(text)
        self.size += len(text)
        if self.size >= self.limit:
            raise _TextFull

    def end_cell(self) -> None:
        """A cell ends: the space after its last paragraph gives way to a tab."""
        if self.parts and self.parts[-1] == " ":
            self.parts.pop()
            self.size -= 1
        self.add("\t")

    def result(self) -> str:
        lines = "".join(self.parts)[: self.limit].splitlines()
        return "\n".join(line.rstrip() for line in lines).strip("\n")


def _ooxml_text(tree: etree._ElementTree, text: _Text) -> None:
    for event, element in etree.iterwalk(tree, events=("start", "end")):
        key = _local(element)
        if event == "start" and key in _OOXML_TEXT:
            text.add(element.text)
        elif event == "start" and key in _OOXML_TABS:
            text.add("\t")
        elif event == "start" and key in _OOXML_BREAKS:
            text.add("\n")
        elif event == "end" and key in _OOXML_LINES:
            text.add("\n")


def _shared_strings(package: _Package, name: str | None) -> list[str]:
    if name is None:
        return []
    return [
        "".join(item.itertext(f"{{{_local(item)[0]}}}t", with_tail=False))
        for item in _parse(package.read(name)).getroot()
        if _local(item)[1] == "si"
    ]


def _sheet_text(tree: etree._ElementTree, shared: list[str], text: _Text) -> None:
    for row in tree.iter(etree.Element):
        if _local(row)[1] != "row":
            continue
        values = []
        for cell in row:
            if _local(cell)[1] != "c":
                continue
            namespace = _local(cell)[0]
            kind = cell.get("t", "n")
            if kind == "inlineStr":
                values.append("".join(cell.itertext(f"{{{namespace}}}t", with_tail=False)))
                continue
            value = cell.findtext(f"{{{namespace}}}v") or ""
            if kind == "s":
                index = int(value) if value.isdigit() else -1
                value = shared[index] if 0 <= index < len(shared) else ""
            values.append(value)
        text.add("\t".join(values) + "\n")


def _targets(package: _Package, part: str, type_ending: str) -> dict[str, str]:
    """Relationship id -> part name of a part's internal relationships of one type."""
    _tree, relationships = _relationships(package, part)
    return {
        relationship.id: name
        for relationship in relationships
        if relationship.type.endswith(type_ending) and not relationship.external
        for name in [package.find(relationship.target)]
        if name is not None
    }


def _in_order(tree: etree._ElementTree, list_name: str, item_name: str) -> list[tuple[str, str]]:
    """(relationship id, name attribute) of the sheets or slides listed in a main part."""
    return [
        (element.get(f"{{{_R}}}id", ""), element.get("name", ""))
        for listing in tree.iter(etree.Element)
        if _local(listing)[1] == list_name
        for element in listing
        if _local(element)[1] == item_name
    ]


def _ooxml_document_text(package: _Package, text: _Text) -> None:
    main = next(iter(_targets(package, "", "/officeDocument").values()), None)
    if main is None:
        raise MalformedOffice("no main part")
    tree = _parse(package.read(main))
    root = _local(tree.getroot())
    if root[1] == "workbook":
        shared_part = next(iter(_targets(package, main, "/sharedStrings").values()), None)
        shared = _shared_strings(package, shared_part)
        sheets = _targets(package, main, "/worksheet")
        for relationship_id, name in _in_order(tree, "sheets", "sheet"):
            if relationship_id in sheets:
                text.add(f"[{name}]\n")
                _sheet_text(_parse(package.read(sheets[relationship_id])), shared, text)
                text.add("\n")
    elif root == (_P, "presentation"):
        slides = _targets(package, main, "/slide")
        for relationship_id, _name in _in_order(tree, "sldIdLst", "sldId"):
            if relationship_id in slides:
                _ooxml_text(_parse(package.read(slides[relationship_id])), text)
                text.add("\n")
    else:
        _ooxml_text(tree, text)


def _odf_text(tree: etree._ElementTree, text: _Text) -> None:
    """Paragraphs line by line, a table row on one line (cells apart by tabs)."""
    in_line = in_cell = 0
    for event, element in etree.iterwalk(tree, events=("start", "end")):
        key = _local(element)
        if event == "start":
            if key in _ODF_LINES:
                in_line += 1
            elif key == _ODF_CELL:
                in_cell += 1
            if in_line:
                if key == (_TEXT, "s"):
                    text.add(" " * min(int(element.get(f"{{{_TEXT}}}c", "1") or 1), 80))
                elif key == (_TEXT, "tab"):
                    text.add("\t")
                elif key == (_TEXT, "line-break"):
                    text.add("\n")
                text.add(element.text)
            continue
        if key in _ODF_LINES:
            in_line -= 1
            text.add(" " if in_cell else "\n")
        elif key == _ODF_CELL:
            in_cell -= 1
            text.end_cell()
        elif key in (_ODF_ROW, _ODF_PAGE):
            text.add("\n")
        if in_line:
            text.add(element.tail)


def office_text(*, source: Path, limit: int = 6000) -> str:
    """The first ``limit`` characters of a (cleaned) document's text, for its preview.

    Read from the document's own parts in reading order (Word's body, sheets
    and slides in the order the workbook and presentation list them,
    OpenDocument's body), within the same limits as cleaning; nothing outside
    the package is opened. Layout, pictures and charts are not shown: this is
    what the document says, not how it looks.
    """
    package = _Package(source)
    text = _Text(limit)
    try:
        if package.find("[Content_Types].xml") is not None:
            _ooxml_document_text(package, text)
        else:
            content = package.find("content.xml")
            if content is None:
                raise MalformedOffice("OpenDocument without content.xml")
            _odf_text(_parse(package.read(content)), text)
    except _TextFull:
        pass
    finally:
        package.close()
    return text.result()
