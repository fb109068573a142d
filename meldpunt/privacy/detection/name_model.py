"""A small learned second opinion on person names, next to the hand-written rules.

Four rounds of rules reached names P 0.906 / R 0.888 on a blind set, and new rules no
longer carried over. This module scores every word that could belong to a name (a
capitalised word, a particle, a listed first name in lower case) with a logistic
regression over the evidence the rules already compute: name-list membership,
capitalisation, position in the sentence and the words around it. The rules stay in
charge; the model vetoes a rule's name it finds unlikely and adds a name the rules
missed when it is likely enough (see ``combine``; the thresholds are chosen by
cross-validation). It is switched on (``USE_SHIPPED_MODEL``): see docs/privacy.md.

The model is a JSON file of feature weights (``data/name_model.json``), trained by
``benchmarks/privacy_name_model.py`` from benchmarks/data/privacy_eval.jsonl only.
Scoring is plain Python dictionary look-ups, so nothing heavier than the rules runs
and nothing is downloaded; numpy is imported only for training.
"""

import bisect
import contextlib
import functools
import itertools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from .findings import FindingType, Hit
from .learned import ModelSwitch, logistic, read_model_file
from .names import (
    ADJECTIVE_ENDINGS,
    AMBIGUOUS_FIRST_NAMES,
    AMBIGUOUS_SURNAMES,
    COMPANY_WORDS,
    COMPOUND_ENDINGS,
    CONSUMING_VERBS,
    FUNCTION_WORDS,
    INNER_CAPITAL,
    NICKNAME_WORDS,
    PARTICLES,
    PLACE_PREPOSITIONS,
    SPACES,
    STREET_ENDINGS,
    SUBJECT_VERBS,
    TRANSFER_VERBS,
    VENUE_WORDS,
    NameScanner,
    common_words,
    is_town_after_address,
    is_venue_name,
    lower_case_name_lists,
    name_scanner,
    quoted_thing_names,
    read_list,
    without_possessive,
)

MODEL_FILE = "name_model.json"
# Text between two words of one name: spaces, the full stop of an initial, a hyphen.
_JOIN = re.compile(r"[ \t]{1,3}|\.[ \t]{0,2}|-")
_DIGIT_AFTER = re.compile(r" ?[0-9]")
# "van der", "de la": at most this many particles stand between two words of one name.
MAX_PARTICLES = 3
QUOTES = "'’"
# A remark after a dash, up to the end of its sentence or a closing dash.
DASH_REMARK = re.compile(r"[ \t]*[—–-][ \t]+([^.!?\n—–]*)")
# Between two names of a pair: "Mol and Jurre", "Sanne en Pim", "Kez & Rio".
PAIR_JOIN = re.compile(r"[ \t]+(?:and|en|&)[ \t]+")
NAME_WORD = re.compile(r"(?i)\b(?:name|surname|naam|achternaam|called|heet|heten)\b")
# Subjects after a verb that opens a question ("Can I", "Heb je", "Weet iemand").
SUBJECT_PRONOUNS = frozenset(
    {"i", "you", "we", "they", "he", "she", "it", "ik", "je", "jij", "u", "wij", "ze",
     "zij", "hij", "iemand", "someone", "anyone"}
)  # fmt: skip
# From the end of an address to the next word: spaces and at most one comma.
AFTER_ADDRESS = re.compile(r"[ \t]*,?[ \t]*")
_CONTEXT = frozenset(
    {"sentence_start", "p:cue", "p2:cue", "p:cap", "n:cap", "p:particle", "n:subject_verb",
     "p:place_preposition", "n:number", "p:apart", "n:apart", "p:none", "n:none",
     "p:transfer", "p:consuming", "p:business_word", "n:business_word", "p:first", "n:surname",
     "p:preposition=van", "p:preposition=to", "p:preposition=from", "p:preposition=naar",
     "n:w='s", "lang=nl", "lang=en", "article", "article_adjective"}
)  # fmt: skip
# Articles before a noun phrase: "Het Oude Raadhuis", "the Old Mill", "een Grote Beer".
# "de" is also a particle ("Jan de Vries"), so it counts only with a word between.
ARTICLES = frozenset({"het", "'t", "the", "een", "a", "an", "de"})
# At most this many common words (adjectives) stand between an article and its noun.
MAX_ARTICLE_MODIFIERS = 2


@functools.cache
def _hand_first_names() -> frozenset[str]:
    return read_list("first_names.txt")


@functools.cache
def _hand_surnames() -> frozenset[str]:
    return read_list("surnames.txt")


def _shape(word: str) -> str:
    if len(word) == 1:
        return "single_upper" if word.isupper() else "single_lower"
    if word.isupper():
        return "upper"
    if word.islower():
        return "lower"
    if word[0].isupper() and word[1:].islower():
        return "cap"
    return "mixed"


def _word_facts(scanner: NameScanner, index: int, known: dict[str, list[str]]) -> list[str]:
    """What the lists and the spelling say about one word, as feature names; ``known``
    keeps them by spelling for the rest of the text (long texts repeat their words)."""
    raw = scanner.words[index].group()
    facts = known.get(raw)
    if facts is None:
        facts = known[raw] = _spelling_facts(scanner, raw)
    return facts + ["listed_phrase"] if index in scanner.blocked else facts


def _spelling_facts(scanner: NameScanner, raw: str) -> list[str]:
    word = without_possessive(raw)
    lower = word.lower()
    facts = [f"shape={_shape(word)}"]
    if word != raw:
        facts.append("possessive")
    if "-" in word:
        facts.append("hyphen")
    if any(character.isdigit() for character in word):
        facts.append("digit")
    head = word.split("-")[0]
    if word in scanner.first_names or head in scanner.first_names:
        facts.append("first")
        if word in _hand_first_names():
            facts.append("first_hand")
    if word in AMBIGUOUS_FIRST_NAMES:
        facts.append("first_ambiguous")
    if word in scanner.surnames or word.split("-")[-1] in scanner.surnames:
        facts.append("surname")
        if word in _hand_surnames():
            facts.append("surname_hand")
    if word in AMBIGUOUS_SURNAMES:
        facts.append("surname_ambiguous")
    if raw.islower():
        first_names, surnames = lower_case_name_lists()
        if raw in first_names:
            facts.append("lower_first")
        if raw in surnames:
            facts.append("lower_surname")
    if word in FUNCTION_WORDS:
        facts.append("function")
    elif head in scanner.not_names:
        facts.append("not_name")
    if lower in common_words():
        facts.append("common")
    if lower in PARTICLES:
        facts.append("particle")
    if lower in scanner.cues:
        facts.append("cue_word")
    if word in COMPANY_WORDS or word in VENUE_WORDS:
        facts.append("business_word")
    if word in NICKNAME_WORDS:
        facts.append("nickname_word")
    if lower.endswith(COMPOUND_ENDINGS):
        facts.append("compound_ending")
    if lower.endswith(STREET_ENDINGS):
        facts.append("street_ending")
    if lower.endswith(ADJECTIVE_ENDINGS):
        facts.append("adjective_ending")
    if INNER_CAPITAL.search(word):
        facts.append("inner_capital")
    if len(word) <= 2:
        facts.append("short")
    return facts


def _article_before(scanner: NameScanner, index: int) -> str | None:
    """ "article" when word ``index`` directly follows an article, "article_adjective" when
    common words stand between ("Het Oude Raadhuis", "the old Mill"), else None: a word
    there heads a noun phrase, which is rarely a person's name ("the Hendersons" and "de
    oude Jansen" are left to the other features)."""
    between = 0
    position = index - 1
    while position >= 0 and scanner._adjacent(position, position + 1):
        word = scanner.words[position].group()
        lower = word.lower()
        if lower in ARTICLES:
            if not between:
                return None if lower == "de" else "article"
            return "article_adjective"
        if (
            between >= MAX_ARTICLE_MODIFIERS
            or lower not in common_words()
            or scanner._is_cue(position)
            or word in scanner.first_names
            or word in scanner.surnames
        ):
            return None
        between += 1
        position -= 1
    return None


def _is_candidate(scanner: NameScanner, index: int, in_rule: bool) -> bool:
    raw = scanner.words[index].group()
    if in_rule or raw[0].isupper():
        return True
    lower_first, _ = lower_case_name_lists()
    return raw in PARTICLES or raw in lower_first


def token_features(
    text: str,
    language: str | None,
    rule_hits: Sequence[Hit],
    scanner: NameScanner | None = None,
) -> tuple[NameScanner, list[tuple[int, list[str]]]]:
    """The candidate words of ``text`` (by index) with their feature names; ``scanner``
    is the rules' own of the same text, if the caller has it."""
    scanner = scanner or name_scanner(text, language)
    words = scanner.words
    spellings: dict[str, list[str]] = {}
    combined: dict[tuple[str, bool, tuple[str, ...]], list[str]] = {}
    count = len(words)
    in_rule = [0.0] * count
    rule_begin = [False] * count
    spans = sorted((hit.start, hit.end, hit.confidence) for hit in rule_hits)
    position = 0
    for index, word in enumerate(words):
        while position < len(spans) and spans[position][1] <= word.start():
            position += 1
        if position < len(spans) and spans[position][0] < word.end():
            in_rule[index] = spans[position][2]
            rule_begin[index] = spans[position][0] >= word.start()
    facts = [None] * count
    candidates = []
    for index in range(count):
        if not _is_candidate(scanner, index, bool(in_rule[index])):
            continue
        if facts[index] is None:
            facts[index] = _word_facts(scanner, index, spellings)
        features = ["bias", f"lang={language or 'any'}"]
        features += facts[index]
        word = without_possessive(words[index].group())
        lower = word.lower()
        features.append(f"w={lower}")
        if len(lower) > 3:
            features.append(f"suffix={lower[-3:]}")
        if in_rule[index]:
            features.append("rule")
            features.append(f"rule={in_rule[index]:.2f}")
            if rule_begin[index]:
                features.append("rule_begin")
        sentence_start = scanner._is_sentence_start(index)
        if sentence_start:
            features.append("sentence_start")
            features += [f"start&{fact}" for fact in facts[index]]
        if index > 0:
            previous = words[index - 1].group()
            adjacent = scanner._adjacent(index - 1, index)
            features.append(f"p:w={previous.lower()}")
            if not adjacent:
                features.append("p:apart")
            if scanner._is_cue(index - 1):
                features.append("p:cue")
            if previous[0].isupper() and adjacent:
                features.append("p:cap")
            if previous.lower() in PARTICLES:
                features.append("p:particle")
            if previous in PLACE_PREPOSITIONS:
                features.append("p:place_preposition")
            if previous.lower() in CONSUMING_VERBS:
                features.append("p:consuming")
            if previous.lower() in TRANSFER_VERBS:
                features.append("p:transfer")
            if previous.lower() in {"to", "naar", "from", "van", "met", "with", "by", "door"}:
                features.append(f"p:preposition={previous.lower()}")
            if in_rule[index - 1]:
                features.append("p:rule")
            if previous[0].isupper() and len(previous) > 4:
                features.append(f"p:suffix={previous[-4:].lower()}")
            if facts[index - 1] is None:
                facts[index - 1] = _word_facts(scanner, index - 1, spellings)
            features += [f"p:{fact}" for fact in facts[index - 1] if not fact.startswith("shape")]
            if index > 1:
                features.append(f"p2:w={words[index - 2].group().lower()}")
                if scanner._is_cue(index - 2):
                    features.append("p2:cue")
        else:
            features.append("p:none")
        if index + 1 < count:
            following = words[index + 1].group()
            adjacent = scanner._adjacent(index, index + 1)
            features.append(f"n:w={following.lower()}")
            if following in SUBJECT_VERBS:
                features.append("n:subject_verb")
            if following[0].isupper() and adjacent:
                features.append("n:cap")
            if not adjacent:
                features.append("n:apart")
            if in_rule[index + 1]:
                features.append("n:rule")
            if following[0].isupper() and len(following) > 4:
                features.append(f"n:suffix={following[-4:].lower()}")
            if facts[index + 1] is None:
                facts[index + 1] = _word_facts(scanner, index + 1, spellings)
            features += [f"n:{fact}" for fact in facts[index + 1] if not fact.startswith("shape")]
        else:
            features.append("n:none")
        article = _article_before(scanner, index) if index else None
        if article:
            features.append(article)
        if _DIGIT_AFTER.match(text, words[index].end()):
            features.append("n:number")
        if words[index].group()[0].isupper() and not sentence_start:
            known = {"first", "surname", "not_name", "function", "common", "listed_phrase"}
            if not known.intersection(facts[index]):
                features.append("midsentence_unknown_capital")
        # Pairs of what the word is and where it stands: a linear model cannot combine
        # "a listed surname" and "after a cue" by itself.
        context = tuple(feature for feature in features if feature in _CONTEXT)
        key = (words[index].group(), index in scanner.blocked, context)
        pairs = combined.get(key)
        if pairs is None:
            pairs = [f"{fact}&{where}" for fact in facts[index] for where in context]
            combined[key] = pairs
        features += pairs
        candidates.append((index, features))
    return scanner, candidates


@dataclass(frozen=True)
class NameModel:
    """Feature weights of a logistic regression and the thresholds that combine it."""

    weights: dict[str, float]
    veto_below: float  # a rule's name whose best word scores below this is dropped
    add_above: float  # a name the rules missed is added when its best word scores above
    # Rule names more confident than this are never vetoed (1.0: any may be).
    veto_confidence: float = 1.0
    # Whether the rules' own decisions are features (then they are passed to the model).
    rule_features: bool = False

    def probability(self, features: Iterable[str]) -> float:
        return logistic(self.weights, features)

    def token_probabilities(
        self,
        text: str,
        language: str | None,
        rule_hits: Sequence[Hit],
        scanner: NameScanner | None = None,
    ) -> tuple[NameScanner, dict[int, float]]:
        scanner, candidates = token_features(text, language, rule_hits, scanner)
        return scanner, {index: self.probability(features) for index, features in candidates}

    @classmethod
    def from_json(cls, data: dict) -> "NameModel":
        return cls(
            data["weights"],
            data["veto_below"],
            data["add_above"],
            data["veto_confidence"],
            data["rule_features"],
        )


def _joined(scanner: NameScanner, previous: int, index: int) -> bool:
    """Whether words ``previous`` and ``index`` belong to one name: adjacent, or apart only
    by particles ("Petra van der Meer" when the model is less sure of "der")."""
    words = scanner.words
    if previous < 0 or not 0 < index - previous <= 1 + MAX_PARTICLES:
        return False
    return all(
        words[between].group() in PARTICLES for between in range(previous + 1, index)
    ) and all(
        _JOIN.fullmatch(scanner.text, words[left].end(), words[left + 1].start())
        for left in range(previous, index)
    )


def spans_from_tokens(
    scanner: NameScanner, probabilities: dict[int, float], threshold: float
) -> list[tuple[int, int, float]]:
    """Runs of words scoring at least ``threshold`` as (start, end, best score)."""
    spans: list[tuple[int, int, float]] = []
    words = scanner.words
    previous = -2
    for index in sorted(probabilities):
        probability = probabilities[index]
        if probability < threshold:
            continue
        # "'Walter Smith'": a closing quote or possessive is no part of the name
        end = words[index].start() + len(without_possessive(words[index].group()).rstrip(QUOTES))
        if spans and _joined(scanner, previous, index):
            start, _, best = spans[-1]
            spans[-1] = (start, end, max(best, probability))
        else:
            spans.append((words[index].start(), end, probability))
        previous = index
    # A name does not end in a lower-case particle ("Kevin van").
    trimmed = []
    for start, end, best in spans:
        text = scanner.text[start:end]
        parts = text.split(" ")
        while len(parts) > 1 and parts[-1] in PARTICLES:
            parts.pop()
        trimmed.append((start, start + len(" ".join(parts)), best))
    return trimmed


def _opens_sentence_alone(scanner: NameScanner, start: int, end: int) -> bool:
    """Whether the passage is one word opening a sentence that the rules would not call a
    name: a verb before its subject ("Can I report", "Weet iemand") or a word before a dash
    remark that does not say it is a name ("Brexit — that's the cause", but "Nana - not a
    granny, that's her real name -")."""
    index = bisect.bisect_left(scanner.starts, start)
    if not scanner._is_sentence_start(index) or " " in scanner.text[start:end]:
        return False
    if index + 1 < len(scanner.words) and SPACES.fullmatch(
        scanner.text, end, scanner.starts[index + 1]
    ):
        if scanner.words[index + 1].group().lower() in SUBJECT_PRONOUNS:
            return True
    remark = DASH_REMARK.match(scanner.text, end)
    return remark is not None and not NAME_WORD.search(remark.group(1))


def _continues(text: str, left_end: int, right_start: int) -> bool:
    """Whether only a space, a hyphen or particles stand between two passages ("Leen" and
    "der Meer" in "Leen van der Meer"): then they are one name."""
    gap = text[left_end:right_start]
    if gap == "-":
        return True
    if not SPACES.fullmatch(gap[:1]) or not SPACES.fullmatch(gap[-1:]) or len(gap) > 24:
        return False
    return all(word in PARTICLES for word in gap.split())


def _paired_with(text: str, hit: Hit, kept: Sequence[Hit]) -> bool:
    """Whether ``hit`` and one of ``kept`` stand joined by "and", "en" or "&" ("Mol and
    Jurre", "Sanne en Pim"): the rules call such a pair names together, and a sure name
    makes its partner no less one."""
    for other in kept:
        left, right = (hit, other) if hit.end <= other.start else (other, hit)
        if left.end <= right.start and PAIR_JOIN.fullmatch(text, left.end, right.start):
            return True
    return False


def _town_starts(text: str, others: Iterable[Hit]) -> set[int]:
    """Where a word directly after an address starts ("9251 MR Hoofdweg 3 Burgum"): there
    the town's name stands, not a person's."""
    return {
        AFTER_ADDRESS.match(text, hit.end).end()
        for hit in others
        if hit.type in (FindingType.STREET_ADDRESS, FindingType.POSTCODE_ADDRESS)
    }


def combine(
    model: NameModel,
    text: str,
    language: str | None,
    rule_hits: list[Hit],
    others: Sequence[Hit] = (),
    scanner: NameScanner | None = None,
) -> list[Hit]:
    """The rules' names, minus those the model vetoes, plus those only the model finds,
    in text order.

    A name only the model finds never overlaps another finding: over or right next to one
    kept rule name it lengthens that name ("Petra" to "Petra van der Meer", "Hank" to
    "Hank Winter"), and it is dropped over a vetoed rule name, over two rule names, over
    another finding in ``others`` (an address, a handle, a self-reference) and where the
    rules have judged the words to be no person: inside a quoted name of a group or shop,
    part of a business name, what a naming word names after a thing ("the pool is called
    …"), the town after an address, or a lone word opening a sentence as a verb or before
    a dash remark.
    """
    scanner, probabilities = model.token_probabilities(
        text, language, rule_hits if model.rule_features else [], scanner
    )
    if model.veto_below > 1.0:  # the model alone, for comparison
        return [
            Hit(FindingType.PERSON_NAME, start, end, 0.6)
            for start, end, _ in spans_from_tokens(scanner, probabilities, model.add_above)
        ]
    # Linear in the number of words: rule names are visited in text order with a pointer
    # into the scored words, and a model name is checked against the taken passages by
    # bisection.
    words = scanner.words
    scored = sorted(probabilities)
    ordered = sorted(rule_hits, key=lambda hit: hit.start)
    kept, vetoed = [], []
    position = 0
    for hit in ordered:
        while position < len(scored) and words[scored[position]].end() <= hit.start:
            position += 1
        best = None
        index = position
        while index < len(scored) and words[scored[index]].start() < hit.end:
            probability = probabilities[scored[index]]
            best = probability if best is None else max(best, probability)
            index += 1
        if best is not None and best < model.veto_below and hit.confidence <= model.veto_confidence:
            vetoed.append(hit)
        else:
            kept.append(hit)
    # "zijn broer Levent … Levent's mail": another mention of a name kept elsewhere in the
    # text is no less a name where the model doubts it
    sure = {word for hit in kept for word in text[hit.start : hit.end].split()}
    if vetoed and sure:
        again = [hit for hit in vetoed if text[hit.start : hit.end] in sure]
        if again:
            vetoed = [hit for hit in vetoed if hit not in again]
            kept = sorted(kept + again, key=lambda hit: hit.start)
    # "Mol and Jurre sell it": a rule name joined by "and" to a name kept is one of a pair
    if vetoed and kept:
        paired = [hit for hit in vetoed if _paired_with(text, hit, kept)]
        if paired:
            vetoed = [hit for hit in vetoed if hit not in paired]
            kept = sorted(kept + paired, key=lambda hit: hit.start)
    taken = sorted(
        [(hit.start, hit.end) for hit in itertools.chain(vetoed, others)] + quoted_thing_names(text)
    )
    starts = [start for start, _ in taken]
    reach = list(itertools.accumulate((end for _, end in taken), max))
    kept_starts = [hit.start for hit in kept]
    towns = _town_starts(text, others)
    added = []
    for start, end, _ in spans_from_tokens(scanner, probabilities, model.add_above):
        before = bisect.bisect_left(starts, end)  # taken passages that start before this ends
        if before and reach[before - 1] > start:
            continue
        if (
            start in towns
            or is_town_after_address(text, start, end)
            or is_venue_name(text, start, end)
            or scanner._is_company(start, end)
            or scanner.names_a_thing_at(start)
            or _opens_sentence_alone(scanner, start, end)
        ):
            continue
        # Kept rule names are apart from each other, so those overlapping are consecutive.
        first = bisect.bisect_left(kept_starts, start)
        if first and kept[first - 1].end > start:
            first -= 1
        last = bisect.bisect_left(kept_starts, end)
        inside = kept[first:last]
        if inside:
            if len(inside) == 1 and start <= inside[0].start and inside[0].end <= end:
                kept[first] = inside[0]._replace(start=start, end=end)
        # right after or before a kept rule name: the rest of that name ("Hank" + "Winter")
        elif first and _continues(text, kept[first - 1].end, start):
            kept[first - 1] = kept[first - 1]._replace(end=end)
        elif first < len(kept) and _continues(text, end, kept[first].start):
            kept[first] = kept[first]._replace(start=start)
        else:
            added.append(Hit(FindingType.PERSON_NAME, start, end, 0.6))
    return sorted(kept + added, key=lambda hit: hit.start)


@functools.cache
def load_model() -> NameModel | None:
    """The shipped model, or None when the package has none (then the rules decide alone)."""
    data = read_model_file(MODEL_FILE)
    return None if data is None else NameModel.from_json(data)


_switch: ModelSwitch[NameModel] = ModelSwitch(load_model)
# On since the eleventh round: on five blind held-out sets the model left fewer name
# errors than the rules alone (docs/benchmarks.md), and since then a name it adds can no
# longer overlap another finding or contradict the rules' judgements (``combine``).
# ``using_model(None)`` lets the rules decide alone (for training and comparison).
USE_SHIPPED_MODEL = True


def active_model() -> NameModel | None:
    """The model in use: one set by ``using_model``, else the shipped one if switched on."""
    return _switch.active(USE_SHIPPED_MODEL)


def using_model(model: NameModel | None) -> contextlib.AbstractContextManager[None]:
    """Detect with ``model`` (None: the rules alone) inside the block; for training."""
    return _switch.using(model)
