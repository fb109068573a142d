"""Cleaning PDFs (with pikepdf/qpdf) and plain text.

A PDF is rewritten from its object graph: only objects still reachable from
the document are written, so earlier revisions (incremental updates) and
orphaned objects disappear along with the document information dictionary,
XMP packets (document, page and image level), file identifiers, embedded and
associated files, thumbnails, application private data (PieceInfo), XFA
forms, JavaScript and actions that run, launch, submit or import anything.

Images keep metadata of their own inside their streams, and are cleaned
without being decoded: JPEG images (DCTDecode) lose their EXIF, XMP, IPTC,
ICC and comment segments the same way a JPEG upload does; JPEG 2000 images
(JPXDecode) keep only the boxes a decoder needs (signature, file type, reader
requirements, the image header box and the first codestream), so XML, UUID,
IPR and resolution boxes go, as do comment (COM) segments inside the
codestream. JPEG inline images in content streams are stripped in place. An
image that cannot be parsed refuses the whole PDF.
"""

import base64
import codecs
import re
import struct
import zlib
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


class MalformedDocument(ValueError):
    """An embedded image whose structure is broken."""


# --- JPEG 2000 --------------------------------------------------------------

_JP2_SIGNATURE = b"\x00\x00\x00\x0cjP  \r\n\x87\n"
# Top-level boxes a decoder needs; the first codestream (jp2c) is added apart.
_JP2_KEEP = {b"jP  ", b"ftyp", b"rreq", b"jp2h"}
# Inside the header box: image size, bit depths, colour, palette and channels.
# The resolution box (res) and anything unknown go.
_JP2_HEADER_KEEP = {b"ihdr", b"bpcc", b"colr", b"pclr", b"cmap", b"cdef"}
_J2K_SOC = b"\xff\x4f"
_J2K_SIZ = 0x51
_J2K_SOT = 0x90
_J2K_SOD = 0x93
_J2K_EOC = b"\xff\xd9"
# Comments, and tile-part lengths (TLM) that would no longer be right once
# comments inside tile-part headers are gone; TLM is only an index.
_J2K_DROPPED = {0x64, 0x55}


def _jp2_boxes(data: bytes) -> list[tuple[bytes, bytes, bytes]]:
    """(type, header, payload) of each box in data; a box of length 0 runs to the end."""
    boxes = []
    position = 0
    while position < len(data):
        if position + 8 > len(data):
            raise MalformedDocument("JP2 box header runs past the end")
        length, box_type = struct.unpack(">I4s", data[position : position + 8])
        header_size = 8
        if length == 1:
            if position + 16 > len(data):
                raise MalformedDocument("JP2 box header runs past the end")
            (length,) = struct.unpack(">Q", data[position + 8 : position + 16])
            header_size = 16
        elif length == 0:
            length = len(data) - position
        if length < header_size or position + length > len(data):
            raise MalformedDocument("JP2 box runs past the end")
        end = position + length
        boxes.append(
            (box_type, data[position : position + header_size], data[position + header_size : end])
        )
        position = end
    return boxes


def _jp2_box(box_type: bytes, payload: bytes) -> bytes:
    if len(payload) + 8 > 0xFFFFFFFF:  # extended length
        return struct.pack(">I4sQ", 1, box_type, len(payload) + 16) + payload
    return struct.pack(">I4s", len(payload) + 8, box_type) + payload


def _j2k_segment_end(data: bytes, position: int) -> int:
    if position + 4 > len(data) or data[position] != 0xFF or data[position + 1] < 0x40:
        raise MalformedDocument("JPEG 2000 marker segment expected")
    (length,) = struct.unpack(">H", data[position + 2 : position + 4])
    end = position + 2 + length
    if length < 2 or end > len(data):
        raise MalformedDocument("JPEG 2000 marker segment runs past the end")
    return end


def _j2k_header(data: bytes, position: int, stop: int) -> tuple[bytes, int]:
    """Marker segments from position up to the marker ``stop``, without comments and TLM."""
    kept = []
    while True:
        if position + 2 > len(data):
            raise MalformedDocument("JPEG 2000 header runs past the end")
        if data[position] == 0xFF and data[position + 1] == stop:
            return b"".join(kept), position
        end = _j2k_segment_end(data, position)
        if data[position + 1] not in _J2K_DROPPED:
            kept.append(data[position:end])
        position = end


def strip_j2k(data: bytes) -> bytes:
    """A JPEG 2000 codestream without comment segments, in the main and tile-part headers."""
    if not data.startswith(_J2K_SOC) or data[2:4] != bytes([0xFF, _J2K_SIZ]):
        raise MalformedDocument("no JPEG 2000 codestream start")
    main, position = _j2k_header(data, 2, _J2K_SOT)
    out = [_J2K_SOC, main]
    while not data.startswith(_J2K_EOC, position):
        if data[position : position + 4] != bytes([0xFF, _J2K_SOT, 0, 10]) or (
            position + 12 > len(data)
        ):
            raise MalformedDocument("JPEG 2000 tile-part expected")
        sot = bytearray(data[position : position + 12])
        (tile_part_length,) = struct.unpack(">I", sot[6:10])
        header, sod = _j2k_header(data, position + 12, _J2K_SOD)
        if tile_part_length == 0:  # the last tile-part runs up to EOC
            end = len(data) - len(_J2K_EOC)
            if not data.endswith(_J2K_EOC) or end < sod:
                raise MalformedDocument("JPEG 2000 codestream without end")
        else:
            end = position + tile_part_length
            if end > len(data) or end < sod + 2:
                raise MalformedDocument("JPEG 2000 tile-part runs past the end")
            sot[6:10] = struct.pack(">I", 12 + len(header) + end - sod)
        out += [bytes(sot), header, data[sod:end]]
        position = end
    out.append(_J2K_EOC)
    return b"".join(out)


def strip_jp2(data: bytes) -> bytes:
    """A JP2/JPX file with only the boxes a decoder needs, or a bare codestream, cleaned."""
    if data.startswith(_J2K_SOC):
        return strip_j2k(data)
    if not data.startswith(_JP2_SIGNATURE):
        raise MalformedDocument("no JPEG 2000 signature")
    kept = []
    seen = set()
    for box_type, _header, payload in _jp2_boxes(data):
        if box_type == b"jp2c":
            if b"jp2h" not in seen:
                raise MalformedDocument("JP2 codestream before its header box")
            kept.append(_jp2_box(b"jp2c", strip_j2k(payload)))
            return b"".join(kept)
        seen.add(box_type)
        if box_type == b"jp2h":
            inner = [
                header + payload
                for box_type, header, payload in _jp2_boxes(payload)
                if box_type in _JP2_HEADER_KEEP
            ]
            kept.append(_jp2_box(b"jp2h", b"".join(inner)))
        elif box_type in _JP2_KEEP:
            kept.append(_jp2_box(box_type, payload))
    raise MalformedDocument("JP2 file without a codestream")


# --- images inside the PDF ----------------------------------------------------

# A compressed image larger than this is no photo or scan; it is refused
# rather than inflated.
_MAX_IMAGE_STREAM_BYTES = 64 * 1024 * 1024
_IMAGE_STRIPPERS = {"/DCTDecode": strip_jpeg, "/JPXDecode": strip_jp2}
# Abbreviations are meant for inline images, but some readers accept them on
# streams too, so a JPEG must not hide behind one.
_FILTER_ABBREVIATIONS = {
    "/DCT": "/DCTDecode", "/Fl": "/FlateDecode", "/AHx": "/ASCIIHexDecode",
    "/A85": "/ASCII85Decode", "/LZW": "/LZWDecode", "/RL": "/RunLengthDecode",
    "/CCF": "/CCITTFaxDecode",
}  # fmt: skip


def _as_list(value: pikepdf.Object | None) -> list:
    if value is None:
        return []
    return list(value) if isinstance(value, pikepdf.Array) else [value]


def _undo_filter(name: pikepdf.Object, parameters: pikepdf.Object | None, data: bytes) -> bytes:
    """Undo a general filter put around a JPEG; only the ones seen in practice."""
    if name == pikepdf.Name.FlateDecode:
        if isinstance(parameters, pikepdf.Dictionary) and parameters.get("/Predictor", 1) != 1:
            raise EvidenceRejected(RejectionCode.TOO_COMPLEX)
        inflater = zlib.decompressobj()
        inflated = inflater.decompress(data, _MAX_IMAGE_STREAM_BYTES + 1)
        if len(inflated) > _MAX_IMAGE_STREAM_BYTES:
            raise EvidenceRejected(RejectionCode.TOO_COMPLEX)
        return inflated
    if name == pikepdf.Name.ASCIIHexDecode:
        digits = re.sub(rb"\s", b"", data).rstrip(b">")
        return bytes.fromhex((digits + b"0" * (len(digits) % 2)).decode("ascii"))
    if name == pikepdf.Name.ASCII85Decode:
        text = re.sub(rb"\s", b"", data)
        return base64.a85decode(text.removeprefix(b"<~").removesuffix(b"~>"))
    raise EvidenceRejected(RejectionCode.TOO_COMPLEX)


def _clean_image_stream(stream: pikepdf.Stream) -> None:
    """Strip a JPEG or JPEG 2000 image in place, keeping its decode parameters."""
    filters = [
        pikepdf.Name(_FILTER_ABBREVIATIONS.get(str(name), str(name)))
        if isinstance(name, pikepdf.Name)
        else name
        for name in _as_list(stream.get("/Filter"))
    ]
    image_filters = [name for name in filters if str(name) in _IMAGE_STRIPPERS]
    if not image_filters:
        return
    if len(image_filters) > 1 or str(filters[-1]) not in _IMAGE_STRIPPERS:
        raise MalformedDocument("image filter is not the last filter")
    parameters = _as_list(stream.get("/DecodeParms"))
    if parameters and len(parameters) != len(filters):
        raise MalformedDocument("decode parameters do not match the filters")
    parameters = parameters or [None] * len(filters)
    data = stream.read_raw_bytes()
    for name, parameter in zip(filters[:-1], parameters[:-1], strict=True):
        data = _undo_filter(name, parameter, data)
    image_parameters = parameters[-1]
    if not isinstance(image_parameters, pikepdf.Dictionary):
        image_parameters = None  # absent or null: the defaults
    stream.write(
        _IMAGE_STRIPPERS[str(filters[-1])](data),
        filter=filters[-1],
        decode_parms=image_parameters,
    )


def _clean_dictionary(dictionary: pikepdf.Dictionary | pikepdf.Stream) -> None:
    for key in _DROPPED_KEYS & set(dictionary.keys()):
        del dictionary[key]
    if dictionary.get("/S") in _ACTIVE_ACTIONS:
        for key in list(dictionary.keys()):
            del dictionary[key]
    if isinstance(dictionary, pikepdf.Stream):
        _clean_image_stream(dictionary)


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


# "BI" as an operator: an inline image may follow. Cheap to look for, so
# content streams without one are never parsed.
_INLINE_IMAGE_START = re.compile(rb"(?:^|[\s\]>)])BI[\s/]")


def _content_streams(pdf: pikepdf.Pdf) -> list[pikepdf.Stream]:
    """Page contents, form XObjects, tiling patterns and Type 3 glyphs: where inline images live."""
    streams = []
    for page in pdf.pages:
        contents = page.obj.get("/Contents")
        streams += [item for item in _as_list(contents) if isinstance(item, pikepdf.Stream)]
    for item in pdf.objects:
        if not isinstance(item, pikepdf.Dictionary | pikepdf.Stream):
            continue
        if isinstance(item, pikepdf.Stream) and (
            item.get("/Subtype") == pikepdf.Name.Form or item.get("/PatternType") == 1
        ):
            streams.append(item)
        glyphs = item.get("/CharProcs")
        if isinstance(glyphs, pikepdf.Dictionary):
            streams += [glyph for glyph in glyphs.values() if isinstance(glyph, pikepdf.Stream)]
    return streams


# A content stream that inflates beyond this is a bomb, not a page: real ones
# are kilobytes to a few megabytes.
_MAX_CONTENT_STREAM_BYTES = 64 * 1024 * 1024
_INFLATE_CHUNK = 1024 * 1024


def _may_hold_inline_image(stream: pikepdf.Stream) -> bool:
    """Whether the decoded stream has a "BI" operator, found without inflating it whole.

    Plain Flate streams (almost all content streams) are inflated a chunk at a
    time and searched as they go, so a stream that inflates to gigabytes costs
    a megabyte of memory and is refused at the limit. Others are decoded by
    qpdf whole, within the sandbox's memory limit.
    """
    if stream.get("/Filter") not in (pikepdf.Name.FlateDecode, None) or "/DecodeParms" in stream:
        return _has_inline_image_operator(_bounded(stream.read_bytes()))
    if stream.get("/Filter") is None:
        return _has_inline_image_operator(_bounded(stream.read_raw_bytes()))
    inflater = zlib.decompressobj()
    raw = stream.read_raw_bytes()
    inflated, tail, position = 0, b"", 0
    while not inflater.eof:
        data = inflater.unconsumed_tail
        if not data and position < len(raw):
            data, position = raw[position : position + _INFLATE_CHUNK], position + _INFLATE_CHUNK
        chunk = inflater.decompress(data, _INFLATE_CHUNK)
        if not chunk and not data:  # the stream ends without its end mark
            break
        inflated += len(chunk)
        _bounded(b"", size=inflated)
        if _has_inline_image_operator(tail + chunk):
            return True
        tail = chunk[-8:]
    return False


def _has_inline_image_operator(content: bytes) -> bool:
    # The plain search first: the pattern is slow on long runs of white space.
    return b"BI" in content and bool(_INLINE_IMAGE_START.search(content))


def _bounded(content: bytes, *, size: int | None = None) -> bytes:
    if (len(content) if size is None else size) > _MAX_CONTENT_STREAM_BYTES:
        raise EvidenceRejected(RejectionCode.TOO_COMPLEX)
    return content


def _clean_inline_images(stream: pikepdf.Stream) -> None:
    """Strip JPEG inline images (BI ... ID ... EI) in a content stream.

    The JPEG bytes are replaced where they stand, so the rest of the content
    stream stays byte for byte as it was.
    """
    if not _may_hold_inline_image(stream):
        return
    content = stream.read_bytes()
    cleaned = content
    for instruction in pikepdf.parse_content_stream(stream):
        if not isinstance(instruction, pikepdf.ContentStreamInlineImage):
            continue
        image = instruction.iimage
        filters = [str(name) for name in image.filters]
        if "/DCTDecode" not in filters:
            continue
        if filters != ["/DCTDecode"]:
            raise EvidenceRejected(RejectionCode.TOO_COMPLEX)
        coded = image.read_raw_bytes()
        cleaned = cleaned.replace(coded, strip_jpeg(coded))
    if cleaned != content:
        stream.write(cleaned)


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
        for stream in _content_streams(pdf):
            _clean_inline_images(stream)
        pdf.remove_unreferenced_resources()
        # Into an open file: given a path, pikepdf writes a temporary file beside
        # it and renames it, which a memory file (spool.py) cannot take.
        with target.open("wb") as output:
            pdf.save(output, encryption=False, deterministic_id=True, fix_metadata_version=False)
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
