"""How well a second person agrees with the labels of the development set (issue 11, item 7).

    .venv/bin/python benchmarks/privacy_agreement.py [--errors]

Self-references are a judgement ("something the people in the report could use to tell
who wrote it"), so a detector's figures on them are bounded by how far two careful people
agree. benchmarks/data/privacy_agreement.jsonl holds a second labeller's self-references
for 300 texts of the development set (ids from batches h13 and h14, drawn at random with
seed 2026), labelled blind from the written definition (docs/privacy.md, "What counts as a
self-reference") without the original labels or the detector. This prints the second
labeller scored against the original labels with the same overlap matching as
privacy_eval.py, and the shipped detector scored against each labeller on the same texts.
"""

import argparse
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "meldpunt.settings")

from benchmarks.privacy_eval import DATA, Evaluation, evaluate, load  # noqa: E402
from meldpunt.privacy.detection import (  # noqa: E402
    Finding,
    FindingType,
    find_identifying_details,
)

KIND = FindingType.SELF_REFERENCE
SECOND = DATA.with_name("privacy_agreement.jsonl")


def self_references_only(items: list[dict]) -> list[dict]:
    return [
        {**item, "spans": [span for span in item["spans"] if span["type"] == KIND.name]}
        for item in items
    ]


def summary(evaluation: Evaluation) -> str:
    return (
        f"P {evaluation.precision(KIND):.3f} R {evaluation.recall(KIND):.3f} "
        f"(TP {evaluation.true_positives[KIND]}, FP {evaluation.false_positives[KIND]}, "
        f"FN {evaluation.false_negatives[KIND]}, exact {evaluation.exact[KIND]})"
    )


def detector_self_references(text: str, *, language: str) -> list[Finding]:
    return [f for f in find_identifying_details(text, language=language) if f.type is KIND]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--errors", action="store_true", help="list the disagreements")
    arguments = parser.parse_args()
    second = {item["id"]: item["spans"] for item in load(SECOND)}
    original = self_references_only([item for item in load() if item["id"] in second])
    by_text = {(item["text"], item["language"]): second[item["id"]] for item in original}

    def second_labeller(text: str, *, language: str) -> list[Finding]:
        return [
            Finding(KIND, span["start"], span["end"], span["text"], 1.0)
            for span in by_text[text, language]
        ]

    agreement = evaluate(original, second_labeller)
    relabelled = [{**item, "spans": by_text[item["text"], item["language"]]} for item in original]
    print(f"{len(original)} texts, {sum(len(s) for s in second.values())} second labels")
    print(f"second labeller against the original labels: {summary(agreement)}")
    for against, items in (("original labels", original), ("second labeller", relabelled)):
        scored = evaluate(items, detector_self_references)
        print(f"detector against the {against}: {summary(scored)}")
    if arguments.errors:
        print("\n".join(agreement.errors))
    return 0


if __name__ == "__main__":
    sys.exit(main())
