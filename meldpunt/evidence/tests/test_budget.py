"""Bombs of every format are refused (or cleaned) within the parser's memory and time budget.

Each file is cleaned in a fresh process (budget_probe.py), so the peaks
measured are those of this one file: the process that plays the server must
stay small (parsing happens in sandbox children), and each child stays within
EVIDENCE_PARSER_MEMORY_BYTES.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from meldpunt.evidence.conf import DEFAULTS
from meldpunt.evidence.tests import bombs

# The server-side process: interpreter, Django and the app, without any parser
# (about 90 MiB; up to 280 MiB seen while streaming a 64 MiB text through it).
# Before the sandbox, the bombs took this process past 2 GiB.
SERVER_PEAK_BYTES = 384 * 1024 * 1024
BUDGET_BYTES = DEFAULTS["EVIDENCE_PARSER_MEMORY_BYTES"]
# The 49-megapixel PNG is accepted but takes half a minute of PDQ; the
# benchmark (benchmarks/attack_parsing.py) runs it.
FAST = [name for name in bombs.BOMBS if name != "png_49_megapixels"]


def _probe(tmp_path: Path, files: dict[str, bytes], threads: int = 1) -> dict:
    paths = []
    for name, data in files.items():
        path = tmp_path / name
        path.write_bytes(data)
        paths.append(str(path))
    environment = {
        name: value for name, value in os.environ.items() if name != "DJANGO_SETTINGS_MODULE"
    } | {"MELDPUNT_DATA_DIR": str(tmp_path / "data")}
    finished = subprocess.run(  # noqa: S603 - our own module
        [sys.executable, "-m", "meldpunt.evidence.tests.budget_probe", str(threads), *paths],
        capture_output=True,
        env=environment,
        check=True,
        timeout=600,
    )
    report = json.loads(finished.stdout)
    report["outcomes"] = {Path(path).name: codes for path, codes in report["outcomes"].items()}
    return report


@pytest.mark.parametrize("name", FAST)
def test_bomb_is_handled_within_the_budget(name, tmp_path):
    build, expected = bombs.BOMBS[name]
    report = _probe(tmp_path, {name: build()})
    assert report["outcomes"] == {name: [expected]}
    assert report["self_peak_bytes"] < SERVER_PEAK_BYTES, report
    assert report["child_peak_bytes"] <= BUDGET_BYTES, report
    assert report["most_children"] >= 1  # it really was parsed in a child
    assert report["seconds"] < DEFAULTS["EVIDENCE_PARSER_SECONDS"]


def test_concurrent_bombs_wait_for_a_parser_slot(tmp_path):
    files = {name: bombs.BOMBS[name][0]() for name in ("png_64_megapixels", "pdf_flate_bomb_1_gib")}
    report = _probe(tmp_path, files, threads=3)
    assert report["outcomes"] == {name: ["too_complex"] * 3 for name in files}
    assert 1 <= report["most_children"] <= DEFAULTS["EVIDENCE_PARSER_CONCURRENCY"], report
    limit = SERVER_PEAK_BYTES + DEFAULTS["EVIDENCE_PARSER_CONCURRENCY"] * BUDGET_BYTES
    assert report["tree_peak_bytes"] < limit, report
