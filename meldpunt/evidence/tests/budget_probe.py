"""Clean files in a fresh process and report what it and its parser children used.

``python -m meldpunt.evidence.tests.budget_probe THREADS FILE...`` cleans the
files (each in THREADS threads at once, as a web server's threads would) and
prints JSON: each file's outcome, the peak resident memory of this process
(the server's part) and of its largest child (the parser), the most parser
children seen at once and the largest sum of resident memory over the whole
process tree while they ran. A fresh process, because peak memory (ru_maxrss)
only ever grows: the test process itself has parsed other files before.
"""

import json
import os
import resource
import sys
import threading
import time
from pathlib import Path

import django

from meldpunt.evidence.tests.memory import peak_resident_bytes


def _tree_sample() -> tuple[int, int]:
    """(parser children alive, resident bytes of this process and its children)."""
    children = []
    for task in Path(f"/proc/{os.getpid()}/task").iterdir():
        children += (task / "children").read_text().split()
    resident = 0
    for pid in [str(os.getpid()), *children]:
        try:
            status = Path(f"/proc/{pid}/status").read_text()
        except OSError:
            continue
        for line in status.splitlines():
            if line.startswith("VmRSS:"):
                resident += int(line.split()[1]) * 1024
    return len(children), resident


def main(argv: list[str]) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "meldpunt.settings")
    django.setup()
    from meldpunt.evidence.errors import EvidenceRejected
    from meldpunt.evidence.services import evidence_prepare

    threads, paths = int(argv[0]), argv[1:]
    outcomes: dict[str, list[str]] = {path: [] for path in paths}
    most = {"children": 0, "tree_bytes": 0}
    running = True

    def sample() -> None:
        while running:
            children, resident = _tree_sample()
            most["children"] = max(most["children"], children)
            most["tree_bytes"] = max(most["tree_bytes"], resident)
            time.sleep(0.02)

    def clean(path: str) -> None:
        with open(path, "rb") as source:
            try:
                prepared = evidence_prepare(
                    source=source, name=Path(path).name, max_bytes=200 * 1024 * 1024
                )
            except EvidenceRejected as refusal:
                outcomes[path].append(refusal.code)
            else:
                prepared.discard()
                outcomes[path].append("")

    sampler = threading.Thread(target=sample)
    sampler.start()
    started = time.monotonic()
    workers = [
        threading.Thread(target=clean, args=(path,)) for path in paths for _ in range(threads)
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    running = False
    sampler.join()
    report = {
        "outcomes": outcomes,
        "seconds": time.monotonic() - started,
        "self_peak_bytes": peak_resident_bytes(),  # VmHWM: not the forking parent's
        "child_peak_bytes": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024,
        "most_children": most["children"],
        "tree_peak_bytes": most["tree_bytes"],
    }
    sys.stdout.write(json.dumps(report))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
