"""What the learned second opinions (names, self-references) share at run time.

Each is a logistic regression stored as a JSON file of feature weights in
meldpunt/privacy/data, scored by dictionary look-ups (no numpy at run time), switched on
in the shipped detector and switchable per block for training and comparison. Training
lives in the benchmarks (``benchmarks/privacy_name_model.py``, ``train``).
"""

import contextlib
import itertools
import json
import math
from collections.abc import Callable, Iterable, Iterator
from importlib import resources


def logistic(weights: dict[str, float], features: Iterable[str]) -> float:
    """The probability a logistic regression with ``weights`` gives ``features``
    (unknown features weigh nothing; the score is clipped so exp cannot overflow)."""
    score = sum(map(weights.get, features, itertools.repeat(0.0)))
    return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, score))))


def read_model_file(name: str) -> dict | None:
    """The JSON of a shipped model in meldpunt/privacy/data, or None when the package has
    none (then the rules decide alone)."""
    path = resources.files("meldpunt.privacy").joinpath("data", name)
    if not path.is_file():
        return None
    return json.loads(path.read_text("utf-8"))


class ModelSwitch[M]:
    """Which model a detector uses: the one set for a block by ``using`` (blocks nest),
    else the shipped one when switched on. Training scripts compare several models, and
    need the rules alone (``using(None)``) to compute what the model should learn."""

    def __init__(self, shipped: Callable[[], M | None]) -> None:
        self._shipped = shipped
        self._stack: list[M | None] = []

    def active(self, use_shipped: bool) -> M | None:
        if self._stack:
            return self._stack[-1]
        return self._shipped() if use_shipped else None

    @contextlib.contextmanager
    def using(self, model: M | None) -> Iterator[None]:
        self._stack.append(model)
        try:
            yield
        finally:
            self._stack.pop()
