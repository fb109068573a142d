"""Speed of the identifying-detail detector on 100 kB of adversarial text, per shape.

    .venv/bin/python benchmarks/privacy_speed.py [--repeats 3] [--rules-only] [--tips]

The shapes (digit runs, spaced zeros, thousands of phone numbers, IBAN-like
groups, mixed scripts with zero-width characters, a 100 kB URL, ...) are those of
the guard test in meldpunt/privacy/tests/test_detection.py. For each shape it
prints the minimum, median and maximum seconds of ``find_identifying_details``
and, as a baseline measured in the same run, the ratio to one pass of a plain
word regex over the same text (so a busy machine shows as a slower baseline, not
as a slower detector). Goal (issue 6): at most 1 s per 100 kB on the 2-core machine.
It measures the detector as it ships (the rules with both learned models);
``--rules-only`` the rules alone. Until 2026-12-08 the rules without the name model were
the default and ``--name-model`` switched it on; the flag is still accepted, so that the
recorded commands run unchanged (docs/privacy.md). ``--tips`` measures what a
reporter waits for instead: the mean milliseconds per text over the 4,418 tips of
benchmarks/data/privacy_eval.jsonl (the fastest of ``--repeats`` passes).
"""

import argparse
import os
import re
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "meldpunt.settings")

from benchmarks.privacy_eval import DATA, load  # noqa: E402
from meldpunt.privacy.detection import find_identifying_details, self_reference_model  # noqa: E402
from meldpunt.privacy.detection.name_model import load_model, using_model  # noqa: E402
from meldpunt.privacy.tests.adversarial import adversarial_inputs  # noqa: E402

_WORDS = re.compile(r"\w+")


def _seconds(function, text: str, repeats: int) -> list[float]:  # noqa: ANN001
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        function(text)
        times.append(time.perf_counter() - started)
    return times


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--rules-only", action="store_true", help="both learned models off")
    parser.add_argument(
        "--name-model", action="store_true", help="the default (kept for recorded commands)"
    )
    parser.add_argument("--tips", action="store_true", help="time the development set's tips")
    args = parser.parse_args()
    with (
        using_model(None if args.rules_only else load_model()),
        self_reference_model.using_model(
            None if args.rules_only else self_reference_model.active_model()
        ),
    ):
        return _measure_tips(args.repeats) if args.tips else _measure(args.repeats)


def _measure_tips(repeats: int) -> int:
    tips = [(item["text"], item["language"]) for item in load(DATA)]
    print(f"load average at start: {os.getloadavg()[0]:.1f}")
    passes = []
    for _ in range(repeats):
        started = time.perf_counter()
        for text, language in tips:
            find_identifying_details(text, language=language)
        passes.append(time.perf_counter() - started)
    print(f"{1000 * min(passes) / len(tips):.2f} ms per tip ({len(tips)} tips, best of {repeats})")
    return 0


def _measure(repeats: int) -> int:
    print(f"load average at start: {os.getloadavg()[0]:.1f}")
    print(f"{'shape':<22} {'min s':>7} {'median s':>9} {'max s':>7} {'x word scan':>12}")
    worst = 0.0
    for name, text in adversarial_inputs().items():
        detector = _seconds(find_identifying_details, text, repeats)
        baseline = statistics.median(_seconds(_WORDS.findall, text, repeats))
        median = statistics.median(detector)
        worst = max(worst, max(detector))
        print(
            f"{name:<22} {min(detector):>7.2f} {median:>9.2f} {max(detector):>7.2f}"
            f" {median / baseline:>12.0f}"
        )
    print(f"slowest call: {worst:.2f} s per 100 kB (goal: 1 s)")
    return 0 if worst <= 1.0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
