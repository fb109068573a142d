"""Self-references of the "acted on" and "role or dealings" kinds (docs/privacy.md).

"Hij heeft mij bedreigd", "she sent me messages", "ik heb een fiets van hem gekocht",
"I rent from her": the person reported knows whom they threatened, messaged or sold to,
so these passages point back at the reporter as surely as "mijn buurman" does. They are
found by clause, not by word list: a first-person object with a third-person subject in
the same clause, or a first-person subject with a third-person object, minus the
verbs of seeing, hearing and thinking that the definition leaves out.
"""

import bisect
import re
from collections.abc import Iterator

from .findings import FindingType, Hit

CONFIDENCE = 0.75
# Where a clause ends: punctuation, or a conjunction that starts a new subject.
_CLAUSE_BREAK = {
    "nl": re.compile(
        r"(?i:[.!?;:](?=\s|$)|[\n()\"“”,]|\s[-–—]\s|\b(?:en|maar|want|omdat|toen|dus|of|"
        r"terwijl|nadat|voordat|sinds|zodat|als)\b)"
    ),
    "en": re.compile(
        r"(?i:[.!?;:](?=\s|$)|[\n()\"“”,]|\s[-–—]\s|\b(?:and|but|because|so|when|while|"
        r"after|before|since|or|if|until|although|though)\b)"
    ),
}
# "en heeft mij", "and then sent me": the subject of the clause before carries over.
_COORDINATION = re.compile(r"(?i:\b(?:en|maar|and|but)\s*$)")
# "dat"/"die"/"that"/"who" open a clause too, and are its subject when a verb follows.
_RELATIVE_BREAK = re.compile(r"(?i:\b(?:dat|die|wie|that|who|which)\b)")
CLAUSE_WINDOW = 90

# --- acted on: a third person does something to, with or for the reporter ----------------
_OBJECT_NL = re.compile(
    r"(?i:\b(?<!volgens )(?<!lijkt )(?<!leek )(?:(?:aan|tegen|bij|voor|met|naar|van|op) )?"
    r"(?:mij|me)\b"
    r"|\b(?:aan|tegen|bij|voor|met|naar) ons\b"
    r"(?= (?:de|het|een|ook|al|nog|niet|geld|[0-9])\b|[,.!?])"
    # "heeft ons een hond verkocht", "wil ons eruit zetten" (fourteenth round)
    r"|\bons\b(?= (?:een|ook|al|nog|niet|eruit|weg|buiten|geld|[0-9])\b))"
)
# "he took mine": the reporter's own thing, taken or used
_OBJECT_EN = re.compile(
    r"(?i:\b(?:(?:to|with|for|at|on|from) )?me\b(?!['’])"
    # "she sold us a puppy", "he told us": lower case ("the US"), not "one of us"
    r"|(?<!\bof )(?<!\bOf )\b(?:(?:to|with|for|from) )?(?-i:us)\b(?!['’])"
    r"|(?:(?<=\btook )|(?<=\bused )|(?<=\bstole )|(?<=\bkept )|(?<=\bsold )|"
    r"(?<=\basked for ))mine\b)"
)
_FIRST_SECOND_NL = re.compile(r"(?i:\b(?:ik|je|jij|u|jullie|wij|we|ge)\b)")
_FIRST_SECOND_EN = re.compile(r"(?i:\b(?:i|i'm|i’m|i've|i’ve|i'd|i’d|you|we|please|let)\b)")
# A third-person subject: a pronoun, a relative pronoun, a person or thing with an
# article, a capitalised word or a handle or address.
_SUBJECT_NL = re.compile(
    r"(?:\b(?i:hij|zij|ze|die|dat|men|iemand|niemand|deze man|deze vrouw)\b"
    r"|\b(?i:de|een|het|deze|zijn|haar|hun) [a-zà-ÿ-]{3,}"
    # a phone number: "+31 6 … belde mij" (fourteenth round)
    # the reporter's relation: "mijn vriendin heeft foto's van mij doorgestuurd"
    r"|\b(?i:mijn|m'n|onze) [a-zà-ÿ-]{3,}|(?<![\w€])\+?[0-9][0-9 ()-]{7,}[0-9]"
    r"|(?<=\w )(?-i:[A-Z][a-zà-ÿ]+)|[\w.-]+@[\w.-]+|@\w+)"
)
_SUBJECT_EN = re.compile(
    r"(?:\b(?i:he|she|they|who|that|someone|somebody|nobody|everyone|people)\b"
    r"|\b(?i:the|a|an|this|his|her|their) [a-z-]{3,}"
    # a phone number: "+44 7911 … sent me" (fourteenth round)
    # the reporter's relation: "my mate told me"
    r"|\b(?i:my|our) [a-z-]{3,}|(?<![\w£$€])\+?[0-9][0-9 ()-]{7,}[0-9]"
    r"|(?-i:\b[A-Z][a-z]+\b)(?! (?:me|us)\b)|[\w.-]+@[\w.-]+|@\w+)"
)
# Words that look like a subject but are not one: imperatives, greetings, "it"-clauses.
_NOT_SUBJECT_EN = re.compile(
    r"(?i:^(?:please|feel|can|could|would|do|don't|let|if|thanks|thank|hi|hello|dear|"
    r"just|contact|call|email|text|message|send|get|help|tell|give|reach|ring|give)\b)"
)
# "het lijkt mij", "het spijt me", "het valt me op", "it seems to me": impersonal.
_IMPERSONAL_NL = re.compile(
    r"(?i:\b(?:het|dit|dat|wat|er) (?:[\w'’]+ ){0,2}?(?:lijkt|leek|lijken|spijt|valt|viel|"
    r"gaat|ging|is|was|lukt|lukte|kan|kon|boeit|interesseert|dunkt|staat|stond|zegt|zei|"
    r"bevalt|beviel|kost|kostte|overkwam|overkomt|doet|deed)\b)"
)
_PERSON_PRONOUN_NL = re.compile(r"(?i:\b(?:hij|zij)\b)")
# "een situatie die mij zorgen baart", "dat dit op mij terugvalt": a thing, not a person,
# acts on the reporter's mind
_FEELING = re.compile(
    r"(?i: (?:al |niet |erg |ook )*(?:[\w'’]+ )?(?:zorgen baart|zorgen baren|bevalt|beviel|"
    r"dwarszit|stoort|verbaast|opvalt|terugvalt|terugkomt|aanspreekt)\b)"
)
# "she would recognise me", "they could guess it was me": what might happen, not what did
_HYPOTHETICAL_EN = re.compile(r"(?i:\b(?:would|could|might|it was|it's|it is)\b)")
_IMPERSONAL_EN = re.compile(r"(?i:\b(?:it|this|that|which|what|there)\b)")
_PERSON_AFTER_IMPERSONAL_EN = re.compile(
    r"(?i:^(?:this|that) (?:person|man|woman|guy|girl|boy|lady|bloke|seller|buyer|user|caller|"
    r"scammer|landlord|landlady|driver|dealer|neighbou?r|account|number)\b"
    r"|^(?:this|that|it) (?:is|was) (?:[\w'’]+ ){1,3}(?:he|she|they)\b)"
)
# Seeing, hearing, thinking and nothing more: "zij zag mij", "he noticed me".
_PERCEPTION_NL = re.compile(
    r"(?i:\b(?:zag|zagen|ziet|zien|gezien|hoort|hoorde|gehoord|kent|kende|gekend|herkende|"
    r"herkent|herkend|lijkt|leek)\b)"
)
_PERCEPTION_EN = re.compile(
    r"(?i:\b(?:saw|sees|seen|see|noticed|notices|heard|hears|recognised|recognized|know|knows|"
    r"knew|known|reminds|reminded|seems|seemed|makes|made|let|lets)\b)"
)
# A verb between subject and object: any word but a preposition, article or pronoun.
_VERB_EN = re.compile(
    r"(?i:\b(?!(?:the|a|an|to|of|in|on|at|for|with|from|and|is|are|was|were|be|been|has|"
    r"have|had|not|also|just|he|she|they|it|me|him|her|them)\b)[a-z]{2,}\b)"
)


# "de gemeente zei me", "the bank told me", "I got a letter from ING": an office, bank or
# the police is no person in the report (fourteenth round).
_INSTITUTIONS = (
    r"gemeente|gemeentes|municipality|council|bank|banks|politie|police|belastingdienst|"
    r"tax office|UWV|DUO|SVB|IND|HMRC|DWP|klantenservice|customer service|helpdesk|"
    r"ING|Rabobank|ABN AMRO|ABN|bunq|Knab|SNS|Triodos|ASN|Barclays|NatWest|HSBC|Lloyds|"
    r"Santander|Monzo|Revolut|PostNL|Royal Mail|Amazon|PayPal|eBay|bol\.com|bol|Marktplaats|"
    r"Vinted|Booking\.com|Airbnb|Zalando|Thuisbezorgd|Deliveroo|Uber"
)
# An institution (not one of its staff: "de gemeente", not "the council officer"), after an
# optional article or possessive.
_INSTITUTION = (
    rf"(?:the |de |het |my |mijn |our |onze )?(?:{_INSTITUTIONS})\b(?![@.-]\w)"
    r"(?! (?:employee|medewerker|manager|worker|officer|agent)\b)"
)
_INSTITUTION_SUBJECT = re.compile(rf"(?i:^(?:so |then |en |and |dus )?{_INSTITUTION})")
_INSTITUTION_AFTER = re.compile(rf"(?i: {_INSTITUTION})")
_FROM_WORD = re.compile(r"(?i:\b(?:from|by|van|vanaf|door)$)")
# "the real me", "de echte ik": an article before the word taken for the verb makes it a
# noun phrase, not a person acting on the reporter.
_ARTICLE_BEFORE = re.compile(r"(?i:\b(?:the|a|an|de|het|een)\s+$)")
_BARE_OBJECTS = frozenset({"me", "mij", "us"})
# "Nothing about me", "niemand behalve mij": a preposition taken for the verb
_PREPOSITIONS = frozenset(
    {"about", "like", "than", "behind", "near", "without", "except", "besides", "over",
     "behalve", "zonder", "dan", "zoals", "achter", "naast"}
)  # fmt: skip

# The word before the first-person object, unless it is capitalised (a name).
_LAST_WORD = re.compile(r"\b(?-i:(?![A-Z]))[\w'’-]+\s*$")
# Above this many clauses in one text, each pattern is run once over the whole text and
# looked up by position; below it, each clause is searched on its own. A clause search
# costs 5–60 µs per pattern, one whole-text run some milliseconds per 100 kB: "me me me …"
# (33,000 clauses) took 14 s per 100 kB searched clause by clause.
INDEX_FROM = 300


class _Searches:
    """Pattern searches between two positions of one text, direct or by a prebuilt index."""

    def __init__(self, text: str, clauses: int) -> None:
        self.text = text
        self.indexed = clauses >= INDEX_FROM
        self._spans: dict[re.Pattern[str], tuple[list[int], list[int]]] = {}

    def _index(self, pattern: re.Pattern[str]) -> tuple[list[int], list[int]]:
        if pattern not in self._spans:
            found = [(m.start(), m.end()) for m in pattern.finditer(self.text)]
            self._spans[pattern] = ([a for a, _ in found], [b for _, b in found])
        return self._spans[pattern]

    def first(self, pattern: re.Pattern[str], start: int, end: int) -> tuple[int, int] | None:
        """The first match lying within ``start``–``end``, as (start, end)."""
        if not self.indexed:
            found = pattern.search(self.text, start, end)
            return None if found is None else found.span()
        starts, ends = self._index(pattern)
        index = bisect.bisect_left(starts, start)
        return (starts[index], ends[index]) if index < len(starts) and ends[index] <= end else None

    def last(self, pattern: re.Pattern[str], start: int, end: int) -> tuple[int, int] | None:
        """The last match lying within ``start``–``end``, as (start, end)."""
        if not self.indexed:
            spans = [m.span() for m in pattern.finditer(self.text, start, end)]
            return spans[-1] if spans else None
        starts, ends = self._index(pattern)
        index = bisect.bisect_right(starts, end) - 1
        while index >= 0 and starts[index] >= start:
            if ends[index] <= end:
                return starts[index], ends[index]
            index -= 1
        return None


def _clause_before(searches: _Searches, start: int, language: str) -> tuple[int, int | None]:
    """Where the clause before ``start`` opens, and where the clause before it opens.

    The clause before is only given after "en"/"and": it then lends its subject.
    """
    window = max(0, start - CLAUSE_WINDOW)
    breaks = _CLAUSE_BREAK[language]
    last_break = searches.last(breaks, window, start)
    opening = last_break[1] if last_break else window
    relative = searches.last(_RELATIVE_BREAK, opening, start)
    if relative is not None:
        return relative[0], None
    if last_break and _COORDINATION.search(searches.text, window, last_break[1]):
        previous = searches.last(breaks, window, last_break[0])
        return opening, previous[1] if previous else window
    return opening, None


# A comma-bounded name, number or handle between the subject and its verb: "One student,
# Wei Zhang, told me", "de zoon van de buren, Jesse van Dijk, heeft mij" (fourteenth round).
_APPOSITION = re.compile(
    r"^\s*(?:(?:[A-Z][\w'’.-]*|van|de|der|den|ter|te|le|la|al|el|[0-9+@][\w@.+-]*|"
    r"\([^)]{0,30}\))\s*){1,5}$"
)
APPOSITION_WINDOW = 60
_IMPERATIVE = re.compile(
    r"(?i:\s*(?:bel|mail|app|sms|stuur|neem|laat|help|contacteer|call|email|text|message|"
    r"contact|send|let|help|ring)\b)"
)
# A short aside in brackets or quotes between the subject and its verb: "Mijn ex Jordy
# (geb. 03-11-1991) dreigt …", "a man from "Energy Savings UK" told me" (fourteenth round).
_ASIDE = re.compile(r"[(\"“][^()\"“”\n]{1,40}[)\"”] *$")
_ASIDE_CLOSERS = frozenset(')"”')


def _before_apposition(searches: _Searches, text: str, opening: int, language: str) -> int:
    """Where the clause opens when a comma-bounded name stands between it and its verb.

    "One student, Wei Zhang, told me": the clause "told me" has no subject of its own; the
    one before the name has it. ``opening`` is returned unchanged otherwise.
    """
    if opening < 2 or text[opening - 1] != ",":
        return opening
    breaks = _CLAUSE_BREAK[language]
    window = max(0, opening - APPOSITION_WINDOW)
    comma = searches.last(breaks, window, opening - 1)
    if comma is None or text[comma[0] : comma[1]] != ",":
        return opening
    if not _APPOSITION.match(text[comma[1] : opening - 1]):
        return opening
    # "Mijn adres is Kerkpad 4, 1234 AB Dorp, bel mij": a request, not the subject's act
    if _IMPERATIVE.match(text, opening):
        return opening
    before = searches.last(breaks, max(0, comma[0] - CLAUSE_WINDOW), comma[0])
    return before[1] if before else max(0, comma[0] - CLAUSE_WINDOW)


def _before_aside(searches: _Searches, text: str, opening: int, language: str) -> int:
    """Where the clause opens when only a bracketed or quoted aside stands before the verb.

    The aside is a clause break; without this, "dreigt naaktfoto's van mij" after "(geb.
    …)" would have no subject. ``opening`` is returned unchanged otherwise.
    """
    at = opening - 1
    while at >= 0 and text[at] == " ":
        at -= 1
    if at < 0 or text[at] not in _ASIDE_CLOSERS:
        return opening
    aside = _ASIDE.search(text, max(0, at - 42), at + 1)
    if aside is None:
        return opening
    window = max(0, aside.start() - CLAUSE_WINDOW)
    before = searches.last(_CLAUSE_BREAK[language], window, aside.start())
    return before[1] if before else window


def _acted_on(text: str, language: str) -> Iterator[Hit]:
    dutch = language == "nl"
    objects = list((_OBJECT_NL if dutch else _OBJECT_EN).finditer(text))
    searches = _Searches(text, len(objects))
    first_second = _FIRST_SECOND_NL if dutch else _FIRST_SECOND_EN
    subjects = _SUBJECT_NL if dutch else _SUBJECT_EN
    perception = _PERCEPTION_NL if dutch else _PERCEPTION_EN
    for found in objects:
        # Every clause searched below lies within the window: without a subject there,
        # nothing else needs looking at ("me me me …" costs one look-up each).
        if not searches.first(subjects, max(0, found.start() - CLAUSE_WINDOW), found.start()):
            continue
        opening, previous = _clause_before(searches, found.start(), language)
        if previous is None and not searches.first(subjects, opening, found.start()):
            opening = _before_apposition(searches, text, opening, language)
        if previous is None and not searches.first(subjects, opening, found.start()):
            opening = _before_aside(searches, text, opening, language)
        clause = text[opening : found.start()]
        stripped = clause.strip()
        if not stripped or searches.first(first_second, opening, found.start()):
            continue
        if (
            previous is not None
            and not searches.first(subjects, opening, found.start())
            and not searches.first(first_second, previous, opening)
        ):
            opening = previous
        impersonal = dutch and searches.first(_IMPERSONAL_NL, opening, found.start())
        # "dit is van nummer 06… hij heeft mij bedreigd": a person after the "dit is"
        # (fourteenth round)
        if impersonal and not _PERSON_PRONOUN_NL.search(text, impersonal[1], found.start()):
            continue
        if not dutch and (
            (
                _IMPERSONAL_EN.match(stripped)
                # "This person sent me", "this is the one he showed me" (fourteenth round)
                and not _PERSON_AFTER_IMPERSONAL_EN.match(stripped)
            )
            or _NOT_SUBJECT_EN.match(stripped)
        ):
            continue
        if searches.first(perception, opening, found.start()) or not searches.first(
            subjects, opening, found.start()
        ):
            continue
        if _FEELING.match(text, found.end()) or (
            not dutch and searches.first(_HYPOTHETICAL_EN, opening, found.start())
        ):
            continue
        if not dutch and not searches.first(_VERB_EN, opening, found.start()):
            continue
        if _INSTITUTION_SUBJECT.match(text[opening : found.start()].strip()):
            continue
        # from the verb before the object ("belde mij", "sent me"), not over the subject,
        # which may be a name found as its own type
        # ("belde Janneke me": a name is not the verb)
        verb = _LAST_WORD.search(clause)
        if verb and verb.group().strip().isdigit():
            # "took €129 from me": the verb is before the amount
            verb = _LAST_WORD.search(clause, 0, max(0, verb.start() - 2)) or verb
        begin = verb.start() + found.start() - len(clause) if verb else found.start()
        if verb and verb.group().strip().lower() in _PREPOSITIONS:
            continue
        if (
            verb
            and found.group().lower() in _BARE_OBJECTS
            and _ARTICLE_BEFORE.search(text, max(0, begin - 8), begin)
        ):
            continue
        yield Hit(FindingType.SELF_REFERENCE, begin, found.end(), CONFIDENCE)


# --- the reporter as the one acted on, told from their side: "ik ben gebeld door", "ik
# kreeg een appje van", "I was scammed by", "I've been getting threats from"
_RECEIVED = {
    "nl": re.compile(
        r"(?i:\b(?:ik|wij|we) (?:ben|zijn|werd|werden|word|worden) (?:[\w'’]+ ){0,3}?"
        r"(?:ge|be|op|aan|ver|lastig|af|ont|mis)[a-zà-ÿ]{2,}[dt] (?:door|via|vanaf|met)\b"
        # "werd ik aangereden door", "ben ik opgelicht door", "ik word … lastiggevallen
        # door", "ik ben door haar bedrogen" (fourteenth round)
        r"|\b(?:ben|werd|word|zijn|werden|worden) (?:ik|wij|we) (?:[\w'’]+ ){0,3}?"
        r"(?:ge|be|op|aan|ver|lastig|af|ont|mis)[a-zà-ÿ]{2,}(?:[dt]|en) (?:door|via|vanaf)\b"
        r"|\b(?:ik|wij|we) (?:word|worden) (?:[\w'’]+ ){0,3}?"
        r"(?:lastiggevallen|bedreigd|gestalkt|gechanteerd|afgeperst|gepest|geïntimideerd|"
        r"uitgescholden|achtervolgd|gebeld|benaderd) door\b"
        r"|\b(?:ik|wij|we) (?:ben|zijn|werd|werden|word|worden) door (?:hem|haar|hen|die|deze|"
        r"(?-i:[A-Z])[\w'’-]+)(?: [\w'’-]+){0,2}? (?:ge|be|op|aan|ver|lastig|af|ont|mis)"
        r"[a-zà-ÿ]{2,}(?:[dt]|en)\b"
        r"|\b(?:ik|wij|we) (?:ben|zijn|werd|werden) (?:(?:net|vandaag|gisteren|ook|al|vaak|"
        r"zelf|eerder|twee keer|meerdere keren) )?(?:gebeld|benaderd|bedreigd|opgelicht|"
        r"lastiggevallen|gestalkt|gechanteerd|afgeperst|geslagen|mishandeld|beroofd|geappt|"
        r"gemaild|aangesproken|geronseld|geworven|uitgescholden|opgebeld)\b"
        r"|(?:\b(?:ik|wij|we) |(?:^|(?<=[.!?\n] )))"
        # ("ik heb een brief van de gemeente" has one, it was not sent to them just now:
        # "heb" only with "ontvangen" or "gekregen")
        r"(?:kreeg|kregen|ontving|ontvingen|krijg|krijgen|(?:heb|hebben)(?=[^.!?\n]{0,80}"
        r"\b(?:ontvangen|gekregen)\b)) "
        r"(?:(?!(?:geen|niet|nooit)\b)[\w'’]+ ){0,2}?(?:bericht|berichtje|berichten|appje|"
        r"appjes|app|mail|mails|e-mail|"
        r"sms|sms'je|sms'jes|brief|brieven|telefoontje|telefoontjes|dreigbericht|"
        r"dreigberichten|dreigmail|dreigmails|dreigbrief|dm|dm'etje|dm's|dms|dm'tjes|"
        r"whatsappjes|whatsapps|snaps|oproep|factuur|"
        r"aanmaning|tikkie|betaalverzoek)(?: (?:ontvangen|gekregen|binnen))? (?:van|vanaf|"
        r"via)\b"
        # "een lening op mijn naam", "heeft mijn BSN gebruikt"
        r"|\b(?:op|onder) (?:mijn|onze|m'n) naam\b"
        r"|\b(?:van|op) (?:mijn|onze|m'n) (?:rekening|pas|pinpas|creditcard)\b"
        # "pakt elke week 50 euro van ons loon" (fourteenth round)
        r"|\b(?:van|uit) (?:mijn|ons|onze|m'n) (?:loon|salaris|uitkering|spaargeld|pensioen)\b"
        r"|\b(?:mijn|onze|m'n) (?:BSN|identiteit|gegevens|DigiD|ID|ID-kaart|paspoort|"
        r"rijbewijs|bankpas|pinpas|account|foto's|naam|borg|geld|adres|documenten) "
        r"(?:(?:nog|nooit|niet|al) )?(?:gebruikt|misbruikt|gestolen|overgenomen|gehackt|"
        r"ingehouden|gehouden|afgepakt|gedeeld|verspreid|gelekt|doorgegeven|afgenomen)\b"
        # "houdt mijn paspoort", "hield mijn borg … in", "met mijn DigiD", "logt in op mijn
        # insta" (fourteenth round): a person holding or using the reporter's papers
        r"|\b(?:houdt|hield|heeft|had|gebruikt|gebruikte|misbruikt|misbruikte|verkoopt|"
        r"verkocht|deelt|deelde|zet|zette|post|postte) (?:(?:nog|nog steeds|steeds|al|ook) )?"
        r"(?:mijn|onze|m'n) (?:BSN|DigiD|ID|ID-kaart|paspoort|rijbewijs|bankpas|pinpas|"
        r"borg|wachtwoord|wachtwoorden|inloggegevens|sleutels|verblijfsvergunning)\b"
        r"|\b(?:met|via|op) (?:mijn|onze|m'n) (?:DigiD|BSN|ID|ID-kaart|paspoort|bankpas|"
        r"pinpas|inloggegevens|gegevens) (?:[\w'’]+ ){0,3}?(?:aangevraagd|afgesloten|geopend|"
        r"gekocht|besteld|gehuurd|ingelogd|aangemeld|ingeschreven)\b"
        r"|\blogt (?:steeds |nog |ook )?in op (?:mijn|onze|m'n) [\w'’-]+"
        # "hij wilde dat ik", "ze eiste dat wij": the person's demand on the reporter
        r"|\b(?:hij|zij|ze) (?:wilde|wil|eiste|eist|vroeg|vraagt|dwong|liet) (?:dat |of )?"
        r"(?:ik|wij)\b)"
    ),
    "en": re.compile(
        r"(?i:\b(?:I|we) (?:was|were|have been|'ve been|’ve been|got|get|am being|'m being|"
        r"’m being) (?:[\w'’]+ ){0,2}?(?:scammed|called|phoned|contacted|approached|"
        r"threatened|harassed|attacked|assaulted|followed|stalked|blackmailed|defrauded|"
        r"robbed|groomed|recruited|targeted|messaged|texted|emailed|ripped off|conned|"
        r"cheated|hit|pressured|asked|offered|told|sent|sold|charged|overcharged|evicted|"
        r"bullied|abused|tricked|catfished|doxxed|hacked) (?:by|from)\b"
        r"|\b(?:I|we)(?: have|'ve|’ve| keep| kept| had)?(?: been)? (?:got|get|getting|"
        r"received|receive|receiving|had) (?:[\w'’]+ ){0,3}?(?:message|messages|call|calls|"
        r"email|emails|e-mail|e-mails|text|texts|threat|threats|letter|letters|DM|DMs|"
        r"voicemail|invoice|request|friend request|payment request|WhatsApp|offer) from\b"
        # "a loan in my name", "he used my identity"
        r"|\b(?:in|on|under|with|using) (?:my|our) names?\b"
        r"|\b(?:used|stole|took|misused|kept|withheld|posted|shared|leaked|hacked"
        # "keeps posting my address", "uses my address", "hacked my Instagram",
        # "took £340 from my account" (fourteenth round)
        r"|uses|using|steals|stealing|takes|taking|keeps|keeping|posts|posting|shares|sharing|"
        r"leaks|leaking|hacks|hacking|sold|sells|selling|withholds|withholding|subletting|"
        r"sublets|sublet|accessed|accessing|logs into|logged into|logging into|took over|"
        r"(?:took|takes|taking|stole|steals|withdrew|withdraws|debited) [£$€]?[0-9][0-9.,]*"
        r"(?: (?:pounds|euros?|dollars))? from) (?:my|our) "
        r"(?:identity|details|ID|passport|bank details|card|account|bank account|name|photos|"
        r"pictures|pics|deposit|money|address|data|documents|nudes|Instagram|Facebook|"
        r"TikTok|Snapchat|password|passwords|post|mail|property|flat|house|BSN|DigiD|"
        # not "took my phone": a possession taken says nothing about who the owner is
        r"email|e-mail|login|logins)\b"
        # "a fake profile of me", "revenge porn of me"
        r"|\b(?:profile|profiles|account|accounts|photos|pictures|pics|videos|video|porn|"
        r"nudes|screenshots) of (?:me|us)\b)"
    ),
}
# --- dealings told as a whole phrase: money paid or lent, a customer's or guest's visit,
# a school, club or place shared with the person
_DEALT = {
    "nl": re.compile(
        # "ik betaalde hem contant", "wij hebben 500 euro voorgeschoten"
        r"(?i:\b(?:ik|wij|we) (?:betaal|betaalde|betaalden) (?:hem |haar |hen )?(?:de huur|"
        r"huur|borg|contant|zwart|[0-9€])"
        r"|\b(?:ik|wij|we) (?:heb|hebben|had|hadden) (?:[\w'’.,€]+ ){0,5}?(?:aanbetaald|"
        r"voorgeschoten|geleend|uitgeleend)\b"
        # "ik heb 800 euro borg betaald aan", "ik heb een scooter gekocht van", "ik heb een
        # huurcontract met" (fourteenth round): money, goods or a contract between them
        r"|\b(?:ik|wij|we) (?:heb|hebben|had|hadden) (?:[\w'’.,€]+ ){0,5}?(?:betaald|"
        r"overgemaakt|gekocht|gehuurd|besteld|geleend) (?:aan|naar|van|bij)"
        r"(?= (?:(?:hem|haar|hen|die|deze|de man|de vrouw)\b|(?-i:[A-Z])))"
        r"|\b(?:ik|wij|we) (?:heb|hebben|had|hadden) een (?:huurcontract|contract|"
        r"arbeidscontract|afspraak|lening|schuld) (?:met|bij|van|aan)"
        r"(?= (?:(?:hem|haar|hen|die|deze)\b|(?-i:[A-Z])))"
        # "ik heb er een pup gehaald", "ik knip daar": a customer or guest of the person
        r"|\b(?:ik|wij|we) (?:heb|hebben|had|hadden|ben|zijn|was|waren) (?:er|daar) "
        r"(?:(?!(?:niets|niks|nooit|niet|geen)\b)[\w'’]+ ){0,3}?"
        r"(?:gehaald|gekocht|besteld|gelogeerd|overnacht|getankt|gegeten|"
        r"geknipt|gereden|behandeld|gesport|les gehad|vrijwilliger|als [\w-]+)\b"
        r"|\b(?:ik|wij|we) (?:knip|tank|koop|kocht|logeer|logeerde|bestel|haal|haalde|rijd|"
        r"reed) (?:er|daar)\b"
        # "wij zaten samen op school", "ik rijd in dezelfde taxicentrale", "waar ik train"
        r"|\b(?:ik|wij|we) (?:[\w'’]+ ){1,3}?(?:samen|met (?:hem|haar|hen)) (?:op|in|bij) "
        r"(?:school|de klas|de club|het team|de vereniging|de opleiding)\b"
        r"|\b(?:ik|wij|we) (?:zit|zat|zitten|zaten|werk|werkte|werken|rijd|reed|rijden|speel|"
        r"speelde|sport|sportte|train|trainde|woon|woonde|ga|ging) (?:ook )?(?:in|op|bij|"
        r"naar|voor) (?:dezelfde|hetzelfde)\b"
        # "ik heb zijn administratie gedaan": work the reporter did for the person
        r"|\bik heb (?:zijn|haar|hun) (?:administratie|financiën|boekhouding|post|planning|"
        r"belastingaangifte|aangifte) (?:gedaan|beheerd|bijgehouden|geregeld|ingevuld)\b"
        r"|\bwaar (?:ik|wij|we) (?:train|trainde|sport|sportte|speel|speelde|zwem|dans|zing|"
        r"les geef|lesgeef|kom|kwam)\b)"
    ),
    "en": re.compile(
        # "we were at school together", "I play football with him"
        r"(?i:\b(?:I|we) (?:were|was|are|used to|play|played|worked|work|went|go|grew up) "
        r"(?:[\w'’]+ ){0,3}?(?:together|with (?:him|her|them))\b"
        # "I bought a bike there", "I deliver to 12 Beech Road", "I used to keep my horse at
        # their yard" (fourteenth round): a customer's, supplier's or tenant's dealings
        r"|\b(?:I|we) (?:have |'ve |’ve |had |used to )?(?:bought|buy|ordered|rented|hired|"
        r"kept|keep|stabled|parked|booked|stayed) (?:[\w'’]+ ){0,3}?(?:there|from (?:him|her|"
        r"them)|at (?:his|her|their) [\w'’-]+)\b"
        r"|\b(?:I|we) (?:deliver|delivered|used to deliver) (?:post |parcels |food )?(?:to|at)"
        r"(?= (?:[0-9]|(?:his|her|their|that|the) ))"
        r"|\b(?:I|we) (?:rent|rented|lease|leased) (?:a|the) [\w'’-]+ (?:next to|opposite|"
        r"beside|behind) (?:his|her|their)\b)"
    ),
}

# --- dealings: the reporter does something with or for a person in the report --------
_SUBJECT_FIRST = {
    "nl": re.compile(r"(?i:\b(?:ik|wij|we)\b)"),
    "en": re.compile(r"(?:\b(?:I|[Ww]e)\b(?:['’](?:ve|d|m))?)"),
}
# "hem", "haar" and "hen" as objects: "haar" only where no noun can follow it
# ... or the person's child or parent: "ik geef zijn dochter bijles", "I coach his son"
_THEIR_FAMILY_NL = (
    "zoon|zoontje|dochter|dochtertje|kinderen|kind|moeder|vader|ouders|kleinzoon|kleindochter|"
    "kleinkinderen"
)
_THEIR_FAMILY_EN = (
    "son|sons|daughter|daughters|kids|children|child|mother|father|mum|mom|dad|parents|"
    "grandson|granddaughter|grandchildren"
)
_THIRD_OBJECT = {
    "nl": re.compile(
        r"(?i:\b(?:hem\b|hen\b|haar(?= [0-9€]| (?:ge[a-zà-ÿ]+|(?:be|ver|ont|her)[a-zà-ÿ]+[dt]\b|"
        r"een|ook|nog|al|niet|geld|in|aan|mee|op|uit|voor|vorig|vorige|gisteren|ooit|eens|"
        r"twee|drie|elke|iedere)\b|[,.!?;:]|$))"
        rf"|\b(?:zijn|haar|hun) (?:{_THEIR_FAMILY_NL})\b)"
    ),
    "en": re.compile(
        r"(?i:\b(?:him\b|them\b|her(?= [0-9£$€]| (?:a|an|the|some|money|once|twice|for|to|from|"
        r"with|at|in|on|out|back|up|off|over|every|since|last)\b|[,.!?;:]|$))"
        rf"|\b(?:his|her|their) (?:{_THEIR_FAMILY_EN})\b)"
    ),
}
# Verbs after which the person does not learn of the reporter: seeing, hearing,
# thinking, feeling, wanting, reporting, searching.
_NO_DEALING = {
    "nl": re.compile(
        r"(?i:\b(?:zag|zagen|zie|zien|gezien|hoor|hoorde|hoorden|gehoord|ken|kende|kennen|"
        r"gekend|vind|vond|gevonden|denk|dacht|gedacht|geloof|geloofde|vertrouw|herken|"
        r"herkende|herkend|wil|wilde|willen|hoop|meld|meldde|gemeld|aangegeven|"
        r"gevolgd|volg|volgde|gefilmd|gefotografeerd|opgezocht|gegoogeld|nagetrokken|bang|"
        r"bezorgd|zorgen|over|weet|wist|kan|kon|durf|durfde|niet|nooit|geen|zou|moet|"
        r"betrapt|spreek|sprak|gesproken|doorgestuurd|verwijderd|gewist|bewaard|opgeslagen|"
        r"geopend|gelezen|noem|noemen|noemde|noemden)\b)"
    ),
    "en": re.compile(
        r"(?i:\b(?:saw|see|seen|seeing|watch|watched|heard|hear|hearing|know|knew|known|"
        r"think|thought|believe|trust|recognise|recognised|recognize|recognized|want|wanted|"
        r"hope|reported|report|reporting|follow|followed|filmed|photographed|googled|"
        r"looked|checked|afraid|scared|worried|about|can't|cannot|couldn't|don't|didn't|"
        r"never|not|no|would|should|must|wish|caught|spotted|noticed|found|believe|suspect|"
        r"told|tell|asked|ask|warned|confronted|blocked|forwarded|deleted|saved|opened|read)\b)"
    ),
}
DEALING_WINDOW = 45
_WORD_BEFORE = re.compile(r"([\w'’]+) $")
# Seeing and hearing before an inverted subject: "Vanuit mijn raam zie ik hem liggen".
_PERCEIVED_BEFORE = {
    "nl": re.compile(r"(?i:zie|zag|zagen|hoor|hoorde|hoorden|spot|spotte)"),
    "en": re.compile(r"(?i:see|saw|hear|heard|watch|watched)"),
}


def _dealings(text: str, language: str) -> Iterator[Hit]:
    objects, no_dealing = _THIRD_OBJECT[language], _NO_DEALING[language]
    first_person = list(_SUBJECT_FIRST[language].finditer(text))
    searches = _Searches(text, len(first_person))
    for subject in first_person:
        window = min(len(text), subject.end() + DEALING_WINDOW)
        if searches.first(objects, subject.end(), window) is None:
            continue  # the clause lies within the window: no object, no dealing
        breaks = searches.first(_CLAUSE_BREAK[language], subject.end(), window)
        clause_end = breaks[0] if breaks else window
        found = searches.first(objects, subject.end(), clause_end)
        if found is None or searches.first(no_dealing, subject.end(), clause_end):
            continue
        # "Vanuit mijn raam zie ik hem liggen": the verb before the subject (fourteenth round)
        verb_before = _WORD_BEFORE.search(text, max(0, subject.start() - 20), subject.start())
        if verb_before and _PERCEIVED_BEFORE[language].fullmatch(verb_before.group(1)):
            continue
        if searches.first(_SUBJECT_FIRST[language], subject.end(), found[0]):
            continue  # the next first-person subject starts its own hit
        end = found[1]
        # "ik heb haar geholpen", "I lent him 50": up to the word after the object
        rest = re.match(r" [\w'’-]+(?=[ ,.!?;:]|$)", text[end : end + 30])
        if rest is not None and language == "nl" and not no_dealing.search(rest.group()):
            end += rest.end()
        yield Hit(FindingType.SELF_REFERENCE, subject.start(), end, CONFIDENCE)


ACTED_ON = "acted on"
DEALINGS = "dealings"


def find_acts(text: str, language: str | None = None) -> Iterator[tuple[str, Hit]]:
    """(kind, hit) for each "acted on" (``ACTED_ON``) or "dealings" (``DEALINGS``) passage.

    The kind lets the reporter's warning say what the passage gives away: what someone
    did to them, or what they did with someone.
    """
    for code in [language] if language in {"nl", "en"} else ["nl", "en"]:
        for hit in _acted_on(text, code):
            yield ACTED_ON, hit
        for kind, patterns in ((ACTED_ON, _RECEIVED), (DEALINGS, _DEALT)):
            for found in patterns[code].finditer(text):
                if (
                    kind == ACTED_ON
                    and _FROM_WORD.search(found.group())
                    and _INSTITUTION_AFTER.match(text, found.end())
                ):
                    continue
                yield kind, Hit(FindingType.SELF_REFERENCE, found.start(), found.end(), CONFIDENCE)
        for hit in _dealings(text, code):
            yield DEALINGS, hit


def find_dealings(text: str, language: str | None = None) -> Iterator[Hit]:
    """ "Acted on" and "dealings" self-references in ``text``, in either language."""
    for _, hit in find_acts(text, language):
        yield hit
