"""Small files that ask a parser for much memory or time, one per format.

Shared by the budget tests (test_budget.py) and benchmarks/attack_parsing.py,
which sends them to a running server. Each entry: a builder and the refusal
code the file must get ("" when it is a legitimate file that must be cleaned
within the budget).
"""

import functools
import io
import struct
import zlib

import pikepdf

from meldpunt.evidence.tests import corpus


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def _blank_png(width: int, height: int) -> bytes:
    """An RGBA PNG of one colour: a few hundred KB that decode to width x height x 4 bytes."""
    row = b"\0" * (1 + width * 4)
    compressor = zlib.compressobj(9)
    data = b"".join(compressor.compress(row) for _ in range(height)) + compressor.flush()
    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", header)
        + _png_chunk(b"IDAT", data)
        + _png_chunk(b"IEND", b"")
    )


@functools.cache
def png_64_megapixels() -> bytes:
    """The issue's 249 KB RGBA PNG of 8000 x 8000 pixels (2 GiB to clean before)."""
    return _blank_png(8000, 8000)


@functools.cache
def png_49_megapixels() -> bytes:
    """Just under the pixel limit: accepted, and cleaned within the budget."""
    return _blank_png(7000, 7000)


def jpeg_claiming_64_megapixels() -> bytes:
    """A tiny JPEG whose frame header claims 8000 x 8000 (the old limit allowed it: 2 GiB)."""
    data = bytearray(corpus.jpeg())
    frame = data.index(b"\xff\xc0")
    data[frame + 5 : frame + 9] = struct.pack(">HH", 8000, 8000)
    return bytes(data)


@functools.cache
def pdf_flate_bomb(inflated_bytes: int = 1024 * 1024 * 1024) -> bytes:
    """A one-page PDF whose content stream is ~1 MB and inflates to 1 GiB."""
    compressor = zlib.compressobj(9)
    block = b" " * (1024 * 1024)
    compressed = (
        b"".join(compressor.compress(block) for _ in range(inflated_bytes // len(block)))
        + compressor.compress(b" BT ET")
        + compressor.flush()
    )
    document = pikepdf.new()
    document.add_blank_page()
    content = pikepdf.Stream(document, b"")
    content.write(compressed, filter=pikepdf.Name.FlateDecode)
    document.pages[0].obj.Contents = document.make_indirect(content)
    buffer = io.BytesIO()
    document.save(buffer, compress_streams=False)
    return buffer.getvalue()


def mov_with_many_streams(count: int = 200) -> bytes:
    """A QuickTime file with hundreds of tiny audio streams: demuxer state per stream."""
    import av
    import numpy

    buffer = io.BytesIO()
    with av.open(buffer, "w", format="mov") as output:
        streams = [output.add_stream("pcm_s16le", rate=8000) for _ in range(count)]
        for stream in streams:
            frame = av.AudioFrame.from_ndarray(
                numpy.zeros((1, 160), dtype="int16"), format="s16", layout="mono"
            )
            frame.sample_rate, frame.pts = 8000, 0
            for packet in [*stream.encode(frame), *stream.encode(None)]:
                output.mux(packet)
    return buffer.getvalue()


@functools.cache
def docx_with_a_huge_part(size: int = 600 * 1024 * 1024) -> bytes:
    """A DOCX whose document part unpacks to 600 MiB of spaces (about 600 KB packed)."""
    import zipfile

    from meldpunt.evidence.tests import office_corpus

    with zipfile.ZipFile(io.BytesIO(office_corpus.docx())) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    buffer = io.BytesIO()
    block = b" " * (1024 * 1024)
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            if name != "word/document.xml":
                archive.writestr(name, data)
                continue
            with archive.open(name, "w", force_zip64=True) as member:
                member.write(b"<w:document>")
                for _ in range(size // len(block)):
                    member.write(block)
                member.write(b"</w:document>")
    return buffer.getvalue()


def tiff_with_many_pages(pages: int = 1200) -> bytes:
    """More one-pixel pages than EVIDENCE_MAX_TIFF_PAGES: each costs a decode."""
    from PIL import Image

    buffer = io.BytesIO()
    first = Image.new("L", (1, 1))
    first.save(buffer, format="TIFF", save_all=True, append_images=[first] * (pages - 1))
    return buffer.getvalue()


def text_of(size: int) -> bytes:
    """Plain text of ``size`` bytes: long, but not a bomb; it must stream."""
    line = b"The quick brown fox jumps over the lazy dog. " * 2 + b"\n"
    return (line * (size // len(line) + 1))[:size]


# name: (builder, expected refusal code, "" for accepted)
BOMBS = {
    "png_64_megapixels": (png_64_megapixels, "too_complex"),
    "png_49_megapixels": (png_49_megapixels, ""),
    "jpeg_claiming_64_megapixels": (jpeg_claiming_64_megapixels, "too_complex"),
    "pdf_flate_bomb_1_gib": (pdf_flate_bomb, "too_complex"),
    "mov_200_streams": (mov_with_many_streams, "too_complex"),
    "text_64_mib": (lambda: text_of(64 * 1024 * 1024), ""),
    "docx_600_mib_part": (docx_with_a_huge_part, "too_complex"),
    "tiff_1200_pages": (tiff_with_many_pages, "too_complex"),
}
