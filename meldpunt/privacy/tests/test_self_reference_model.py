"""The learned self-reference model, shipped as an add-only second opinion.

The sentences here are written for these tests; none is taken from a labelled set.
"""

import json
import sys
from importlib import resources
from pathlib import Path

import pytest
from django.utils import translation

from meldpunt.privacy.detection import FindingType as T
from meldpunt.privacy.detection import (
    find_identifying_details,
    reporter_warnings,
    self_reference_model,
)
from meldpunt.privacy.detection.findings import Hit
from meldpunt.privacy.detection.self_reference_model import (
    MODEL_FILE,
    SelfReferenceModel,
    load_model,
    spans_to_add,
    using_model,
)

ROOT = Path(__file__).resolve().parents[3]


def _self_references(text: str, language: str | None) -> list[str]:
    return [
        f.text
        for f in find_identifying_details(text, language=language)
        if f.type is T.SELF_REFERENCE
    ]


def test_the_shipped_model_is_on_by_default_and_only_adds():
    assert self_reference_model.USE_SHIPPED_MODEL is True
    model = load_model()
    assert isinstance(model, SelfReferenceModel)
    assert self_reference_model.active_model() is model
    with using_model(None):
        assert self_reference_model.active_model() is None
    assert self_reference_model.active_model() is model
    # the threshold chosen on the older-rules protocol (docs/privacy.md)
    assert model.add_above == 0.7
    assert len(resources.files("meldpunt.privacy").joinpath("data", MODEL_FILE).read_bytes()) < (
        2_000_000
    )


def test_retraining_from_the_development_set_reproduces_the_shipped_weights():
    """``benchmarks/privacy_self_reference_model.py --write`` is deterministic (full-batch
    gradient descent from zero weights); it takes a few seconds."""
    sys.path.insert(0, str(ROOT))
    from benchmarks.privacy_eval import DATA, load
    from benchmarks.privacy_name_model import train
    from benchmarks.privacy_self_reference_model import SHIPPED_ADD_ABOVE, SHIPPED_L2, rows_of

    shipped = json.loads(
        resources.files("meldpunt.privacy").joinpath("data", MODEL_FILE).read_text("utf-8")
    )
    assert (shipped["l2"], shipped["add_above"]) == (SHIPPED_L2, SHIPPED_ADD_ABOVE)
    rows = [row for item in load(DATA) for row in rows_of(item)]
    assert train(rows, shipped["l2"]) == shipped["weights"]


@pytest.mark.parametrize(
    ("text", "language", "added"),
    [
        # acted on: someone in the report does something for the reporter
        ("Zijn vrouw knipt mijn haar al jaren.", "nl", ["mijn haar"]),
        ("His wife has been doing my nails for years.", "en", ["my nails"]),
        ("He fixed our boiler last winter.", "en", ["our boiler"]),
        # dealings: the same choir as his mother
        ("Ik zing in hetzelfde koor als zijn moeder.", "nl", ["Ik"]),
        # place: where the reporter works
        ("My stall is right next to his at the market.", "en", ["My stall"]),
    ],
)
def test_the_shipped_model_finds_self_references_the_rules_miss(text, language, added):
    with using_model(None):
        assert _self_references(text, language) == []
    assert _self_references(text, language) == added


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("ik zag een auto", "nl"),
        ("I think it was Tuesday.", "en"),
        ("Ik denk dat het dinsdag was.", "nl"),
        ("I saw a car parked outside.", "en"),
    ],
)
def test_the_shipped_model_adds_nothing_to_ordinary_sentences(text, language):
    assert _self_references(text, language) == []


def _sure() -> SelfReferenceModel:
    """A model certain of every first-person word."""
    return SelfReferenceModel({"bias": 20.0}, add_above=0.7)


@pytest.mark.parametrize(
    ("text", "language", "added"),
    [
        # "Mijn" is inside the rules' "Mijn buurman"; "ik" after the ";" is apart
        ("Mijn buurman Kevin Jansen belde op 06-12345678; ik zag hem.", "nl", ["ik"]),
        # the first "ik" shares a clause with the rules' "mij": only the last is added
        (
            "Gisteren belde Kevin Jansen mij op 06-12345678 en ik nam op, dus ik weet het.",
            "nl",
            ["ik"],
        ),
        ("Kevin Jansen called me on 06-12345678 and then I saw him, my god.", "en", ["my god"]),
        # "my" before an e-mail address: its next word would overlap the address
        ("Write to my anna.b@example.com account, we moved.", "en", ["we"]),
    ],
)
def test_a_passage_the_model_adds_never_overlaps_another_finding(text, language, added):
    with using_model(None):
        before = find_identifying_details(text, language=language)
    with using_model(_sure()):
        after = find_identifying_details(text, language=language)
    new = [f for f in after if f not in before]
    assert new and all(f.type is T.SELF_REFERENCE for f in new)
    for finding in new:
        assert not any(f.start < finding.end and finding.start < f.end for f in before)
    for left, right in zip(after, after[1:], strict=False):
        assert left.end <= right.start
    assert [f.text for f in new] == added


def test_spans_to_add_keeps_apart_from_findings_and_merges_a_clause():
    text = "Ik en mijn zus, Kim Bos en ik"
    scored = [(0, 2, 0.9), (6, 10, 0.9), (27, 29, 0.8)]
    assert spans_to_add(text, scored, 0.7, []) == [(0, 14), (27, 29)]
    name = Hit(T.PERSON_NAME, 16, 23, 0.9)
    # the possessive takes its next word; the name does not touch any passage
    assert spans_to_add(text, scored, 0.7, [name]) == [(0, 14), (27, 29)]
    # below the threshold nothing is added; a rule's self-reference takes its clause
    assert spans_to_add(text, scored, 0.85, [name]) == [(0, 14)]
    own = Hit(T.SELF_REFERENCE, 6, 14, 0.9)
    assert spans_to_add(text, scored, 0.7, [own]) == [(27, 29)]


def test_an_added_passage_is_explained_as_a_self_reference():
    with translation.override("en"):
        (warning,) = reporter_warnings("Zijn vrouw knipt mijn haar al jaren.", language="nl")
        assert warning.finding.type is T.SELF_REFERENCE
        assert warning.is_likely_own
        assert "how you know the people involved" in str(warning.explanation)


@pytest.mark.parametrize(
    ("text", "language"),
    [
        # near misses the rules reject and the model, trained with more writers, leaves too
        ("We have the same problem every week.", None),
        ("I reported him to the council last year.", "en"),
        ("Ik ben 72 en woon alleen.", "nl"),
    ],
)
def test_the_shipped_model_leaves_near_misses_the_definition_excludes(text, language):
    assert _self_references(text, language) == []


@pytest.mark.xfail(
    strict=True,
    reason="known cost of shipping the model at 0.7: it reports these near misses the rules "
    "reject under the written definition (docs/privacy.md, Known gaps)",
)
@pytest.mark.parametrize(
    ("text", "language"),
    [
        # from the rules' own tests (run there with the rules alone)
        ("Ik werk er hard aan om meer te weten te komen.", None),
        ("Ik zit nu naast de telefoon te wachten.", None),
        ("Ik huur soms een auto.", None),
        ("Ik werk in de zorg en zie veel.", None),
        ("I work in the evenings.", None),
        ("Ik ben ouder dan hij.", None),
        ("I'm a big fan of the police.", None),
        ("Ik ben haar kwijtgeraakt in de drukte.", None),
        ("Ik ben zijn naam vergeten.", None),
        ("I'm his worst nightmare.", None),
        ("Ik ben complex aan het doen.", None),
        ("one of our Year 10s was there", None),
        ("Ik woon in de buurt van Utrecht.", None),
        ("Ik zit in de auto.", None),
        ("Ik weet het omdat ik in de zorg werk.", None),
        ("I'm the kind of person who notices.", None),
        ("Ik woon op Lindelaan 4.", None),
        ("Ik woon aan de Lindelaan 4.", None),
        ("We live in 3512 JK Utrecht.", None),
        ("Bij mijn adres, Kerkstraat 12. Bel 06-38217645.", "nl"),
        ("I work nights and saw a van there.", "en"),
    ],
)
def test_the_shipped_model_reports_no_near_miss_the_definition_excludes(text, language):
    assert _self_references(text, language) == []
