"""What to show reporters on the review step, before they submit.

Reporters cannot be expected to know what makes them recognisable. The review page
shows their text with the risky passages marked and a short reason for each, so they
can edit before submitting. Nothing computed here is stored: the page recomputes the
warnings from the text it is about to show.

Usage in a view::

    warnings = reporter_warnings(text, language=request.LANGUAGE_CODE)
    segments = text_segments(text, warnings)

and in the template, without JavaScript::

    {% for segment in segments %}{% if segment.warning %}<mark>{{ segment.text }}</mark>
    {% else %}{{ segment.text }}{% endif %}{% endfor %}
    <ul>{% for warning in warnings %}
      <li>“{{ warning.finding.text }}”: {{ warning.explanation }}</li>
    {% endfor %}</ul>

(the template lines are wrapped here; in a real template keep the segment loop on one
line inside a ``white-space: pre-wrap`` element, so no spaces are added to the text)
"""

import re
from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from .detector import find_identifying_details
from .findings import Finding, FindingType
from .normalisation import normalise
from .self_reference_acts import ACTED_ON, DEALINGS, find_acts

# Why a detail may point to the reporter, per type. Used when the detector cannot tell
# whose the detail is ("Zijn nummer is ..." or "Bel 06-..." alike).
EXPLANATIONS: dict[FindingType, Promise] = {
    FindingType.PHONE: _("A phone number. If it is yours, it leads straight to you."),
    FindingType.EMAIL: _("An e-mail address. If it is yours, it leads straight to you."),
    FindingType.IBAN: _("A bank account number. If it is yours, it leads straight to you."),
    FindingType.BSN: _("A citizen service number (BSN). If it is yours, it identifies you."),
    FindingType.POSTCODE_ADDRESS: _(
        "A postcode or address. If it is where you live or work, it can point to you."
    ),
    FindingType.STREET_ADDRESS: _(
        "An address. If it is where you live or work, it can point to you."
    ),
    FindingType.DATE_OF_BIRTH: _(
        "A date of birth. If it is yours, it can identify you together with other details."
    ),
    FindingType.SOCIAL_HANDLE: _(
        "A social media account. If it is yours or linked to you, it can identify you."
    ),
    FindingType.PROFILE_URL: _(
        "A link to a social media profile. If it is yours or linked to you, it can identify you."
    ),
}
# When first-person words before a detail say it is the reporter's own ("mijn nummer
# is", "my name is"), the explanation says so: issue 11 found "Mijn nummer" explained
# as "how you know the people involved", which fits neither the words nor the number.
OWN_EXPLANATIONS: dict[FindingType, Promise] = {
    FindingType.PERSON_NAME: _("This may be your own name. It identifies you."),
    FindingType.PHONE: _("This looks like your phone number. It leads straight to you."),
    FindingType.EMAIL: _("This looks like your e-mail address. It leads straight to you."),
    FindingType.IBAN: _("This looks like your bank account number. It leads straight to you."),
    FindingType.BSN: _("This looks like your citizen service number (BSN). It identifies you."),
    FindingType.POSTCODE_ADDRESS: _("This looks like your own address. It leads straight to you."),
    FindingType.STREET_ADDRESS: _("This looks like your own address. It leads straight to you."),
    FindingType.DATE_OF_BIRTH: _(
        "This looks like your date of birth. Together with other details it can identify you."
    ),
    FindingType.SOCIAL_HANDLE: _(
        "This looks like your own social media account. It can identify you."
    ),
    FindingType.PROFILE_URL: _("This looks like a link to your own profile. It identifies you."),
    FindingType.LICENCE_PLATE: _(
        "This looks like the licence plate of your own vehicle. It leads straight to you."
    ),
}
RELATION_EXPLANATION = _(
    "This says how you know the people involved. They know only a few people in that "
    "position and may recognise you."
)
PLACE_EXPLANATION = _(
    "This says where you live, work or watch from. Only a few people are in that place, "
    "so it can point to you."
)
# "hij heeft mij bedreigd", "ik heb een fiets van hem gekocht": neither a relation nor a
# place, but something the person did to the reporter or did with them, which they
# remember (issue 11 item 7, thirteenth round).
ACT_EXPLANATIONS: dict[str, Promise] = {
    ACTED_ON: _(
        "This says what someone in your report did to you or with you. They know whom "
        "they did it to and may recognise you."
    ),
    DEALINGS: _(
        "This says what you did with or for someone in your report. They know whom they "
        "dealt with and may recognise you."
    ),
}
# "ik woon naast", "vanuit mijn keuken", "bij ons in de flat", "I work at": a place,
# not a relation, so the relation explanation would not fit.
PLACE_WORDS = re.compile(
    r"(?i:\b(?:woon|wonen|werk|werken|zit|zitten|sta|raam|keuken|slaapkamer|balkon|tuin|"
    r"woonkamer|straat|flat|portiek|galerij|buurt|school|klas|afdeling|team|bedrijf|kantoor|"
    r"zaak|winkel|woning|huis|auto|live|work|sit|stay|window|kitchen|bedroom|balcony|garden|"
    r"street|building|apartment|house|class|company|shop|workplace|car|"
    # issue 11 item 7: past tenses, rooms, positions and shared places
    r"woonde|werkte|gewoond|gewerkt|schoonmaak|schoon|huur|kamer|verderop|trappenhuis|"
    r"sportschool|gebouw|pand|lived|worked|living|working|rent|room|upstairs|downstairs|"
    r"doors|driveway|gym|block|shift)\b)"
)
# Asked once per answer to a location question instead of warning about the address
# the form itself asked for: the address is the point of the answer, but the reporter
# may live or work there.
LOCATION_NOTE = _(
    "Do you live or work at this place? Then it can point to you: give it only as "
    "precisely as needed, and do not say that you live or work there."
)
ADDRESS_TYPES = frozenset({FindingType.STREET_ADDRESS, FindingType.POSTCODE_ADDRESS})
# Names and licence plates in a tip are usually the suspect's; they are only worth a
# warning when the reporter seems to be writing about their own.
WARN_ONLY_WHEN_OWN = frozenset({FindingType.PERSON_NAME, FindingType.LICENCE_PLATE})
# "mijn nummer is", "bel me op", "my e-mail is", "I'm Jan": first-person words shortly
# before a detail suggest the detail is the reporter's own.
FIRST_PERSON = re.compile(
    r"(?i:\b(?:ik|mij|me|mijn|m'n|mn|ons|onze|wij|we|i|i'm|i’m|my|mine|our|us)\b)"
)
THIRD_PERSON = re.compile(
    r"(?i:\b(?:hij|zij|ze|hem|haar|zijn|hun|die|he|she|him|her|his|their|they|them)\b)"
)
FIRST_PERSON_POSSESSIVE = re.compile(r"(?i:\b(?:mijn|m'n|mn|onze|ons|my|our)\b)")
# "Ik zag het op de Kerkstraat 12" is where it happened, not where the reporter lives:
# an address is their own only after a possessive or a word for living there.
FIRST_PERSON_ADDRESS = re.compile(
    r"(?i:\b(?:mijn|m'n|mn|onze|ons|my|our|ik woon|wij wonen|we wonen|i live|we live)\b)"
)
OWN_NAME_CUE = re.compile(
    r"(?i:\b(?:mijn naam is|ik heet|ik ben|noem mij|noem me|my name is|i am|i'm|i’m|"
    r"call me|i am called)[ :,]{1,3}$)"
)
OWN_WINDOW = 40


@dataclass(frozen=True)
class ReporterWarning:
    """A finding the reporter should look at, with a translated reason."""

    finding: Finding
    explanation: Promise
    # True when first-person words just before it suggest it is about the reporter.
    is_likely_own: bool


@dataclass(frozen=True)
class TextSegment:
    text: str
    warning: ReporterWarning | None


@dataclass(frozen=True)
class AnswerReview:
    """One answer as the review step shows it: marked text, warnings and a note.

    ``note`` is asked once for the whole answer (the location question's "do you
    live or work there?"), not per passage.
    """

    segments: list[TextSegment]
    warnings: list[ReporterWarning]
    note: Promise | None


def _is_likely_own(text: str, finding: Finding) -> bool:
    if finding.type == FindingType.SELF_REFERENCE:
        return True
    before = text[max(0, finding.start - OWN_WINDOW) : finding.start]
    if finding.type == FindingType.PERSON_NAME:
        # "Ik, als buurman van Kevin Jansen": Kevin is the neighbour, not the reporter.
        return bool(OWN_NAME_CUE.search(before))
    # Only the clause the detail is in: "Mijn buurman. Zijn nummer is ..." is not own.
    clause = re.split(r"[.!?\n]", before)[-1]
    if finding.type in WARN_ONLY_WHEN_OWN:
        pattern = FIRST_PERSON_POSSESSIVE
    elif finding.type in ADDRESS_TYPES:
        pattern = FIRST_PERSON_ADDRESS
    else:
        pattern = FIRST_PERSON
    first_person = [match.end() for match in pattern.finditer(clause)]
    # "Ik denk dat zijn nummer ...": the last person named before the detail owns it.
    third_person = [match.end() for match in THIRD_PERSON.finditer(clause)]
    return bool(first_person) and (not third_person or first_person[-1] > third_person[-1])


def _acts(text: str, language: str | None) -> dict[tuple[int, int], str]:
    """The kind of each "acted on" or "dealings" passage, by its span in ``text``.

    A self-reference finding with one of these spans came from that rule (a relation or
    place rule that found the same stretch would have won it, being more confident).
    """
    code = language.split("-")[0].lower() if language else None
    document = normalise(text)
    return {
        document.original_span(hit.start, hit.end): kind
        for kind, hit in find_acts(document.text, code)
    }


def _explanation(
    finding: Finding, is_own: bool, acts: dict[tuple[int, int], str] | None = None
) -> Promise:
    """Why ``finding`` may identify the reporter; ``acts`` as ``_acts`` gives (not for file names).

    A dealing that names a place ("ik huur een kamer bij hem") is explained as the place:
    that is what points to the reporter most directly.
    """
    if finding.type == FindingType.SELF_REFERENCE:
        kind = (acts or {}).get((finding.start, finding.end))
        is_place = PLACE_WORDS.search(finding.text) is not None
        if kind == ACTED_ON or (kind == DEALINGS and not is_place):
            return ACT_EXPLANATIONS[kind]
        return PLACE_EXPLANATION if is_place else RELATION_EXPLANATION
    if is_own:
        return OWN_EXPLANATIONS[finding.type]
    return EXPLANATIONS[finding.type]


def reporter_warnings(
    text: str, *, language: str | None = None, is_location_answer: bool = False
) -> list[ReporterWarning]:
    """Findings that may identify the reporter, in text order.

    Self-references and the reporter's likely own details come with
    ``is_likely_own=True``. Every contact or identity detail is included, because the
    detector cannot know whose it is; names and licence plates only when first-person
    words suggest they are the reporter's. In the answer to a location question
    (``is_location_answer``) the address is what the form asked for: it is not a
    warning unless first-person words make it the reporter's own (``LOCATION_NOTE``
    asks about it once instead, see ``answer_review``).
    """
    warnings = []
    findings = find_identifying_details(text, language=language)
    acts = (
        _acts(text, language)
        if any(finding.type == FindingType.SELF_REFERENCE for finding in findings)
        else {}
    )
    for finding in findings:
        is_own = _is_likely_own(text, finding)
        if finding.type in WARN_ONLY_WHEN_OWN and not is_own:
            continue
        if is_location_answer and finding.type in ADDRESS_TYPES and not is_own:
            continue
        warnings.append(ReporterWarning(finding, _explanation(finding, is_own, acts), is_own))
    return warnings


def answer_review(
    text: str, *, language: str | None = None, is_location_answer: bool = False
) -> AnswerReview:
    """Everything the review step shows for one answer or message, computed, never stored."""
    warnings = reporter_warnings(text, language=language, is_location_answer=is_location_answer)
    return AnswerReview(
        segments=text_segments(text, warnings),
        warnings=warnings,
        note=LOCATION_NOTE if is_location_answer else None,
    )


# In a file name a name or a plate is worth a warning whoever it belongs to: nobody
# asked for it, and it travels with the file unnoticed.
FILE_NAME_EXPLANATIONS: dict[FindingType, Promise] = {
    FindingType.PERSON_NAME: _(
        "A name in the file name. It is sent with the file and can point to you or to "
        "someone close to you."
    ),
    FindingType.LICENCE_PLATE: _(
        "A licence plate in the file name. If it is of your own vehicle, it leads straight to you."
    ),
}
# "bewijs_buurman_Kerkstraat12.jpg": separators and the seams between letters and digits.
FILE_NAME_SEPARATORS = re.compile(r"[_\-.+~]+")
LETTER_DIGIT_SEAM = re.compile(r"(?<=[^\W\d_])(?=\d)|(?<=\d)(?=[^\W\d_])")


def file_name_text(name: str) -> tuple[str, list[int]]:
    """A file name as words ("bewijs buurman Kerkstraat 12 jpg"), and where each
    character of it came from in ``name`` (an inserted space maps to the next one)."""
    spaced, origins = [], []
    seams = {match.start() for match in LETTER_DIGIT_SEAM.finditer(name)}
    for position, character in enumerate(name):
        if position in seams:
            spaced.append(" ")
            origins.append(position)
        spaced.append(" " if FILE_NAME_SEPARATORS.fullmatch(character) else character)
        origins.append(position)
    return "".join(spaced), origins


def file_name_review(name: str, *, language: str | None = None) -> AnswerReview:
    """The review of a file's name: every finding in it, marked in the name as it is.

    A file name is read as words first (``file_name_text``), so that
    "Kerkstraat12" is seen as the address it is. Unlike free text, names and
    licence plates are always warned about.
    """
    text, origins = file_name_text(name)
    warnings = []
    for found in find_identifying_details(text, language=language):
        start, end = origins[found.start], origins[found.end - 1] + 1
        finding = Finding(found.type, start, end, name[start:end], found.confidence)
        is_own = _is_likely_own(text, found)
        explanation = (
            _explanation(finding, is_own)
            if is_own or found.type not in FILE_NAME_EXPLANATIONS
            else FILE_NAME_EXPLANATIONS[found.type]
        )
        warnings.append(ReporterWarning(finding, explanation, is_own))
    return AnswerReview(segments=text_segments(name, warnings), warnings=warnings, note=None)


def text_segments(text: str, warnings: list[ReporterWarning]) -> list[TextSegment]:
    """Split ``text`` into plain and marked segments, for highlighting without JavaScript.

    Joining the segments' text gives back ``text`` exactly. ``warnings`` must not
    overlap, which holds for the output of ``reporter_warnings``.
    """
    segments = []
    position = 0
    for warning in sorted(warnings, key=lambda w: w.finding.start):
        if warning.finding.start > position:
            segments.append(TextSegment(text[position : warning.finding.start], None))
        segments.append(TextSegment(text[warning.finding.start : warning.finding.end], warning))
        position = warning.finding.end
    if position < len(text):
        segments.append(TextSegment(text[position:], None))
    return segments
