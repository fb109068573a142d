"""What the detector reports: a typed, located, scored passage of the original text."""

import bisect
import enum
from dataclasses import dataclass
from typing import NamedTuple


class FindingType(enum.StrEnum):
    PERSON_NAME = "person_name"
    PHONE = "phone"
    EMAIL = "email"
    IBAN = "iban"
    BSN = "bsn"
    POSTCODE_ADDRESS = "postcode_address"
    STREET_ADDRESS = "street_address"
    LICENCE_PLATE = "licence_plate"
    DATE_OF_BIRTH = "date_of_birth"
    SOCIAL_HANDLE = "social_handle"
    PROFILE_URL = "profile_url"
    # The reporter reveals something about themselves ("mijn buurman", "I live next door").
    SELF_REFERENCE = "self_reference"


@dataclass(frozen=True, slots=True)
class Finding:
    """A passage that may identify someone.

    ``start`` and ``end`` index the text exactly as it was passed in (before any
    normalisation), so ``original[start:end] == text`` always holds and callers can
    highlight or redact without re-searching.
    """

    type: FindingType
    start: int
    end: int
    text: str
    confidence: float


class Hit(NamedTuple):
    """A detector's raw result, in offsets of the normalised text."""

    type: FindingType
    start: int
    end: int
    confidence: float


def resolve_overlaps(findings: list[Finding]) -> list[Finding]:
    """Keep one finding per stretch of text: the most confident, then the longest.

    Detectors run independently and some shapes are ambiguous (an undashed licence
    plate looks like a postcode, a name can sit inside a street name); a reviewer
    should see each passage once, under its most likely type.
    """
    ranked = sorted(findings, key=lambda f: (-f.confidence, -(f.end - f.start), f.start))
    # Kept findings never overlap, so sorted by start they are also sorted by end and a
    # new one can only collide with its two neighbours.
    starts: list[int] = []
    kept: list[Finding] = []
    for finding in ranked:
        position = bisect.bisect_left(starts, finding.start)
        if position > 0 and kept[position - 1].end > finding.start:
            continue
        if position < len(kept) and kept[position].start < finding.end:
            continue
        starts.insert(position, finding.start)
        kept.insert(position, finding)
    return kept
