"""Planted metadata must be gone after cleaning, by every reader we have and by a byte search."""

import base64
import io
import struct
import zlib

import av
import numpy
import pdqhash
import pikepdf
import pytest
from PIL import Image

from meldpunt.evidence.errors import EvidenceRejected
from meldpunt.evidence.services import evidence_prepare
from meldpunt.evidence.tests import corpus

IMAGES = ["jpeg", "png", "webp", "gif", "heic"]
VIDEO = ["mp4", "mov", "mp4_hevc", "mp4_mpeg4", "webm", "webm_av1"]
MEDIA = [*VIDEO, "webm_vorbis", "mp3", "m4a", "ogg", "wav", "flac"]


def _prepare(data: bytes, name: str = "file"):
    return evidence_prepare(source=io.BytesIO(data), name=name, max_bytes=50 * 1024 * 1024)


def _cleaned(data: bytes) -> tuple[bytes, object]:
    prepared = _prepare(data)
    try:
        return prepared.path.read_bytes(), prepared
    finally:
        prepared.discard()


def _markers_in(data: bytes) -> list[str]:
    return [marker for marker in corpus.TEXT_MARKERS if marker.encode() in data]


@pytest.mark.parametrize("fmt", IMAGES + MEDIA + ["pdf", "pdf_jpx"])
def test_planted_values_were_there_and_are_gone(fmt):
    original = corpus.BUILDERS[fmt]()
    # An honest test: the original really carries the markers.
    assert len(_markers_in(original)) >= 3, _markers_in(original)
    cleaned, _prepared = _cleaned(original)
    assert _markers_in(cleaned) == []


@pytest.mark.parametrize("fmt", IMAGES)
def test_images_open_and_have_no_metadata(fmt):
    cleaned, prepared = _cleaned(corpus.BUILDERS[fmt]())
    with Image.open(io.BytesIO(cleaned)) as image:
        image.load()
        assert image.size == (prepared.properties["width"], prepared.properties["height"])
        assert not image.getexif()
        assert set(image.info) <= {"jfif", "jfif_version", "jfif_unit", "jfif_density",
                                   "dpi", "loop", "duration", "version", "background",
                                   "transparency", "adobe", "adobe_transform", "progressive",
                                   "progression", "extension", "timestamp", "disposal",
                                   "blend", "gamma"}, image.info  # fmt: skip
        assert not getattr(image, "text", {})
        assert numpy.asarray(image.convert("RGB")).std() > 10  # real picture, not blank


def test_jpeg_pixels_are_untouched_when_only_metadata_goes():
    original = corpus.jpeg()
    cleaned, _prepared = _cleaned(original)
    before = numpy.asarray(Image.open(io.BytesIO(original)).convert("RGB"))
    after = numpy.asarray(Image.open(io.BytesIO(cleaned)).convert("RGB"))
    assert numpy.array_equal(before, after)


def test_jpeg_with_orientation_is_turned_upright_and_loses_exif():
    cleaned, prepared = _cleaned(corpus.jpeg(orientation=6, size=(96, 64)))
    with Image.open(io.BytesIO(cleaned)) as image:
        assert image.size == (64, 96)
        assert not image.getexif()
    assert _markers_in(cleaned) == []


def test_gif_keeps_its_animation():
    cleaned, _prepared = _cleaned(corpus.gif())
    with Image.open(io.BytesIO(cleaned)) as image:
        assert image.n_frames == 2
        assert "comment" not in image.info


@pytest.mark.parametrize("fmt", MEDIA)
def test_media_has_no_tags_left(fmt):
    cleaned, prepared = _cleaned(corpus.BUILDERS[fmt]())
    with av.open(io.BytesIO(cleaned)) as container:
        values = list(container.metadata.values())
        for stream in container.streams:
            values += list(stream.metadata.values())
        assert container.streams.audio or container.streams.video
        assert not [v for v in values if any(m in v for m in corpus.TEXT_MARKERS)], values
        assert "creation_time" not in container.metadata
        assert not [v for v in values if "2021" in v]
    assert prepared.properties["duration_seconds"] > 0.5


def _video_bytes(data: bytes) -> bytes:
    """The coded video alone: stream header and packets (AAC carries FFmpeg's name too)."""
    with av.open(io.BytesIO(data)) as container:
        stream = container.streams.video[0]
        parts = [stream.codec_context.extradata or b""]
        parts += [bytes(packet) for packet in container.demux(stream) if packet.size]
    return b"".join(parts)


def _decoded_frames(data: bytes) -> list[numpy.ndarray]:
    with av.open(io.BytesIO(data)) as container:
        return [frame.to_ndarray(format="rgb24") for frame in container.decode(video=0)]


@pytest.mark.parametrize("fmt", [fmt for fmt in VIDEO if fmt != "webm"])
def test_video_bitstream_loses_sei_and_user_data_and_keeps_every_frame(fmt):
    original = corpus.BUILDERS[fmt]()
    planted = [b"PLANTED-SEI", *corpus.ENCODER_STRINGS]
    in_original = [value for value in planted if value in _video_bytes(original)]
    assert in_original, "the corpus file must carry text in its coded video"
    cleaned, _prepared = _cleaned(original)
    assert [value for value in planted if value in _video_bytes(cleaned)] == []
    assert b"PLANTED-SEI" not in cleaned
    assert b"x264 - core" not in cleaned and b"x265 (build" not in cleaned
    before, after = _decoded_frames(original), _decoded_frames(cleaned)
    assert len(after) == len(before) == 10
    assert all(numpy.array_equal(a, b) for a, b in zip(before, after, strict=True))


def test_video_codec_that_cannot_be_cleaned_is_refused():
    """Motion JPEG frames can each carry EXIF; we do not strip them, so the file is refused."""
    buffer = io.BytesIO()
    with av.open(buffer, "w", format="mov") as output:
        stream = output.add_stream("mjpeg", rate=10)
        stream.width, stream.height, stream.pix_fmt = 64, 48, "yuvj420p"
        for seed in range(3):
            frame = av.VideoFrame.from_ndarray(corpus.pixels(64, 48, seed), format="rgb24")
            output.mux(stream.encode(frame.reformat(format="yuvj420p")))
        output.mux(stream.encode())
    with pytest.raises(EvidenceRejected) as refused:
        _prepare(buffer.getvalue())
    assert refused.value.code == "type_not_allowed"


def _stream_bytes(stream: pikepdf.Stream) -> bytes:
    """Decoded where qpdf can decode, as stored otherwise (JPEG and JPEG 2000 images)."""
    try:
        return stream.read_bytes()
    except pikepdf.PdfError:
        return stream.read_raw_bytes()


def test_pdf_has_no_info_xmp_attachments_or_scripts():
    cleaned, prepared = _cleaned(corpus.pdf())
    assert prepared.properties == {"pages": 1}
    with pikepdf.open(io.BytesIO(cleaned)) as pdf:
        assert "/Info" not in pdf.trailer
        assert "/Metadata" not in pdf.Root
        assert "/OpenAction" not in pdf.Root
        assert len(pdf.attachments) == 0
        page = pdf.pages[0]
        for key in ("/AA", "/PieceInfo", "/Thumb", "/Metadata"):
            assert key not in page, key
        streams = [obj for obj in pdf.objects if isinstance(obj, pikepdf.Stream)]
        assert _markers_in(b"".join(_stream_bytes(obj) for obj in streams)) == []
        for image in page.Resources.XObject.values():
            assert "/Metadata" not in image


def _pdf_images(data: bytes) -> dict[str, tuple[bytes, numpy.ndarray]]:
    """Each image of the first page: the image file as stored (filters other than the
    image codec undone) and its decoded pixels."""
    images = {}
    with pikepdf.open(io.BytesIO(data)) as pdf:
        for name, image in pdf.pages[0].Resources.XObject.items():
            if image.Subtype != pikepdf.Name.Image:
                continue
            pixels = numpy.asarray(pikepdf.PdfImage(image).as_pil_image().convert("RGB"))
            filters = image.Filter if isinstance(image.Filter, pikepdf.Array) else [image.Filter]
            coded = image.read_raw_bytes()
            if len(filters) > 1:
                coded = zlib.decompress(coded)
            images[name] = (coded, pixels)
    return images


def _jp2_box_types(data: bytes) -> list[bytes]:
    types, position = [], 0
    while position < len(data):
        length, box_type = struct.unpack(">I4s", data[position : position + 8])
        types.append(box_type)
        if box_type == b"jp2h":
            types += [b"jp2h/" + t for t in _jp2_box_types(data[position + 8 : position + length])]
        position += length
    return types


@pytest.mark.parametrize("fmt", ["pdf", "pdf_jpx"])
def test_pdf_images_lose_their_metadata_and_keep_their_pixels(fmt):
    original = corpus.BUILDERS[fmt]()
    cleaned, _prepared = _cleaned(original)
    before, after = _pdf_images(original), _pdf_images(cleaned)
    assert before.keys() == after.keys() == {"/Im0", "/Im1"}
    for name, (coded, pixels) in after.items():
        original_coded, original_pixels = before[name]
        assert len(_markers_in(original_coded)) >= 2, name  # the image itself carried them
        assert _markers_in(coded) == [], name
        # Stripped, not re-encoded: every pixel as before (also the RGB-coded JPEG).
        assert numpy.array_equal(pixels, original_pixels), name
        with Image.open(io.BytesIO(coded)) as image:
            image.load()
            assert not image.getexif()
            assert not {"exif", "xmp", "icc_profile", "comment", "COM"} & set(image.info)
        if coded.startswith(b"\x00\x00\x00\x0cjP  "):
            assert _jp2_box_types(coded) == [
                b"jP  ", b"ftyp", b"jp2h", b"jp2h/ihdr", b"jp2h/colr", b"jp2c"
            ]  # fmt: skip
        if not coded.startswith(b"\xff\xd8"):
            assert b"\xff\x64" not in coded  # no COM segment left in the codestream


def _inline_images(data: bytes) -> list[tuple[bytes, numpy.ndarray]]:
    images = []
    with pikepdf.open(io.BytesIO(data)) as pdf:
        page = pdf.pages[0]
        for stream in (page.obj.Contents, page.Resources.XObject.Fm0):
            for instruction in pikepdf.parse_content_stream(stream):
                if isinstance(instruction, pikepdf.ContentStreamInlineImage):
                    image = instruction.iimage
                    pixels = numpy.asarray(image.as_pil_image().convert("RGB"))
                    images.append((image.read_raw_bytes(), pixels))
    return images


def test_pdf_inline_jpeg_images_lose_their_metadata_and_keep_their_pixels():
    original = corpus.pdf()
    cleaned, _prepared = _cleaned(original)
    before, after = _inline_images(original), _inline_images(cleaned)
    assert len(before) == len(after) == 2
    for (original_coded, original_pixels), (coded, pixels) in zip(before, after, strict=True):
        assert len(_markers_in(original_coded)) >= 3
        assert _markers_in(coded) == []
        assert b"Exif" not in coded
        assert numpy.array_equal(pixels, original_pixels)


def _pdf_with_image(data: bytes, **keys) -> bytes:
    document = pikepdf.new()
    document.add_blank_page(page_size=(200, 200))
    image = pikepdf.Stream(document, data)
    image.Type, image.Subtype = pikepdf.Name.XObject, pikepdf.Name.Image
    image.Width, image.Height, image.BitsPerComponent = 96, 64, 8
    image.ColorSpace = pikepdf.Name.DeviceRGB
    for key, value in keys.items():
        image[f"/{key}"] = value
    document.pages[0].Resources = pikepdf.Dictionary(XObject=pikepdf.Dictionary(Im0=image))
    document.pages[0].Contents = document.make_stream(b"q 96 0 0 64 10 10 cm /Im0 Do Q")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("data", "keys", "code"),
    [
        (corpus.jp2()[:700], {"Filter": pikepdf.Name.JPXDecode}, "corrupt"),
        (corpus.jp2(codestream_only=True)[:-40], {"Filter": pikepdf.Name.JPXDecode}, "corrupt"),
        (b"\x00\x00\x00\x0cjP  \r\n\x87\n" + b"\xff" * 20, {"Filter": "/JPXDecode"}, "corrupt"),
        (corpus.pdf_photo_jpeg()[:500], {"Filter": pikepdf.Name.DCTDecode}, "corrupt"),
        # A JPEG behind an abbreviated filter name is still found and checked.
        (corpus.pdf_photo_jpeg()[:500], {"Filter": pikepdf.Name("/DCT")}, "corrupt"),
        # Inflating the stream in front of a JPEG is bounded.
        (
            zlib.compress(b"\xff\xd8" + bytes(70 * 1024 * 1024), 9),
            {"Filter": pikepdf.Array([pikepdf.Name.FlateDecode, pikepdf.Name.DCTDecode])},
            "too_complex",
        ),
        (
            zlib.compress(corpus.pdf_photo_jpeg()),
            {"Filter": pikepdf.Array([pikepdf.Name.LZWDecode, pikepdf.Name.DCTDecode])},
            "too_complex",
        ),
    ],
    ids=[
        "truncated-jp2",
        "truncated-codestream",
        "jp2-garbage-box",
        "truncated-jpeg",
        "truncated-jpeg-abbreviated-filter",
        "flate-bomb-before-jpeg",
        "lzw-before-jpeg",
    ],
)
def test_pdf_with_broken_or_unusual_image_is_refused(data, keys, code):
    with pytest.raises(EvidenceRejected) as refused:
        _prepare(_pdf_with_image(data, **keys))
    assert refused.value.code == code


def test_pdf_image_behind_ascii_filters_is_cleaned():
    photo = corpus.pdf_photo_jpeg()
    encoded = base64.a85encode(photo.hex().encode()) + b"~>"
    filters = [pikepdf.Name.ASCII85Decode, pikepdf.Name.ASCIIHexDecode, pikepdf.Name.DCTDecode]
    cleaned, _prepared = _cleaned(_pdf_with_image(encoded, Filter=pikepdf.Array(filters)))
    assert _markers_in(cleaned) == []
    with pikepdf.open(io.BytesIO(cleaned)) as pdf:
        image = pdf.pages[0].Resources.XObject.Im0
        assert image.Filter == pikepdf.Name.DCTDecode
        after = numpy.asarray(pikepdf.PdfImage(image).as_pil_image())
    assert numpy.array_equal(after, numpy.asarray(Image.open(io.BytesIO(photo))))


def test_rgb_coded_jpeg_keeps_its_colours():
    """An Adobe-marked RGB JPEG must not gain a JFIF header, which means YCbCr to decoders."""
    photo = corpus.pdf_photo_jpeg(rgb=True)
    cleaned, _prepared = _cleaned(photo)
    assert b"JFIF" not in cleaned
    before = numpy.asarray(Image.open(io.BytesIO(photo)))
    assert numpy.array_equal(numpy.asarray(Image.open(io.BytesIO(cleaned))), before)


def test_text_is_stored_as_utf8():
    cleaned, prepared = _cleaned("café\n".encode("cp1252"))
    assert cleaned == "café\n".encode()
    assert prepared.media_type.startswith("text/plain")


def test_hashes_describe_the_cleaned_file_and_the_original_is_hashed_too():
    import hashlib

    original = corpus.png()
    cleaned, prepared = _cleaned(original)
    assert prepared.hashes["sha256"] == hashlib.sha256(cleaned).hexdigest()
    assert prepared.hashes["md5"] == hashlib.md5(cleaned).hexdigest()
    assert prepared.hashes["sha1"] == hashlib.sha1(cleaned).hexdigest()
    assert prepared.original_hashes["sha256"] == hashlib.sha256(original).hexdigest()


@pytest.mark.parametrize("fmt", ["jpeg", "png", "webp", "gif", "heic"])
def test_pdq_equals_pdqhash_on_the_stored_pixels(fmt):
    cleaned, prepared = _cleaned(corpus.BUILDERS[fmt]())
    pixels = numpy.asarray(Image.open(io.BytesIO(cleaned)).convert("RGB"))
    bits, quality = pdqhash.compute(pixels)
    expected = "".join(str(int(bit)) for bit in bits)
    assert prepared.hashes["pdq"] == f"{int(expected, 2):064x}"
    assert prepared.hashes["pdq_quality"] == quality


def test_pdq_of_same_picture_in_different_formats_is_close():
    hashes = [_cleaned(corpus.BUILDERS[fmt]())[1].hashes["pdq"] for fmt in ("jpeg", "png", "webp")]
    distance = bin(int(hashes[0], 16) ^ int(hashes[1], 16)).count("1")
    assert distance < 16


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"", "empty"),
        (b"PK\x03\x04" + b"\0" * 100, "type_not_allowed"),
        (b"\x7fELF\x02\x01\x01" + b"\0" * 100, "type_not_allowed"),
        (corpus.jpeg()[:600], "corrupt"),
        (corpus.png()[:200], "corrupt"),
        (corpus.mp4()[:300], "corrupt"),
        (corpus.pdf()[:100], "corrupt"),
        (b"<x:xmpmeta>" + b"\x00\x01" * 10, "type_not_allowed"),
    ],
    # Named, not by their bytes: an encoder's output differs between runs, and
    # every pytest-xdist worker must collect the same test ids.
    ids=["empty", "zip", "elf", "jpeg-cut", "png-cut", "mp4-cut", "pdf-cut", "xmp"],
)
def test_bad_files_are_refused_with_a_code(data, code):
    with pytest.raises(EvidenceRejected) as refused:
        _prepare(data)
    assert refused.value.code == code
    assert refused.value.message


def test_too_large_is_refused_without_reading_everything():
    source = io.BytesIO(b"x" * 5000)
    with pytest.raises(EvidenceRejected) as refused:
        evidence_prepare(source=source, name="big.txt", max_bytes=1000)
    assert refused.value.code == "too_large"
    assert source.tell() <= 1001


def test_decompression_bomb_is_refused():
    bomb = _bomb()
    assert len(bomb) < 200_000
    with pytest.raises(EvidenceRejected) as refused:
        _prepare(bomb)
    assert refused.value.code == "too_complex"


def test_line_allow_list_is_applied():
    with pytest.raises(EvidenceRejected) as refused:
        evidence_prepare(
            source=io.BytesIO(corpus.png()), name="a.png", max_bytes=10**6, allowed_formats={"jpeg"}
        )
    assert refused.value.code == "type_not_allowed"


def test_matroska_that_is_not_webm_is_refused():
    data = corpus.webm().replace(b"webm", b"mkvx", 1)
    with pytest.raises(EvidenceRejected):
        _prepare(data)


def test_no_temporary_files_are_left_behind(settings):
    import os

    before = set(os.listdir(settings.FILE_UPLOAD_TEMP_DIR))
    with pytest.raises(EvidenceRejected):
        _prepare(corpus.jpeg()[:600])
    _cleaned(corpus.jpeg())
    assert set(os.listdir(settings.FILE_UPLOAD_TEMP_DIR)) == before


def test_video_rotation_survives_the_remux():
    buffer = io.BytesIO()
    with av.open(buffer, "w", format="mp4") as output:
        stream = output.add_stream("libx264", rate=10)
        stream.width, stream.height, stream.pix_fmt = 64, 48, "yuv420p"
        stream.set_display_rotation(90)
        for seed in range(3):
            frame = av.VideoFrame.from_ndarray(corpus.pixels(64, 48, seed), format="rgb24")
            output.mux(stream.encode(frame))
        output.mux(stream.encode())
    cleaned, _prepared = _cleaned(buffer.getvalue())
    with av.open(io.BytesIO(cleaned)) as container:
        frame = next(container.decode(container.streams.video[0]))
        assert frame.rotation == 90


def test_heic_orientation_is_applied_once():
    import pillow_heif

    buffer = io.BytesIO()
    heif = pillow_heif.from_pillow(corpus.picture(128, 96))
    heif.save(buffer, quality=90, exif=corpus.exif(orientation=6).tobytes())
    cleaned, prepared = _cleaned(buffer.getvalue())
    assert prepared.media_type == "image/jpeg"
    assert Image.open(io.BytesIO(cleaned)).size == (96, 128)


def test_line_may_keep_files_it_cannot_clean_flagged_for_staff():
    data = b"PK\x03\x04" + b"\0" * 100
    prepared = evidence_prepare(
        source=io.BytesIO(data), name="a.zip", max_bytes=10**6, keep_uncleaned=True
    )
    try:
        assert not prepared.is_cleaned
        assert prepared.media_type == "application/octet-stream"
        assert prepared.path.read_bytes() == data
        assert prepared.properties == {"refusal": "type_not_allowed"}
    finally:
        prepared.discard()
    # A type the line excludes, and a bomb, are refused even then.
    for data, allowed in ((corpus.png(), {"jpeg"}), (_bomb(), None)):
        with pytest.raises(EvidenceRejected):
            evidence_prepare(
                source=io.BytesIO(data),
                name="x",
                max_bytes=10**6,
                allowed_formats=allowed,
                keep_uncleaned=True,
            )


def _bomb() -> bytes:
    buffer = io.BytesIO()
    Image.new("1", (20000, 20000)).save(buffer, format="PNG")
    return buffer.getvalue()


def test_jpeg_claiming_huge_dimensions_is_refused_before_decoding():
    data = bytearray(corpus.jpeg())
    sof = data.index(b"\xff\xc0")
    data[sof + 5 : sof + 9] = (60000).to_bytes(2, "big") + (60000).to_bytes(2, "big")
    with pytest.raises(EvidenceRejected) as refused:
        _prepare(bytes(data))
    assert refused.value.code == "too_complex"


def test_polyglot_tail_and_malformed_exif_are_dropped():
    data = corpus.jpeg()
    app1 = data.index(b"Exif\x00\x00")
    garbled = data[: app1 + 6] + b"MM\x00\x2a\xff\xff\xff\xff" + data[app1 + 14 :]
    polyglot = garbled + b"PK\x03\x04zip-payload" + b"%PDF-1.4 hidden"
    cleaned, _prepared = _cleaned(polyglot)
    assert b"PK\x03\x04" not in cleaned and b"%PDF" not in cleaned
    assert b"Exif" not in cleaned
    Image.open(io.BytesIO(cleaned)).load()


@pytest.mark.parametrize("fmt", IMAGES)
def test_pdq_equals_metas_reference_implementation(fmt, tmp_path):
    """vpdq embeds Meta's C++ PDQ: on the same pixels (a lossless one-frame video) it must agree."""
    import vpdq

    cleaned, prepared = _cleaned(corpus.BUILDERS[fmt]())
    pixels = numpy.asarray(Image.open(io.BytesIO(cleaned)).convert("RGB"))
    video = tmp_path / "still.mkv"
    with av.open(str(video), "w") as output:
        stream = output.add_stream("libx264rgb", rate=5)
        stream.width, stream.height, stream.pix_fmt = pixels.shape[1], pixels.shape[0], "rgb24"
        stream.options = {"qp": "0"}  # lossless
        for _ in range(3):
            output.mux(stream.encode(av.VideoFrame.from_ndarray(pixels, format="rgb24")))
        output.mux(stream.encode())
    reference = vpdq.computeHash(str(video), seconds_per_hash=1.0, thread_count=1)[0]
    assert reference.hex == prepared.hashes["pdq"]
    assert reference.quality == prepared.hashes["pdq_quality"]
