"""Repeat the parsing attacks of issue 10 (items 3 and 5) and print what held.

For each bomb of meldpunt/evidence/tests/bombs.py, THREADS copies are cleaned
at once by a fresh process running the server's code path (evidence_prepare,
as the intake views call it, with the parser sandbox), and its whole process
tree is sampled every 20 ms. Printed per bomb: the outcomes, seconds, peak
resident memory of the server process, of one parser child and of the whole
tree, and "held" when every copy got its expected answer and the tree stayed
within SERVER + EVIDENCE_PARSER_CONCURRENCY x EVIDENCE_PARSER_MEMORY_BYTES,
else "BROKEN". It does not go through HTTP: the web server in front (waitress)
only buffers the body, and the request-level spool is tested in test_spool.py.

    .venv/bin/python benchmarks/attack_parsing.py [--threads 4]
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from django.conf import settings  # noqa: E402

settings.configure()

from meldpunt.evidence.conf import DEFAULTS  # noqa: E402
from meldpunt.evidence.tests import bombs  # noqa: E402

SERVER_BYTES = 384 * 1024 * 1024
MIB = 1024 * 1024


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--threads", type=int, default=4, help="uploads of each bomb at once")
    arguments = parser.parse_args()
    budget = (
        SERVER_BYTES
        + DEFAULTS["EVIDENCE_PARSER_CONCURRENCY"] * (DEFAULTS["EVIDENCE_PARSER_MEMORY_BYTES"])
    )
    print(f"budget for the process tree: {budget // MIB} MiB; {arguments.threads} uploads at once")
    broken = 0
    with tempfile.TemporaryDirectory() as scratch:
        for name, (build, expected) in bombs.BOMBS.items():
            path = Path(scratch) / name
            path.write_bytes(build())
            environment = {
                key: value for key, value in os.environ.items() if key != "DJANGO_SETTINGS_MODULE"
            } | {
                "MELDPUNT_DATA_DIR": str(Path(scratch) / "data"),
                "PYTHONPATH": str(Path(__file__).resolve().parents[1]),
            }
            finished = subprocess.run(  # noqa: S603 - our own module
                [
                    sys.executable,
                    "-m",
                    "meldpunt.evidence.tests.budget_probe",
                    str(arguments.threads),
                    str(path),
                ],
                capture_output=True,
                env=environment,
                check=True,
            )
            report = json.loads(finished.stdout)
            outcomes = next(iter(report["outcomes"].values()))
            held = outcomes == [expected] * arguments.threads and report["tree_peak_bytes"] < budget
            broken += not held
            print(
                f"{name:30} {len(path.read_bytes()) // 1024:>7} KiB  "
                f"{','.join(sorted(set(code or 'cleaned' for code in outcomes))):12} "
                f"{report['seconds']:6.1f} s  server {report['self_peak_bytes'] // MIB:>5} MiB  "
                f"child {report['child_peak_bytes'] // MIB:>5} MiB  "
                f"tree {report['tree_peak_bytes'] // MIB:>5} MiB  "
                f"children at once {report['most_children']}  {'held' if held else 'BROKEN'}"
            )
    return 1 if broken else 0


if __name__ == "__main__":
    sys.exit(main())
