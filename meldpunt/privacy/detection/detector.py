"""Run every detector over normalised text and map the results back to the original."""

import bisect
import re

from .contact import (
    find_email_addresses,
    find_phone_numbers,
    find_profile_urls,
    find_social_handles,
)
from .findings import Finding, FindingType, Hit, resolve_overlaps
from .identifiers import (
    find_bsns,
    find_dates_of_birth,
    find_dates_of_birth_after_names,
    find_ibans,
    find_licence_plates,
)
from .name_model import active_model, combine
from .names import (
    NameScanner,
    find_person_names,
    is_building_name,
    is_known_first_name,
    is_venue_name,
    name_scanner,
    names_a_place_by_its_article,
)
from .normalisation import normalise
from .places import find_postcodes, find_street_addresses
from .self_reference import find_self_references
from .self_reference_model import active_model as active_self_reference_model

LANGUAGES = ("nl", "en")
_LANGUAGE_INDEPENDENT = (
    find_phone_numbers,
    find_email_addresses,
    find_social_handles,
    find_profile_urls,
    find_ibans,
    find_bsns,
    find_licence_plates,
    find_dates_of_birth,
    find_postcodes,
    find_street_addresses,
)


# Lower-case particles opening a name ("de Vaartsche Rijn"): they belong to the street
# after them when the rest of the name is inside that street (fourteenth round).
PARTICLES_BEFORE = re.compile(r"(?:(?:de|het|den|der|van|'t|the) )*")


def _names_outside_streets(text: str, names: list[Hit], hits: list[Hit]) -> list[Hit]:
    """Names that are not part of a street address ("at Kleine Berg 12").

    A capitalised phrase followed by a house number after a place word is the street's
    name; without this, the more confident name would win the overlap and the address
    would be reported as a person. A name that starts with a known first name ("aan
    Kevin Jansen 3 zakjes") is kept and competes on confidence as before.
    """
    streets = sorted((hit.start, hit.end) for hit in hits if hit.type is FindingType.STREET_ADDRESS)
    if not streets:
        return names
    starts = [start for start, _ in streets]
    ends = {end for _, end in streets}
    kept = []
    for name in names:
        # "aan de Vaartsche Rijn 112": particles before a street are no name of their own
        start = name.start + len(PARTICLES_BEFORE.match(text, name.start, name.end).group())
        position = bisect.bisect_right(starts, start) - 1
        inside = position >= 0 and streets[position][1] >= name.end
        # "12 Cedar Rise, Bolton": one word after an address and a comma is its town
        if name.start - 2 in ends and text[name.start - 2 : name.start] == ", ":
            if " " not in text[name.start : name.end]:
                continue
        if not inside or is_known_first_name(text[name.start : name.end].split()[0]):
            kept.append(name)
    return kept


def rule_names(
    text: str, code: str | None, hits: list[Hit], scanner: NameScanner | None = None
) -> list[Hit]:
    """The hand-written rules' person names in normalised ``text``, given the other hits."""
    return _names_outside_streets(text, list(find_person_names(text, code, scanner)), hits)


def hits_before_self_reference_model(text: str, code: str | None) -> tuple[list[Hit], list[Hit]]:
    """(findings of every other type, the rules' self-references) in normalised ``text``:
    what the self-reference model is given (the first is its context; its training in
    benchmarks/privacy_self_reference_model.py computes it here too)."""
    hits: list[Hit] = []
    for detector in _LANGUAGE_INDEPENDENT:
        hits.extend(detector(text))
    scanner = name_scanner(text, code)  # shared by the rules and the model
    names = rule_names(text, code, hits, scanner)
    self_references = list(find_self_references(text, code))
    model = active_model()
    if model is not None:
        names = combine(model, text, code, names, hits + self_references, scanner)
    names = [
        name
        for name in names
        if not names_a_place_by_its_article(scanner, name.start)
        and not is_building_name(text, name.start, name.end)
        and not is_venue_name(text, name.start, name.end)
    ]
    hits.extend(names)
    hits.extend(find_dates_of_birth_after_names(text, names))
    return hits, self_references


def find_identifying_details(text: str, *, language: str | None = None) -> list[Finding]:
    """All passages of ``text`` that may identify someone, in text order, without overlaps.

    ``language`` ("nl" or "en", a Django language code such as "en-gb" also works)
    narrows the language-specific cues for names and self-references; ``None`` uses
    both languages. Offsets refer to ``text`` exactly as given, even when it contains
    zero-width or compatibility characters.
    """
    if not isinstance(text, str):
        raise TypeError("text must be a str")
    code = language.split("-")[0].lower() if language else None
    if code is not None and code not in LANGUAGES:
        code = None
    document = normalise(text)
    hits, self_references = hits_before_self_reference_model(document.text, code)
    # after the names (a feature of the model): the rules' self-references it does not
    # veto, and the first-person words the rules missed, apart from every finding
    self_reference_model = active_self_reference_model()
    added: list[Hit] = []
    if self_reference_model is not None:
        self_references, added = self_reference_model.review(
            document.text, code, self_references, hits
        )
    hits.extend(self_references)
    hits.extend(added)
    findings = []
    for hit in hits:
        start, end = document.original_span(hit.start, hit.end)
        findings.append(Finding(hit.type, start, end, text[start:end], hit.confidence))
    return resolve_overlaps(findings)
