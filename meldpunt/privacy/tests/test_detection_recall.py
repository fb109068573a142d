"""Issue 11, item 7 (fourth round): rules that raise recall and precision per type.

Each test names the rule it guards. The sentences are development examples written
for these tests, not taken from the held-out sets (benchmarks/data/privacy_heldout*.jsonl),
which are only scored by the benchmark.
"""

import pytest

from meldpunt.privacy.detection import FindingType as T
from meldpunt.privacy.detection import find_identifying_details


def _found(text: str, language: str | None = None) -> list[tuple[T, str]]:
    return [(f.type, f.text) for f in find_identifying_details(text, language=language)]


def _types(text: str, language: str | None = None) -> list[T]:
    return [kind for kind, _ in _found(text, language)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Mijn dochtertje krijgt berichten van hem.", "Mijn dochtertje"),
        ("Mijn kleindochter moet pakketjes rondbrengen.", "Mijn kleindochter"),
        ("Mijn schoonzoon regelt de papieren.", "Mijn schoonzoon"),
        ("My grandson is being groomed online.", "My grandson"),
        ("My stepson keeps the cash at our place.", "My stepson"),
    ],
)
def test_diminutives_grandchildren_and_prefixed_relations_are_self_references(text, expected):
    assert (T.SELF_REFERENCE, expected) in _found(text)
