"""What a file really is, decided from its first bytes.

The name and the MIME type a browser claims are chosen by the sender and mean
nothing; only the content decides which cleaner handles a file. Anything not
recognised here is refused, so a polyglot or an exotic container never reaches
a parser that was not meant for it.
"""

import enum
from dataclasses import dataclass

# Enough to see every signature below, including the ISO BMFF major brand.
HEAD_BYTES = 64


class Kind(enum.StrEnum):
    IMAGE = "image"
    MEDIA = "media"  # video or audio, cleaned by remuxing
    PDF = "pdf"
    TEXT = "text"
    OFFICE = "office"  # a ZIP package of XML parts (OOXML, OpenDocument)


@dataclass(frozen=True)
class Format:
    """One accepted format: how it is cleaned and, for media, which demuxer reads it."""

    name: str
    kind: Kind
    media_type: str
    demuxer: str = ""


JPEG = Format("jpeg", Kind.IMAGE, "image/jpeg")
PNG = Format("png", Kind.IMAGE, "image/png")
GIF = Format("gif", Kind.IMAGE, "image/gif")
WEBP = Format("webp", Kind.IMAGE, "image/webp")
HEIC = Format("heic", Kind.IMAGE, "image/heic")
TIFF = Format("tiff", Kind.IMAGE, "image/tiff")
MP4 = Format("mp4", Kind.MEDIA, "video/mp4", demuxer="mp4")
MOV = Format("mov", Kind.MEDIA, "video/quicktime", demuxer="mov")
M4A = Format("m4a", Kind.MEDIA, "audio/mp4", demuxer="mp4")
WEBM = Format("webm", Kind.MEDIA, "video/webm", demuxer="webm")
MP3 = Format("mp3", Kind.MEDIA, "audio/mpeg", demuxer="mp3")
OGG = Format("ogg", Kind.MEDIA, "audio/ogg", demuxer="ogg")
WAV = Format("wav", Kind.MEDIA, "audio/wav", demuxer="wav")
FLAC = Format("flac", Kind.MEDIA, "audio/flac", demuxer="flac")
PDF = Format("pdf", Kind.PDF, "application/pdf")
TEXT = Format("text", Kind.TEXT, "text/plain")
_OOXML = "application/vnd.openxmlformats-officedocument."
DOCX = Format("docx", Kind.OFFICE, f"{_OOXML}wordprocessingml.document")
XLSX = Format("xlsx", Kind.OFFICE, f"{_OOXML}spreadsheetml.sheet")
PPTX = Format("pptx", Kind.OFFICE, f"{_OOXML}presentationml.presentation")
ODT = Format("odt", Kind.OFFICE, "application/vnd.oasis.opendocument.text")
ODS = Format("ods", Kind.OFFICE, "application/vnd.oasis.opendocument.spreadsheet")
ODP = Format("odp", Kind.OFFICE, "application/vnd.oasis.opendocument.presentation")
OFFICE_FORMATS = (DOCX, XLSX, PPTX, ODT, ODS, ODP)
# The counts office.py records for tracked changes it accepted (Word insertions and
# moves kept, deletions dropped; OpenDocument changed regions), for a line that
# refuses such documents instead (services.evidence_prepare).
TRACKED_CHANGE_COUNTS = (
    "tracked_insertions_accepted",
    "tracked_deletions_dropped",
    "tracked_changes_removed",
)
# What the first bytes can say of an office file: a ZIP, or an OLE compound
# file (legacy .doc/.xls/.ppt, and password-protected OOXML). Which document it
# is, if any, is decided in the sandbox from the package's parts; these two
# are never a line's choice and never the stored format.
OFFICE_ZIP = Format("zip", Kind.OFFICE, "application/zip")
OLE = Format("ole", Kind.OFFICE, "application/x-ole-storage")

ALL_FORMATS = (
    JPEG, PNG, GIF, WEBP, HEIC, TIFF, MP4, MOV, M4A, WEBM, MP3, OGG, WAV, FLAC, PDF, TEXT,
    *OFFICE_FORMATS,
)  # fmt: skip
FORMATS_BY_NAME = {fmt.name: fmt for fmt in ALL_FORMATS}
SNIFFED_FORMATS = FORMATS_BY_NAME | {OFFICE_ZIP.name: OFFICE_ZIP, OLE.name: OLE}

# File name endings that claim one of the binary formats. A name decides
# nothing about how a file is handled, only which refusal it gets: a file named
# like a photo whose bytes are not one is a damaged photo to its sender, not a
# "kind of file that is not accepted".
_CLAIMING_SUFFIXES = {
    ".jpg", ".jpeg", ".jpe", ".jfif", ".png", ".gif", ".webp", ".heic", ".heif", ".mp4",
    ".m4v", ".mov", ".qt", ".m4a", ".m4b", ".webm", ".mp3", ".ogg", ".oga", ".wav", ".flac",
    ".pdf", ".tif", ".tiff", ".docx", ".docm", ".dotx", ".xlsx", ".xlsm", ".pptx", ".pptm",
    ".ppsx", ".odt", ".ods", ".odp",
}  # fmt: skip


def claims_binary_format(name: str) -> bool:
    """Whether a file's name ends like one of the binary formats we accept."""
    suffix = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    return f".{suffix}" in _CLAIMING_SUFFIXES


# Byte order mark and version: classic TIFF (42) and BigTIFF (43), little- and big-endian.
_TIFF_SIGNATURES = {b"II*\x00", b"MM\x00*", b"II+\x00", b"MM\x00+"}
_HEIC_BRANDS = {b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1"}
_MP4_BRANDS = {
    b"isom", b"iso2", b"iso3", b"iso4", b"iso5", b"iso6", b"mp41", b"mp42",
    b"avc1", b"M4V ", b"MSNV", b"dash",
}  # fmt: skip
_M4A_BRANDS = {b"M4A ", b"M4B "}
# QuickTime files from before the ftyp box start straight with one of these atoms.
_BARE_QUICKTIME_ATOMS = {b"moov", b"mdat", b"wide", b"free", b"skip", b"pnot"}


def _is_mpeg_audio_frame(head: bytes) -> bool:
    """An MPEG-1/2 layer III frame header: 11 sync bits, a valid version, layer and rate."""
    if len(head) < 4 or head[0] != 0xFF or head[1] & 0xE0 != 0xE0:
        return False
    version, layer = (head[1] >> 3) & 0b11, (head[1] >> 1) & 0b11
    bitrate, sample_rate = head[2] >> 4, (head[2] >> 2) & 0b11
    return version != 0b01 and layer == 0b01 and bitrate not in (0, 15) and sample_rate != 0b11


def _iso_media_format(head: bytes) -> Format | None:
    box_type = head[4:8]
    if box_type in _BARE_QUICKTIME_ATOMS:
        return MOV
    if box_type != b"ftyp":
        return None
    brand = head[8:12]
    if brand in _HEIC_BRANDS:
        return HEIC
    if brand == b"qt  ":
        return MOV
    if brand in _M4A_BRANDS:
        return M4A
    if brand in _MP4_BRANDS:
        return MP4
    return None


def sniff(head: bytes) -> Format | None:
    """The binary format whose signature starts ``head``, or None.

    Plain text has no signature; the caller tries it last, on the whole file.
    """
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return GIF
    if head.startswith(b"RIFF") and head[8:12] == b"WEBP":
        return WEBP
    if head.startswith(b"RIFF") and head[8:12] == b"WAVE":
        return WAV
    if head.startswith(b"%PDF-"):
        return PDF
    if head[:4] in _TIFF_SIGNATURES:
        return TIFF
    if head.startswith(b"PK\x03\x04"):
        return OFFICE_ZIP
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return OLE
    if head.startswith(b"\x1a\x45\xdf\xa3"):
        # EBML: Matroska and WebM share it; only WebM is on the allow-list.
        return WEBM if b"webm" in head[:HEAD_BYTES] else None
    if head.startswith(b"OggS"):
        return OGG
    if head.startswith(b"fLaC"):
        return FLAC
    if head.startswith(b"ID3") or _is_mpeg_audio_frame(head):
        return MP3
    return _iso_media_format(head)
