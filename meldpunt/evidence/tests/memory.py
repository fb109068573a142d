"""This process's peak resident memory, as Linux counts it (VmHWM).

``ru_maxrss`` only ever grows and survives an exec, so in a test worker it reports the
largest test the worker ever ran. VmHWM can be reset (``clear_refs``), so a test can
measure its own peak; both include native allocations (Pillow, FFmpeg, qpdf) that
tracemalloc would not see.
"""

import resource
from pathlib import Path


def reset_peak_resident_bytes() -> None:
    """Count the peak afresh from now on (Linux 4.0 and later: ``5`` resets VmHWM)."""
    Path("/proc/self/clear_refs").write_text("5")


def peak_resident_bytes() -> int:
    """Peak resident memory since the process started or the last reset."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
