"""Issue 11, item 7 (fifth round): the learned second opinion on person names.

The sentences here are written for these tests; none is taken from a held-out set.
"""

import json
import sys
from importlib import resources
from pathlib import Path

import pytest

from meldpunt.privacy.detection import FindingType as T
from meldpunt.privacy.detection import find_identifying_details, name_model
from meldpunt.privacy.detection.name_model import (
    MODEL_FILE,
    NameModel,
    load_model,
    using_model,
)

ROOT = Path(__file__).resolve().parents[3]


def _names(text: str, language: str | None = None) -> list[str]:
    return [
        f.text for f in find_identifying_details(text, language=language) if f.type is T.PERSON_NAME
    ]


def test_shipped_name_model_is_small_and_loads():
    path = resources.files("meldpunt.privacy").joinpath("data", MODEL_FILE)
    assert path.is_file()
    assert len(path.read_bytes()) < 2_000_000
    model = load_model()
    assert isinstance(model, NameModel)
    assert 0.0 <= model.veto_below <= 1.0
    assert 0.0 <= model.add_above <= 1.01
    assert model.weights


def test_retraining_from_the_tuning_set_reproduces_the_shipped_weights():
    """``benchmarks/privacy_name_model.py --write`` is deterministic: same data, same file."""
    sys.path.insert(0, str(ROOT))
    from benchmarks.privacy_eval import load
    from benchmarks.privacy_name_model import DATA, examples, train

    shipped = json.loads(
        resources.files("meldpunt.privacy").joinpath("data", MODEL_FILE).read_text("utf-8")
    )
    rows = [row for item in load(DATA) for row in examples(item, rule_features=False)]
    assert train(rows, shipped["l2"]) == shipped["weights"]


def test_a_model_that_finds_nothing_likely_vetoes_only_the_rules_weaker_names():
    doubtful = NameModel({"bias": -10.0}, veto_below=0.5, add_above=1.01, veto_confidence=0.5)
    with using_model(None):
        rules = _names("Gisteren zag ik Kevin Jansen en later kwam Stoffel langs.", "nl")
    with using_model(doubtful):
        combined = _names("Gisteren zag ik Kevin Jansen en later kwam Stoffel langs.", "nl")
    assert rules == ["Kevin Jansen", "Stoffel"]
    # "Kevin Jansen" (a listed first name, confidence 0.9) stays; the lone word goes.
    assert combined == ["Kevin Jansen"]
    # Eleventh round: not when the same word is a name the model kept elsewhere in the text.
    text = "Mijn buurman Stoffel verkoopt het. Later kwam Stoffel langs."
    with using_model(doubtful):
        assert _names(text, "nl") == ["Stoffel", "Stoffel"]


def test_a_model_that_is_sure_adds_names_the_rules_missed():
    sure = NameModel(
        {"bias": -10.0, "shape=cap": 20.0, "sentence_start": -20.0}, veto_below=0.0, add_above=0.9
    )
    with using_model(None):
        assert _names("We waited at Quillon.", "en") == []
    with using_model(sure):
        assert "Quillon" in _names("We waited at Quillon.", "en")


def test_without_a_model_the_rules_decide_alone():
    with using_model(None):
        assert _names("Mijn buurman Kevin Jansen verkoopt het.", "nl") == ["Kevin Jansen"]


def test_the_shipped_model_is_on_by_default():
    """Eleventh round: switched on once a name it adds can no longer overlap another
    finding or contradict the rules' judgements (docs/privacy.md, "Eleventh round")."""
    assert name_model.USE_SHIPPED_MODEL is True
    assert name_model.active_model() is load_model()
    with using_model(None):
        assert name_model.active_model() is None
    assert name_model.active_model() is load_model()


def _sure_of(*words: str) -> NameModel:
    """A model certain that exactly ``words`` (in lower case) are names."""
    weights = {"bias": -10.0} | {f"w={word}": 20.0 for word in words}
    return NameModel(weights, veto_below=0.2, add_above=0.9, veto_confidence=0.5)


@pytest.mark.parametrize(
    ("text", "language", "sure", "expected"),
    [
        # a particle the model is less sure of stays inside the name, which lengthens the
        # rules' shorter name instead of adding a second, overlapping one
        (
            "Mijn buurvrouw Petra van der Meer woont hier.",
            "nl",
            ("petra", "meer"),
            ["Petra van der Meer"],
        ),
        # right after the rules' shorter name, the rest of it
        ("Gisteren kwam Jan van der Meer langs.", "nl", ("meer",), ["Jan van der Meer"]),
        # the town after an address, a business name, a verb opening a question
        ("They moved to Dorpsstraat 4, Burgum last year.", "en", ("burgum",), []),
        ("The firm Morrison & Grant sells fake shares.", "en", ("morrison", "grant"), []),
        ("Can you check this shop for me?", "en", ("can",), []),
        # one word before a dash: a name only when the remark says so
        ("Brexit — that is what started it.", "en", ("brexit",), []),
        ("Nana - yes, that is her real name - sells the pills.", "en", ("nana",), ["Nana"]),
        # inside a quoted name of a group the rules have judged no person
        ("The Facebook group 'Fans of Lola Brook' posts it.", "en", ("lola", "brook"), []),
    ],
)
def test_a_name_the_model_adds_never_overlaps_a_finding_or_overrules_the_rules(
    text, language, sure, expected
):
    """Eleventh round: ``combine`` adds a name only where nothing else was found and the
    rules have not judged the words to be something else; findings stay in text order."""
    with using_model(_sure_of(*sure)):
        findings = find_identifying_details(text, language=language)
    assert [f.text for f in findings if f.type is T.PERSON_NAME] == expected
    for left, right in zip(findings, findings[1:], strict=False):
        assert left.end <= right.start


@pytest.mark.parametrize(
    ("text", "language", "added"),
    [
        ("We waited at Quillon for an hour.", "en", set()),
        ("Het geld gaat naar Pronk in Rotterdam.", "nl", {"Pronk"}),
        ("Hij werkt bij Loodgieter Hofstede.", "nl", set()),
        ("The brand name Will Power is printed on the bags.", "en", set()),
        ("Mijn buurman Kevin Jansen verkoopt het vanuit de schuur.", "nl", set()),
    ],
)
def test_the_shipped_model_vetoes_only_weak_rule_names_and_adds_only_sure_ones(
    text, language, added
):
    """Tenth round: retrained on 4,418 texts, the five-fold choice vetoes rule names of
    confidence 0.5 or less that the model finds unlikely (below 0.2) and, for the first
    time, adds names it gives 0.9 or more ("naar Pronk in Rotterdam", which the rules
    miss). A strong rule name ("Kevin Jansen") always stays."""
    model = load_model()
    assert model.veto_confidence <= 0.5 and model.veto_below <= 0.2
    assert model.add_above >= 0.9
    with using_model(None):
        rules = _names(text, language)
    with using_model(model):
        combined = _names(text, language)
    assert set(combined) - set(rules) == added
    assert all(name in combined for name in rules if name == "Kevin Jansen")


def test_every_development_text_belongs_to_one_writer_batch():
    """``--by-writer`` holds back whole writers' batches (ninth round): each text of the
    development set must be in exactly one of them."""
    sys.path.insert(0, str(ROOT))
    from benchmarks.privacy_eval import load
    from benchmarks.privacy_name_model import DATA, WRITER_BATCHES

    for item in load(DATA):
        owners = [name for name, ids in WRITER_BATCHES.items() if item["id"] in ids]
        assert len(owners) == 1, item["id"]


def test_a_doubted_rule_name_paired_with_a_kept_name_stays():
    """Fourteenth round: "Mol and Jurre" name two people; the model's doubt about the
    everyday word does not split the pair, but a lone weak word still goes."""
    doubtful = NameModel({"bias": -10.0}, veto_below=0.5, add_above=1.01, veto_confidence=0.5)
    with using_model(doubtful):
        assert _names("Gisteren kwamen Kevin Jansen en Stoffel langs.", "nl") == [
            "Kevin Jansen",
            "Stoffel",
        ]
        assert _names("Gisteren zag ik Kevin Jansen en later kwam Stoffel langs.", "nl") == [
            "Kevin Jansen"
        ]


@pytest.mark.parametrize(
    ("text", "word", "feature"),
    [
        ("Het Stille Pakhuis is al jaren dicht.", "Pakhuis", "article_adjective"),
        ("We met outside the old Brewery on Friday.", "Brewery", "article_adjective"),
        ("Er staat een Molen achter het huis.", "Molen", "article"),
        # "de" right before a capital is a surname's particle, not an article
        ("Ik sprak met Anouk de Wit gisteren.", "Wit", None),
        # a cue between the article and the name: "the landlord Pieters" is a person
        ("The landlord Pieters keeps the keys.", "Pieters", None),
    ],
)
def test_a_capitalised_word_after_an_article_and_its_adjectives_is_marked(text, word, feature):
    """Fourteenth round: "Het Oude Raadhuis" heads a noun phrase; the model sees that the
    word follows an article (with common words between) and learns that such a word is
    rarely a person."""
    scanner, candidates = name_model.token_features(text, None, [])
    features = next(f for index, f in candidates if scanner.words[index].group() == word)
    marks = {mark for mark in ("article", "article_adjective") if mark in features}
    assert marks == ({feature} if feature else set())
