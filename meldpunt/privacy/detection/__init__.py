"""Find passages in free text that may identify a person.

Used twice: to warn reporters before they submit (``reporter_warnings``) and to
pre-mark passages an analyst reviews before a report is forwarded. Detection is
deliberately generous for the reporter and cheap for everyone: only flat regular
expressions and set look-ups, so any input, however adversarial, is processed in
linear time (about 100 kB in well under a second).

    >>> [(f.type, f.text) for f in find_identifying_details("Bel 06-12345678")]
    [(<FindingType.PHONE: 'phone'>, '06-12345678')]
"""

from .detector import find_identifying_details
from .findings import Finding, FindingType
from .identifiers import is_valid_bsn
from .reporter import (
    AnswerReview,
    ReporterWarning,
    TextSegment,
    answer_review,
    file_name_review,
    reporter_warnings,
    text_segments,
)

__all__ = [
    "AnswerReview",
    "Finding",
    "FindingType",
    "ReporterWarning",
    "TextSegment",
    "answer_review",
    "file_name_review",
    "find_identifying_details",
    "is_valid_bsn",
    "reporter_warnings",
    "text_segments",
]
