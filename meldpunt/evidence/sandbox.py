"""Decoding untrusted video in a child process with hard limits.

Cleaning only remuxes; decoding (for the contact sheet and vPDQ) runs FFmpeg's
decoders on whatever the sender put in the streams. That happens here, in a
separate process with capped memory, no core dumps (they would hold decrypted
frames) and a time limit set by the parent, so a hostile file can at worst kill
this child, never the worker. Run as
``python -m meldpunt.evidence.sandbox VIDEO OUTPUT_DIR MEMORY_BYTES``;
writes ``contact_sheet.jpg`` and ``vpdq.json`` into OUTPUT_DIR.
"""

import json
import resource
import sys
from pathlib import Path

import av
from PIL import Image

try:
    import vpdq
except ImportError:  # the optional "video" extra; it builds from source against FFmpeg
    vpdq = None

from meldpunt.evidence.previews import contact_sheet_make

CONTACT_SHEET_FRAMES = 9
VPDQ_SECONDS_PER_HASH = 1.0


def sample_frames(path: Path, count: int = CONTACT_SHEET_FRAMES) -> list[Image.Image]:
    """Frames spread evenly over the video (the first one when its length is unknown)."""
    frames = []
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        duration = container.duration or 0
        offsets = [duration * (2 * i + 1) // (2 * count) for i in range(count)] if duration else [0]
        for offset in offsets:
            container.seek(offset, backward=True, any_frame=False)
            for frame in container.decode(stream):
                frames.append(frame.to_image())
                break
    return frames


def vpdq_features(path: Path) -> list[dict]:
    """vPDQ: a PDQ hash (and its quality) per second of video, by Meta's reference code."""
    return [
        {
            "frame": feature.frame_number,
            "timestamp": round(feature.timestamp, 3),
            "quality": feature.quality,
            "hash": feature.hex,
        }
        for feature in vpdq.computeHash(
            str(path), seconds_per_hash=VPDQ_SECONDS_PER_HASH, thread_count=1
        )
    ]


def main(argv: list[str]) -> int:
    source, output, memory = Path(argv[0]), Path(argv[1]), int(argv[2])
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    frames = sample_frames(source)
    if frames:
        (output / "contact_sheet.jpg").write_bytes(contact_sheet_make(frames))
    if vpdq is not None:
        (output / "vpdq.json").write_text(json.dumps(vpdq_features(source)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
