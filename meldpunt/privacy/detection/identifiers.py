"""Numbers that identify a person on their own: IBAN, BSN, licence plate, date of birth."""

import bisect
import datetime
import functools
import re
from collections.abc import Iterator

from schwifty import IBAN
from schwifty.exceptions import SchwiftyException
from schwifty.registry import get_iban_spec

from .findings import FindingType, Hit
from .names import CAR_MAKES, HOLIDAY_ENDINGS, PLACE_PREPOSITIONS, is_common_word, not_name_words

# Country code, check digits, then up to 40 characters of account number in groups.
# The tail is one flat class; where the account number ends follows from the fixed
# IBAN length of the country, so each candidate costs one checksum.
IBAN_CANDIDATE = re.compile(r"(?<![A-Za-z0-9])[A-Za-z]{2} ?[0-9]{2} ?[A-Za-z0-9][A-Za-z0-9 ]{9,40}")


# A=10 ... Z=35, as ISO 13616 prescribes for the checksum.
_LETTER_VALUES = str.maketrans({chr(code): str(code - 55) for code in range(65, 91)})


def _iban_checksum_holds(compact: str) -> bool:
    """ISO 13616 mod-97 check; cheap enough to run before asking schwifty."""
    rearranged = compact[4:] + compact[:4]
    return int(rearranged.translate(_LETTER_VALUES)) % 97 == 1


@functools.lru_cache(maxsize=512)
def _iban_length(country_code: str) -> int | None:
    """The fixed IBAN length of a country, or None if the country has no IBAN."""
    try:
        return get_iban_spec(country_code).iban_length
    except SchwiftyException:
        return None


def _iban_end(candidate: str, length: int) -> int | None:
    """Where in ``candidate`` the IBAN of ``length`` characters ends, if at a group boundary."""
    seen = 0
    for index, character in enumerate(candidate):
        if character != " ":
            seen += 1
            if seen == length:
                end = index + 1
                return end if end == len(candidate) or candidate[end] == " " else None
    return None


def find_ibans(text: str) -> Iterator[Hit]:
    position = 0
    while match := IBAN_CANDIDATE.search(text, position):
        candidate = match.group()
        length = _iban_length(candidate[:2].upper())
        end = _iban_end(candidate, length) if length else None
        if end is not None and not (
            end == len(candidate) and text[match.end() : match.end() + 1].isalnum()
        ):
            compact = candidate[:end].replace(" ", "").upper()
            if _iban_checksum_holds(compact):
                try:
                    IBAN(compact)
                except SchwiftyException:
                    pass  # right checksum, but not the account format of the country
                else:
                    yield Hit(FindingType.IBAN, match.start(), match.start() + end, 0.97)
                    position = match.start() + end
                    continue
        position = match.start() + 1


BSN_CANDIDATE = re.compile(
    r"(?<![0-9A-Za-z.,])(?:[0-9]{9}|[0-9]{4}([ .])[0-9]{2}\1[0-9]{3}"
    r"|[0-9]{3}[ .][0-9]{3}[ .][0-9]{3}|[0-9]{8})(?![0-9]|[.,][0-9])"
)
BSN_CONTEXT = re.compile(
    r"(?i:\b(?:bsn|burgerservicenummer|burger ?service ?nummer|sofi|sofinummer|"
    r"citizen service number|social security number)\b)"
)
CONTEXT_WINDOW = 40


def is_valid_bsn(number: str) -> bool:
    """The 11-proof ("elfproef") for BSNs: weights 9..2 and -1 must sum to a multiple of 11.

    Eight-digit numbers are old BSNs written without their leading zero.
    """
    digits = number.zfill(9)
    if len(digits) != 9 or not digits.isdigit() or digits == "000000000":
        return False
    total = sum(int(digit) * weight for digit, weight in zip(digits, range(9, 1, -1), strict=False))
    return (total - int(digits[8])) % 11 == 0


def find_bsns(text: str) -> Iterator[Hit]:
    for match in BSN_CANDIDATE.finditer(text):
        digits = match.group().replace(" ", "").replace(".", "")
        if not is_valid_bsn(digits):
            continue
        has_context = bool(
            BSN_CONTEXT.search(text, max(0, match.start() - CONTEXT_WINDOW), match.start())
        )
        if len(digits) == 8 and not has_context:
            continue  # eight digits are too common (order numbers, dates) to flag unprompted
        preceding = text[max(0, match.start() - 4) : match.start()]
        if not has_context and ("€" in preceding or "EUR" in preceding):
            continue
        yield Hit(FindingType.BSN, match.start(), match.end(), 0.95 if has_context else 0.75)


# Dutch licence plates, all sidecodes in use (1-14). X is a letter, 9 a digit.
_L, _D = "[A-Z]", "[0-9]"
PLATE_SIDECODES = (
    "XX-99-99", "99-99-XX", "99-XX-99", "XX-99-XX", "XX-XX-99", "99-XX-XX", "99-XXX-9",
    "9-XXX-99", "XX-999-X", "X-999-XX", "XXX-99-X", "X-99-XXX", "9-XX-999", "999-XX-9",
)  # fmt: skip


def _sidecode_pattern(sidecode: str, separator: str) -> str:
    groups = []
    for group in sidecode.split("-"):
        unit = _L if group[0] == "X" else _D
        groups.append(f"{unit}{{{len(group)}}}")
    return separator.join(groups)


PLATE = re.compile(
    r"(?<![A-Za-z0-9\-])(?:"
    + "|".join(_sidecode_pattern(code, "[- ]") for code in PLATE_SIDECODES)
    + r")(?![A-Za-z0-9]|-[A-Za-z0-9])",
    re.IGNORECASE,
)
# Written without dashes ("12ABC3") a plate is only recognisable with a cue nearby.
PLATE_UNDASHED = re.compile(
    r"(?<![A-Za-z0-9\-])(?:"
    + "|".join(_sidecode_pattern(code, "") for code in PLATE_SIDECODES)
    + r")(?![A-Za-z0-9])",
    re.IGNORECASE,
)
PLATE_CONTEXT = re.compile(
    r"(?i:\b(?:kenteken|nummerbord|nummerplaat|licen[cs]e plate|number plate|registration|"
    r"plate|reg\.?|auto|wagen|busje|bestelbus|scooter|car)\b)"
)
# Belgian plates since 2010 ("1-ABC-234"; a Dutch "9-XXX-99" has two digits at the end)
# are distinctive with dashes. Older Belgian ones ("ABC-123", "123-ABC") and German ones
# ("B-MK 4521", "HH-AB 123") look like codes of all kinds, so they need a cue.
BELGIAN_PLATE = re.compile(
    r"(?<![A-Za-z0-9\-])[1-9]-[A-Za-z]{3}-[0-9]{3}(?![A-Za-z0-9]|-[A-Za-z0-9])"
)
FOREIGN_PLATE_WITH_CUE = re.compile(
    r"(?<![A-Za-z0-9\-])(?:[A-Z]{3}-[0-9]{3}|[0-9]{3}-[A-Z]{3}"
    r"|[A-ZÄÖÜ]{1,3}[- ][A-Z]{1,2} [1-9][0-9]{0,3}[EH]?)(?![A-Za-z0-9]|-[A-Za-z0-9])"
)
# British plates since 2001 ("BD51 SMR": area, age, three letters) and French ones since
# 2009 ("FE-215-RT") have shapes no Dutch sidecode, date or code takes, printed in
# capitals; a British one written together ("BD51SMR") needs a cue like an undashed
# Dutch one.
BRITISH_PLATE = re.compile(r"(?<![A-Za-z0-9\-])[A-Z]{2}[0-9]{2} [A-Z]{3}(?![A-Za-z0-9])")
BRITISH_PLATE_UNSPACED = re.compile(r"(?<![A-Za-z0-9\-])[A-Z]{2}[0-9]{2}[A-Z]{3}(?![A-Za-z0-9])")
FRENCH_PLATE = re.compile(
    r"(?<![A-Za-z0-9\-])[A-Z]{2}-[0-9]{3}-[A-Z]{2}(?![A-Za-z0-9]|-[A-Za-z0-9])"
)
FOREIGN_PLATE_CONTEXT = re.compile(
    r"(?i:\b(?:kenteken|nummerbord|nummerplaat|licen[cs]e plate|number plate|registration|"
    r"plate|reg\.?|duitse?|belgische?|german|belgian|duitsland|belgi[eë]|germany|belgium)\b)"
)
# Dutch plates have had no vowels since 1978 (sidecode 4); written in lower case with
# dashes and without vowels ("gz-981-x"), a sidecode is a plate, "12-jan-3" is not.
VOWELS = frozenset("aeiouAEIOU")


# "Lesnummer 12-45-AB", "order code XK-12-34": after a number word that is no plate word
# the sidecode is a code.
CODE_WORD_BEFORE = re.compile(
    r"(?i:(?:nummer|number|code|nr\.?|no\.?|\breference|\breferentie|\bref\.?|\bkenmerk|"
    r"\border|\bartikel|\bsku)[:#]? ?)$"
)
CODE_WINDOW = 20
# Also inside a compound: "Kentekennummer 34-56-KL" is a plate.
PLATE_WORD = re.compile(r"(?i:kenteken|nummerbord|nummerplaat|plate|registration|\breg\b)")


def _is_labelled_code(text: str, start: int) -> bool:
    """ "Reference AB-12-CD", "Lesnummer 12-45-AB"; not "Plate number: 56-PLR-2"."""
    return bool(
        CODE_WORD_BEFORE.search(text, max(0, start - CODE_WINDOW), start)
        and not PLATE_WORD.search(text, max(0, start - CONTEXT_WINDOW), start)
    )


def find_licence_plates(text: str) -> Iterator[Hit]:
    # Plates are printed in capitals; written any other way, or without dashes ("12ABC3"),
    # a plate is only recognisable with a cue ("kenteken", "plate") nearby, or by having
    # the dashes and none of the vowels a modern plate lacks.
    for match in PLATE.finditer(text):
        plate = match.group()
        is_printed_form = plate.isupper() and not ("-" in plate and " " in plate)
        is_dashed_without_vowels = "-" in plate and " " not in plate and not VOWELS & set(plate)
        # Not printed: only with dashes ("12-abc-3"), "12-34 en" is a score and a word.
        if _is_labelled_code(text, match.start()):
            continue
        if (
            is_printed_form
            or is_dashed_without_vowels
            or (" " not in plate and _has_plate_cue(text, match.start()))
        ):
            yield Hit(FindingType.LICENCE_PLATE, match.start(), match.end(), 0.85)
    for match in PLATE_UNDASHED.finditer(text):
        if _has_plate_cue(text, match.start()):
            yield Hit(FindingType.LICENCE_PLATE, match.start(), match.end(), 0.8)
    yield from _plates_after_cue(text)
    for match in BELGIAN_PLATE.finditer(text):
        yield Hit(FindingType.LICENCE_PLATE, match.start(), match.end(), 0.85)
    for match in FOREIGN_PLATE_WITH_CUE.finditer(text):
        # the cue may name the first of several plates: "Duits kenteken, vandaag een D-KR
        # 4481 en gisteren een NE-PK 220"
        if FOREIGN_PLATE_CONTEXT.search(_sentence_before(text, match.start())):
            yield Hit(FindingType.LICENCE_PLATE, match.start(), match.end(), 0.8)
    yield from _eastern_european_plates(text)
    for pattern in (BRITISH_PLATE, FRENCH_PLATE):
        for match in pattern.finditer(text):
            if not _is_labelled_code(text, match.start()):
                yield Hit(FindingType.LICENCE_PLATE, match.start(), match.end(), 0.85)
    for match in BRITISH_PLATE_UNSPACED.finditer(text):
        if _has_plate_cue(text, match.start()):
            yield Hit(FindingType.LICENCE_PLATE, match.start(), match.end(), 0.8)


FOREIGN_CUE_WINDOW = 100
SENTENCE_BREAK = re.compile(r"[.!?\n](?:\s|$)")


def _sentence_before(text: str, start: int) -> str:
    """The sentence up to ``start``, at most FOREIGN_CUE_WINDOW characters of it."""
    before = text[max(0, start - FOREIGN_CUE_WINDOW) : start]
    breaks = list(SENTENCE_BREAK.finditer(before))
    return before[breaks[-1].end() :] if breaks else before


_COUNTRY_ADJECTIVES = (
    "duitse|belgische|poolse|litouwse|letse|roemeense|bulgaarse|franse|britse|engelse|"
    "spaanse|italiaanse|oekraïense|tsjechische|slowaakse|hongaarse|luxemburgse|turkse|"
    "duits|belgisch|pools|litouws|lets|roemeens|bulgaars|frans|brits|engels|spaans|italiaans|"
    "oekraïens|tsjechisch|slowaaks|hongaars|turks|iers|ierse|irish|"
    "german|belgian|polish|lithuanian|latvian|romanian|bulgarian|french|british|spanish|"
    "italian|ukrainian|czech|slovak|hungarian|dutch|irish|turkish"
)
# Right after a plate word any mix of letters and digits is the plate the reporter read,
# whatever its country ("nummerbord DBX-12", "reg LB07 SEO").
PLATE_AFTER_CUE = re.compile(
    r"(?i:\b(?:kentekenplaat|kentekenplaten|kenteken|nummerbord|nummerplaat|plates?|"
    r"reg(?:istration)?"
    # "een Poolse bus PO 7K552", "a Lithuanian van KLM 482": a foreign vehicle's plate
    rf"|(?:{_COUNTRY_ADJECTIVES}) (?:auto|bus|busje|bestelbus|vrachtwagen|wagen|truck|lorry|"
    r"van|car|trailer|aanhanger|oplegger|camper))(?: number| nummer)?"
    # "De kentekenplaat was Pools: WPR 84736", "the plate was Polish, WPR 84736"
    rf"(?: (?:is|was|are|were|waren) (?:{_COUNTRY_ADJECTIVES})(?=[:,]))?"
    # "a Latvian plate, KM-4127", "Belgian plates, 1VQW642", "Irish reg, 191-D-23456"
    r"(?: is| was|:|,)? )(?!(?:plates?|reg|registration|kenteken|nummerbord)\b)"
    r"([A-Za-z0-9]{1,7}(?:[- ][A-Za-z0-9]{1,5}){0,2})(?![\w-])"
)


def _is_lower_case_word(group: str) -> bool:
    """ "op", "en": a word of the sentence; a single letter ("vz 452 k") may be the plate's."""
    return len(group) > 1 and group.isalpha() and group.islower()


def _plates_after_cue(text: str) -> Iterator[Hit]:
    for match in PLATE_AFTER_CUE.finditer(text):
        plate = match.group(1)
        # "GKT-77 op een brommer": a lower-case word after a space is the sentence again
        # "KM-4127 I think": the pronoun is the sentence again too
        while " " in plate and (
            _is_lower_case_word(plate.rsplit(" ", 1)[1]) or plate.rsplit(" ", 1)[1] == "I"
        ):
            plate = plate.rsplit(" ", 1)[0]
        compact = plate.replace("-", "").replace(" ", "")
        has_both = any(c.isdigit() for c in compact) and any(c.isalpha() for c in compact)
        if has_both and 4 <= len(compact) <= 9:
            start = match.start(1)
            # more confident than a postcode inside it: "plates CA 4471 PX"
            yield Hit(FindingType.LICENCE_PLATE, start, start + len(plate), 0.85)


# Polish, Lithuanian and Ukrainian plates ("WGM 48123", "PO 6KT43", "AA 4471 KP"): letters,
# a space and a group of digits and letters look like codes of all kinds, so they need a
# foreign or plate word in the sentence before, a plate word just after ("(polish
# plate)") or a car make right before ("een Skoda PO 6KT43") (thirteenth round).
EASTERN_EUROPEAN_PLATE = re.compile(
    r"(?<![A-Za-z0-9\-])(?:[A-Z]{2} [0-9]{4} [A-Z]{2}|[A-Z]{2,3} [0-9][0-9A-Z]{3,4})"
    r"(?![A-Za-z0-9]|-[A-Za-z0-9])"
)
EASTERN_PLATE_CUE_BEFORE = re.compile(
    rf"(?i:\b(?:kentekens?|nummerbord|nummerplaat|plates?|registration|reg|plated|"
    rf"{_COUNTRY_ADJECTIVES})\b)"
)
PLATE_WORD_AFTER = re.compile(r"(?i:[ (,]{1,3}(?:\w+ )?(?:kenteken|plate|plates|reg)\b)")
PREVIOUS_WORD = re.compile(r"([\w\-]+) $")


def _eastern_european_plates(text: str) -> Iterator[Hit]:
    # the cue words are found once for the whole text, not again before every candidate
    cue_ends: list[int] | None = None
    for match in EASTERN_EUROPEAN_PLATE.finditer(text):
        start = match.start()
        previous = PREVIOUS_WORD.search(text, max(0, start - 20), start)
        cued = PLATE_WORD_AFTER.match(text, match.end()) is not None or (
            previous is not None and previous.group(1) in CAR_MAKES
        )
        if not cued:
            if cue_ends is None:
                cue_ends = [cue.end() for cue in EASTERN_PLATE_CUE_BEFORE.finditer(text)]
            position = bisect.bisect_right(cue_ends, start) - 1
            cued = (
                position >= 0
                and start - cue_ends[position] <= FOREIGN_CUE_WINDOW
                and SENTENCE_BREAK.search(text, cue_ends[position], start) is None
            )
        if cued and not _is_labelled_code(text, start):
            yield Hit(FindingType.LICENCE_PLATE, start, match.end(), 0.85)


def _has_plate_cue(text: str, start: int) -> bool:
    return bool(PLATE_CONTEXT.search(text, max(0, start - CONTEXT_WINDOW), start))


_MONTHS = (
    "januari|februari|maart|april|mei|juni|juli|augustus|september|oktober|november|december|"
    "january|february|march|may|june|july|august|october|"
    "jan|feb|mrt|mar|apr|jun|jul|aug|sep|sept|okt|oct|nov|dec"
)
# The year of a full date, also written short with an apostrophe ("12-03-'88", "3 March '92").
_YEAR = r"(?:(?:19|20)[0-9]{2}|['’][0-9]{2})(?![0-9'’])"
_FULL_DATE = (
    r"(?:[0-3]?[0-9][-/.][01]?[0-9][-/.](?:19|20|['’])?[0-9]{2}"  # 12-03-1985, 12/3/85
    r"|[01]?[0-9][-/.](?:1[3-9]|2[0-9]|3[01])[-/.](?:19|20)[0-9]{2}"  # American 11-23-1992
    r"|(?:19|20)[0-9]{2}-[01][0-9]-[0-3][0-9]"  # 1985-03-12
    rf"|[0-3]?[0-9](?:e|st|nd|rd|th)? (?:of )?(?:{_MONTHS})\.?,? {_YEAR}"  # 12 mei 1985
    rf"|(?:{_MONTHS})\.? [0-3]?[0-9](?:st|nd|rd|th)?,? {_YEAR})"  # March 12, 1985
)
_DATE = (
    rf"(?:{_FULL_DATE}"
    r"|(?:19|20)[0-9]{2}"  # 1985 (year only, lower confidence)
    r"|['’][0-9]{2}(?![0-9'’]))"  # '92
)
DATE_OF_BIRTH = re.compile(
    r"(?i:\b(?:geboren|geb\.?|geboortedatum|geb\.? ?datum|geboortejaar|born|date of birth|"
    r"birth date|birthdate|year of birth|birth year|dob|d\.o\.b\.|(?:ben|is|was) bouwjaar)"
    r"|°)"
    # "geboren te Utrecht op 3 mei 1980", "born in Leeds on 12 May 1990", "born in Den
    # Haag, 1985": the place first
    r"(?: (?i:te|in|at) [A-Z][\w'’\-]+(?: [A-Z][\w'’\-]+)?,?(?= (?i:op|on|in)\b|,? [0-9'’]))?"
    r"[ :,(]{0,3}(?i:(?:is|was|op|on|in|am|ca\.|circa|around|rond|the) ){0,2}"
    rf"(?i:({_DATE}))(?![0-9])"
)
# "born on 14 Feb", "geboren op 3 maart": a day and a month without the year (a
# birthday, "jarig op 3 maart", says less and is not labelled).
DAY_OF_BIRTH = re.compile(
    rf"(?i:\b(?:born on(?: the)?|geboren op) "
    rf"([0-3]?[0-9](?:e|st|nd|rd|th)? (?:of )?(?:{_MONTHS})\b\.?"
    rf"|(?:{_MONTHS}) [0-3]?[0-9](?:st|nd|rd|th)?\b))"
)


# "jarig op 12 augustus, geboren in 1983": a birthday with the year of birth in the same
# sentence is a whole date of birth (a birthday alone says less and is not reported).
BIRTHDAY = re.compile(
    rf"(?i:\b(?:jarig|birthday|verjaardag)(?: is)? (?:op|on) (?:the )?"
    rf"([0-3]?[0-9](?:e|st|nd|rd|th)? (?:of )?(?:{_MONTHS})\b\.?"
    rf"|(?:{_MONTHS}) [0-3]?[0-9](?:st|nd|rd|th)?\b))"
)
SENTENCE_END = re.compile(r"[.!?\n](?:\s|$)")


# Without a cue word before it (issue 11): a full date in brackets or between commas
# right after a name ("Kevin de Wit (12-04-1995)", "R. Smit, 05-05-1971,"), a cue after it
# ("is 30 januari 1992 geboren", "19-09-1983 als geboortedatum"), "ik ben van 7 maart
# 1986", or the cue a few words before ("geboortedatum weet ik: 13-06-1987").
DATE_AFTER_NAME = re.compile(
    rf"(?:(?<![\w'’\-])([\w'’\-]{{1,40}}) )?([A-Z][\w'’\-]{{0,40}}[a-z])(?:, ?\(| ?[(,]) ?"
    rf"(?i:({_DATE}))(?![0-9])"
)
DATE_BEFORE_CUE = re.compile(
    rf"(?i:({_DATE}),? (?:geboren|born\b|als geboortedatum|as (?:his |her |my )?date of birth))"
)
DATE_OF_BIRTH_IS_FROM = re.compile(
    rf"(?i:\b(?:ben|is|was) van ({_DATE}))(?![0-9])(?! ?(?:tot|t/m|-|–|en)\b)"
    # "Mijn vader is 19-04-1944.", "My daughter is 12/06/2011": a person "is" a full date
    # (fourteenth round; a year alone is an age or an event)
    rf"|(?i:\b(?:is|was) ({_FULL_DATE}))(?![0-9])(?= ?[.,;)!]|$)"
)
LAST_WORD = re.compile(r"([\w'’]{1,40}) $")
# "ik ben van 1986", "zijn zus is van 4 mei 1995", "Kevin is van '92": a person is "from"
# a year; "het pand is van 1932" and "ik ben van 2019 tot 2021 ..." are no birth dates.
PERSON_SUBJECTS = frozenset(
    {"ik", "hij", "zij", "ze", "die", "jij", "je", "jongen", "meisje", "man", "vrouw",
     "verdachte", "dader", "eigenaar", "dealer", "baas", "kind", "zoon", "dochter", "broer",
     "zus", "zusje", "broertje", "vader", "moeder", "buurman", "buurvrouw", "vriend",
     "vriendin", "neef", "nicht", "oom", "tante", "collega", "ex", "partner", "chauffeur",
     "son", "daughter", "father", "mother", "dad", "mum", "mom", "brother", "sister", "he",
     "she", "grandson", "granddaughter", "kleinzoon", "kleindochter", "opa", "oma"}
)  # fmt: skip
# "Mijn opa (04-04-1941)", "her son (12/03/2009)": a full date in brackets after a person
# described by a relation is their date of birth, as after a name.
DATE_AFTER_RELATIVE = re.compile(
    r"(?i:\b(opa|oma|vader|moeder|zoon|dochter|broer|zus|zusje|broertje|neef|nicht|oom|tante|"
    r"kind|buurman|buurvrouw|ex|vriend|vriendin|partner|man|vrouw|grandad|granddad|grandpa|"
    r"grandma|nan|gran|father|mother|dad|mum|mom|son|daughter|brother|sister|nephew|niece|uncle|"
    r"aunt|child|neighbou?r|boyfriend|girlfriend|husband|wife) ?\()"
    rf"(?i:({_DATE}))\)"
)
# The cue noun a few words before the date, in the same sentence, whatever the words are:
# "geboortedatum op het profiel klopt zelfs: …", "DOB from HR: …", "Geboortedatum Evi: …",
# "dates of birth: Anna Smit 12.05.1986"; "birthday 27/03/1997" (with its year). Not when
# the words between say it is unknown ("geboortedatum weet ik niet, hij kwam op …"),
# though "geboortedatum weet ik: …" is one.
DATE_OF_BIRTH_CUE_FAR = re.compile(
    r"(?i:\b(?:geboortedat(?:um|a)|dates? of birth|birthdays?|verjaardag|dob|d\.o\.b\.))"
    r"(?:[ :,]{1,3}(?i:(?!(?:onbekend|unknown|niet|not|geen|no|never|nooit)\b))"
    # words up to 30 letters: "geboortedatum in de ledenadministratie is …"
    r"[^\W\d_][\w'’\-]{0,29}){0,6}[ :,]{1,3}"
    rf"(?i:({_DATE}))(?![0-9])"
)
# A date in brackets after a capitalised word may be when something happened; birth
# dates are at least a few years back.
BIRTH_YEARS_BACK = 5
YEAR = re.compile(r"([0-9]{2,4})$")
ISO_YEAR = re.compile(r"((?:19|20)[0-9]{2})-")  # 2008-05-22


def _is_birth_year(date: str) -> bool:
    year_match = ISO_YEAR.match(date) or YEAR.search(date)
    if year_match is None:
        return False
    year = int(year_match.group(1))
    if year < 100:
        year += 1900 if year > 30 else 2000
    return year <= datetime.datetime.now(tz=datetime.UTC).year - BIRTH_YEARS_BACK


def _is_bracketed_year_after_name(text: str, match: re.Match) -> bool:
    """ "Gerrit Hofstede (1961)": a year in brackets after two capitalised words."""
    bracket = text.find("(", match.end(2), match.start(3))
    if bracket < 0 or text[match.end(3) : match.end(3) + 1] != ")":
        return False
    before, word = match.group(1), match.group(2)
    return (
        before is not None
        and before[0].isupper()
        and before not in not_name_words()
        and not is_common_word(before)  # "Het Nieuwe Pand (1961)" is a building
        and not is_common_word(word)
    )


def find_dates_of_birth(text: str) -> Iterator[Hit]:
    for match in DATE_OF_BIRTH.finditer(text):
        date = match.group(1)
        confidence = 0.6 if date.lstrip("'’").isdigit() else 0.9
        yield Hit(FindingType.DATE_OF_BIRTH, match.start(1), match.end(1), confidence)
    for match in DAY_OF_BIRTH.finditer(text):
        yield Hit(FindingType.DATE_OF_BIRTH, match.start(1), match.end(1), 0.8)
    for match in BIRTHDAY.finditer(text):
        end = SENTENCE_END.search(text, match.end())
        sentence = text[match.end() : end.start() if end else len(text)]
        if DATE_OF_BIRTH.search(sentence):
            yield Hit(FindingType.DATE_OF_BIRTH, match.start(1), match.end(1), 0.7)
    for match in DATE_AFTER_RELATIVE.finditer(text):
        if _is_birth_year(match.group(2)) and not match.group(2).isdigit():
            yield Hit(FindingType.DATE_OF_BIRTH, match.start(2), match.end(2), 0.8)
    for pattern in (DATE_BEFORE_CUE, DATE_OF_BIRTH_CUE_FAR):
        for match in pattern.finditer(text):
            confidence = 0.6 if match.group(1).lstrip("'’").isdigit() else 0.85
            yield Hit(FindingType.DATE_OF_BIRTH, match.start(1), match.end(1), confidence)
    for match in DATE_OF_BIRTH_IS_FROM.finditer(text):
        subject = LAST_WORD.search(text, max(0, match.start() - 41), match.start())
        if subject is None:
            continue
        word = subject.group(1)
        group = 1 if match.group(1) is not None else 2
        date = match.group(group)
        if group == 2 and (word.lower() not in PERSON_SUBJECTS or not _is_birth_year(date)):
            continue  # "is 12-03-2024" after a thing, or recent, is when something happened
        if word.lower() in PERSON_SUBJECTS or (word[0].isupper() and word not in not_name_words()):
            confidence = 0.6 if date.lstrip("'’").isdigit() else 0.85
            yield Hit(FindingType.DATE_OF_BIRTH, match.start(group), match.end(group), confidence)
    for match in DATE_AFTER_NAME.finditer(text):
        before, word, date = match.groups()
        if not _is_birth_year(date):
            continue
        # a year alone only in brackets right after a name ("Gerrit Hofstede (1961)")
        if date.isdigit() and not _is_bracketed_year_after_name(text, match):
            continue
        # "Koningsdag (27-04-2018)", "gemeente Utrecht, 3 april 2019", "in Leeds, 14 May
        # 2021": after a holiday, a place or a brand the date is when something happened.
        if word in not_name_words() or word.lower().endswith(HOLIDAY_ENDINGS):
            continue
        if before is not None and before.lower() in PLACE_PREPOSITIONS:
            continue
        confidence = 0.6 if date.isdigit() else 0.8
        yield Hit(FindingType.DATE_OF_BIRTH, match.start(3), match.end(3), confidence)


# "Sem de Lange (2001)", "her son, Tyler (2009)": a date in brackets right after a person's
# name, found by the name rules, is their date of birth when it is a few years back; so is
# a full date right after the name ("Anna Smit 12-05-1986 woont", a list of people).
BRACKETED_DATE = re.compile(rf" ?\((?i:({_DATE}))\)| (?i:({_FULL_DATE}))(?![0-9])")


# "Saskia de Ridder, BSN 356691184, 21-06-1977, werkt", "Esra (esra.k@mail.nl, 8 maart
# 1994)": a full date among details after a name, each a number (in up to four groups) or
# an address that may carry a short label, is the person's date of birth too (thirteenth
# round).
# A postcode may carry its town ("3526 KM Utrecht"); the details may also follow the name
# without commas when one is a long number ("Lisa Bos 404 783 983 29 augustus 1982 —",
# fourteenth round).
_DETAIL = (
    r"(?:[A-Za-z.]{1,12}:? )?[^\s,()]*[0-9@][^\s,()]*(?: [0-9][^\s,()]*){0,3}"
    r"(?:(?<=[0-9]{4}) ?[A-Z]{2}(?: [A-Z][a-z\-]+){0,2})?"
)
DATE_IN_DETAILS = re.compile(
    rf" ?[(,] ?(?:{_DETAIL}, ?){{1,3}}(?i:({_FULL_DATE}))(?![0-9])(?= ?[,;)]|\.(?:\s|$)|$)"
)
_LONG_NUMBER = r"[0-9][0-9 .\-]{6,14}[0-9]"
DATE_AFTER_NUMBER = re.compile(
    rf" {_LONG_NUMBER} (?i:({_FULL_DATE}))(?![0-9])(?= ?[,;)—–]| -|\.(?:\s|$)|$)"
)


def find_dates_of_birth_after_names(text: str, names: list[Hit]) -> Iterator[Hit]:
    for name in names:
        details = DATE_IN_DETAILS.match(text, name.end)
        if details is None:
            details = DATE_AFTER_NUMBER.match(text, name.end)
        if details is not None and _is_birth_year(details.group(1)):
            yield Hit(FindingType.DATE_OF_BIRTH, details.start(1), details.end(1), 0.75)
        match = BRACKETED_DATE.match(text, name.end)
        if match is None:
            continue
        group = 1 if match.group(1) is not None else 2
        if _is_birth_year(match.group(group)):
            confidence = 0.6 if match.group(group).isdigit() else 0.8
            yield Hit(FindingType.DATE_OF_BIRTH, match.start(group), match.end(group), confidence)
