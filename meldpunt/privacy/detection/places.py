"""Where someone lives: Dutch postcodes with house numbers, and street addresses."""

import re
from collections.abc import Iterator

from .findings import FindingType, Hit
from .names import DUTCH_STREET_SUFFIXES, ENGLISH_STREET_SUFFIXES, not_name_words, place_names

# 1234 AB or 1234AB; lower case only when written together ("2019 op" is a year and a word).
# SA, SD and SS are never issued.
POSTCODE = re.compile(
    r"(?<![0-9A-Za-z])[1-9][0-9]{3}(?: ?(?!SA|SD|SS)[A-Z]{2}|[a-z]{2})(?![A-Za-z])"
)
HOUSE_NUMBER = re.compile(
    r"(?:,? | ?- ?)?(?:(?i:nr\.?|no\.?|huisnummer|nummer|number) ?)?"
    r"[0-9]{1,5}(?: ?[a-zA-Z](?![a-zA-Z]))?"
    r"(?![0-9:.,][0-9])"
)
HOUSE_NUMBER_BEFORE = re.compile(
    r"(?i:huisnummer|nummer|nr\.?|number|no\.?) ?[0-9]{1,5}[a-zA-Z]?,? "
)


def find_postcodes(text: str) -> Iterator[Hit]:
    for match in POSTCODE.finditer(text):
        if match.group()[-2:].lower() in {"sa", "sd", "ss"}:
            continue
        number = HOUSE_NUMBER.match(text, match.end())
        if number and not text[number.end() : number.end() + 1].isalpha():
            yield Hit(FindingType.POSTCODE_ADDRESS, match.start(), number.end(), 0.95)
            continue
        before = text[max(0, match.start() - 20) : match.start()]
        if any(m.end() == len(before) for m in HOUSE_NUMBER_BEFORE.finditer(before)):
            yield Hit(FindingType.POSTCODE_ADDRESS, match.start(), match.end(), 0.95)
        else:
            yield Hit(FindingType.POSTCODE_ADDRESS, match.start(), match.end(), 0.8)


# Words are found once, by a flat pattern; whether a word is a street name is decided by
# its ending, so there is no alternation to retry at every position.
WORD = re.compile(r"(?<!\w)[^\W\d_][\w'’\-]{0,60}")
# Capitalised words ending like a street that are places or common nouns instead.
NOT_STREETS = frozenset(
    {
        "amsterdam", "rotterdam", "schiedam", "zaandam", "edam", "volendam", "monnickendam",
        "spaarndam", "weg", "straat", "laan", "plein", "park", "veld", "markt", "haven",
        "hof", "ring", "baan", "dijk", "kade", "snelweg", "rijksweg", "voetbalveld",
        "sportpark", "sportveld", "schoolplein", "speelplein", "parkeerplaats", "busbaan",
        "zwembad", "gerechtshof", "binnenhof", "kerkhof", "dam", "zijde", "polder", "kwartier",
        "dierenpark", "pretpark", "industriepark", "bedrijventerrein", "jachthaven", "vaart",
        "wijk", "akker", "akkers", "woonwijk", "nieuwbouwwijk", "buitenwijk", "vinexwijk",
    }
)  # fmt: skip
# Streets named "Laan van ...", "Weg naar ...", "Plein ...": the street word comes first.
DUTCH_STREET_PREFIXES = frozenset({"Laan", "Weg", "Plein", "Kade", "Singel", "Dijk", "Hof"})
# A house number never opens with 0 and is not the start of a date ("Veldkamp 03-05-1966",
# fourteenth round).
HOUSE_NUMBER_AFTER_STREET = re.compile(
    r" ?(?:(?i:nr\.?|no\.?|nummer|number) ?)?(?!0)[0-9]{1,5}(?: ?[a-zA-Z](?![a-zA-Z])|-[0-9]{1,4}|"
    r" ?(?i:hs|bis|huis|[iI]{1,3})\b)?(?![0-9]|[.,:\-][0-9])"
)
NUMBER_BEFORE_STREET = re.compile(r"[0-9]{1,5}[A-Za-z]?,? $")
# Words that may precede a street name and belong to it ("Prins Hendrikkade", "Van
# Baerlestraat", "Willem de Zwijgerlaan"); sentence words that may not.
STREET_NAME_PARTICLES = frozenset(
    {"van", "de", "der", "den", "het", "'t", "ter", "ten", "te", "la"}
)
NOT_STREET_NAME_WORDS = frozenset(
    {
        "In", "Op", "Aan", "Bij", "Naar", "Vanuit", "Via", "Langs", "Over", "Rond", "Achter",
        "Voor", "Tegenover", "Naast", "Het", "Een", "En", "Of", "Hij", "Zij", "Ze", "Ik", "Wij",
        "Er", "Dat", "Die", "Dit", "Deze", "Daar", "Hier", "Toen", "Nu", "Gisteren", "Vandaag",
        "At", "On", "Near", "From", "To", "The", "A", "An", "And", "Or", "He", "She", "They",
        "I", "We", "It", "There", "Here", "Then", "Now", "Yesterday", "Today", "Opposite",
        "Behind", "Off", "Along", "Also", "Ook", "Woont", "Lives", "Live", "Woon", "Adres",
        "Address",
    }
)  # fmt: skip
MAX_STREET_NAME_WORDS = 4


# "meneer Tuinstra van Wielewaalweg 9": a title before "Name van Street" makes it a person.
TITLES = frozenset({"meneer", "mevrouw", "mevr", "dhr", "mw", "mr", "mrs", "ms", "familie", "fam"})


def _is_person_before_van(text: str, words: list[re.Match], index: int) -> bool:
    """Whether the capitalised word at ``index``, before "van" and a street, ends a person's
    name: "Dave Pinas van Bijlmerdreef 704", "meneer Tuinstra van Wielewaalweg 9" (twelfth
    round). One first name before "van" is the street's own ("Jan van Galenstraat 5")."""
    if index == 0:
        return False
    two_back = words[index - 1]
    if text[two_back.end() : words[index].start()] != " ":
        return False
    word = two_back.group()
    # "Joke van der Linden van Oude Dijk 3": a surname after its particles (thirteenth round)
    return (
        word in {"der", "den"}
        or word.lower().rstrip(".") in TITLES
        or (word[0].isupper() and word not in NOT_STREET_NAME_WORDS)
    )


def _street_name_start(text: str, words: list[re.Match], index: int) -> int:
    """Extend a street name backwards over the capitalised words and particles before it.

    A lower-case particle only belongs to the name when a capitalised word precedes it
    ("Willem de Zwijgerlaan", not "aan de Kalverstraat").
    """
    start = words[index].start()
    for previous_index in range(index - 1, max(-1, index - MAX_STREET_NAME_WORDS), -1):
        previous = words[previous_index]
        if text[previous.end() : start] != " ":
            break
        word = previous.group()
        if word[0].isupper() and word not in NOT_STREET_NAME_WORDS:
            start = previous.start()
            continue
        if word.lower() not in STREET_NAME_PARTICLES or previous_index == 0:
            break
        before = words[previous_index - 1]
        is_name_word = before.group()[0].isupper() and before.group() not in NOT_STREET_NAME_WORDS
        if not is_name_word or text[before.end() : previous.start()] != " ":
            break
        if word == "van" and _is_person_before_van(text, words, previous_index - 1):
            break
        start = previous.start()
    return start


def _street_with_prefix(text: str, words: list[re.Match], index: int) -> Hit | None:
    """ "Laan van Meerdervoort 55", "Plein 1944 12": the street word comes first."""
    last = index
    for following in range(index + 1, min(len(words), index + MAX_STREET_NAME_WORDS)):
        word = words[following].group()
        if text[words[following - 1].end() : words[following].start()] != " ":
            break
        if word.lower() in STREET_NAME_PARTICLES or word[0].isupper():
            last = following
            continue
        break
    # "Van Dijk van nummer 8": a street name ends in a name, not in "van"
    while last > index and words[last].group().lower() in STREET_NAME_PARTICLES:
        last -= 1
    if last == index:
        return None
    number = HOUSE_NUMBER_AFTER_STREET.match(text, words[last].end())
    if not number or number.end() == words[last].end():
        return None
    return Hit(FindingType.STREET_ADDRESS, words[index].start(), number.end(), 0.9)


# "op Damrak 70", "aan de Mient 15", "at Weena 70", "Het adres is Spui 21": streets
# without a street word (issue 11) are found by the place word before them and the
# house number after them.
STREET_WITHOUT_SUFFIX = re.compile(
    r"(?:(?<![\w])(?:(?:[Oo]p|[Aa]an|bij|naar|van|vanaf|vanuit|uit|tegenover|naast|richting|[Aa]dres:|voor|"
    r"achter|at|on|to|from|[Aa]ddress:|outside|behind|opposite"
    # "het drugspand is Hazelaar 14", "the house is Oakfield 22"
    r"|[a-z]*(?:pand|huis|woning) is|(?:house|flat|address|property) is"
    # "hij woont Achterom 5": living somewhere is followed by an address
    r"|woont|woon|woonde|wonen|woonden|wonende|woonachtig|lives|live|lived"
    # "de woning Oude Haven 18", "the house Meadowbank 2"
    r"|woning:?|pand:?|huis:?|house:?|property:?"
    # "de dealer zit Hoge Akker 2", "she stays Elm Close 4"
    r"|zit|zat|verblijft|stays|based"
    # "adres is", "het adres van de dealer is", "the address of his flat is"
    r"|(?:[Aa]dres|[Aa]ddress)(?: (?:van|of) (?:de|het|the|his|her|zijn|haar|z'n|hem|die|dat|that)"
    r"(?: [a-z'’\-]{2,20}){0,2})? is)(?: de| het| the)?|in de|in het) )"
    r"((?:[A-Z][a-zà-ÿ'’\-]{2,30} ){1,3}?"
    # "de Brink, nummer 7"
    r"|(?:[A-Z][a-zà-ÿ'’\-]{2,30} ){0,2}[A-Z][a-zà-ÿ'’\-]{2,30}, (?=(?:nr|no|nummer)))"
    r"(?:(?:nr\.?|no\.?|nummer) ?)?"
    r"(?!(?:19|20)[0-9]{2}\b)[0-9]{1,4}(?: ?[a-zA-Z](?![a-zA-Z])|-[0-9]{1,4})?(?![0-9]|[.,:][0-9])"
    # "bij Kevin 2 keer", "aan Sem 20 euro", "voor Pasen 2 weken", "behind Arsenal 3 points"
    r"(?! ?(?:keer|maal|times|x|euro|pond|pounds|uur|minuten|min|jaar|weken|dagen|maanden|"
    r"hours?|minutes?|years?|weeks?|days?|months?|goals?|punten|points?)\b)"
)
# Capitalised words followed by a number that are no streets ("bij Golf 7", "op Windows 11").
NOT_STREETS_WITHOUT_SUFFIX = frozenset(
    {"Golf", "Polo", "Model", "Windows", "Groep", "Bus", "Tram", "Lijn", "Line", "Route",
     "Highway", "Gate", "Level", "Hal", "Platform", "Spoor", "Perron", "Terminal", "Pier",
     "Radio", "TV", "NPO", "BBC", "ITV",
     "Zaal", "Room", "Kamer", "Flat", "Blok", "Unit", "Box", "Tafel", "Table", "Hoofdstuk",
     "Artikel", "Week", "Dag", "Day", "Fase", "Stap", "Step", "Seizoen", "Season", "Kanaal",
     "Channel", "Nummer", "Number", "Pagina", "Page", "Versie", "Version", "Serie", "Series",
     "Klas", "Class", "Verdieping", "Floor", "Etage", "Gebouw", "Building", "Loods", "Ronde",
     "Round", "Uur", "Jaar", "Bijlage", "Figuur", "Vak", "Rij", "Row", "Stoel", "Seat"}
)  # fmt: skip


# "Rokin 9, tweede verdieping" opening an answer, "Het huis, Vredenburg 40, staat leeg":
# a street without a street word set off by commas, or alone on its line.
STREET_SET_OFF = re.compile(
    r"(?:^|(?<=\n)|(?<=, ))((?:[A-Z][a-zà-ÿ'’\-]{2,30} ){1,3}?)"
    r"(?!(?:19|20)[0-9]{2}\b)[0-9]{1,4}(?: ?[a-zA-Z](?![a-zA-Z])|-[0-9]{1,4})?"
    r"(?=,|\.?$|\.?\n| (?:in|te) [A-Z]| [1-9][0-9]{3} ?[A-Z]{2}\b"
    # "Rokin 9 is het pand waar ...", "Kingsmead 4 is the house with ..."
    r"| is (?:het|de|een|the|a|an) (?:huis|pand|woning|adres|flat|house|address|place|building)\b)"
)


# "lives at 14 Broadway", "address is 3 The Mews": English number-first streets without a
# street word, after "at", "address" or a flat's number.
ENGLISH_NUMBER_FIRST = re.compile(
    r"(?:(?<![\w])(?:live|lives|lived|living|stay|stays|staying|based|flat|house|kept|"
    r"address is|address:) at |(?<![\w])address(?: is|:) |(?<![\w])at (?:number|no\.) "
    # "Flat 3, 88 Kingsway": the building's number after the flat's
    r"|(?<![\w])(?i:flat|apartment|unit) [0-9]{1,4}[a-zA-Z]?, )"
    r"([0-9]{1,4}[a-zA-Z]?,? ((?:The )?[A-Z][a-z'’\-]{2,30}(?: [A-Z][a-z'’\-]{2,30})?))"
    r"(?![\w'’])(?! [A-Z0-9])"
)
# "Flat 22, Hawthorn House", "Flat 12, Mercer House, 40 Kingsway", "Suite 2, 301 Stratford
# Road": a flat or unit in a named building, or before a number-first street, is one
# address from the flat's number on (fourteenth round).
BUILDING_WORDS = (
    r"House|Tower|Towers|Court|Lodge|Mansions|Heights|Point|Block|Building|Buildings|Hall|"
    r"Apartments|Flats|Estate|Residence|Gate|Wharf|Quay|Mill|Works|Yard"
)
FLAT_ADDRESS = re.compile(
    r"(?<![\w])(?:Flat|Apartment|Apt\.?|Unit|Suite|Room|Maisonette) [0-9]{1,4}[a-zA-Z]?,? "
    r"(?:(?:[A-Z][a-z'’\-]{2,30} ){1,2}(?:" + BUILDING_WORDS + r")(?![\w'’])"
    r"(?:,? [0-9]{1,4}[a-zA-Z]? (?:The )?[A-Z][a-z'’\-]{2,30}(?: [A-Z][a-z'’\-]{2,30})?(?![\w'’]))?"
    r"|[0-9]{1,4}[a-zA-Z]? (?:The )?[A-Z][a-z'’\-]{2,30}(?: [A-Z][a-z'’\-]{2,30})?(?![\w'’]))"
)
# "ul. Mickiewicza 14", "ulica Długa 5": a Polish street (fourteenth round).
POLISH_STREET = re.compile(
    r"(?<![\w])(?:ul\.|ulica|al\.|aleja|os\.|osiedle) ?"
    r"(?:[A-ZĄĆĘŁŃÓŚŹŻ][\wąćęłńóśźż\-]{1,30} ){1,3}"
    r"(?!0)[0-9]{1,4}[a-zA-Z]?(?:/[0-9]{1,4})?(?![0-9])"
)
# "ik woon op kerkstraat 12": a street in lower case, after a place word.
LOWER_CASE_STREET = re.compile(
    r"(?:(?<![\w])(?:op|aan|in|adres is|adres:) (?:de |het )?)([a-zà-ÿ'’\-]{3,40})"
    r"(?= ?[0-9])"
)


DAYS_AND_MONTHS = frozenset(
    {"Maandag", "Dinsdag", "Woensdag", "Donderdag", "Vrijdag", "Zaterdag", "Zondag", "Monday",
     "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday", "January", "February",
     "March", "April", "May", "June", "July", "August", "September", "October", "November",
     "December", "Januari", "Februari", "Maart", "Mei", "Juni", "Juli", "Augustus", "Oktober"}
)  # fmt: skip


def _is_street_name(words: list[str], not_names: frozenset[str]) -> bool:
    return not any(
        word in NOT_STREETS_WITHOUT_SUFFIX or word in NOT_STREET_NAME_WORDS or word in not_names
        for word in words
    )


def find_street_addresses(text: str) -> Iterator[Hit]:
    not_names = not_name_words()  # days, months, places, brands: "on Saturday May 4"
    for match in STREET_WITHOUT_SUFFIX.finditer(text):
        # "aan de Amstel 216": after an article a listed brand or place is a street name;
        # days and months still are not ("on the Saturday 4")
        with_article = re.search(
            r"(?:de|het|the) $", match.group(0)[: match.start(1) - match.start()]
        )
        listed = DAYS_AND_MONTHS if with_article else not_names
        if _is_street_name(match.group(1).split(), listed):
            yield Hit(FindingType.STREET_ADDRESS, match.start(1), match.end(), 0.8)
    for match in STREET_SET_OFF.finditer(text):
        if _is_street_name(match.group(1).split(), not_names):
            yield Hit(FindingType.STREET_ADDRESS, match.start(1), match.end(), 0.8)
    for match in ENGLISH_NUMBER_FIRST.finditer(text):
        words = match.group(2).split()
        if _is_street_name([word for word in words if word != "The"], not_names):
            yield Hit(FindingType.STREET_ADDRESS, match.start(1), match.end(1), 0.8)
    for match in LOWER_CASE_STREET.finditer(text):
        name = match.group(1)
        if name.endswith(DUTCH_STREET_SUFFIXES) and name not in NOT_STREETS:
            number = HOUSE_NUMBER_AFTER_STREET.match(text, match.end(1))
            if number and number.end() > match.end(1):
                yield Hit(FindingType.STREET_ADDRESS, match.start(1), number.end(), 0.8)
    for match in FLAT_ADDRESS.finditer(text):
        # a town's name may be a street's ("301 Stratford Road"): only days and months not
        if _is_street_name(re.findall(r"[A-Z][a-z'’\-]+", match.group())[1:], DAYS_AND_MONTHS):
            yield Hit(FindingType.STREET_ADDRESS, match.start(), match.end(), 0.92)
    for match in POLISH_STREET.finditer(text):
        yield Hit(FindingType.STREET_ADDRESS, match.start(), match.end(), 0.9)
    yield from _streets_with_a_street_word(text)


# "Grote Markt 9", "Oude Dijk 3": an adjective makes a bare street word a street's name.
STREET_ADJECTIVES = frozenset(
    {"Oude", "Nieuwe", "Grote", "Korte", "Lange", "Hoge", "Lage", "Brede", "Smalle", "Achterste",
     "Voorste", "Noordelijke", "Zuidelijke", "Oostelijke", "Westelijke"}
)  # fmt: skip
# The compass point after a hyphen in a street's name (fourteenth round).
COMPASS_PARTS = frozenset(
    {"Noord", "Oost", "Zuid", "West", "Noordzijde", "Oostzijde", "Zuidzijde", "Westzijde",
     "Noordoost", "Noordwest", "Zuidoost", "Zuidwest", "Centrum"}
)  # fmt: skip
# Endings that towns share ("Rijswijk", "Hoogvliet", "Beverwijk 2019"): a listed town with
# a number after it stays a town.
TOWN_LIKE_SUFFIXES = ("wijk", "vliet", "gaard", "schans", "akker")


def _is_street_word(text: str, words: list[re.Match], index: int) -> bool:
    """Whether the capitalised word at ``index`` ends like a Dutch street's name."""
    name = words[index].group()
    lowered = name.lower()
    # "Ringbaan-West 99", "Kanaaldijk-Noord 4": a street's name and a compass point
    head, _, tail = name.partition("-")
    if tail in COMPASS_PARTS and head.lower().endswith(DUTCH_STREET_SUFFIXES):
        return head.lower() not in NOT_STREETS
    if not lowered.endswith(DUTCH_STREET_SUFFIXES):
        return False
    if lowered.endswith(TOWN_LIKE_SUFFIXES) and name in place_names():
        return False
    if lowered not in NOT_STREETS:
        return True
    return (
        index > 0
        and words[index - 1].group() in STREET_ADJECTIVES
        and text[words[index - 1].end() : words[index].start()] == " "
    )


def _streets_with_a_street_word(text: str) -> Iterator[Hit]:
    words = list(WORD.finditer(text))
    for index, word in enumerate(words):
        name = word.group()
        if not name[0].isupper():
            continue
        if _is_street_word(text, words, index):
            number = HOUSE_NUMBER_AFTER_STREET.match(text, word.end())
            if number and number.end() > word.end():
                start = _street_name_start(text, words, index)
                yield Hit(FindingType.STREET_ADDRESS, start, number.end(), 0.9)
        elif name in DUTCH_STREET_PREFIXES:
            hit = _street_with_prefix(text, words, index)
            if hit is not None:
                yield hit
        elif name in ENGLISH_STREET_SUFFIXES and index > 0:
            # "221B Baker Street", "12 High St": number, capitalised name words, suffix.
            start = _street_name_start(text, words, index)
            if start == word.start():
                continue
            is_abbreviation = (
                name in {"St", "Rd", "Ave"} and text[word.end() : word.end() + 1] == "."
            )
            end = word.end() + (1 if is_abbreviation else 0)
            number = NUMBER_BEFORE_STREET.search(text, max(0, start - 10), start)
            if number:
                yield Hit(FindingType.STREET_ADDRESS, number.start(), end, 0.9)
                continue
            # "Rosemary Gardens 3", "Oak Grove 12": written the Dutch way, number after
            number_after = HOUSE_NUMBER_AFTER_STREET.match(text, end)
            if number_after and number_after.end() > end and not is_abbreviation:
                yield Hit(FindingType.STREET_ADDRESS, start, number_after.end(), 0.85)
