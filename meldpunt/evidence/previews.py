"""Small pictures for the back office: thumbnails, contact sheets, safe previews.

Analysts of a content hotline look at abuse material all day. By default they
see only a small, greyscale, blurred version, enough to tell a screenshot
from a photo or to spot that a file is what its hash match says; the real
picture is shown only when they reveal it, one item at a time.
"""

import io
from collections.abc import Sequence

from PIL import Image, ImageFilter

THUMBNAIL_PIXELS = 320
SAFE_PREVIEW_PIXELS = 160
CONTACT_SHEET_COLUMNS = 3
CONTACT_SHEET_TILE_PIXELS = 213


def _jpeg(image: Image.Image, quality: int) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=quality)
    return buffer.getvalue()


def thumbnail_make(image_bytes: bytes, *, size: int = THUMBNAIL_PIXELS) -> bytes:
    """A JPEG of at most size x size pixels of an (already cleaned) image."""
    with Image.open(io.BytesIO(image_bytes)) as image:
        image.draft("RGB", (size, size))  # JPEG decodes at a reduced scale: far faster
        image.thumbnail((size, size))
        return _jpeg(image.convert("RGB"), quality=80)


def contact_sheet_make(frames: Sequence[Image.Image]) -> bytes:
    """Video frames side by side in a grid, as one JPEG."""
    tiles = []
    for frame in frames:
        tile = frame.convert("RGB")
        tile.thumbnail((CONTACT_SHEET_TILE_PIXELS, CONTACT_SHEET_TILE_PIXELS))
        tiles.append(tile)
    rows = -(-len(tiles) // CONTACT_SHEET_COLUMNS)
    sheet = Image.new(
        "RGB",
        (CONTACT_SHEET_COLUMNS * CONTACT_SHEET_TILE_PIXELS, rows * CONTACT_SHEET_TILE_PIXELS),
    )
    for index, tile in enumerate(tiles):
        row, column = divmod(index, CONTACT_SHEET_COLUMNS)
        sheet.paste(tile, (column * CONTACT_SHEET_TILE_PIXELS, row * CONTACT_SHEET_TILE_PIXELS))
    return _jpeg(sheet, quality=80)


def safe_preview_make(image_bytes: bytes, *, size: int = SAFE_PREVIEW_PIXELS) -> bytes:
    """Greyscale, small and blurred: shape and composition without detail."""
    with Image.open(io.BytesIO(image_bytes)) as image:
        image.draft("L", (size * 2, size * 2))
        grey = image.convert("L")
    grey.thumbnail((size, size))
    blurred = grey.filter(ImageFilter.GaussianBlur(radius=max(3, size // 25)))
    return _jpeg(blurred, quality=70)
