"""A bounded, first-come-first-served queue for the Argon2id derivations of reporters.

Every receipt derivation takes the configured Argon2id memory (256 MiB by
default) and about a second of one core. Left alone, every server thread runs
one at a time: with eight threads 2 GiB of memory, all of them slowed down
alike, and 200 reporters sending at once waited a minute and more. Here at most ``slots``
derivations run at once in a process; the others wait in arrival order, and a
request whose derivation would not be finished within ``max_wait`` seconds is
told so straight away (``DerivationBusy``), so the page can say "busy, try
again in a minute" instead of timing out. The wait is predicted from the queue
ahead and the mean duration of recent derivations (which grows when the machine
is loaded), and a waiter still without a slot when its time is up gives up.

The gate is per process: a server running several processes runs up to
``slots`` derivations in each (docs/operations.md).
"""

import os
import threading
import time
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache

from django.conf import settings

# Weight of the newest duration in the running mean used to predict waits.
_MEAN_WEIGHT = 0.2
# Share of the machine's memory that derivations may take when slots are automatic.
_MEMORY_SHARE = 4


class DerivationBusy(Exception):
    """The queue for derivations is too long to wait in; try again in a minute."""


class DerivationGate:
    """At most ``slots`` holders at once; waiters are served strictly in arrival order."""

    def __init__(self, *, slots: int, max_wait: float) -> None:
        self.slots, self.max_wait = slots, max_wait
        self._lock = threading.Lock()
        self._free = slots
        self._waiting: deque[threading.Event] = deque()
        self._mean_seconds: float | None = None

    def predicted_wait(self) -> float:
        """Seconds a newcomer would wait for a slot: rounds of the queue ahead times the mean."""
        with self._lock:
            return self._predicted_wait()

    def _predicted_wait(self) -> float:
        if self._free > 0 and not self._waiting:
            return 0.0
        rounds = len(self._waiting) // self.slots + 1
        return rounds * (self._mean_seconds or 0.0)

    @contextmanager
    def slot(self) -> Iterator[None]:
        self._acquire()
        started = time.monotonic()
        try:
            yield
        finally:
            self._release(time.monotonic() - started)

    def _acquire(self) -> None:
        with self._lock:
            if self._free > 0 and not self._waiting:
                self._free -= 1
                return
            # The derivation itself must fit in the time too.
            mean = self._mean_seconds or 0.0
            if self._predicted_wait() + mean > self.max_wait:
                raise DerivationBusy
            turn = threading.Event()
            self._waiting.append(turn)
        if turn.wait(max(0.0, self.max_wait - mean)):
            return
        with self._lock:
            if turn.is_set():  # the slot was handed over just as the wait ran out
                return
            self._waiting.remove(turn)
        raise DerivationBusy

    def _release(self, seconds: float) -> None:
        with self._lock:
            self._mean_seconds = (
                seconds
                if self._mean_seconds is None
                else (1 - _MEAN_WEIGHT) * self._mean_seconds + _MEAN_WEIGHT * seconds
            )
            if self._waiting:
                # Handed straight to the longest waiter, so a newcomer cannot overtake.
                self._waiting.popleft().set()
            else:
                self._free += 1


def default_slots(*, memlimit: int) -> int:
    """One derivation per core, but never more than a quarter of the memory can hold."""
    cores = len(os.sched_getaffinity(0))
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    return max(1, min(cores, memory // _MEMORY_SHARE // memlimit))


@lru_cache(maxsize=4)
def _gate(slots: int, max_wait: float) -> DerivationGate:
    return DerivationGate(slots=slots, max_wait=max_wait)


def derivation_gate() -> DerivationGate:
    """The process-wide gate for the current settings (one per setting, for tests)."""
    slots = settings.VAULT_KDF_SLOTS or default_slots(memlimit=settings.VAULT_KDF_MEMLIMIT)
    return _gate(slots, float(settings.VAULT_KDF_MAX_WAIT_SECONDS))
