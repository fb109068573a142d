"""Cleaning images: every byte that is not picture is removed.

JPEG, PNG, GIF and WebP are rewritten losslessly at the level of their
segments, chunks or blocks: only what a decoder needs to draw the pixels is
copied (an allow-list, so unknown and future metadata blocks go too), and
nothing after the end marker survives, which also cuts off appended archives
and the extra images of MPF, depth maps and the like. The pixels stay exactly
as they were, which matters for evidence and for perceptual hashes.

An image that must be turned upright (EXIF orientation) and HEIC photos are
decoded and encoded again, since their pixels change anyway. Every result is
decoded once more before it is accepted, and that decode gives the PDQ hash,
so the hash describes exactly the pixels that are stored.
"""

import io
import struct
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy
import pdqhash
import pillow_heif
from PIL import Image, ImageOps

from meldpunt.evidence import formats
from meldpunt.evidence.conf import evidence_setting
from meldpunt.evidence.errors import EvidenceRejected, RejectionCode

pillow_heif.register_heif_opener()

_EXIF_ORIENTATION = 0x0112
# Pillow reports these as its format names for what we write.
_PILLOW_FORMATS = {"jpeg": "JPEG", "png": "PNG", "gif": "GIF", "webp": "WEBP", "tiff": "TIFF"}


class MalformedImage(ValueError):
    """The structure of the file is broken: truncated, wrong lengths, bad checksums."""


@dataclass(frozen=True)
class CleanedImage:
    format: formats.Format
    width: int
    height: int
    pdq: str
    pdq_quality: int


# --- JPEG -----------------------------------------------------------------

# Markers a decoder needs: frame headers (SOFn), tables, restart interval, scans.
_JPEG_SOF = {0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF}
_JPEG_KEEP = _JPEG_SOF | {0xC4, 0xCC, 0xDB, 0xDD, 0xDA, 0xDC}
_JPEG_APP0 = 0xE0
_JPEG_APP14 = 0xEE
# A fresh JFIF header: version 1.1, aspect ratio 1:1, no thumbnail.
_JFIF = b"\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"


def _jpeg_scan_end(data: bytes, pos: int) -> int:
    """Index of the marker that ends the entropy-coded data starting at pos."""
    while True:
        pos = data.find(b"\xff", pos)
        if pos < 0 or pos + 1 >= len(data):
            raise MalformedImage("JPEG ends inside a scan")
        following = data[pos + 1]
        if following == 0x00 or 0xD0 <= following <= 0xD7:  # stuffed byte, restart marker
            pos += 2
        elif following == 0xFF:  # fill byte before a marker
            pos += 1
        else:
            return pos


def strip_jpeg(data: bytes) -> bytes:
    """Keep the tables, frame and scans of the first image; drop APPn, COM and trailers.

    The Adobe APP14 segment stays because it tells the decoder how colours are
    transformed (CMYK and YCCK files decode wrongly without it); it holds no text.
    A JFIF header (which may hold a thumbnail) is replaced by a minimal one, and
    only when there was one: JFIF means YCbCr to a decoder, so adding it to an
    RGB-coded JPEG (Adobe transform 0, as in many PDFs) would change its colours.
    """
    if not data.startswith(b"\xff\xd8"):
        raise MalformedImage("no JPEG start marker")
    out = [b"\xff\xd8"]
    has_jfif = False
    pos = 2
    while True:
        if pos + 2 > len(data) or data[pos] != 0xFF:
            raise MalformedImage("JPEG marker expected")
        marker = data[pos + 1]
        if marker == 0xFF:
            pos += 1
            continue
        if marker == 0xD9:
            out.append(b"\xff\xd9")
            if has_jfif:
                out.insert(1, _JFIF)
            return b"".join(out)
        if 0xD0 <= marker <= 0xD8 or marker == 0x01:
            raise MalformedImage("unexpected standalone JPEG marker")
        if pos + 4 > len(data):
            raise MalformedImage("JPEG ends inside a segment header")
        (length,) = struct.unpack(">H", data[pos + 2 : pos + 4])
        end = pos + 2 + length
        if length < 2 or end > len(data):
            raise MalformedImage("JPEG segment runs past the end")
        segment = data[pos:end]
        is_adobe = marker == _JPEG_APP14 and length == 14 and segment[4:9] == b"Adobe"
        has_jfif = has_jfif or (marker == _JPEG_APP0 and segment[4:9] == b"JFIF\x00")
        if marker in _JPEG_KEEP or is_adobe:
            out.append(segment)
        pos = end
        if marker == 0xDA:
            scan_end = _jpeg_scan_end(data, pos)
            out.append(data[pos:scan_end])
            pos = scan_end


# --- PNG ------------------------------------------------------------------

_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# Chunks that change how pixels look; text, time, EXIF, ICC, physical size and
# private chunks (C2PA, Apple iDOT, editors' data) are not among them.
_PNG_KEEP = {
    b"IHDR", b"PLTE", b"IDAT", b"IEND", b"tRNS", b"gAMA", b"cHRM", b"sRGB", b"sBIT",
    b"bKGD", b"acTL", b"fcTL", b"fdAT",
}  # fmt: skip


def strip_png(data: bytes) -> bytes:
    if not data.startswith(_PNG_SIGNATURE):
        raise MalformedImage("no PNG signature")
    out = [_PNG_SIGNATURE]
    pos = len(_PNG_SIGNATURE)
    first = True
    while True:
        if pos + 12 > len(data):
            raise MalformedImage("PNG ends before IEND")
        length, chunk_type = struct.unpack(">I4s", data[pos : pos + 8])
        end = pos + 12 + length
        if end > len(data):
            raise MalformedImage("PNG chunk runs past the end")
        if first and chunk_type != b"IHDR":
            raise MalformedImage("PNG does not start with IHDR")
        first = False
        if chunk_type in _PNG_KEEP:
            (crc,) = struct.unpack(">I", data[end - 4 : end])
            if zlib.crc32(data[pos + 4 : end - 4]) != crc:
                raise MalformedImage("PNG chunk checksum mismatch")
            out.append(data[pos:end])
        pos = end
        if chunk_type == b"IEND":
            return b"".join(out)


# --- GIF ------------------------------------------------------------------


def _gif_sub_blocks_end(data: bytes, pos: int) -> int:
    """Index just past the chain of data sub-blocks starting at pos."""
    while True:
        if pos >= len(data):
            raise MalformedImage("GIF ends inside data sub-blocks")
        size = data[pos]
        pos += 1 + size
        if size == 0:
            return pos


def _gif_colour_table_size(flags: int) -> int:
    return 3 * (2 ** ((flags & 0x07) + 1)) if flags & 0x80 else 0


def strip_gif(data: bytes) -> bytes:
    """Keep screen, colour tables, frames, frame timing and the loop count; drop the rest.

    Comment, plain-text and application extensions (XMP, ICC and editors'
    blocks) go; only the NETSCAPE2.0 loop extension is kept.
    """
    if data[:6] not in (b"GIF87a", b"GIF89a") or len(data) < 13:
        raise MalformedImage("no GIF header")
    pos = 13 + _gif_colour_table_size(data[10])
    out = [data[:pos]]
    while True:
        if pos >= len(data):
            raise MalformedImage("GIF ends before its trailer")
        introducer = data[pos]
        if introducer == 0x3B:
            out.append(b"\x3b")
            return b"".join(out)
        if introducer == 0x2C:
            if pos + 10 > len(data):
                raise MalformedImage("GIF ends inside an image descriptor")
            data_start = pos + 10 + _gif_colour_table_size(data[pos + 9]) + 1
            end = _gif_sub_blocks_end(data, data_start)
            out.append(data[pos:end])
        elif introducer == 0x21 and pos + 1 < len(data):
            label = data[pos + 1]
            end = _gif_sub_blocks_end(data, pos + 2)
            is_loop = label == 0xFF and data[pos + 3 : pos + 14] == b"NETSCAPE2.0"
            if label == 0xF9 or is_loop:
                out.append(data[pos:end])
        else:
            raise MalformedImage("unknown GIF block")
        pos = end


# --- WebP -----------------------------------------------------------------

_WEBP_KEEP = {b"VP8 ", b"VP8L", b"VP8X", b"ALPH", b"ANIM", b"ANMF"}
_VP8X_METADATA_FLAGS = 0x20 | 0x08 | 0x04  # ICC profile, EXIF, XMP


def strip_webp(data: bytes) -> bytes:
    if len(data) < 12 or data[:4] != b"RIFF" or data[8:12] != b"WEBP":
        raise MalformedImage("no WebP header")
    (riff_size,) = struct.unpack("<I", data[4:8])
    limit = min(len(data), 8 + riff_size)
    chunks = []
    pos = 12
    while pos < limit:
        if pos + 8 > limit:
            raise MalformedImage("WebP ends inside a chunk header")
        chunk_type, length = struct.unpack("<4sI", data[pos : pos + 8])
        end = pos + 8 + length + (length & 1)
        if pos + 8 + length > limit:
            raise MalformedImage("WebP chunk runs past the end")
        if chunk_type == b"VP8X" and length >= 10:
            flags = data[pos + 8] & ~_VP8X_METADATA_FLAGS
            chunks.append(data[pos : pos + 8] + bytes([flags]) + data[pos + 9 : end])
        elif chunk_type in _WEBP_KEEP:
            chunks.append(data[pos:end])
        pos = end
    if not chunks:
        raise MalformedImage("WebP without image data")
    body = b"WEBP" + b"".join(chunks)
    return b"RIFF" + struct.pack("<I", len(body)) + body


# --- TIFF -----------------------------------------------------------------

_TIFF_ORIENTATION = 0x0112  # the same tag number as EXIF's
_TIFF_NEW_SUBFILE_TYPE = 0x00FE
_TIFF_REDUCED_RESOLUTION = 0x1  # NewSubfileType bit: a thumbnail of another page
_TRANSPOSE_FOR_ORIENTATION = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}
# Lossy page compressions: such pages are encoded again as JPEG (quality 95),
# since their pixels were approximate already and deflating them would make
# the file many times larger. Every other page is written losslessly.
_TIFF_LOSSY = {"jpeg", "tiff_jpeg", "webp"}


def _tiff_compression(page: Image.Image, original: str) -> dict:
    """Encoder options: CCITT Group 4 for black and white, deflate for the rest."""
    if page.mode == "1":
        return {"compression": "group4"}
    if original in _TIFF_LOSSY and page.mode in ("L", "RGB"):
        return {"compression": "jpeg", "quality": 95}
    return {"compression": "tiff_adobe_deflate"}


def rewrite_tiff(image: Image.Image) -> bytes:
    """Every page decoded and written into a new TIFF with only the tags that draw it.

    A TIFF is a list of tag directories, any of which may hold EXIF, GPS, XMP,
    IPTC, Photoshop data, an ICC profile, software, artist, host computer and
    dates, or point to sub-images; so nothing is copied. Each page's pixels are
    copied into a fresh image (no ``info``, no tags), turned upright when its
    Orientation tag says so, and written by libtiff, which writes only size,
    sample layout, colour map, compression and strips. Resolution (DPI) goes
    too, as for PNG and JPEG. Pages flagged as reduced-resolution copies of
    another page (thumbnails) are left out: a thumbnail can show what was cut
    from the page. One page is decoded at a time, each within the pixel limit.
    """
    from PIL import TiffImagePlugin

    max_pages = evidence_setting("EVIDENCE_MAX_TIFF_PAGES")
    max_pixels = evidence_setting("EVIDENCE_MAX_IMAGE_PIXELS")
    buffer = io.BytesIO()
    written = 0
    with TiffImagePlugin.AppendingTiffWriter(buffer, new=True) as writer:
        for index in range(max_pages + 1):
            try:
                image.seek(index)
            except EOFError:
                break
            if index == max_pages:
                raise EvidenceRejected(RejectionCode.TOO_COMPLEX)
            tags = getattr(image, "tag_v2", {})
            if int(tags.get(_TIFF_NEW_SUBFILE_TYPE, 0) or 0) & _TIFF_REDUCED_RESOLUTION:
                continue
            width, height = image.size
            if width < 1 or height < 1:
                raise MalformedImage("TIFF page without pixels")
            if width * height > max_pixels:
                raise EvidenceRejected(RejectionCode.TOO_COMPLEX)
            orientation = tags.get(_TIFF_ORIENTATION, 1)
            image.load()
            page = image.copy()  # pixels and palette; no tags
            page.info = {}
            # Pillow turns a TIFF page upright while loading it and then drops
            # the tag; should a version not do so, the tag is still there.
            if getattr(image, "tag_v2", {}).get(_TIFF_ORIENTATION) == orientation:
                transpose = _TRANSPOSE_FOR_ORIENTATION.get(orientation)
                if transpose is not None:
                    page = page.transpose(transpose)
            page.save(
                writer, format="TIFF", **_tiff_compression(page, image.info.get("compression", ""))
            )
            writer.newFrame()
            written += 1
            del page
    if written == 0:
        raise MalformedImage("TIFF without a full-size page")
    return buffer.getvalue()


_STRIPPERS = {
    formats.JPEG: strip_jpeg,
    formats.PNG: strip_png,
    formats.GIF: strip_gif,
    formats.WEBP: strip_webp,
}


# --- decoding, re-encoding and hashing ------------------------------------


def _open(data: bytes) -> Image.Image:
    """Open an image and check its size before any pixel is decoded.

    Our pixel limit sits below Pillow's own bomb limits, so Pillow's warning
    never decides anything; ``warnings.catch_warnings`` is avoided because it
    is not thread-safe and the web server runs requests in threads.
    """
    try:
        image = Image.open(io.BytesIO(data))
    except Image.DecompressionBombError as error:
        raise EvidenceRejected(RejectionCode.TOO_COMPLEX) from error
    width, height = image.size
    if width < 1 or height < 1:
        raise MalformedImage("image without pixels")
    if width * height > evidence_setting("EVIDENCE_MAX_IMAGE_PIXELS"):
        raise EvidenceRejected(RejectionCode.TOO_COMPLEX)
    return image


def _orientation(image: Image.Image) -> int:
    """The EXIF orientation, or 1 when there is none or the EXIF block is unreadable."""
    try:
        return int(image.getexif().get(_EXIF_ORIENTATION, 1))
    except Exception:  # noqa: BLE001 - malformed EXIF is dropped anyway; it only loses rotation
        return 1


def _reencode(image: Image.Image, target: formats.Format) -> bytes:
    """Decode, turn upright and encode again with no metadata at all."""
    upright = ImageOps.exif_transpose(image)
    if target == formats.JPEG and upright.mode not in ("RGB", "L", "CMYK"):
        upright = upright.convert("RGB")
    elif "transparency" in upright.info:
        upright = upright.convert("RGBA")
    # Some encoders copy ICC profiles, comments or EXIF from .info: start empty.
    upright.info = {}
    buffer = io.BytesIO()
    upright.save(buffer, format=_PILLOW_FORMATS[target.name], quality=95)
    return buffer.getvalue()


def pdq_of(image: Image.Image) -> tuple[str, int]:
    """PDQ hash (ThreatExchange hex: bits in order, big-endian) and its quality 0-100.

    Closes ``image``: its decoded pixels are freed before pdqhash allocates its
    own buffers, which keeps the peak of a 50-megapixel image under the
    parser's memory budget (conf.py).
    """
    with image:
        pixels = numpy.asarray(image.convert("RGB"))
    bits, quality = pdqhash.compute(pixels)
    return numpy.packbits(bits.astype(numpy.uint8)).tobytes().hex(), int(quality)


def _is_animated(image: Image.Image) -> bool:
    return bool(getattr(image, "is_animated", False))


def clean_image(*, source: Path, target: Path, fmt: formats.Format) -> CleanedImage:
    """Write a metadata-free copy of an image to target; raises on anything suspicious."""
    data = source.read_bytes()
    original = _open(data)
    if fmt == formats.TIFF:
        output_format, cleaned = fmt, rewrite_tiff(original)
    elif fmt == formats.HEIC:
        # HEIF keeps metadata, thumbnails and auxiliary images as items of its
        # container; a fresh JPEG of the primary image has none of them. The
        # HEIF decoder has already applied the container's rotation.
        original.load()
        output_format, cleaned = formats.JPEG, _reencode(original, formats.JPEG)
    elif _orientation(original) != 1 and not _is_animated(original):
        original.load()
        output_format, cleaned = fmt, _reencode(original, fmt)
    else:
        output_format, cleaned = fmt, _STRIPPERS[fmt](data)
    del data, original
    check = _open(cleaned)
    if check.format != _PILLOW_FORMATS[output_format.name]:
        raise MalformedImage("cleaned image is not what was expected")
    check.load()
    width, height = check.size
    target.write_bytes(cleaned)
    del cleaned
    pdq, quality = pdq_of(check)
    return CleanedImage(output_format, width, height, pdq, quality)
