"""Cleaning video and audio by remuxing: same coded pictures and sound, new container.

The packets of the video and audio streams are copied into a fresh container
written by FFmpeg (through PyAV) with no container or stream metadata: titles,
artists, comments, creation times, GPS positions (QuickTime ©xyz and
ISO 6709 keys), ID3 and Vorbis tags, RIFF INFO and broadcast chunks, chapters
and embedded cover pictures are left behind, as are data and subtitle streams
(GoPro GPS tracks, Apple timed metadata). Nothing is decoded here, so this is
fast and loses no quality; decoding happens later, in a resource-limited child
process (see derivatives.py).

The demuxer is chosen from the sniffed type rather than left to FFmpeg's
probing: probing can select playlist formats (HLS, concat) that open other
files, which an uploaded file must never be able to do.
"""

from dataclasses import dataclass
from pathlib import Path

import av

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


def clean_media(*, source: Path, target: Path, fmt: formats.Format) -> CleanedMedia:
    """Copy the audio and video packets of source into a metadata-free target file."""
    muxer = _MUXERS[fmt]
    with av.open(str(source), "r", format=fmt.demuxer, options={"enable_drefs": "0"}) as container:
        streams = _kept_streams(container)
        video = [stream for stream in streams if stream.type == "video"]
        if not streams or (video and fmt in _AUDIO_ONLY):
            # No sound or picture at all, or a video hidden in an audio format
            # (Ogg Theora): not something we accept.
            raise EvidenceRejected(RejectionCode.TYPE_NOT_ALLOWED)
        with av.open(
            str(target),
            "w",
            format=muxer,
            options={"fflags": "+bitexact"},
            container_options=_MUXER_OPTIONS.get(muxer, {}),
        ) as output:
            mapping = {stream.index: output.add_stream_from_template(stream) for stream in streams}
            for stream in mapping.values():
                stream.metadata.clear()
            packets = 0
            for packet in container.demux(*streams):
                if packet.size == 0:  # the demuxer's end-of-stream marker
                    continue
                packet.stream = mapping[packet.stream.index]
                output.mux(packet)
                packets += 1
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
