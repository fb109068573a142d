"""Test files with planted metadata, made on the spot by the real libraries.

Every file carries the markers below (an author, a camera serial number,
software names, GPS coordinates) in as many metadata places as its format
has. The cleaning tests check that none survive; the fuzz test mutates these.
"""

import io
import struct
import uuid
import zlib

import av
import numpy
import pikepdf
import pillow_heif
from av.bitstream import BitStreamFilterContext
from PIL import Image, PngImagePlugin, TiffImagePlugin

AUTHOR = "Marloes Jansen-Secret"
SERIAL = "SN-CAM-99887766"
SOFTWARE = "SpyCam Editor 7.7"
COMMENT = "PLANTED-COMMENT-4711"
LOCATION = "+52.3702+004.8952/"
XMP = (
    '<?xpacket begin="" id="W5M0MpCehiHzreSzNTczkc9d"?>'
    '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/'
    '22-rdf-syntax-ns#"><rdf:Description xmlns:dc="http://purl.org/dc/elements/1.1/" '
    f'dc:creator="{AUTHOR}" dc:description="{COMMENT}"/></rdf:RDF></x:xmpmeta>'
    '<?xpacket end="w"?>'
)
# What a raw byte search must not find in a cleaned file.
TEXT_MARKERS = [AUTHOR, SERIAL, SOFTWARE, COMMENT, "52.3702", "PLANTED"]
# Written into the coded video itself (SEI user data, AV1 metadata OBUs), as
# cameras do with serial numbers and positions.
SEI_TEXT = f"PLANTED-SEI {SERIAL} {AUTHOR} {LOCATION}"
SEI_UUID = "dc45e9bd-e6d9-48b7-962c-d820d923eeef"
# What encoders write into the bitstream about themselves.
ENCODER_STRINGS = [b"x264 - core", b"x265 (build", b"Lavc"]
# GPS position as EXIF rationals: 52° 22' 12.72" N, 4° 53' 42.6" E.
GPS_LATITUDE = (52.0, 22.0, 12.72)
GPS_LONGITUDE = (4.0, 53.0, 42.6)


def pixels(width: int = 96, height: int = 64, seed: int = 7) -> numpy.ndarray:
    """A picture with structure (gradients and blocks), so PDQ has something to see."""
    rng = numpy.random.default_rng(seed)
    y, x = numpy.mgrid[0:height, 0:width]
    base = numpy.stack([x * 255 // width, y * 255 // height, (x + y) * 127 // (width + height)])
    blocks = rng.integers(0, 80, size=(3, height // 16 + 1, width // 16 + 1))
    noise = blocks.repeat(16, axis=1).repeat(16, axis=2)[:, :height, :width]
    return ((base + noise) % 256).astype(numpy.uint8).transpose(1, 2, 0).copy()


def picture(width: int = 96, height: int = 64, seed: int = 7) -> Image.Image:
    return Image.fromarray(pixels(width, height, seed), "RGB")


def exif(*, orientation: int = 1) -> Image.Exif:
    data = Image.Exif()
    data[0x010E] = COMMENT  # ImageDescription
    data[0x010F] = "SpyCam"  # Make
    data[0x0110] = "Model X"  # Model
    data[0x0131] = SOFTWARE  # Software
    data[0x013B] = AUTHOR  # Artist
    data[0x8298] = AUTHOR  # Copyright
    data[0x0112] = orientation
    exif_ifd = data.get_ifd(0x8769)
    exif_ifd[0xA431] = SERIAL  # BodySerialNumber
    exif_ifd[0x9003] = "2021:05:01 10:00:00"  # DateTimeOriginal
    gps = data.get_ifd(0x8825)
    gps[1], gps[3] = "N", "E"
    gps[2] = tuple(TiffImagePlugin.IFDRational(v) for v in GPS_LATITUDE)
    gps[4] = tuple(TiffImagePlugin.IFDRational(v) for v in GPS_LONGITUDE)
    return data


def jpeg(*, orientation: int = 1, size: tuple[int, int] = (96, 64)) -> bytes:
    buffer = io.BytesIO()
    picture(*size).save(
        buffer,
        format="JPEG",
        quality=90,
        exif=exif(orientation=orientation),
        xmp=XMP.encode(),
        comment=COMMENT,
    )
    # An appended "trailer" (as phones add, and as polyglots hide archives).
    return buffer.getvalue() + b"TRAILER " + SERIAL.encode()


def png() -> bytes:
    info = PngImagePlugin.PngInfo()
    info.add_text("Author", AUTHOR)
    info.add_text("Software", SOFTWARE, zip=True)
    info.add_itxt("Comment", COMMENT + " \u00e9", lang="nl", tkey="Opmerking")
    info.add_text("XML:com.adobe.xmp", XMP)
    buffer = io.BytesIO()
    picture().save(buffer, format="PNG", pnginfo=info, exif=exif())
    return buffer.getvalue()


def webp() -> bytes:
    buffer = io.BytesIO()
    picture().save(buffer, format="WEBP", quality=90, exif=exif(), xmp=XMP)
    return buffer.getvalue()


def gif() -> bytes:
    buffer = io.BytesIO()
    frames = [picture(seed=seed).convert("P") for seed in (1, 2)]
    frames[0].save(
        buffer, format="GIF", save_all=True, append_images=frames[1:], comment=COMMENT, loop=0
    )
    data = buffer.getvalue()
    # An XMP application extension, as Photoshop writes it, just before the trailer.
    payload = XMP.encode()
    blocks = b"".join(
        bytes([len(payload[i : i + 255])]) + payload[i : i + 255]
        for i in range(0, len(payload), 255)
    )
    xmp_extension = b"\x21\xff\x0bXMP DataXMP" + blocks + b"\x00"
    return data[:-1] + xmp_extension + b"\x3b"


def heic() -> bytes:
    buffer = io.BytesIO()
    heif = pillow_heif.from_pillow(picture(128, 96))
    heif.save(buffer, quality=90, exif=exif().tobytes(), xmp=XMP.encode())
    return buffer.getvalue()


# Tags a TIFF may carry besides EXIF: where scanners and fax software write
# who, where and with what. Every one is planted in every page.
TIFF_HOST = "PLANTED-HOST-scanner01.example"
TIFF_DOCUMENT = "PLANTED-DOCUMENT-Dossier-X"
TIFF_ICC = b"PLANTED-ICC " + SERIAL.encode() + b" " * 100
TIFF_IPTC = b"\x1c\x02\x50\x00\x15" + AUTHOR.encode()[:21]  # IPTC 2:80 By-line
TIFF_THUMBNAIL_TEXT = b"PLANTED-THUMBNAIL-PIXELS"


def tiff_tags() -> Image.Exif:
    """EXIF (with its EXIF and GPS sub-directories) plus the TIFF-only tags."""
    tags = exif()
    tags[0x0132] = "2021:05:01 10:00:00"  # DateTime
    tags[0x013C] = TIFF_HOST  # HostComputer
    tags[0x010D] = TIFF_DOCUMENT  # DocumentName
    tags[0x011D] = TIFF_DOCUMENT  # PageName
    tags[0x02BC] = XMP.encode()  # XMP
    tags[0x83BB] = TIFF_IPTC  # IPTC-NAA
    tags[0x8773] = TIFF_ICC  # ICC profile (an invented one: only its bytes matter here)
    return tags


def _tiff_page(writer, image: Image.Image, **options) -> None:
    image.save(writer, format="TIFF", **options)
    writer.newFrame()


def tiff(*, orientation: int = 1) -> bytes:
    """Two pages with every tag above, then a reduced-resolution page (a thumbnail).

    The thumbnail's pixels are the bytes of a marker, so a byte search finds it
    while it is there. Written uncompressed by Pillow's own writer, which
    writes every tag it is given (libtiff would pass on only those it knows).
    """
    buffer = io.BytesIO()
    with TiffImagePlugin.AppendingTiffWriter(buffer, new=True) as writer:
        for seed in (1, 2):
            tags = tiff_tags()
            tags[0x0112] = orientation
            _tiff_page(writer, picture(96, 64, seed), exif=tags, compression="raw")
        thumbnail = Image.frombytes("L", (len(TIFF_THUMBNAIL_TEXT), 1), TIFF_THUMBNAIL_TEXT)
        info = TiffImagePlugin.ImageFileDirectory_v2()
        info[0x00FE] = 1  # NewSubfileType: reduced-resolution version of another image
        _tiff_page(writer, thumbnail, tiffinfo=info, compression="raw")
    return buffer.getvalue()


def tiff_fax() -> bytes:
    """A black-and-white page in CCITT Group 4, as fax software and scanners write them."""
    page = picture(200, 120).convert("L").point(lambda value: 255 if value > 110 else 0)
    page = page.convert("1")
    info = TiffImagePlugin.ImageFileDirectory_v2()
    info[0x0131] = SOFTWARE
    info[0x013B] = AUTHOR
    info[0x010E] = COMMENT
    buffer = io.BytesIO()
    page.save(buffer, format="TIFF", compression="group4", tiffinfo=info)
    return buffer.getvalue()


def tiff_jpeg() -> bytes:
    """A page in TIFF's JPEG compression (lossy: stored again as JPEG-in-TIFF)."""
    info = TiffImagePlugin.ImageFileDirectory_v2()
    info[0x0131] = SOFTWARE
    info[0x013B] = AUTHOR
    info[0x010E] = COMMENT
    buffer = io.BytesIO()
    picture(96, 64).save(buffer, format="TIFF", compression="jpeg", quality=90, tiffinfo=info)
    return buffer.getvalue()


def _add_metadata(target: dict) -> None:
    target.update(
        {
            "title": COMMENT,
            "artist": AUTHOR,
            "comment": SOFTWARE,
            "location": LOCATION,
            "encoder": SERIAL,
            "creation_time": "2021-05-01T10:00:00Z",
        }
    )


def media(muxer: str, video_codec: str | None, audio_codec: str | None) -> bytes:
    """A second of video and/or audio with container and stream tags."""
    buffer = io.BytesIO()
    with av.open(buffer, "w", format=muxer) as output:
        _add_metadata(output.metadata)
        video = audio = None
        if video_codec:
            video = output.add_stream(video_codec, rate=10)
            video.width, video.height, video.pix_fmt = 64, 48, "yuv420p"
            _add_metadata(video.metadata)
        if audio_codec:
            audio = output.add_stream(audio_codec, rate=48000 if "opus" in audio_codec else 16000)
            if audio_codec == "vorbis":  # FFmpeg's own Vorbis encoder (no libvorbis here)
                audio.codec_context.options = {"strict": "experimental"}
            _add_metadata(audio.metadata)
        if video:
            for seed in range(10):
                frame = av.VideoFrame.from_ndarray(pixels(64, 48, seed), format="rgb24")
                output.mux(video.encode(frame))
            output.mux(video.encode())
        if audio:
            rate = audio.codec_context.sample_rate
            samples = audio.codec_context.frame_size or 1024
            for index in range(rate // samples):
                tone = numpy.sin(numpy.arange(samples) * 0.05 + index).astype("float32") * 0.2
                layout = audio.codec_context.layout.name
                channels = audio.codec_context.channels
                fmt = audio.codec_context.format.name
                frame = av.AudioFrame.from_ndarray(
                    _samples_for(fmt, numpy.tile(tone, (channels, 1))), format=fmt, layout=layout
                )
                frame.sample_rate, frame.pts = rate, index * samples
                output.mux(audio.encode(frame))
            output.mux(audio.encode())
    return buffer.getvalue()


def _samples_for(fmt: str, planar: numpy.ndarray) -> numpy.ndarray:
    """Float samples in the layout and type an encoder's sample format wants."""
    if fmt.startswith("s16"):
        planar = (planar * 32767).astype("int16")
    elif fmt.startswith("s32"):
        planar = (planar * 2147483647).astype("int32")
    if fmt.endswith("p"):
        return planar
    return planar.T.reshape(1, -1)


def _remux_with(data: bytes, muxer: str, video_packets) -> bytes:
    """The same file with its video packets passed through video_packets(source, target)."""
    buffer = io.BytesIO()
    with av.open(io.BytesIO(data)) as source, av.open(buffer, "w", format=muxer) as output:
        _add_metadata(output.metadata)
        mapping = {}
        for stream in source.streams:
            mapping[stream.index] = output.add_stream_from_template(stream, opaque=True)
            _add_metadata(mapping[stream.index].metadata)
        video = source.streams.video[0]
        rewrite = video_packets(video, mapping[video.index])
        for packet in source.demux():
            if packet.stream.index != video.index:
                if packet.size:
                    packet.stream = mapping[packet.stream.index]
                    output.mux(packet)
                continue
            for written in rewrite(packet if packet.size else None):
                written.stream = mapping[video.index]
                output.mux(written)
    return buffer.getvalue()


def _with_h264_user_data(data: bytes, muxer: str) -> bytes:
    """Add an SEI user-data message (as phones and cameras write) with FFmpeg's h264_metadata."""

    def video_packets(source, target):
        description = f"h264_metadata=sei_user_data={SEI_UUID}+{SEI_TEXT}"
        return BitStreamFilterContext(description, source, target).filter

    return _remux_with(data, muxer, video_packets)


def _sei_message(payload_type: int, payload: bytes) -> bytes:
    """One SEI message with stop bit; the payload must not contain two zero bytes in a row."""
    size = len(payload)
    return bytes([payload_type]) + b"\xff" * (size // 255) + bytes([size % 255]) + payload + b"\x80"


def _repacked(packet, data: bytes):
    copy = av.Packet(data)
    copy.pts, copy.dts, copy.duration = packet.pts, packet.dts, packet.duration
    copy.time_base, copy.is_keyframe = packet.time_base, packet.is_keyframe
    return copy


def _with_inserted_units(data: bytes, muxer: str, units_for) -> bytes:
    """Insert extra units into the first video packet (no FFmpeg filter can for HEVC and AV1)."""

    def video_packets(source, target):
        state = {"first": True}

        def rewrite(packet):
            if packet is None:
                return []
            if not state["first"]:
                return [packet]
            state["first"] = False
            before, after = units_for()
            return [_repacked(packet, before + bytes(packet) + after)]

        return rewrite

    return _remux_with(data, muxer, video_packets)


def _hevc_sei_units() -> tuple[bytes, bytes]:
    """A prefix and a suffix SEI NAL unit with user data, 4-byte length prefixed as in MP4."""
    payload = uuid.UUID(SEI_UUID).bytes + SEI_TEXT.encode()
    prefix = b"\x4e\x01" + _sei_message(5, payload)  # NAL type 39, layer 0, temporal id 1
    suffix = b"\x50\x01" + _sei_message(5, payload)  # NAL type 40
    return (
        struct.pack(">I", len(prefix)) + prefix,
        struct.pack(">I", len(suffix)) + suffix,
    )


def _av1_metadata_units() -> tuple[bytes, bytes]:
    """An AV1 metadata OBU of type ITU-T T.35 (country code 0xB5) carrying the text."""
    payload = b"\x04\xb5" + SEI_TEXT.encode() + b"\x80"
    return b"\x2a" + bytes([len(payload)]) + payload, b""


def mp4() -> bytes:
    return _with_h264_user_data(media("mp4", "libx264", "aac"), "mp4")


def mov() -> bytes:
    return _with_h264_user_data(media("mov", "libx264", "aac"), "mov")


def mp4_hevc() -> bytes:
    """x265 keeps its settings in an SEI of the stream header; the packets get user data too."""
    return _with_inserted_units(media("mp4", "libx265", "aac"), "mp4", _hevc_sei_units)


def mp4_mpeg4() -> bytes:
    """MPEG-4 Part 2: FFmpeg, Xvid and DivX write their names as user data."""
    return media("mp4", "mpeg4", None)


def webm() -> bytes:
    return media("webm", "libvpx-vp9", "libopus")


def webm_av1() -> bytes:
    return _with_inserted_units(media("webm", "libsvtav1", "libopus"), "webm", _av1_metadata_units)


def _vorbis_comment_header() -> bytes:
    vendor = SOFTWARE.encode()
    tags = [f"ARTIST={AUTHOR}", f"LOCATION={LOCATION}", f"SERIAL={SERIAL}"]
    body = b"".join(struct.pack("<I", len(tag.encode())) + tag.encode() for tag in tags)
    return (
        b"\x03vorbis" + struct.pack("<I", len(vendor)) + vendor + struct.pack("<I", len(tags))
        + body + b"\x01"
    )  # fmt: skip


def webm_vorbis() -> bytes:
    """Vorbis in WebM: its comment header (vendor and tags) is part of the codec private data."""
    data = media("webm", None, "vorbis")
    buffer = io.BytesIO()
    with av.open(io.BytesIO(data)) as source, av.open(buffer, "w", format="webm") as output:
        stream = source.streams.audio[0]
        target = output.add_stream_from_template(stream)
        header = stream.codec_context.extradata
        sizes, position = [], 1  # Xiph lacing: 2, then the sizes of the first two packets
        for _ in range(2):
            size = 0
            while header[position] == 0xFF:
                size, position = size + 255, position + 1
            sizes.append(size + header[position])
            position += 1
        identification = header[position : position + sizes[0]]
        setup = header[position + sizes[0] + sizes[1] :]
        comments = _vorbis_comment_header()
        lacing = b"".join(
            b"\xff" * (len(packet) // 255) + bytes([len(packet) % 255])
            for packet in (identification, comments)
        )
        target.codec_context.extradata = b"\x02" + lacing + identification + comments + setup
        for packet in source.demux(stream):
            if packet.size:
                packet.stream = target
                output.mux(packet)
    return buffer.getvalue()


def mp3() -> bytes:
    return media("mp3", None, "libmp3lame")


def m4a() -> bytes:
    return media("ipod", None, "aac")


def ogg() -> bytes:
    return media("ogg", None, "libopus")


def wav() -> bytes:
    return media("wav", None, "pcm_s16le")


def flac() -> bytes:
    return media("flac", None, "flac")


def _pdf_image(document: pikepdf.Pdf, data: bytes, size: tuple[int, int], **keys) -> pikepdf.Stream:
    image = pikepdf.Stream(document, data)
    image.Type, image.Subtype = pikepdf.Name.XObject, pikepdf.Name.Image
    image.Width, image.Height = size
    for key, value in keys.items():
        image[f"/{key}"] = value
    return image


def _pdf_page_with_images(document: pikepdf.Pdf, images: dict[str, pikepdf.Stream]) -> None:
    document.add_blank_page(page_size=(400, 200))
    page = document.pages[-1]
    page.Resources = pikepdf.Dictionary(XObject=pikepdf.Dictionary(images))
    drawing = b"".join(
        f"q 96 0 0 64 {10 + 100 * index} 10 cm {name} Do Q ".encode()
        for index, name in enumerate(images)
    )
    page.Contents = document.make_stream(drawing)


def pdf_photo_jpeg(*, rgb: bool = False) -> bytes:
    """A photo as a camera writes it: EXIF with GPS and serial, XMP author, a comment.

    With ``rgb`` the pixels are coded as RGB with an Adobe marker (transform 0),
    as many PDF producers do; decoders must not take it for YCbCr.
    """
    buffer = io.BytesIO()
    picture().save(
        buffer,
        format="JPEG",
        quality=90,
        exif=exif(),
        xmp=XMP.encode(),
        comment=COMMENT,
        keep_rgb=rgb,
    )
    return buffer.getvalue()


def pdf() -> bytes:
    document = pikepdf.new()
    xmp_stream = document.make_stream(XMP.encode())
    xmp_stream.Type, xmp_stream.Subtype = pikepdf.Name.Metadata, pikepdf.Name.XML
    photo = _pdf_image(
        document,
        pdf_photo_jpeg(),
        (96, 64),
        BitsPerComponent=8,
        ColorSpace=pikepdf.Name.DeviceRGB,
        Filter=pikepdf.Name.DCTDecode,
        Metadata=xmp_stream,  # XMP attached to the image itself
    )
    # The same kind of photo behind a second filter, coded as RGB, with a decode
    # parameter that must survive.
    wrapped = _pdf_image(
        document,
        zlib.compress(pdf_photo_jpeg(rgb=True)),
        (96, 64),
        BitsPerComponent=8,
        ColorSpace=pikepdf.Name.DeviceRGB,
        Filter=pikepdf.Array([pikepdf.Name.FlateDecode, pikepdf.Name.DCTDecode]),
        DecodeParms=pikepdf.Array([None, pikepdf.Dictionary(ColorTransform=0)]),
    )
    _pdf_page_with_images(document, {"/Im0": photo, "/Im1": wrapped})
    page = document.pages[0]
    # A photo inline in the page's content stream, and one in a form XObject.
    inline = b" q 96 0 0 64 10 100 cm BI /W 96 /H 64 /BPC 8 /CS /RGB /F /DCT ID "
    inline += pdf_photo_jpeg() + b"\nEI Q"
    page.Contents = document.make_stream(page.Contents.read_bytes() + inline + b" /Fm0 Do")
    form = document.make_stream(inline.replace(b"10 100 cm", b"110 100 cm"))
    form.Type, form.Subtype = pikepdf.Name.XObject, pikepdf.Name.Form
    form.BBox = pikepdf.Array([0, 0, 400, 200])
    page.Resources.XObject.Fm0 = form
    page.AA = pikepdf.Dictionary(
        O=pikepdf.Dictionary(S=pikepdf.Name.JavaScript, JS=f"app.alert('{COMMENT}')")
    )
    page.PieceInfo = pikepdf.Dictionary(
        Editor=pikepdf.Dictionary(LastModified=f"D:20210501 {SOFTWARE}", Private=AUTHOR)
    )
    thumbnail = io.BytesIO()
    picture(24, 16).save(thumbnail, format="JPEG", exif=exif())
    page.Thumb = _pdf_image(
        document,
        thumbnail.getvalue(),
        (24, 16),
        BitsPerComponent=8,
        ColorSpace=pikepdf.Name.DeviceRGB,
        Filter=pikepdf.Name.DCTDecode,
    )
    page.Metadata = document.make_stream(XMP.encode())
    with document.open_metadata(set_pikepdf_as_editor=False) as xmp:
        xmp["dc:creator"] = [AUTHOR]
        xmp["xmp:CreatorTool"] = SOFTWARE
    document.docinfo["/Author"] = AUTHOR
    document.docinfo["/Title"] = COMMENT
    document.docinfo["/Producer"] = SOFTWARE
    document.Root.OpenAction = pikepdf.Dictionary(
        S=pikepdf.Name.JavaScript, JS=f"app.alert('{SERIAL}')"
    )
    document.attachments["notes.txt"] = pikepdf.AttachedFileSpec(
        document, f"written by {AUTHOR} {SERIAL}".encode(), description=COMMENT
    )
    buffer = io.BytesIO()
    document.save(buffer, compress_streams=False)
    return buffer.getvalue()


def _jp2_box(box_type: bytes, payload: bytes) -> bytes:
    return struct.pack(">I4s", len(payload) + 8, box_type) + payload


def _with_tile_comment(codestream: bytes, text: str) -> bytes:
    """Put a COM segment into the first tile-part header and correct that tile-part's length."""
    sot = codestream.index(b"\xff\x90")
    comment = b"\xff\x64" + struct.pack(">HH", 4 + len(text), 1) + text.encode()
    (length,) = struct.unpack(">I", codestream[sot + 6 : sot + 10])
    header = codestream[sot : sot + 6] + struct.pack(">I", length + len(comment))
    return (
        codestream[:sot]
        + header
        + codestream[sot + 10 : sot + 12]
        + comment
        + codestream[sot + 12 :]
    )


def jp2(*, codestream_only: bool = False) -> bytes:
    """JPEG 2000 with text in a main-header comment, a tile-part comment and, as JP2,
    an XML box (XMP), a UUID box, an IPR box and a resolution box."""
    buffer = io.BytesIO()
    picture().save(buffer, format="JPEG2000", comment=COMMENT, tile_size=(64, 64), no_jp2=True)
    codestream = _with_tile_comment(buffer.getvalue(), SOFTWARE)
    if codestream_only:
        return codestream
    boxes = [
        b"\x00\x00\x00\x0cjP  \r\n\x87\n",
        _jp2_box(b"ftyp", b"jp2 \x00\x00\x00\x00jp2 "),
        _jp2_box(
            b"jp2h",
            _jp2_box(b"ihdr", struct.pack(">IIHBBBB", 64, 96, 3, 7, 7, 0, 0))
            + _jp2_box(b"colr", b"\x01\x00\x00\x00\x00\x00\x10")
            + _jp2_box(b"res ", _jp2_box(b"resc", struct.pack(">HHHHbb", 1, 1, 1, 1, 0, 0))),
        ),
        _jp2_box(b"xml ", XMP.encode()),
        _jp2_box(b"uuid", uuid.UUID(SEI_UUID).bytes + f"serial={SERIAL}".encode()),
        _jp2_box(b"jp2i", AUTHOR.encode()),
        _jp2_box(b"jp2c", codestream),
        _jp2_box(b"xml ", f"<after>{AUTHOR}</after>".encode()),  # and after the image
    ]
    return b"".join(boxes)


def pdf_jpx() -> bytes:
    """A PDF with a JP2 image and a bare JPEG 2000 codestream image."""
    document = pikepdf.new()
    keys = {"BitsPerComponent": 8, "ColorSpace": pikepdf.Name.DeviceRGB}
    images = {
        "/Im0": _pdf_image(document, jp2(), (96, 64), Filter=pikepdf.Name.JPXDecode, **keys),
        "/Im1": _pdf_image(
            document, jp2(codestream_only=True), (96, 64), Filter=pikepdf.Name.JPXDecode, **keys
        ),
    }
    _pdf_page_with_images(document, images)
    document.docinfo["/Author"] = AUTHOR
    buffer = io.BytesIO()
    document.save(buffer, compress_streams=False)
    return buffer.getvalue()


def text() -> bytes:
    return b"Er wordt gedeald bij de snackbar.\nKenteken onbekend.\n"


BUILDERS = {
    "jpeg": jpeg,
    "png": png,
    "webp": webp,
    "gif": gif,
    "heic": heic,
    "tiff": tiff,
    "tiff_fax": tiff_fax,
    "tiff_jpeg": tiff_jpeg,
    "mp4": mp4,
    "mov": mov,
    "mp4_hevc": mp4_hevc,
    "mp4_mpeg4": mp4_mpeg4,
    "webm": webm,
    "webm_av1": webm_av1,
    "webm_vorbis": webm_vorbis,
    "mp3": mp3,
    "m4a": m4a,
    "ogg": ogg,
    "wav": wav,
    "flac": flac,
    "pdf": pdf,
    "pdf_jpx": pdf_jpx,
    "text": text,
}


# A page of pdf_with_bands (200 × 300 points) is drawn 1000 pixels high (pages.py).
PDF_BAND_SCALE = 1000 / 300


def pdf_with_bands(pages: int) -> bytes:
    """Pages of 200 × 300 points, each with a black band at a height that tells the page."""
    pdf = pikepdf.new()
    for number in range(pages):
        pdf.add_blank_page(page_size=(200, 300))
        band = f"0 g 0 {250 - 60 * number} 200 40 re f".encode()
        pdf.pages[-1].obj["/Contents"] = pdf.make_stream(band)
    buffer = io.BytesIO()
    pdf.save(buffer)
    return buffer.getvalue()


def pdf_slow_to_draw(fills: int = 20_000) -> bytes:
    """One page of ``fills`` overlapping coloured rectangles: seconds of PDFium work
    (3.6 s here for 20,000), so a tight drawing budget runs out on any machine."""
    pdf = pikepdf.new()
    pdf.add_blank_page(page_size=(200, 300))
    content = b"".join(
        b"%d %d 0 rg %d %d 150 250 re f\n" % (n % 2, n // 2 % 2, n % 50, n % 50)
        for n in range(fills)
    )
    pdf.pages[-1].obj["/Contents"] = pdf.make_stream(content)
    buffer = io.BytesIO()
    pdf.save(buffer)
    return buffer.getvalue()


def tiff_of_greys(greys: list[int]) -> bytes:
    """A multi-page scan: one 100 × 140 page per grey level."""
    pages = [Image.new("L", (100, 140), grey) for grey in greys]
    buffer = io.BytesIO()
    pages[0].save(buffer, format="TIFF", save_all=True, append_images=pages[1:])
    return buffer.getvalue()
