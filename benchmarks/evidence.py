"""Throughput of evidence cleaning: 12-megapixel JPEGs and video remuxing.

Prints images per second cleaned and hashed by evidence_prepare (segment
stripping, verification decode, SHA-256/SHA-1/MD5 and PDQ) next to the
baseline of the same run: decoding the same JPEGs and hashing them with
pdqhash alone. Target: at least 50 % of the baseline. Then MB/s for video
remuxing (MP4, H.264). Run:

    .venv/bin/python benchmarks/evidence.py [--images N] [--video-seconds S]
"""

import argparse
import io
import os
import tempfile
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "meldpunt.settings")
os.environ.setdefault("MELDPUNT_DATA_DIR", tempfile.mkdtemp(prefix="meldpunt-bench-"))

import django  # noqa: E402

django.setup()

import av  # noqa: E402
import numpy  # noqa: E402
import pdqhash  # noqa: E402
from PIL import Image  # noqa: E402

from meldpunt.evidence.services import evidence_prepare  # noqa: E402
from meldpunt.evidence.tests import corpus  # noqa: E402

WIDTH, HEIGHT = 4000, 3000  # 12 megapixels, a common phone camera size


def _photo(seed: int) -> bytes:
    """A 12 MP JPEG with EXIF, like a phone photo, from a smooth picture plus noise."""
    small = corpus.picture(400, 300, seed).resize((WIDTH, HEIGHT), Image.Resampling.BILINEAR)
    noise = numpy.random.default_rng(seed).integers(0, 24, (HEIGHT, WIDTH, 3), dtype=numpy.uint8)
    image = Image.fromarray(numpy.asarray(small) + noise)
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=90, exif=corpus.exif())
    return buffer.getvalue()


def _video(seconds: int) -> bytes:
    buffer = io.BytesIO()
    with av.open(buffer, "w", format="mp4") as output:
        stream = output.add_stream("libx264", rate=25)
        stream.width, stream.height, stream.pix_fmt = 1280, 720, "yuv420p"
        stream.options = {"preset": "ultrafast", "crf": "18"}
        rng = numpy.random.default_rng(1)
        scenes = [rng.integers(0, 255, (720, 1280, 3), dtype=numpy.uint8) for _ in range(2)]
        for index in range(seconds * 25):
            scene = scenes[(index // 50) % len(scenes)]
            frame = av.VideoFrame.from_ndarray(numpy.roll(scene, index * 4, axis=1), format="rgb24")
            output.mux(stream.encode(frame))
        output.mux(stream.encode())
    return buffer.getvalue()


def _rate(count: int, seconds: float) -> float:
    return count / seconds if seconds else float("inf")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--images", type=int, default=8)
    parser.add_argument("--video-seconds", type=int, default=20)
    options = parser.parse_args()

    photos = [_photo(seed) for seed in range(options.images)]
    # Alternate per image, so warm-up and other load on the machine hit both sides alike.
    baseline_seconds = cleaned_seconds = 0.0
    for photo in photos:
        started = time.perf_counter()
        with Image.open(io.BytesIO(photo)) as image:
            pdqhash.compute(numpy.asarray(image.convert("RGB")))
        baseline_seconds += time.perf_counter() - started
        started = time.perf_counter()
        evidence_prepare(source=io.BytesIO(photo), name="photo.jpg", max_bytes=10**8).discard()
        cleaned_seconds += time.perf_counter() - started
    baseline = _rate(len(photos), baseline_seconds)
    cleaned = _rate(len(photos), cleaned_seconds)
    print(f"12 MP JPEG, {len(photos)} images of {sum(map(len, photos)) / len(photos) / 1e6:.1f} MB")
    print(f"  pdqhash alone (decode + PDQ):        {baseline:6.2f} images/s")
    print(f"  evidence_prepare (clean + all hashes): {cleaned:6.2f} images/s")
    print(f"  ratio: {100 * cleaned / baseline:.0f} % (target >= 50 %)")

    video = _video(options.video_seconds)
    started = time.perf_counter()
    evidence_prepare(source=io.BytesIO(video), name="clip.mp4", max_bytes=10**10).discard()
    elapsed = time.perf_counter() - started
    megabytes = len(video) / 1e6
    print(f"Video remux (H.264 720p MP4, {megabytes:.0f} MB): {megabytes / elapsed:.0f} MB/s")


if __name__ == "__main__":
    main()
