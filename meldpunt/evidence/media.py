"""Cleaning video and audio by remuxing: same coded pictures and sound, new container.

The packets of the video and audio streams are copied into a fresh container
written by FFmpeg (through PyAV) with no container or stream metadata: titles,
artists, comments, creation times, GPS positions (QuickTime ©xyz and
ISO 6709 keys), ID3 and Vorbis tags, RIFF INFO and broadcast chunks, chapters
and embedded cover pictures are left behind, as are data and subtitle streams
(GoPro GPS tracks, Apple timed metadata).

Video codecs also carry text inside the coded stream: encoders and cameras
write their settings, serial numbers, GPS positions and software names into
H.264/HEVC SEI messages, AV1 metadata OBUs and MPEG-2/MPEG-4 user data. Those
units hold no picture, so every video packet and the stream header
(avcC/hvcC/av1C) pass through a filter that drops them (FFmpeg's
``filter_units`` bitstream filter where FFmpeg can parse the codec, a
start-code scan for MPEG-1 and MPEG-4 Part 2). Vorbis audio keeps its tags
in a comment header inside the codec's private data; it is replaced by an
empty one. Nothing is decoded here, so this is fast and loses no quality;
decoding happens later, in a resource-limited child process (see
derivatives.py).

The demuxer is chosen from the sniffed type rather than left to FFmpeg's
probing: probing can select playlist formats (HLS, concat) that open other
files, which an uploaded file must never be able to do.
"""

import struct
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import av
from av.bitstream import BitStreamFilterContext

from meldpunt.evidence import formats
from meldpunt.evidence.conf import evidence_setting
from meldpunt.evidence.errors import EvidenceRejected, RejectionCode

# Output muxer for each input format; "+bitexact" keeps FFmpeg's own version
# strings and random identifiers out of the written file.
_MUXERS = {
    formats.MP4: "mp4",
    formats.MOV: "mov",
    formats.M4A: "mp4",
    formats.WEBM: "webm",
    formats.MP3: "mp3",
    formats.OGG: "ogg",
    formats.WAV: "wav",
    formats.FLAC: "flac",
}
_MUXER_OPTIONS = {
    # No ID3v2 tag at all (it would only carry FFmpeg's name).
    "mp3": {"id3v2_version": "0"},
}
_AUDIO_ONLY = {formats.M4A, formats.MP3, formats.OGG, formats.WAV, formats.FLAC}
_AUDIO_MEDIA_TYPES = {
    formats.MP4: "audio/mp4",
    formats.MOV: "audio/mp4",
    formats.WEBM: "audio/webm",
}


# Units of the coded video that carry no picture, by codec: FFmpeg's
# filter_units removes them from every packet. H.264: SEI (6) and filler (12);
# HEVC: filler (38), prefix and suffix SEI (39, 40); AV1: metadata (5) and
# padding (15) OBUs; MPEG-2 video: user data (start code 0xB2). Dropping all
# SEI also drops timing, recovery-point and HDR mastering messages: decoders
# draw the same frames without them.
_UNIT_FILTERS = {
    "h264": "filter_units=remove_types=6|12",
    "hevc": "filter_units=remove_types=38|39|40",
    "av1": "filter_units=remove_types=5|15",
    "mpeg2video": "filter_units=remove_types=178",
}
# Codecs FFmpeg cannot split into units, whose user data we cut out ourselves.
_START_CODE_CODECS = {"mpeg1video", "mpeg4"}
# The same units inside the stream header, which filter_units copies unchanged.
_HEVC_HEADER_DROPPED = {38, 39, 40}
_AV1_HEADER_DROPPED = {5, 15}
# Codecs whose bitstreams have no place for free text, copied as they are
# (ProRes frames name their encoder in four bytes, "apl0" for Apple's).
_CLEAN_BY_DESIGN = {"vp8", "vp9", "prores"}
_START_CODE = b"\x00\x00\x01"
_USER_DATA_START_CODE = b"\x00\x00\x01\xb2"


class MalformedMedia(ValueError):
    """The container could not be read or written as a clean copy."""


@dataclass(frozen=True)
class CleanedMedia:
    media_type: str
    has_video: bool
    duration_seconds: float
    width: int
    height: int


def _is_attached_picture(stream: av.stream.Stream) -> bool:
    """Cover art in MP3, FLAC and MP4 files shows up as a one-frame video stream."""
    return bool(stream.disposition & av.stream.Disposition.attached_pic)


def _kept_streams(container: av.container.InputContainer) -> list[av.stream.Stream]:
    if len(container.streams) > evidence_setting("EVIDENCE_MAX_MEDIA_STREAMS"):
        raise EvidenceRejected(RejectionCode.TOO_COMPLEX)
    return [
        stream
        for stream in container.streams
        if stream.type in ("video", "audio") and not _is_attached_picture(stream)
    ]


def _strip_user_data(data: bytes) -> bytes:
    """MPEG-1/2/4 video without user data: each runs from its start code to the next one.

    Start codes cannot occur inside the coded data, so this byte scan is exact;
    Xvid, DivX and FFmpeg write their names and versions here.
    """
    pieces = []
    position = 0
    while (start := data.find(_USER_DATA_START_CODE, position)) >= 0:
        pieces.append(data[position:start])
        following = data.find(_START_CODE, start + len(_USER_DATA_START_CODE))
        position = len(data) if following < 0 else following
    pieces.append(data[position:])
    return b"".join(pieces)


def _nal_type(codec: str, nal: bytes) -> int:
    if not nal:
        return -1
    return (nal[0] >> 1) & 0x3F if codec == "hevc" else nal[0] & 0x1F


def _annex_b_without(codec: str, header: bytes, dropped: set[int]) -> bytes:
    """Parameter sets in Annex B form (start codes) without the dropped NAL unit types.

    Start codes cannot occur inside a NAL unit (emulation prevention), so
    splitting on them is exact.
    """
    units = [unit.rstrip(b"\x00") for unit in header.split(_START_CODE)]
    kept = [unit for unit in units if unit and _nal_type(codec, unit) not in dropped]
    return b"".join(b"\x00" + _START_CODE + unit for unit in kept)


def _hvcc_without(header: bytes, dropped: set[int]) -> bytes:
    """An hvcC record without the NAL unit arrays of the dropped types."""
    if len(header) < 23:
        raise MalformedMedia("hvcC record too short")
    arrays = []
    position = 23
    for _ in range(header[22]):
        if position + 3 > len(header):
            raise MalformedMedia("hvcC ends inside an array header")
        nal_type = header[position] & 0x3F
        (count,) = struct.unpack(">H", header[position + 1 : position + 3])
        end = position + 3
        for _ in range(count):
            if end + 2 > len(header):
                raise MalformedMedia("hvcC ends inside a NAL unit")
            end += 2 + struct.unpack(">H", header[end : end + 2])[0]
        if end > len(header):
            raise MalformedMedia("hvcC NAL unit runs past the end")
        if nal_type not in dropped:
            arrays.append(header[position:end])
        position = end
    return header[:22] + bytes([len(arrays)]) + b"".join(arrays)


def _leb128(data: bytes, position: int) -> tuple[int, int]:
    value = 0
    for index in range(8):
        if position + index >= len(data):
            raise MalformedMedia("AV1 header ends inside a size")
        byte = data[position + index]
        value |= (byte & 0x7F) << (7 * index)
        if not byte & 0x80:
            return value, position + index + 1
    raise MalformedMedia("AV1 size too long")


def _av1_obus_without(header: bytes, dropped: set[int]) -> bytes:
    """AV1 configuration OBUs (after an av1C record's 4 bytes, if any) without the dropped types."""
    start = 4 if header[0] == 0x81 else 0  # av1C marker and version 1
    kept = [header[:start]]
    position = start
    while position < len(header):
        obu_header = header[position]
        if not obu_header & 0x02:  # no size field: it runs to the end
            end = len(header)
        else:
            size, payload = _leb128(header, position + 1 + ((obu_header >> 2) & 1))
            end = payload + size
        if end > len(header):
            raise MalformedMedia("AV1 configuration OBU runs past the end")
        if (obu_header >> 3) & 0x0F not in dropped:
            kept.append(header[position:end])
        position = end
    return b"".join(kept)


def _clean_stream_header(codec: str, header: bytes) -> bytes:
    """The codec's stream header without the units filter_units leaves in it.

    filter_units rewrites the header but removes nothing from it, and x265
    keeps its settings there as an SEI message.
    """
    if not header:
        return header
    if codec in ("h264", "hevc"):
        dropped = {6, 12} if codec == "h264" else _HEVC_HEADER_DROPPED
        if header.startswith((_START_CODE, b"\x00" + _START_CODE)):
            return _annex_b_without(codec, header, dropped)
        if codec == "hevc":
            return _hvcc_without(header, dropped)
        return header  # avcC holds only sequence and picture parameter sets
    if codec == "av1":
        return _av1_obus_without(header, _AV1_HEADER_DROPPED)
    if codec in ("mpeg1video", "mpeg2video", "mpeg4"):
        return _strip_user_data(header)
    return header


def _xiph_packets(header: bytes) -> tuple[list[bytes], bool]:
    """The three Vorbis header packets, and whether they were stored with 16-bit sizes.

    Matroska stores them with Xiph lacing, FFmpeg's Ogg demuxer with a two-byte
    size before each packet (recognised, as FFmpeg does, by the identification
    header's size 30).
    """
    if header.startswith(b"\x00\x1e"):
        packets, position = [], 0
        while position < len(header):
            if position + 2 > len(header):
                raise MalformedMedia("Vorbis header size runs past the end")
            (size,) = struct.unpack(">H", header[position : position + 2])
            packets.append(header[position + 2 : position + 2 + size])
            position += 2 + size
        return packets, True
    if not header or header[0] != 2:
        raise MalformedMedia("Vorbis headers are not three laced packets")
    sizes, position = [], 1
    for _ in range(2):
        size = 0
        while position < len(header) and header[position] == 0xFF:
            size, position = size + 255, position + 1
        if position >= len(header):
            raise MalformedMedia("Vorbis lacing runs past the end")
        sizes.append(size + header[position])
        position += 1
    packets = []
    for size in sizes:
        packets.append(header[position : position + size])
        position += size
    packets.append(header[position:])
    return packets, False


def _vorbis_header_without_comments(header: bytes) -> bytes:
    """Vorbis headers with an empty comment header: no vendor, no tags.

    The Ogg muxer writes a fresh comment header, but Matroska/WebM copies the
    codec private data, tags (ARTIST=, LOCATION=...) included.
    """
    packets, sized = _xiph_packets(header)
    if len(packets) != 3 or not packets[1].startswith(b"\x03vorbis"):
        raise MalformedMedia("no Vorbis comment header")
    packets[1] = b"\x03vorbis" + bytes(8) + b"\x01"  # vendor length 0, no comments, framing
    if sized:
        return b"".join(struct.pack(">H", len(packet)) + packet for packet in packets)
    lacing = b"".join(
        b"\xff" * (len(packet) // 255) + bytes([len(packet) % 255]) for packet in packets[:2]
    )
    return b"\x02" + lacing + b"".join(packets)


class _VideoCleaner:
    """Drops the non-picture units of one video stream, packet by packet.

    Codecs not listed above and not clean by design (MJPEG, whose frames can
    hold EXIF, H.263, DNxHD and other rarities in MOV files) are refused: their
    frames could carry text we do not remove.

    A damaged packet whose units the filter cannot split is left out rather
    than copied unfiltered (it could hide the same text); the rest of the
    video is kept, as a player would show it. When most packets are damaged
    the file is refused as corrupt.
    """

    def __init__(self, source: av.stream.Stream, target: av.stream.Stream) -> None:
        # The codec's generic name (av1), not its decoder's (libdav1d).
        self.codec = source.codec_context.codec.canonical_name
        self.unit_filter = None
        if self.codec in _UNIT_FILTERS:
            # The filter also rewrites the stream header into the target (H.264
            # and HEVC in Annex B form, which the muxers convert back).
            self.unit_filter = BitStreamFilterContext(_UNIT_FILTERS[self.codec], source, target)
        elif self.codec not in _START_CODE_CODECS | _CLEAN_BY_DESIGN:
            raise EvidenceRejected(RejectionCode.TYPE_NOT_ALLOWED)
        header = _clean_stream_header(self.codec, target.codec_context.extradata or b"")
        target.codec_context.extradata = header or None
        self.kept = self.dropped = 0

    def filter(self, packet: av.Packet | None) -> Iterator[av.Packet]:
        if self.unit_filter is not None:
            try:
                filtered = self.unit_filter.filter(packet)
            except av.error.FFmpegError:
                self.dropped += 1
                return
            self.kept += 1
            yield from filtered
        elif packet is None:
            return
        elif self.codec in _START_CODE_CODECS:
            yield _repacked(packet, _strip_user_data(bytes(packet)))
        else:
            yield packet


def _repacked(packet: av.Packet, data: bytes) -> av.Packet:
    """A new packet with the same timing and key flag; packet side data stays behind."""
    copy = av.Packet(data)
    copy.pts, copy.dts, copy.duration = packet.pts, packet.dts, packet.duration
    copy.time_base = packet.time_base
    copy.is_keyframe = packet.is_keyframe
    return copy


def clean_media(*, source: Path, target: Path, fmt: formats.Format) -> CleanedMedia:
    """Copy the audio and video packets of source into a metadata-free target file."""
    muxer = _MUXERS[fmt]
    with av.open(str(source), "r", format=fmt.demuxer, options={"enable_drefs": "0"}) as container:
        streams = _kept_streams(container)
        video = [stream for stream in streams if stream.type == "video"]
        if not streams:
            # A container of an accepted format with no sound or picture in it
            # is damaged (or empty) to its sender, not a format we refuse.
            raise MalformedMedia("no audio or video stream")
        if video and fmt in _AUDIO_ONLY:
            # A video hidden in an audio format (Ogg Theora): not something we accept.
            raise EvidenceRejected(RejectionCode.TYPE_NOT_ALLOWED)
        with av.open(
            str(target),
            "w",
            format=muxer,
            options={"fflags": "+bitexact"},
            container_options=_MUXER_OPTIONS.get(muxer, {}),
        ) as output:
            mapping = {}
            cleaners = {}
            for stream in streams:
                # opaque: the template's codec is the decoder (libdav1d for AV1),
                # which has no encoder of the same name to look up.
                mapping[stream.index] = output.add_stream_from_template(stream, opaque=True)
                mapping[stream.index].metadata.clear()
                if stream.type == "video":
                    cleaners[stream.index] = _VideoCleaner(stream, mapping[stream.index])
                elif stream.codec_context.codec.canonical_name == "vorbis":
                    header = stream.codec_context.extradata or b""
                    mapping[stream.index].codec_context.extradata = _vorbis_header_without_comments(
                        header
                    )
            packets = 0
            for packet in container.demux(*streams):
                if packet.size == 0:  # the demuxer's end-of-stream marker
                    continue
                cleaner = cleaners.get(packet.stream.index)
                kept = cleaner.filter(packet) if cleaner else (packet,)
                for cleaned in kept:
                    cleaned.stream = mapping[packet.stream.index]
                    output.mux(cleaned)
                    packets += 1
            for index, cleaner in cleaners.items():
                for cleaned in cleaner.filter(None):  # whatever the filter still holds
                    cleaned.stream = mapping[index]
                    output.mux(cleaned)
                if cleaner.dropped > cleaner.kept:
                    raise MalformedMedia("most video packets are damaged")
        if packets == 0:
            raise MalformedMedia("no packets")
        duration = float(container.duration or 0) / av.time_base
    media_type = fmt.media_type if video else _AUDIO_MEDIA_TYPES.get(fmt, fmt.media_type)
    return CleanedMedia(
        media_type=media_type,
        has_video=bool(video),
        duration_seconds=duration,
        width=video[0].codec_context.width if video else 0,
        height=video[0].codec_context.height if video else 0,
    )
