"""Passages in which reporters reveal who they are relative to the people they report.

"Mijn buurman", "ik, als zijn collega", "I live next door": the suspect knows only a
few people in that position, so such a phrase can point straight back at the reporter.
"""

import re
from collections.abc import Iterator

from .findings import FindingType, Hit

_DUTCH_RELATIONS = (
    "buurman|buurvrouw|buren|bovenburen|onderburen|buurjongen|buurmeisje|collega|collega's|"
    "baas|chef|leidinggevende|werkgever|ex|ex-man|ex-vrouw|ex-vriend|ex-vriendin|broer|zus|"
    "zusje|broertje|vader|moeder|stiefvader|stiefmoeder|stiefbroer|stiefzus|man|vrouw|vriend|vriendin|zoon|dochter|"
    "neef|nicht|oom|tante|opa|oma|schoonvader|schoonmoeder|schoonzus|zwager|huisbaas|"
    "verhuurder|klasgenoot|klasgenoten|huisgenoot|huisgenoten|kamergenoot|leraar|lerares|"
    "docent|mentor|trainer|partner|echtgenoot|echtgenote|kind|kinderen|werk|school|klas|"
    "afdeling|team|straat|flat|portiek|galerij|woning|huis|bedrijf|zaak|winkel|"
    # diminutives and grandchildren ("mijn zoontje", "mijn kleinzoon")
    "zoontje|dochtertje|kindje|neefje|nichtje|vriendje|vriendinnetje|kleinzoon|kleindochter|"
    "kleinkind|kleinkinderen|zoons|dochters|broers|zussen|pleegkind|pleegkinderen|"
    "huurder|huurders|oppas"
)
# "mijn stiefdochter", "mijn schoonzoon", "mijn pleegzoon": a relation with a prefix.
_DUTCH_RELATION_PREFIXES = "stief|schoon|pleeg"
_ENGLISH_RELATIONS = (
    "neighbou?r|neighbou?rs|colleague|colleagues|boss|manager|supervisor|employer|ex|"
    "ex-husband|ex-wife|ex-boyfriend|ex-girlfriend|brother|sister|father|mother|dad|mum|mom|"
    "stepfather|stepmother|stepdad|stepmum|stepmom|stepbrother|stepsister|husband|wife|boyfriend|girlfriend|friend|son|daughter|nephew|niece|"
    "uncle|aunt|cousin|grandfather|grandmother|landlord|landlady|classmate|classmates|"
    "flatmate|roommate|housemate|teacher|coach|partner|child|children|work|workplace|school|"
    "class|team|street|building|flat|apartment|house|company|shop|"
    # grandparents, grandchildren, in-laws ("my granddad", "my grandson")
    "granddad|grandad|grandpa|grandma|gran|nan|nana|grandson|granddaughter|grandchild|"
    "grandchildren|grandkids|stepson|stepdaughter|kids|kid|fiance|fiancé|fiancee|fiancée|"
    "tenant|tenants|lodger|carer|babysitter|nanny|"
    "(?:mother|father|brother|sister|son|daughter)-in-law"
)
_ENGLISH_RELATION_PREFIXES = "step-?|foster "
# "mijn naam", "mijn nummer", "my e-mail" are not here: they say nothing by themselves,
# the name or number after them is the detail, and it is marked as the reporter's own.
# "mijn oudere broer", "my late father"
_DUTCH_QUALIFIERS = "oudere|jongere|kleine|grote|overleden|eigen|vorige|nieuwe|oude|beste|vaste"
_ENGLISH_QUALIFIERS = "late|older|younger|little|big|own|former|old|new|best|elder"
_ROLES_NL = (
    "buurman|buurvrouw|buren|collega|baas|werkgever|ex|broer|zus|vader|moeder|vriend|vriendin|"
    "zoon|dochter|neef|nicht|oom|tante|huisbaas|klasgenoot|huisgenoot|leraar|docent|partner|"
    "werknemer|medewerker|huurder|onderbuurman|bovenbuurman|bovenbuurvrouw|onderbuurvrouw|"
    "schoonmaker|schoonmaakster|conciërge|huismeester|oppas|verpleegkundige|chauffeur|"
    "bezorger|postbode|kassamedewerker|ouder|stiefbroer|stiefzus"
)
_ROLES_EN = (
    "neighbou?r|colleague|boss|employer|employee|ex|brother|sister|father|mother|friend|son|"
    "daughter|nephew|niece|uncle|aunt|cousin|landlord|landlady|tenant|classmate|flatmate|"
    "roommate|housemate|teacher|partner|coworker|co-worker|cleaner|caretaker|janitor|"
    "concierge|receptionist|nurse|carer|babysitter|nanny|tutor|coach|driver|cashier|"
    "parent"
)

SELF_REFERENCE_PATTERNS = {
    "nl": (
        # "mijn buurman", "m'n collega", "onze buren"
        re.compile(
            rf"(?i:\b(?:mijn|m'n|mn|onze|ons) (?:(?:{_DUTCH_QUALIFIERS}) )?"
            rf"(?:{_DUTCH_RELATION_PREFIXES})?(?:{_DUTCH_RELATIONS})\b)"
        ),
        # "ik, als buurman van", "als zijn collega", "als haar ex"
        re.compile(
            rf"(?i:\b(?:ik,? )?als (?:zijn |haar |hun |de |een )?"
            rf"(?:stief|schoon)?(?:{_ROLES_NL})(?: van)?\b)"
        ),
        # "ik ben zijn buurman", "ik ben de enige die"
        re.compile(
            rf"(?i:\bik ben (?:zijn|haar|hun|de|een) "
            rf"(?:(?:stief|schoon)?(?:{_ROLES_NL})|enige(?: die)?)\b)"
        ),
        # "ik woon naast/boven/onder/tegenover", "ik werk bij/samen met"
        re.compile(
            r"(?i:\b(?:ik (?:woon|werk|zit|sta)|(?:wij|we) (?:wonen|werken|zitten)) "
            r"(?:naast|boven|onder|tegenover|bij|samen met|voor|in dezelfde|op dezelfde|"
            r"in hetzelfde|op hetzelfde|ook bij|al jaren bij)\b)"
        ),
        # "vanuit mijn raam", "bij ons in de straat", "ik heet", "mijn naam is"
        re.compile(
            r"(?i:\b(?:vanuit|vanaf|uit) (?:mijn|m'n|ons|onze) "
            r"(?:raam|huis|woning|keuken|slaapkamer|balkon|tuin|woonkamer|auto)\b)"
        ),
        re.compile(
            r"(?i:\bbij ons (?:in de|op de|in het|op het) (?:straat|flat|portiek|galerij|"
            r"buurt|werk|school|bedrijf|kantoor)\b)"
        ),
        re.compile(r"(?i:\bik heet\b)"),
    ),
    "en": (
        re.compile(
            rf"(?i:\b(?:my|our) (?:(?:{_ENGLISH_QUALIFIERS}) )?"
            rf"(?:{_ENGLISH_RELATION_PREFIXES})?(?:{_ENGLISH_RELATIONS})\b)"
        ),
        re.compile(
            rf"(?i:\b(?:I am|I'm|I’m|as) (?:his|her|their|the|a|an) (?:{_ROLES_EN}|only one)\b)"
        ),
        re.compile(
            r"(?i:\b(?:I|we) (?:live|work|sit|stay) "
            r"(?:next door(?: to)?|above|below|under|opposite|across from|"
            r"across the street from|with|at|for|in the same|on the same|together with)\b)"
        ),
        re.compile(
            r"(?i:\bfrom my (?:window|house|flat|apartment|kitchen|bedroom|balcony|garden|car)\b)"
        ),
        re.compile(r"(?i:\bI am called\b|\bI'm called\b)"),
    ),
}


def find_self_references(text: str, language: str | None = None) -> Iterator[Hit]:
    languages = [language] if language in SELF_REFERENCE_PATTERNS else list(SELF_REFERENCE_PATTERNS)
    for code in languages:
        for pattern in SELF_REFERENCE_PATTERNS[code]:
            for match in pattern.finditer(text):
                yield Hit(FindingType.SELF_REFERENCE, match.start(), match.end(), 0.8)
