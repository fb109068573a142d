"""Normalise text for matching while keeping offsets into the original.

Zero-width and bidirectional control characters are invisible, so someone can put
them inside a phone number ("06\u200b12345678") and a naive pattern misses it.
Compatibility forms (full-width digits, no-break spaces, ligatures) are folded with
NFKC per character. Every character of the normalised text remembers the index of
the original character it came from, so findings point at the text the reporter
actually typed.
"""

import unicodedata
from dataclasses import dataclass

# Format characters that render as nothing (or only steer direction) and carry no meaning
# for detection: zero-width space/joiners, word joiner, BOM, soft hyphen, Mongolian vowel
# separator, bidi marks, embeddings, overrides and isolates.
INVISIBLE_CHARACTERS = frozenset(
    "\u00ad\u180e\u200b\u200c\u200d\u200e\u200f\u2060\u2061\u2062\u2063\u2064\ufeff"
    "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
)


@dataclass(frozen=True)
class NormalisedText:
    original: str
    text: str
    # origin[i] is the index in ``original`` of the character that produced text[i].
    origin: tuple[int, ...]

    def original_span(self, start: int, end: int) -> tuple[int, int]:
        """Map a span of the normalised text back to the original text."""
        return self.origin[start], self.origin[end - 1] + 1


def normalise(original: str) -> NormalisedText:
    parts: list[str] = []
    origin: list[int] = []
    for index, character in enumerate(original):
        if character in INVISIBLE_CHARACTERS:
            continue
        if character.isascii():
            folded = character
        else:
            folded = unicodedata.normalize("NFKC", character)
        parts.append(folded)
        origin.extend([index] * len(folded))
    return NormalisedText(original=original, text="".join(parts), origin=tuple(origin))
