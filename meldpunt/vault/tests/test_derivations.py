"""The bounded queue for reporters' key derivations (issue 10.8): how many, who first, how long."""

import os
import threading
import time

import pytest

from meldpunt.vault.derivations import DerivationBusy, DerivationGate, default_slots


def _hold(gate: DerivationGate, seconds: float, log: list, name: str) -> None:
    with gate.slot():
        log.append(("in", name))
        time.sleep(seconds)
        log.append(("out", name))


def test_no_more_than_the_slots_run_at_once():
    gate = DerivationGate(slots=2, max_wait=30)
    log: list = []
    threads = [threading.Thread(target=_hold, args=(gate, 0.05, log, n)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    running = peak = 0
    for event, _name in log:
        running += 1 if event == "in" else -1
        peak = max(peak, running)
    assert peak == 2
    assert len(log) == 16


def test_waiters_are_served_in_arrival_order():
    gate = DerivationGate(slots=1, max_wait=30)
    log: list = []
    with gate.slot():
        threads = []
        for name in range(6):
            thread = threading.Thread(target=_hold, args=(gate, 0.01, log, name))
            thread.start()
            threads.append(thread)
            # Each waiter is queued before the next one arrives.
            while len(gate._waiting) < name + 1:
                time.sleep(0.001)
    for thread in threads:
        thread.join()
    assert [name for event, name in log if event == "in"] == list(range(6))


def test_a_wait_longer_than_the_limit_is_refused_and_leaves_the_queue():
    gate = DerivationGate(slots=1, max_wait=0.2)
    with gate.slot():
        started = time.monotonic()
        with pytest.raises(DerivationBusy):
            with gate.slot():
                pass
        assert 0.2 <= time.monotonic() - started < 2
    # The refused waiter is gone: the slot is free again for the next one at once.
    assert gate.predicted_wait() == 0
    with gate.slot():
        pass


def test_a_queue_too_long_to_wait_in_is_refused_at_once():
    gate = DerivationGate(slots=1, max_wait=1.3)
    with gate.slot():
        time.sleep(0.4)  # the mean duration is now about 0.4 s
    log: list = []
    with gate.slot():
        first = threading.Thread(target=_hold, args=(gate, 0, log, "first"))
        first.start()
        while not gate._waiting:
            time.sleep(0.001)
        second = threading.Thread(target=_hold, args=(gate, 0, log, "second"))
        second.start()
        while len(gate._waiting) < 2:
            time.sleep(0.001)
        # Three rounds to wait and its own derivation: 4 × 0.4 s is more than 1.3 s.
        assert gate.predicted_wait() + 0.4 > 1.3
        started = time.monotonic()
        with pytest.raises(DerivationBusy):
            with gate.slot():
                pass
        # Refused without waiting: well under the 1.3 s it would otherwise wait.
        assert time.monotonic() - started < 1.0
    first.join()
    second.join()
    assert [name for event, name in log if event == "in"] == ["first", "second"]


def test_default_slots_fit_cores_and_memory():
    slots = default_slots(memlimit=256 * 1024 * 1024)
    assert 1 <= slots <= len(os.sched_getaffinity(0))
    assert default_slots(memlimit=1 << 60) == 1  # more memory than any machine has
