"""Fixtures shared by the privacy tests."""

from collections.abc import Iterator

import pytest

from meldpunt.privacy.detection import self_reference_model


@pytest.fixture
def self_reference_rules_alone() -> Iterator[None]:
    """The self-reference rules without the learned model, for tests of the rules' own
    judgements of near misses ("ik werk in de zorg", "ik ben 72"). The shipped model
    reports some of them: test_self_reference_model.py lists those as a known cost."""
    with self_reference_model.using_model(None):
        yield
