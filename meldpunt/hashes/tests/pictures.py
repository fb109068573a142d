"""Generated pictures and their PDQ hashes, for matching tests."""

import io

import numpy
import pdqhash
from PIL import Image, ImageFilter


def picture(seed: int, size: tuple[int, int] = (640, 480)) -> Image.Image:
    """A picture with structure (blurred blocks of colour), different for every seed."""
    rng = numpy.random.default_rng(seed)
    blocks = rng.integers(0, 256, (12, 16, 3), dtype=numpy.uint8)
    image = Image.fromarray(blocks).resize(size, Image.Resampling.NEAREST)
    return image.filter(ImageFilter.GaussianBlur(6))


def jpeg(image: Image.Image, quality: int = 90) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=quality)
    return buffer.getvalue()


def pdq(image: Image.Image) -> tuple[str, int]:
    bits, quality = pdqhash.compute(numpy.asarray(image.convert("RGB")))
    return numpy.packbits(bits.astype(numpy.uint8)).tobytes().hex(), int(quality)


def recompressed(image: Image.Image) -> Image.Image:
    """The same picture as someone would pass it on: smaller and recompressed."""
    smaller = image.resize((image.width * 3 // 4, image.height * 3 // 4))
    return Image.open(io.BytesIO(jpeg(smaller, quality=60)))
