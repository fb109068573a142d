"""The full fuzz run for TIFF and office documents: 2,000 mutants (or more) per format.

The suite's fuzz test (meldpunt/evidence/tests/test_fuzz.py) runs 300 of
these per format to stay short; this runs the issue's figure with the same
mutants (the same seeds, so a failure found here is found again) and prints
per format the outcomes, the slowest file in seconds against the test's
10-second limit, and the process's peak resident memory. Like the test, it
cleans in this process (the sandbox child's code, without starting a child
per mutant); test_budget.py covers the child's limits. Exit status 1 when
any mutant crashed (an exception other than a refusal), took 10 s or more,
or the peak passed 1 GiB. Run:

    .venv/bin/python benchmarks/fuzz_documents.py [--count 2000] [FORMAT ...]
"""

import argparse
import io
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "meldpunt.settings")
os.environ.setdefault("MELDPUNT_DATA_DIR", tempfile.mkdtemp(prefix="meldpunt-fuzz-"))

import django  # noqa: E402

django.setup()

from meldpunt.evidence import services  # noqa: E402
from meldpunt.evidence.errors import EvidenceRejected  # noqa: E402
from meldpunt.evidence.services import evidence_prepare  # noqa: E402
from meldpunt.evidence.tests import test_fuzz  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=2000, help="mutants per format")
    parser.add_argument("formats", nargs="*", default=sorted(test_fuzz.NEW_FORMATS))
    arguments = parser.parse_args()
    services.sandbox_run = test_fuzz._clean_in_process
    print(f"load average at start: {os.getloadavg()}")
    failed = False
    for fmt in arguments.formats:
        outcomes = {"cleaned": 0, "refused": 0}
        slowest = 0.0
        started_all = time.monotonic()
        for mutant in test_fuzz.mutants(fmt, arguments.count):
            started = time.monotonic()
            try:
                evidence_prepare(
                    source=io.BytesIO(mutant), name="fuzz", max_bytes=10 * 1024 * 1024
                ).discard()
                outcomes["cleaned"] += 1
            except EvidenceRejected:
                outcomes["refused"] += 1
            slowest = max(slowest, time.monotonic() - started)
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
        held = slowest < test_fuzz.MAX_SECONDS_PER_FILE and peak < test_fuzz.MAX_MEMORY_BYTES
        failed = failed or not held
        print(
            f"{fmt:10} {outcomes} total {time.monotonic() - started_all:.0f}s "
            f"slowest {slowest:.2f}s (limit {test_fuzz.MAX_SECONDS_PER_FILE}s) "
            f"peak {peak / 2**20:.0f} MiB {'held' if held else 'BROKEN'}"
        )
    print(f"load average at end: {os.getloadavg()}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
