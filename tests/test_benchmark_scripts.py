"""The benchmark scripts run as ``python benchmarks/<name>.py``, with their folder first on
sys.path: a script named like a standard-library module would replace that module for
every other script and every test that runs one (``benchmarks/queue.py`` once broke the
flood and load-and-fault tests that way)."""

import sys
from pathlib import Path

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"


def test_no_benchmark_script_is_named_like_a_standard_library_module():
    names = {path.stem for path in BENCHMARKS.glob("*.py")}
    assert names, "no benchmark scripts found"
    assert sorted(names & set(sys.stdlib_module_names)) == []
