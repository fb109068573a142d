"""Small pictures for the back office: thumbnails, contact sheets, safe previews.

Analysts of a content hotline look at abuse material all day. By default they
see only a small, greyscale, blurred version, enough to tell a screenshot
from a photo or to spot that a file is what its hash match says; the real
picture is shown only when they reveal it, one item at a time.
"""

import io
from collections.abc import Sequence

from PIL import Image, ImageDraw, ImageFilter, ImageFont

THUMBNAIL_PIXELS = 320
SAFE_PREVIEW_PIXELS = 160
CONTACT_SHEET_COLUMNS = 3
CONTACT_SHEET_TILE_PIXELS = 213
# A document's pages one below the other, this far apart, on a grey ground.
PAGE_GAP_PIXELS = 16
# A page of text: A4 proportions, a margin and a font size that read well revealed.
TEXT_PAGE_SIZE = (800, 1131)
TEXT_MARGIN_PIXELS = 48
TEXT_FONT_PIXELS = 18


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


def pages_sheet_make(pages: Sequence[Image.Image]) -> bytes:
    """A document's first pages one below the other, as one JPEG (read top to bottom)."""
    width = max(page.width for page in pages)
    height = sum(page.height for page in pages) + PAGE_GAP_PIXELS * (len(pages) - 1)
    sheet = Image.new("RGB", (width, height), (128, 128, 128))
    top = 0
    for page in pages:
        sheet.paste(page.convert("RGB"), ((width - page.width) // 2, top))
        top += page.height + PAGE_GAP_PIXELS
    return _jpeg(sheet, quality=85)


def _wrapped(text: str, font: ImageFont.FreeTypeFont, width: int) -> list[str]:
    """Lines that fit ``width`` pixels, broken between words (or inside a very long one)."""
    lines = []
    for paragraph in text.expandtabs(4).splitlines():
        line = ""
        for word in paragraph.split(" "):
            candidate = f"{line} {word}" if line else word
            while font.getlength(candidate) > width and len(candidate) > 1:
                if line:
                    lines.append(line)
                    line, candidate = "", word
                    continue
                cut = max(1, int(len(candidate) * width / font.getlength(candidate)))
                lines.append(candidate[:cut])
                candidate = candidate[cut:]
            line = candidate
        lines.append(line)
    return lines


def text_page_make(text: str) -> bytes:
    """A page showing the beginning of a document's text, as a JPEG; what does not fit is left out.

    The preview of an office document: staff reveal it like a picture, so the
    text stays unreadable (blurred) until they choose to read it.
    """
    font = ImageFont.load_default(size=TEXT_FONT_PIXELS)
    width, height = TEXT_PAGE_SIZE
    line_height = int(TEXT_FONT_PIXELS * 1.4)
    page = Image.new("RGB", TEXT_PAGE_SIZE, "white")
    draw = ImageDraw.Draw(page)
    fits = (height - 2 * TEXT_MARGIN_PIXELS) // line_height
    lines = _wrapped(text, font, width - 2 * TEXT_MARGIN_PIXELS)[:fits]
    for number, line in enumerate(lines):
        position = (TEXT_MARGIN_PIXELS, TEXT_MARGIN_PIXELS + number * line_height)
        draw.text(position, line, fill="black", font=font)
    return _jpeg(page, quality=85)


def safe_preview_make(image_bytes: bytes, *, size: int = SAFE_PREVIEW_PIXELS) -> bytes:
    """Greyscale, small and blurred: shape and composition without detail."""
    with Image.open(io.BytesIO(image_bytes)) as image:
        image.draft("L", (size * 2, size * 2))
        grey = image.convert("L")
    grey.thumbnail((size, size))
    blurred = grey.filter(ImageFilter.GaussianBlur(radius=max(3, size // 25)))
    return _jpeg(blurred, quality=70)
