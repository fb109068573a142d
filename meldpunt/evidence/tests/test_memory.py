"""The peak-memory measure the fuzz test relies on (memory.py)."""

from meldpunt.evidence.tests.memory import peak_resident_bytes, reset_peak_resident_bytes

MIB = 1024 * 1024


def _touch(size: int) -> None:
    block = bytearray(size)
    for offset in range(0, size, 4096):  # make every page resident
        block[offset] = 1
    del block


def test_a_reset_forgets_an_earlier_peak_and_a_later_one_is_counted():
    _touch(200 * MIB)  # freed again: a block this large is its own mapping
    high = peak_resident_bytes()
    reset_peak_resident_bytes()
    low = peak_resident_bytes()
    assert low <= high - 150 * MIB  # the earlier peak is forgotten
    _touch(120 * MIB)
    assert peak_resident_bytes() >= low + 100 * MIB  # a later one is counted
