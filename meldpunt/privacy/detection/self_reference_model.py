"""A learned second opinion on self-references: adds what the rules missed.

The self-reference rules (self_reference.py, self_reference_acts.py) are clause patterns
fitted to the writers of the development set; a new writer's phrasings escape them
(recall 0.75-0.87 on blind sets). This model scores every first-person word ("ik", "mij",
"mijn", "ons", "I", "me", "my", "our", ...) with a logistic regression over the words
around it: the word itself, three neighbours on each side with their endings, four word
pairs, the word's grammatical part (subject, object, possessive) with its neighbours, the
other words of its clause, and which other types of finding (a person's name, an
address, a handle, ...) lie in its clause and in the text. The rules' self-references are
no feature, so it does not copy them.

``review`` adds a first-person word scoring at least ``add_above``, with the word after a
possessive ("mijn buurman"), neighbours in one clause merged, when the passage overlaps
no other finding and shares no clause with a self-reference of the rules (that is most
likely the same phrase, found in part). It can also drop a rule's self-reference whose
first-person words all score below ``veto_below`` (one without a first-person word
stays), but the shipped model does not (0): that veto dropped plain acted-on passives
("werd ik aangevallen door"). The add threshold was chosen on development batches by new
writers scored with the rules from before them. See docs/privacy.md, "Learned
self-reference model (shipped)" and "Fourteenth round: the self-reference model for new
writers".

The weights (``data/self_reference_model.json``) are trained by
``benchmarks/privacy_self_reference_model.py --write`` from
benchmarks/data/privacy_eval.jsonl only; scoring is dictionary look-ups (``learned``).
"""

import bisect
import functools
import itertools
import re
from collections.abc import Iterable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass

from .findings import FindingType, Hit
from .learned import ModelSwitch, logistic, read_model_file

MODEL_FILE = "self_reference_model.json"
KIND = FindingType.SELF_REFERENCE
WORD = re.compile(r"\w+(?:['’]\w+)?")
CLAUSE_BREAK = re.compile(r"[.!?;:,\n()\"“”]|\s[-–—]\s")
FIRST_PERSON = {
    "nl": frozenset(
        {"ik", "mij", "me", "mijn", "m'n", "mn", "ons", "onze", "wij", "we", "mezelf",
         "mijzelf", "'k", "ikzelf", "wijzelf"}
    ),
    "en": frozenset(
        {"i", "me", "my", "mine", "myself", "we", "us", "our", "ours", "ourselves", "i'm",
         "i’m", "i've", "i’ve", "i'd", "i’d", "i'll", "i’ll", "we're", "we've", "we’re",
         "we’ve"}
    ),
}  # fmt: skip
ANY_LANGUAGE = FIRST_PERSON["nl"] | FIRST_PERSON["en"]
POSSESSIVES = frozenset({"mijn", "m'n", "mn", "onze", "ons", "my", "our"})
# The grammatical part of a first-person word, shared by both languages and all spellings,
# so "mij"/"me"/"us" after a verb learn together ("heeft mij bedreigd", "threatened us").
FIRST_PERSON_CLASS = {
    **dict.fromkeys(("mijn", "m'n", "mn", "ons", "onze", "my", "our", "mine", "ours"), "poss"),
    **dict.fromkeys(("mij", "me", "us", "mezelf", "mijzelf", "myself", "ourselves"), "obj"),
}
WINDOW = 3  # neighbouring words by position
BAG = 8  # words of the clause on each side, as a bag
MERGE_GAP = 3  # first-person words at most this many words apart are one passage
# Confidence of an added passage: below the rules' own, so a rule's finding of another
# type that touches it would win (none can overlap it; ``spans_to_add`` keeps it apart).
CONFIDENCE = 0.6


def candidates(
    text: str, language: str | None, others: Sequence[Hit] = ()
) -> list[tuple[int, int, list[str]]]:
    """(start, end, feature names) of each first-person word of ``text``.

    ``others`` are the detector's findings of other types (names, addresses, handles,
    ...; self-references are ignored, so the rules' decisions on them are no feature):
    a person named in the clause or the text makes a relation or a dealing more likely
    ("mijn buurman Kevin Jansen") for any writer, where the words vary from writer to
    writer."""
    own = FIRST_PERSON.get(language or "", ANY_LANGUAGE)
    if own.isdisjoint(map(str.lower, WORD.findall(text))):  # most texts: no match objects
        return []
    words = [(m.start(), m.end(), m.group().lower()) for m in WORD.finditer(text)]
    # a clause break lies between words (it has no word character), so the clause number
    # of a word is the number of gaps with a break before it
    breaks = [match.start() for match in CLAUSE_BREAK.finditer(text)]
    others = [hit for hit in others if hit.type is not KIND]
    in_text = [f"text_has={kind}" for kind in sorted({hit.type.name for hit in others})]
    clause = [0] * len(words)
    position = bisect.bisect_left(breaks, words[0][0])  # none before the first word counts
    for index in range(1, len(words)):
        begin = words[index][0]
        broken = position < len(breaks) and breaks[position] < begin
        while position < len(breaks) and breaks[position] < begin:
            position += 1
        clause[index] = clause[index - 1] + broken
    # where each word's clause begins and ends (by word index), and the two bag features
    # of every word, made once: first-person text has many candidates per clause
    begins, ends = [0] * len(words), [len(words)] * len(words)
    for index in range(1, len(words)):
        if clause[index] == clause[index - 1]:
            begins[index] = begins[index - 1]
        else:
            begins[index] = index
            ends[begins[index - 1] : index] = [index] * (index - begins[index - 1])
    # the types of the other findings in each clause (by clause number): a finding is in
    # every clause one of whose words it overlaps; made once, by bisection, so a long text
    # full of findings and first-person words costs linear time
    types_of: dict[int, set[str]] = {}
    starts = [start for start, _, _ in words]
    for hit in others:
        index = max(bisect.bisect_right(starts, hit.start) - 1, 0)
        while index < len(words) and words[index][0] < hit.end:
            if hit.start < words[index][1]:
                types_of.setdefault(clause[index], set()).add(hit.type.name)
            index += 1
    in_clause_of = {
        number: [f"clause_has={kind}" for kind in sorted(kinds)]
        for number, kinds in types_of.items()
    }
    lower = [word for _, _, word in words]
    in_clause = ["c=" + word for word in lower]
    before = ["c_before=" + word for word in lower]
    after = ["c_after=" + word for word in lower]
    result = []
    for index, (start, end, word) in enumerate(words):
        if word not in own:
            continue
        features = ["bias", f"lang={language}", f"fp={word}", *in_text]
        if index == 0 or clause[index - 1] != clause[index]:
            features.append("clause_start")
        if text[start].isupper():
            features.append("fp_capital")
        near: dict[int, str | None] = {}
        for offset in range(-WINDOW, WINDOW + 1):
            other = index + offset
            if offset == 0:
                continue
            name = f"p{-offset}" if offset < 0 else f"n{offset}"
            if not 0 <= other < len(words) or clause[other] != clause[index]:
                features.append(f"{name}:none")
                near[offset] = None
                continue
            neighbour = words[other][2]
            near[offset] = neighbour
            features.append(f"{name}={neighbour}")
            if len(neighbour) > 4:
                features.append(f"{name}:suffix={neighbour[-3:]}")
            if neighbour in own:
                features.append(f"{name}:first_person")
            if text[words[other][0]].isupper():
                features.append(f"{name}:capital")
        features.append(f"fp&n1={word}&{near[1]}")
        features.append(f"p1&fp={near[-1]}&{word}")
        features.append(f"n1&n2={near[1]}&{near[2]}")
        features.append(f"p2&p1={near[-2]}&{near[-1]}")
        part = FIRST_PERSON_CLASS.get(word, "subj")
        features.append(f"class={part}")
        features.append(f"class&n1={part}&{near[1]}")
        features.append(f"p1&class={near[-1]}&{part}")
        features.append(f"class&n1&n2={part}&{near[1]}&{near[2]}")
        features += in_clause_of.get(clause[index], ())
        first, last = max(begins[index], index - BAG), min(ends[index], index + BAG + 1)
        features += in_clause[first:index]
        features += before[first:index]
        features += in_clause[index + 1 : last]
        features += after[index + 1 : last]
        result.append((start, end, features))
    return result


class _Spans:
    """Half-open spans, asked whether any meets a given one: by bisection over the starts
    and the running maximum of the ends, so a long text costs no more than linear time."""

    def __init__(self, spans: Iterable[tuple[int, int]]) -> None:
        ordered = sorted(spans)
        self.starts = [start for start, _ in ordered]
        self.reach = list(itertools.accumulate((end for _, end in ordered), max))

    def meets(self, start: int, end: int) -> bool:
        before = bisect.bisect_left(self.starts, end)  # spans that start before ``end``
        return before > 0 and self.reach[before - 1] > start


def spans_to_add(
    text: str, scored: Sequence[tuple[int, int, float]], threshold: float, taken: Sequence[Hit]
) -> list[tuple[int, int]]:
    """Passages for the first-person words scoring at least ``threshold`` that lie apart
    from every finding in ``taken``: the word, the word after a possessive, neighbours in
    one clause merged."""
    spans: list[tuple[int, int]] = []
    chosen = [(start, end) for start, end, probability in scored if probability >= threshold]
    if not chosen:
        return spans
    findings = _Spans((hit.start, hit.end) for hit in taken)
    breaks = [match.start() for match in CLAUSE_BREAK.finditer(text)]

    def clauses(start: int, end: int) -> tuple[int, int]:
        """The clauses a passage reaches, by number, as a half-open range."""
        return bisect.bisect_left(breaks, start), bisect.bisect_left(breaks, end) + 1

    # A passage in the clause of a rule's self-reference is most likely the same labelled
    # phrase, found in part ("Me and my wife [rent a room from]"): not added.
    rule_clauses = _Spans(clauses(hit.start, hit.end) for hit in taken if hit.type is KIND)
    for start, end in chosen:
        if text[start:end].lower() in POSSESSIVES and text[end : end + 1] == " ":
            following = WORD.match(text, end + 1)
            if following:
                end = following.end()
        if findings.meets(start, end) or rule_clauses.meets(*clauses(start, end)):
            continue
        if spans and len(WORD.findall(text, spans[-1][1], start)) <= MERGE_GAP:
            if not CLAUSE_BREAK.search(text, spans[-1][1], start):
                if not findings.meets(spans[-1][0], end):
                    spans[-1] = (spans[-1][0], end)
                    continue
        spans.append((start, end))
    return spans


def not_vetoed(
    self_references: Sequence[Hit], scored: Sequence[tuple[int, int, float]], veto_below: float
) -> list[Hit]:
    """The rules' self-references without those whose first-person words all score below
    ``veto_below`` (on new writers' batches this drops about two false hits of the rules
    per true one lost); one without a first-person word ("een collega van Kim") is kept,
    the model has no say there."""
    if veto_below <= 0:
        return list(self_references)
    ordered = sorted(scored)  # by bisection: a long text has many of both
    starts = [start for start, _, _ in ordered]
    kept = []
    for hit in self_references:
        index = bisect.bisect_left(starts, hit.start)
        inside = []
        while index < len(ordered) and ordered[index][0] < hit.end:
            if ordered[index][1] <= hit.end:
                inside.append(ordered[index][2])
            index += 1
        if not inside or max(inside) >= veto_below:
            kept.append(hit)
    return kept


@dataclass(frozen=True)
class SelfReferenceModel:
    """Feature weights of a logistic regression, the threshold at which it adds a
    first-person word the rules missed, and the one below which it drops a rule's
    self-reference (0: never)."""

    weights: dict[str, float]
    add_above: float
    veto_below: float = 0.0

    def probability(self, features: Iterable[str]) -> float:
        return logistic(self.weights, features)

    def scores(
        self, text: str, language: str | None, others: Sequence[Hit] = ()
    ) -> list[tuple[int, int, float]]:
        """(start, end, probability) of each first-person word of ``text``, given the
        findings ``others`` (self-references among them are ignored)."""
        return [
            (start, end, self.probability(features))
            for start, end, features in candidates(text, language, others)
        ]

    def review(
        self, text: str, language: str | None, self_references: Sequence[Hit], others: Sequence[Hit]
    ) -> tuple[list[Hit], list[Hit]]:
        """(the rules' ``self_references`` the model keeps, the passages it adds) in
        ``text``, given the findings of other types ``others``."""
        scored = self.scores(text, language, others)
        kept = not_vetoed(self_references, scored, self.veto_below)
        added = [
            Hit(KIND, start, end, CONFIDENCE)
            for start, end in spans_to_add(text, scored, self.add_above, [*others, *kept])
        ]
        return kept, added

    @classmethod
    def from_json(cls, data: dict) -> "SelfReferenceModel":
        return cls(data["weights"], data["add_above"], data.get("veto_below", 0.0))


@functools.cache
def load_model() -> SelfReferenceModel | None:
    """The shipped model, or None when the package has none (then the rules decide alone)."""
    data = read_model_file(MODEL_FILE)
    return None if data is None else SelfReferenceModel.from_json(data)


_switch: ModelSwitch[SelfReferenceModel] = ModelSwitch(load_model)
# On since December 2026: against the rules as they stood before each of the eight
# new-writer development batches (11, 12, 13, h13, h14, a, b, c) it raises pooled
# self-reference recall from 0.748 to 0.912 at precision 0.953 -> 0.916 (docs/privacy.md).
USE_SHIPPED_MODEL = True


def active_model() -> SelfReferenceModel | None:
    """The model in use: one set by ``using_model``, else the shipped one if switched on."""
    return _switch.active(USE_SHIPPED_MODEL)


def using_model(model: SelfReferenceModel | None) -> AbstractContextManager[None]:
    """Detect with ``model`` (None: the rules alone) inside the block; for training."""
    return _switch.using(model)
