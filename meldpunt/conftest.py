"""Fixtures shared by the apps' tests."""

# Tests that run real worker processes (evidence, network, workers).
from meldpunt.workers.testing import database_url, workers  # noqa: F401
